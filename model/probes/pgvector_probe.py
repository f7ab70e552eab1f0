"""remote::pgvector: the PostgreSQL login of the backend probe, then the `vector` extension.

The adapter connects with host, port, db, user and password (no TLS settings: libpq's and
asyncpg's default, prefer) and at startup runs `CREATE EXTENSION vector` unless pg_extension
has it. So the probe checks, in this order: the extension is installed in `db` (ok); the server
has no such extension to install (extension_missing: the pgvector package is not on the
server); the user may create it (ok; tried in a transaction that is rolled back) or not
(permission_denied).
"""

from __future__ import annotations

from .base import ProbeFailure, Progress, Success
from .postgres_probe import logged_in
from .postgres_probe import classify as classify  # login, database and server errors: the runner's hook
from .result import Category
from .target import ProbeTarget

DRIVERS = ("asyncpg",)
INSUFFICIENT_PRIVILEGE = "42501"


async def _extension(conn, target: ProbeTarget) -> str:
    s = target.settings
    installed = await conn.fetchval("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
    if installed is not None:
        return f"extension vector {installed} is installed"
    available = await conn.fetchval("SELECT default_version FROM pg_available_extensions WHERE name = 'vector'")
    if available is None:
        raise ProbeFailure(Category.EXTENSION_MISSING,
                           f"the PostgreSQL server at {target.address} has no vector extension to install",
                           "install pgvector on the database server (the postgresql-NN-pgvector package, or an image "
                           "such as pgvector/pgvector), then CREATE EXTENSION vector; in database " + str(s.get("db")))
    import asyncpg

    try:
        async with conn.transaction():
            await conn.execute("CREATE EXTENSION vector")
            raise _RolledBack
    except _RolledBack:
        pass
    except asyncpg.PostgresError as exc:
        if exc.sqlstate != INSUFFICIENT_PRIVILEGE:
            raise
        raise ProbeFailure(Category.PERMISSION_DENIED,
                           f"extension vector is not installed in database '{s.get('db')}' and user '{s.get('user')}' may not create it",
                           f"as a superuser (or the database owner, for a trusted extension): CREATE EXTENSION vector; in database {s.get('db')}") from None
    return f"extension vector {available} is not installed yet; user '{s.get('user')}' may create it (the server does at startup)"


class _RolledBack(Exception):
    """Leaves the transaction block so asyncpg rolls it back."""


async def probe(target: ProbeTarget, progress: Progress) -> Success:
    what = await logged_in(target, progress, None, "the extension check", _extension)
    s = target.settings
    return Success(f"connected as {s.get('user')} to database {s.get('db')} on {target.address}; {what}", progress.server_version)
