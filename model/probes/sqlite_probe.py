"""kv_sqlite / sql_sqlite: can the server open (or create) its database file?

What the server does: kv_sqlite creates the file's directory (`os.makedirs(dirname)`) and then
the file; sql_sqlite (SQLAlchemy + aiosqlite) creates the file but not the directory, and
switches the file to WAL mode, which needs the directory writable. Both write to the file.

The probe changes nothing: an existing file is opened read-write with aiosqlite, without
creating it (`mode=rw`), and inside a transaction that is rolled back a write lock is taken
(`BEGIN IMMEDIATE`) and a table created (a file the OS lets us only read opens read-only
without an error, so only a write tells). Whether a directory is writable is tried for real
by creating an anonymous temporary file in it (it never gets a name on disk), not guessed
from the mode bits.
"""

from __future__ import annotations

import asyncio
import errno
import os
import secrets
import sqlite3
import tempfile
from pathlib import Path
from urllib.parse import quote

from .base import ProbeFailure, Progress, Success
from .result import Category
from .target import ProbeTarget

DRIVERS = ("aiosqlite",)

# sqlite3 result codes (https://sqlite.org/rescode.html), primary code = low byte
SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_NOTADB = 3, 5, 6, 8, 14, 26


def _version() -> str:
    return f"SQLite {sqlite3.sqlite_version}"


def _size(n: int) -> str:
    return f"{n} bytes" if n < 1024 else f"{n / 1024:.0f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MiB"


def _writable_dir(directory: Path, why: str) -> None:
    """Create (and at once lose) an unnamed file in `directory`; ProbeFailure if that is refused."""
    try:
        with tempfile.TemporaryFile(dir=directory, prefix=".llama-config-probe-"):
            pass
    except PermissionError:
        raise ProbeFailure(Category.PERMISSION_DENIED, f"cannot create files in {directory} ({why})",
                           f"make {directory} writable for the user the server runs as") from None
    except OSError as exc:
        if exc.errno == errno.EROFS:
            raise ProbeFailure(Category.PERMISSION_DENIED, f"{directory} is on a read-only file system ({why})",
                               "point db_path at a writable volume") from None
        raise


def _check_location(target: ProbeTarget) -> tuple[Path, bool, Path]:
    """(path, exists, the directory it lives or will be created in). Blocking: runs in a thread.

    Raises ProbeFailure when the server could not open or create the file there.
    """
    path = Path(target.settings["db_path"])
    if path.is_dir():
        raise ProbeFailure(Category.OTHER, f"{path} is a directory, not a database file", "db_path must name a file")
    directory = path.parent
    if path.exists():
        _writable_dir(directory, "the server keeps its journal next to the database")
        return path, True, directory
    existing = directory
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ProbeFailure(Category.OTHER, f"{existing} is a file, so {directory} cannot be a directory", "fix db_path")
    if existing != directory and target.type == "sql_sqlite" and not target.created_by:
        raise ProbeFailure(Category.DATABASE_MISSING,
                           f"the directory {directory} does not exist, and the server does not create it for sql_sqlite",
                           f"create it: mkdir -p {directory}")
    _writable_dir(existing, "the server creates the database file there" if existing == directory else f"the server must create {directory} in it")
    return path, False, existing


async def probe(target: ProbeTarget, progress: Progress) -> Success:
    db_path = str(target.settings["db_path"])
    if db_path == ":memory:" or db_path.startswith("file:") or "mode=memory" in db_path:
        return Success(f"{db_path}: an in-memory or URI database, nothing on disk to check", _version())
    path, exists, writable = await asyncio.to_thread(_check_location, target)
    relative = "" if path.is_absolute() else f"; relative to {os.getcwd()} here, to its working directory for the server"
    if not exists:
        if writable == path.parent:
            how = "the server creates it"
        elif target.created_by:
            how = f"opening {target.created_by[0]} (kv_sqlite) creates {path.parent}, then the server creates the file"
        else:
            how = f"the server creates {path.parent} and the file"
        return Success(f"{path} does not exist yet; {how} ({writable} is writable{relative})", _version())

    import aiosqlite

    progress.stage = "open the database"
    async with aiosqlite.connect(f"file:{quote(str(path.resolve()))}?mode=rw", uri=True, timeout=progress.timeout / 2) as db:
        progress.connected = True
        progress.stage = "take a write lock"
        await db.execute("BEGIN IMMEDIATE")
        try:
            async with db.execute("SELECT count(*) FROM sqlite_master") as cursor:
                (tables,) = await cursor.fetchone()
            # a file the OS lets us only read opens read-only without complaint: write to know
            await db.execute(f"CREATE TABLE llama_config_probe_{secrets.token_hex(4)} (x)")
        finally:
            await db.rollback()
    return Success(f"{path} opens for writing ({_size(path.stat().st_size)}, {tables} schema objects{relative})", _version())


def classify(exc: BaseException, target: ProbeTarget) -> ProbeFailure | None:
    path = target.settings.get("db_path")
    if isinstance(exc, sqlite3.Error):
        code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
        if code in (SQLITE_READONLY, SQLITE_PERM):
            return ProbeFailure(Category.PERMISSION_DENIED, f"{path} can be read but not written ({exc})",
                                "make the file (and its directory) writable for the user the server runs as")
        if code == SQLITE_CANTOPEN:
            return ProbeFailure(Category.PERMISSION_DENIED, f"{path} cannot be opened ({exc})",
                                "check the file's permissions and that it still exists")
        if code == SQLITE_NOTADB:
            return ProbeFailure(Category.PROTOCOL_MISMATCH, f"{path} is not an SQLite database ({exc})",
                                "db_path points at some other file")
        if code in (SQLITE_BUSY, SQLITE_LOCKED):
            return ProbeFailure(Category.OTHER, f"{path} is locked by another process ({exc})",
                                "another program holds a write lock; the server would wait for it")
        return ProbeFailure(Category.OTHER, f"{path}: {exc}", "check the file with the sqlite3 tool")
    if isinstance(exc, PermissionError):
        return ProbeFailure(Category.PERMISSION_DENIED, f"{path}: permission denied", "check the file's permissions")
    return None
