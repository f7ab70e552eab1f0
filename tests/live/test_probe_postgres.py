"""kv_postgres / sql_postgres probes against a real PostgreSQL 15 (and a Redis, and a silent port)."""

from __future__ import annotations

import asyncpg
import pytest

from llama_config.model.probes import Category

from .helpers import probe_backend

pytestmark = pytest.mark.live


async def _fetchval(pg, sql: str, user: str | None = None, password: str | None = None):
    conn = await asyncpg.connect(host=pg.host, port=pg.port, database=pg.database, user=user or pg.owner,
                                 password=password or pg.owner_password, ssl=False)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


@pytest.mark.parametrize("type_", ["kv_postgres", "sql_postgres"])
async def test_good_credentials_are_ok_and_leave_nothing_behind(postgres, type_):
    tables = ("inference_store", "openai_conversations") if type_ == "sql_postgres" else ()
    result = await probe_backend(postgres.backend(type_), tables=tables)
    assert result.category is Category.OK, result
    assert result.ok and result.server_version.startswith("PostgreSQL 15.")
    assert 0 < result.latency_ms < 2000
    assert "rolled back" in result.message and result.hint is None
    # the CREATE TABLEs ran inside a transaction that was rolled back
    left = await _fetchval(postgres, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    assert left == 0


async def test_wrong_password_is_auth_failed(postgres):
    result = await probe_backend(postgres.backend(password="not-the-password"))
    assert result.category is Category.AUTH_FAILED
    assert f"user '{postgres.owner}'" in result.message and postgres.owner in result.hint
    assert "not-the-password" not in result.message + result.hint


async def test_password_origin_is_named_in_the_hint_not_the_value(postgres):
    result = await probe_backend(postgres.backend(password="${env.PG_PASSWORD}"), environ={"PG_PASSWORD": "wrong-one"})
    assert result.category is Category.AUTH_FAILED
    assert "PG_PASSWORD from environment" in result.hint and "wrong-one" not in result.hint


async def test_unknown_user_is_auth_failed(postgres):
    result = await probe_backend(postgres.backend(user="nobody_here"))
    assert result.category is Category.AUTH_FAILED


async def test_unknown_database_is_database_missing(postgres):
    result = await probe_backend(postgres.backend("sql_postgres", db="no_such_db"))
    assert result.category is Category.DATABASE_MISSING
    assert "no_such_db" in result.message and "CREATE DATABASE no_such_db" in result.hint


@pytest.mark.parametrize("type_", ["kv_postgres", "sql_postgres"])
async def test_user_without_create_privilege_is_permission_denied(postgres, type_):
    backend = postgres.backend(type_, user=postgres.reader, password=postgres.reader_password)
    result = await probe_backend(backend, tables=("inference_store",) if type_ == "sql_postgres" else ())
    assert result.category is Category.PERMISSION_DENIED, result
    assert "GRANT CREATE ON SCHEMA public TO reader" in result.hint
    assert result.server_version.startswith("PostgreSQL 15.")  # logged in before it failed


async def test_sql_tables_that_exist_need_write_privileges_not_create(postgres):
    """SQLAlchemy creates only missing tables: a user without CREATE can use existing ones it may write."""
    conn = await asyncpg.connect(host=postgres.host, port=postgres.port, database=postgres.database,
                                 user=postgres.owner, password=postgres.owner_password, ssl=False)
    try:
        await conn.execute("CREATE TABLE granted_store (id integer); CREATE TABLE readonly_store (id integer)")
        await conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON granted_store TO {postgres.reader}")
        await conn.execute(f"GRANT SELECT ON readonly_store TO {postgres.reader}")
        reader = postgres.backend("sql_postgres", user=postgres.reader, password=postgres.reader_password)
        assert (await probe_backend(reader, tables=("granted_store",))).category is Category.OK
        denied = await probe_backend(reader, tables=("granted_store", "readonly_store"))
        assert denied.category is Category.PERMISSION_DENIED
        assert "readonly_store" in denied.message
    finally:
        await conn.execute("DROP TABLE granted_store, readonly_store")
        await conn.close()


async def test_kv_table_that_exists_is_checked_like_the_server_uses_it(postgres):
    """The server's CREATE TABLE IF NOT EXISTS needs CREATE on the schema even when the table
    exists, then it reads and writes the key/value/expiration columns."""
    conn = await asyncpg.connect(host=postgres.host, port=postgres.port, database=postgres.database,
                                 user=postgres.owner, password=postgres.owner_password, ssl=False)
    try:
        await conn.execute("CREATE TABLE kv_ok (key TEXT PRIMARY KEY, value TEXT, expiration TIMESTAMP); "
                           "CREATE TABLE kv_odd (id integer)")
        await conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON kv_ok TO {postgres.reader}")
        assert (await probe_backend(postgres.backend(table_name="kv_ok"))).category is Category.OK
        reader = await probe_backend(postgres.backend(table_name="kv_ok", user=postgres.reader, password=postgres.reader_password))
        assert reader.category is Category.PERMISSION_DENIED and "schema public" in reader.message
        odd = await probe_backend(postgres.backend(table_name="kv_odd"))
        assert odd.category is Category.OTHER and "other columns" in odd.message  # SQLSTATE 42703
        assert await conn.fetchval("SELECT count(*) FROM kv_ok") == 0
    finally:
        await conn.execute("DROP TABLE kv_ok, kv_odd")
        await conn.close()


async def test_ssl_mode_require_against_a_server_without_tls_is_tls(postgres):
    result = await probe_backend(postgres.backend(ssl_mode="require"))
    assert result.category is Category.TLS
    assert "does not accept TLS" in result.message and "ssl_mode" in result.hint


async def test_ssl_mode_verify_full_with_a_missing_ca_file_is_tls(postgres, tmp_path):
    result = await probe_backend(postgres.backend(ssl_mode="verify-full", ca_cert_path=str(tmp_path / "none.pem")))
    assert result.category is Category.TLS and "ca_cert_path" in result.message


async def test_ssl_mode_disable_connects(postgres):
    """Upstream passes ssl=None for `disable` (asyncpg's default then applies): it connects."""
    assert (await probe_backend(postgres.backend(ssl_mode="disable"))).category is Category.OK


@pytest.mark.parametrize("type_", ["kv_postgres", "sql_postgres"])
async def test_pointed_at_redis_is_protocol_mismatch(redis_server, type_):
    backend = {"type": type_, "host": redis_server.host, "port": redis_server.port, "user": "u", "password": "p"}
    result = await probe_backend(backend, timeout=3)
    assert result.category is Category.PROTOCOL_MISMATCH, result
    assert "Redis" in result.hint
    assert result.latency_ms < 2000  # found out well before the timeout


async def test_closed_port_is_refused(closed_port):
    for host in ("127.0.0.1", "localhost"):
        result = await probe_backend({"type": "kv_postgres", "host": host, "port": closed_port, "user": "u"})
        assert result.category is Category.REFUSED, result
        assert result.hint == f"is the server running on {host}:{closed_port}?"


async def test_listener_that_never_answers_is_timeout(silent):
    result = await probe_backend({"type": "sql_postgres", "host": "127.0.0.1", "port": silent.port, "user": "u"}, timeout=1)
    assert result.category is Category.TIMEOUT
    # the connection was made (the side check's SSLRequest went through): the message says so
    assert result.message.startswith(f"connected to 127.0.0.1:{silent.port}, but it did not answer the PostgreSQL startup message within 1 s")
    assert "this port stays silent" in result.message and "couldn't connect" not in result.message
    assert 950 <= result.latency_ms < 1500


async def test_unresolvable_host_is_dns():
    result = await probe_backend({"type": "kv_postgres", "host": "db.llama-config-test.invalid", "user": "u"})
    assert result.category is Category.DNS
    assert "db.llama-config-test.invalid" in result.message


async def test_invalid_table_name_is_reported_without_running_sql(postgres):
    result = await probe_backend(postgres.backend(table_name="bad-name; DROP TABLE x"))
    assert result.category is Category.OTHER and "not a PostgreSQL identifier" in result.message
