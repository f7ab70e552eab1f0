"""kv_postgres / sql_postgres: connect, authenticate, reach the database, check the tables.

What the server does (asyncpg for both): connect with host, port, user, password and db; for
kv_postgres with `ssl=` derived from ssl_mode / ca_cert_path exactly as upstream's
PostgresKVStoreImpl does; then kv_postgres runs `CREATE TABLE IF NOT EXISTS <table_name>` and
reads and writes it, and sql_postgres (SQLAlchemy) creates each store's table unless it exists.

The probe does the same inside transactions that are rolled back (see `check_tables`), so
nothing is left behind.

Two cases no exception class tells apart are settled by looking at the wire:
* a server that does not answer at all vs. one speaking another protocol (Redis waits for a
  line end and so never answers asyncpg): after a grace period a side connection sends the
  PostgreSQL SSLRequest; PostgreSQL answers one byte at once; if nothing comes, a second
  connection sends a PING line, which line-based servers (Redis, HTTP, SMTP) answer;
* asyncpg's plain ConnectionError when TLS was required: the same SSLRequest shows whether the
  server refuses TLS (`N`).
"""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import struct

from .base import ProbeFailure, Progress, Success, closed_without_answer, network_failure, tcp_failure
from .result import Category
from .target import ProbeTarget

DRIVERS = ("asyncpg",)
SSL_REQUEST = struct.pack("!ii", 8, 80877103)
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_TLS_REQUIRED = ("require", "verify-ca", "verify-full")
STARTUP = "PostgreSQL startup message"


def _ssl_argument(target: ProbeTarget):
    """asyncpg's `ssl=` as upstream's PostgresKVStoreImpl computes it (kv_postgres only)."""
    if target.type != "kv_postgres":
        return None
    mode, ca = target.settings.get("ssl_mode"), target.settings.get("ca_cert_path")
    if mode == "verify-full" and ca:
        if not os.path.isfile(str(ca)):
            raise ProbeFailure(Category.TLS, f"ca_cert_path {ca} is not a readable file", "fix ca_cert_path")
        import ssl

        try:
            return ssl.create_default_context(cafile=str(ca))
        except (OSError, ssl.SSLError) as exc:
            raise ProbeFailure(Category.TLS, f"ca_cert_path {ca} holds no usable CA certificate ({type(exc).__name__})",
                               "ca_cert_path must be a PEM file with the CA that signed the server's certificate") from None
    if mode and mode != "disable":
        return str(mode)
    return None


def _tls_required(ssl_arg) -> bool:
    return ssl_arg is not None and (not isinstance(ssl_arg, str) or ssl_arg in _TLS_REQUIRED)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _kv_table(target: ProbeTarget) -> str:
    table = str(target.settings.get("table_name"))
    if not IDENTIFIER.fullmatch(table):
        raise ProbeFailure(Category.OTHER, f"table_name {table!r} is not a PostgreSQL identifier",
                           "letters, digits and _, not starting with a digit, at most 63 characters")
    return table


DUPLICATE_TABLE = "42P07"  # SQLSTATE of CREATE TABLE IF NOT EXISTS's notice when the table exists


def _script(statements: list[str]) -> str:
    """One simple-protocol round trip, in a transaction that is rolled back."""
    return ";\n".join(["BEGIN", *statements, "ROLLBACK"])


def kv_write_checks(table: str) -> list[str]:
    """Zero-row statements that need the privileges the server's writes to its KV table need."""
    return [
        f"INSERT INTO {table} (key, value, expiration) SELECT key, value, expiration FROM {table} WHERE false",
        f"UPDATE {table} SET value = value WHERE false",
        f"DELETE FROM {table} WHERE false",
    ]


def sql_table_checks(tables: list[str], existing: set[str]) -> list[str]:
    """SQLAlchemy's create_all(checkfirst): a missing table is created (names quoted); an existing
    one gets zero-row INSERT and DELETE statements, which need the privileges the writes need."""
    statements = []
    for table in tables:
        q = _quote(table)
        if table in existing:
            statements += [f"INSERT INTO {q} OVERRIDING SYSTEM VALUE SELECT * FROM {q} WHERE false", f"DELETE FROM {q} WHERE false"]
        else:
            statements.append(f"CREATE TABLE {q} ()")
    return statements


async def check_tables(conn, target: ProbeTarget) -> list[str]:
    """The store tables' creation and writes, each in a transaction that is rolled back; the tables.

    A missing table is created under the store's name without columns: that needs the privilege
    the server's CREATE TABLE needs (CREATE on the schema it lands in), at half the cost of the
    full definition with its primary key index on a fresh connection.

    kv_postgres: the server runs CREATE TABLE IF NOT EXISTS, which PostgreSQL refuses without
    CREATE on the schema even when the table exists; so does the probe, and the notice it gets
    back (SQLSTATE 42P07) says the table exists, whose writes are then checked as well.
    sql_postgres: one query asks which tables exist, as SQLAlchemy does before creating any.
    """
    if target.type == "kv_postgres":
        table = _kv_table(target)
        notices: list[str | None] = []

        def listen(_conn, message) -> None:
            notices.append(message.sqlstate)

        conn.add_log_listener(listen)
        try:
            await conn.execute(_script([f"CREATE TABLE IF NOT EXISTS {table} ()"]))
            await asyncio.sleep(0)  # asyncpg hands notices to listeners with call_soon
        finally:
            conn.remove_log_listener(listen)
        if DUPLICATE_TABLE in notices:
            await conn.execute(_script(kv_write_checks(table)))
        return [table]
    tables = list(target.tables) or [f"llama_config_probe_{secrets.token_hex(4)}"]
    rows = await conn.fetch("SELECT i FROM unnest($1::text[]) WITH ORDINALITY AS x(ref, i) WHERE to_regclass(ref) IS NOT NULL",
                            [_quote(t) for t in tables])
    await conn.execute(_script(sql_table_checks(tables, {tables[row["i"] - 1] for row in rows})))
    return tables


async def _ask(target: ProbeTarget, request: bytes, wait: float | None, progress: Progress) -> bytes | None:
    """Send `request` on a new connection; the first bytes of the answer (200 at most), b"" if
    closed or reset, None if silent or not reachable."""
    try:
        reader, writer = await asyncio.open_connection(target.settings["host"], target.settings["port"])
    except ConnectionResetError:  # accepted and reset at once, before the connect call returned
        progress.accepted(f"answer the {STARTUP}")
        return b""
    except OSError:
        return None
    progress.accepted(f"answer the {STARTUP}")
    try:
        writer.write(request)
        return await asyncio.wait_for(reader.read(200), wait)
    except TimeoutError:
        return None
    except OSError:
        return b""
    finally:
        writer.close()


async def _sniff(target: ProbeTarget, progress: Progress, quiet: float = 0.25) -> bytes | None:
    """What host:port answers to a PostgreSQL SSLRequest, or else to a PING line; b"" if it
    closes the connection without a byte, None if nothing answers."""
    data = await _ask(target, SSL_REQUEST, quiet, progress)
    if data is not None:
        return data
    progress.note = "PostgreSQL answers an SSLRequest at once; this port stays silent"
    # Not PostgreSQL, which answers an SSLRequest at once. A line-based server (Redis, HTTP,
    # SMTP) waits for a line end, which the SSLRequest lacks (and Redis stops reading at its NUL
    # bytes), so ask again on a fresh connection with a line such servers answer.
    data = await _ask(target, b"PING\r\n", None, progress)
    if data == b"":
        progress.note = "the port accepts connections, but closes them without answering"
    return data


def _is_postgres_reply(data: bytes) -> bool:
    return data in (b"S", b"N") or data[:1] == b"E"


def _mismatch(target: ProbeTarget, data: bytes) -> ProbeFailure:
    preview = data[:40].decode("ascii", "replace").splitlines()[0] if data.strip() else repr(data[:20])
    looks = {b"-": "Redis", b"+": "Redis", b"HTTP/": "an HTTP server", b"SSH-": "an SSH server"}
    guess = next((name for prefix, name in looks.items() if data.startswith(prefix)), None)
    return ProbeFailure(
        Category.PROTOCOL_MISMATCH,
        f"{target.address} does not speak the PostgreSQL protocol (it answered {preview!r})",
        f"is {target.settings['port']} the PostgreSQL port?" + (f" This looks like {guess}." if guess else ""),
    )


async def _watch(target: ProbeTarget, progress: Progress, grace: float) -> None:
    """If connecting takes longer than `grace`, find out whether PostgreSQL is there at all."""
    await asyncio.sleep(grace)
    data = await _sniff(target, progress)
    if data and not _is_postgres_reply(data):
        raise _mismatch(target, data)
    await asyncio.Event().wait()  # PostgreSQL (or silence): leave the verdict to the connection


async def _explain(target: ProbeTarget, ssl_arg) -> ProbeFailure | None:
    """A cause for a connection failure whose exception class alone does not give one."""
    unreachable = await tcp_failure(target)
    if unreachable is not None:
        return unreachable
    data = await _sniff(target, Progress(0))
    if data is None:
        return None
    if data == b"":  # PostgreSQL answers an SSLRequest at once, it never hangs up on one
        return closed_without_answer(target, STARTUP)
    if not _is_postgres_reply(data):
        return _mismatch(target, data)
    if data == b"N" and _tls_required(ssl_arg):
        return ProbeFailure(
            Category.TLS,
            f"{target.address} does not accept TLS connections, but ssl_mode is '{target.settings.get('ssl_mode')}'",
            "enable ssl on the PostgreSQL server, or set ssl_mode to prefer or disable",
        )
    return None


async def _connect(target: ProbeTarget, progress: Progress, ssl_arg):
    import asyncpg

    s = target.settings
    connecting = asyncio.ensure_future(asyncpg.connect(
        host=s["host"], port=s["port"], user=s.get("user"), password=s.get("password"), database=s.get("db"),
        ssl=ssl_arg, timeout=progress.timeout + 5,  # our own timeout fires first, with a better message
    ))
    watching = asyncio.ensure_future(_watch(target, progress, min(0.5, progress.timeout / 4)))
    handed_over = False
    try:
        await asyncio.wait({connecting, watching}, return_when=asyncio.FIRST_COMPLETED)
        if not connecting.done() and watching.done() and watching.exception() is not None:
            raise watching.exception()
        try:
            conn = await connecting
        except (asyncpg.PostgresError, asyncpg.ClientConfigurationError):
            raise
        except (OSError, asyncpg.InterfaceError, asyncpg.InternalClientError) as exc:
            if network_failure(exc, target) is None:
                failure = await _explain(target, ssl_arg)
                if failure is not None:
                    raise failure from exc
            raise
        handed_over = True
        return conn
    finally:
        for task in (connecting, watching):
            task.cancel()
        await asyncio.wait({connecting, watching}, timeout=1)
        for task in (connecting, watching):
            if task.done() and not task.cancelled():
                error = task.exception()  # retrieved, so asyncio does not log it as lost
                if task is connecting and error is None and not handed_over:
                    task.result().terminate()  # connected just as we gave up: do not leak it


async def close(conn) -> None:
    """Close `conn` (bounded by the probe's timeout); terminate it when that fails or is cancelled."""
    try:
        await conn.close()
    except asyncio.CancelledError:
        conn.terminate()
        raise
    except Exception:  # closing failed: the result stands, the socket goes
        conn.terminate()


async def logged_in(target: ProbeTarget, progress: Progress, ssl_arg, what: str, check):
    """Log in, then `await check(conn, target)` (`what` it waits for, in a timeout's message); its result."""
    conn = await _connect(target, progress, ssl_arg)
    try:
        progress.connected = True
        progress.server_version = f"PostgreSQL {conn.get_settings().server_version}"
        progress.stage = f"answer {what}"
        return await check(conn, target)
    finally:
        await close(conn)


async def probe(target: ProbeTarget, progress: Progress) -> Success:
    if target.type == "kv_postgres":
        _kv_table(target)  # an unusable table_name fails before connecting
    tables = await logged_in(target, progress, _ssl_argument(target), "the table check", check_tables)
    s = target.settings
    what = f"table {tables[0]}" if target.type == "kv_postgres" else (
        f"tables {', '.join(tables)}" if target.tables else "tables")
    return Success(
        f"connected as {s.get('user')} to database {s.get('db')} on {target.address}; may create and write {what} "
        f"(checked in transactions that were rolled back)",
        progress.server_version,
    )


def classify(exc: BaseException, target: ProbeTarget) -> ProbeFailure | None:
    import asyncpg

    s = target.settings
    user, db, where = s.get("user"), s.get("db"), target.address
    if isinstance(exc, asyncpg.PostgresError):
        state = exc.sqlstate or ""
        detail = exc.args[0] if exc.args else type(exc).__name__
        if state.startswith("28"):  # invalid_authorization_specification, invalid_password
            origin = target.origins.get("password")
            return ProbeFailure(Category.AUTH_FAILED, f"{where} refused the login of user '{user}' ({detail})",
                                f"check user '{user}' and its password" + (f" ({origin})" if origin else ""))
        if state == "3D000":  # invalid_catalog_name
            return ProbeFailure(Category.DATABASE_MISSING, f"database '{db}' does not exist on {where}",
                                f"create it (CREATE DATABASE {db} OWNER {user};) or fix db")
        if state == "42501":  # insufficient_privilege
            what = f"the table {s.get('table_name')}" if target.type == "kv_postgres" else "the stores' tables"
            return ProbeFailure(Category.PERMISSION_DENIED, f"user '{user}' may not create or write {what} in database '{db}' ({detail})",
                                f"GRANT CREATE ON SCHEMA public TO {user}; (since PostgreSQL 15 not every user may create tables in public), "
                                f"or create the tables as their owner and grant {user} access")
        if state == "42703":  # undefined_column: the table exists, but it is not the store's
            return ProbeFailure(Category.OTHER, f"a table of that name exists in '{db}' with other columns than the server's ({detail})",
                                "point table_name at a table of its own, or drop the stray table")
        if state == "53300":  # too_many_connections
            return ProbeFailure(Category.OTHER, f"{where} has no free connection slots ({detail})",
                                "raise max_connections or lower the pool sizes of the clients")
        if state.startswith("57P"):  # operator intervention: starting up, shutting down
            return ProbeFailure(Category.OTHER, f"{where} does not accept connections right now ({detail})",
                                "the server is starting up, shutting down or in recovery; try again")
        return ProbeFailure(Category.OTHER, f"{where} answered with error {state} ({detail})",
                            "see the PostgreSQL server log for details")
    if isinstance(exc, asyncpg.ClientConfigurationError):
        return ProbeFailure(Category.OTHER, f"the connection settings are not usable ({exc})", "check ssl_mode and the other fields")
    return None
