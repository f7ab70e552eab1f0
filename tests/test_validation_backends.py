"""storage.backends: backend types, required fields, types and ranges, unknown keys, unused backends.

BASE is a llama-stack 0.3 file and is judged against 0.3 (`check`'s default); fields that came
later (the sql_postgres pool) are judged against llama-stack 0.7, on NEWER."""

from __future__ import annotations

import pytest

from tests.test_validation_common import check, config, has, only, pos, summary
from tests.test_validation_formats import NEWER, NEWER_RELEASE

SQLITE_KV = "    kv_default:\n      type: kv_sqlite\n      db_path: /tmp/kv.db\n"
SQLITE_SQL = "    sql_default:\n      type: sql_sqlite\n      db_path: /tmp/sql.db\n"


def with_kv(body: str) -> str:
    """BASE with the kv_default backend replaced by `body` (indented under kv_default)."""
    return config((SQLITE_KV, "    kv_default:\n" + body))


def with_sql(body: str) -> str:
    return config((SQLITE_SQL, "    sql_default:\n" + body))


# --------------------------------------------------------------------------- backend type


def test_unknown_backend_type_suggests_the_close_one():
    text = config(("type: kv_sqlite", "type: kv_sqlit"))
    line, column = pos(text, "kv_sqlit\n")
    assert summary(check(text)) == [("error", "unknown-backend-type", "storage.backends.kv_default.type", line, column)]
    message = check(text)[0].message
    assert message == "storage.backends.kv_default has unknown backend type 'kv_sqlit'; did you mean 'kv_sqlite'?"


def test_pre_03_store_type_is_explained():
    text = config(("type: sql_sqlite", "type: sqlite"))
    d = only(check(text), "unknown-backend-type")
    assert (d.severity, d.path_text, (d.line, d.column)) == ("error", "storage.backends.sql_default.type", pos(text, "sqlite\n      db_path: /tmp/sql"))
    has(d.message, "'sqlite' is a pre-0.3 store type", "kv_sqlite or sql_sqlite")


def test_unrelated_backend_type_lists_all_six():
    d = only(check(config(("type: kv_sqlite", "type: cassandra"))), "unknown-backend-type")
    has(d.message, "unknown backend type 'cassandra'", "llama-stack 0.3 knows kv_sqlite, kv_redis, kv_postgres, kv_mongodb, sql_sqlite, sql_postgres")


def test_backend_type_from_a_placeholder_default_is_used():
    assert check(config(("type: kv_sqlite", "type: ${env.KV_TYPE:=kv_sqlite}"))) == []


def test_every_backend_type_accepts_a_typical_configuration():
    text = config(
        (SQLITE_KV, """\
    kv_default:
      type: kv_postgres
      host: ${env.POSTGRES_HOST:=localhost}
      port: ${env.POSTGRES_PORT:=5432}
      db: llamastack
      user: ${env.POSTGRES_USER:=llamastack}
      password: ${env.POSTGRES_PASSWORD:=llamastack}
      table_name: ${env.POSTGRES_TABLE_NAME:=llamastack_kvstore}
    kv_cache:
      type: kv_redis
      host: redis
      port: 6379
    kv_docs:
      type: kv_mongodb
      host: mongodb://mongo:27017
      collection_name: kv
"""),
        (SQLITE_SQL, """\
    sql_default:
      type: sql_postgres
      host: db
      port: 5432
      user: app
      password: secret
"""),
        ("namespace: agents", "namespace: agents\n        extra:\n          backend: kv_cache\n          namespace: x\n"
                              "        extra2:\n          backend: kv_docs\n          namespace: y"),
    )
    assert check(text) == []


# --------------------------------------------------------------------------- required fields


def test_missing_type_is_reported_at_the_backend_key():
    text = config(("      type: kv_sqlite\n", ""))
    line, column = pos(text, "kv_default:")
    assert summary(check(text)) == [("error", "missing-field", "storage.backends.kv_default", line, column)]
    has(check(text)[0].message, "is missing the required field 'type' (one of kv_sqlite, kv_redis, kv_postgres, kv_mongodb, sql_sqlite, sql_postgres)")


def test_missing_db_path():
    text = config(("      db_path: /tmp/sql.db\n", ""))
    line, column = pos(text, "sql_default:")
    assert summary(check(text)) == [("error", "missing-field", "storage.backends.sql_default", line, column)]
    assert check(text)[0].message == "storage.backends.sql_default is missing the required field 'db_path'"


def test_postgres_needs_a_user():
    text = with_sql("      type: sql_postgres\n      host: db\n")
    d = only(check(text), "missing-field")
    assert (d.path_text, (d.line, d.column)) == ("storage.backends.sql_default", pos(text, "sql_default:"))
    has(d.message, "required field 'user'")
    assert [x.code for x in check(text)] == ["missing-field"]
    assert check(with_sql("      type: sql_postgres\n      host: db\n      user: app\n")) == []


def test_typo_in_a_field_name_gives_missing_field_and_a_suggestion():
    text = config(("db_path: /tmp/kv.db", "db_pth: /tmp/kv.db"))
    assert summary(check(text)) == [
        ("error", "missing-field", "storage.backends.kv_default", *pos(text, "kv_default:")),
        ("warning", "unknown-key", "storage.backends.kv_default.db_pth", *pos(text, "db_pth")),
    ]
    has(check(text)[1].message, "backend 'kv_default' (kv_sqlite) has no field 'db_pth', so llama-stack 0.3 ignores it", "did you mean 'db_path'?")


def test_unknown_key_without_a_close_match_lists_the_fields():
    # upstream's kv_redis has no url / password / TLS: a `url:` is silently ignored
    text = with_kv("      type: kv_redis\n      url: redis://cache:6379\n")
    d = only(check(text), "unknown-key")
    assert (d.severity, d.path_text, (d.line, d.column)) == ("warning", "storage.backends.kv_default.url", pos(text, "url: redis"))
    has(d.message, "has no field 'url'", "known fields: host, namespace, port, type")


# --------------------------------------------------------------------------- types and ranges


@pytest.mark.parametrize(("value", "shown"), [("abc", "'abc'"), ("[1]", "a list")])
def test_backend_port_type(value, shown):
    # llama-stack 0.3: "Input should be a valid integer" (the oracle, 0.3.5)
    text = with_kv(f"      type: kv_redis\n      port: {value}\n")
    line, column = pos(text, f"port: {value}")
    assert summary(check(text)) == [("error", "wrong-type", "storage.backends.kv_default.port", line, column + len("port: "))]
    assert check(text)[0].message == f"storage.backends.kv_default.port must be an integer, not {shown}"


@pytest.mark.parametrize("value", ["-1", "0", "70000", "${env.REDIS_PORT:=70000}"])
def test_backend_port_out_of_range_is_a_warning(value):
    # the release's kv_redis port is any integer: 0.3 accepts 70000 (the oracle, 0.3.5), and the
    # store only fails when the server opens it
    text = with_kv(f"      type: kv_redis\n      port: {value}\n")
    line, column = pos(text, f"port: {value}")
    assert summary(check(text)) == [("warning", "out-of-range", "storage.backends.kv_default.port", line, column + len("port: "))]
    number = value.removeprefix("${env.REDIS_PORT:=").removesuffix("}")
    assert check(text)[0].message == (
        f"storage.backends.kv_default.port must be an integer from 1 to 65535, not {number}: llama-stack 0.3 does not "
        "stop on it at startup while reading the config, but the store fails when the server opens it"
    )


def test_backend_port_in_range_and_placeholder_pass():
    assert check(with_kv("      type: kv_redis\n      port: 65535\n")) == []
    assert check(with_kv("      type: kv_redis\n      port: ${env.REDIS_PORT:=6379}\n")) == []


POOL = ("pool_size", "max_overflow", "pool_recycle")


def with_sql_newer(body: str) -> str:
    """NEWER (a llama-stack 0.7 file) with the sql_default backend replaced by `body`."""
    assert NEWER.count(SQLITE_SQL) == 1
    return NEWER.replace(SQLITE_SQL, "    sql_default:\n" + body)


@pytest.mark.parametrize(("field", "value", "bound"), [("pool_size", "0", ">= 1"), ("max_overflow", "-1", ">= 0"), ("pool_recycle", "-2", ">= -1")])
def test_sql_postgres_pool_limits(field, value, bound):
    # the pool fields came with llama-stack 0.7 (PostgresSqlStoreConfig: ge=1 / ge=0 / ge=-1)
    text = with_sql_newer(f"      type: sql_postgres\n      user: app\n      {field}: {value}\n")
    line, column = pos(text, f"{field}: {value}")
    diagnostics = check(text, server=NEWER_RELEASE)
    assert summary(diagnostics, infos=False) == [("error", "out-of-range", f"storage.backends.sql_default.{field}", line, column + len(field) + 2)]
    has(only(diagnostics, "out-of-range").message, f"must be an integer {bound}, not {value}")


def test_sql_postgres_pool_limits_at_their_bounds_pass():
    text = with_sql_newer("      type: sql_postgres\n      user: app\n      pool_size: 1\n      max_overflow: 0\n      pool_recycle: -1\n")
    assert summary(check(text, server=NEWER_RELEASE), infos=False) == []


def test_sql_postgres_pool_fields_are_ignored_by_0_3():
    # llama-stack 0.3's sql_postgres has no pool: it accepts pool_size: 0 (the oracle, 0.3.5) and ignores the fields
    text = with_sql("      type: sql_postgres\n      user: app\n" + "".join(f"      {field}: 0\n" for field in POOL))
    assert summary(check(text)) == [("warning", "unknown-key", f"storage.backends.sql_default.{field}", *pos(text, f"{field}:")) for field in POOL]
    assert check(text)[0].message == (
        "backend 'sql_default' (sql_postgres): 'pool_size' is a field of llama-stack 0.7 to ogx 1.5, not of llama-stack 0.3, which ignores it"
    )


def test_wrong_scalar_type_for_a_string_field():
    text = with_kv("      type: kv_sqlite\n      db_path: [a, b]\n")
    d = only(check(text), "wrong-type")
    assert (d.severity, d.path_text, (d.line, d.column)) == ("error", "storage.backends.kv_default.db_path", pos(text, "[a, b]"))
    has(d.message, "must be a string, not a list")


def test_postgres_kv_table_name_that_is_not_an_identifier_is_a_warning():
    # upstream's identifier check never runs (a @classmethod above @field_validator registers
    # nothing): 0.3 accepts `my-table` (the oracle, 0.3.5); PostgreSQL refuses it on first use
    text = with_kv("      type: kv_postgres\n      user: app\n      table_name: my-table\n")
    d = only(check(text), "invalid-value")
    assert (d.severity, d.path_text, (d.line, d.column)) == ("warning", "storage.backends.kv_default.table_name", pos(text, "my-table"))
    has(d.message, "'my-table' is not a plain PostgreSQL identifier", "the server starts, but creating the table fails")
    assert check(with_kv("      type: kv_postgres\n      user: app\n      table_name: my_table\n")) == []


def test_a_backend_that_is_not_a_mapping():
    text = config((SQLITE_SQL, "    sql_default: sqlite\n"))
    line, column = pos(text, "sql_default: sqlite")
    # the references to it are not reported again: its family is unknown, not wrong
    assert summary(check(text)) == [("error", "wrong-type", "storage.backends.sql_default", line, column + len("sql_default: "))]
    has(check(text)[0].message, "must be a mapping with a type, not 'sqlite'")


def test_backends_written_as_a_list_is_one_error_not_one_per_reference():
    # (the stores stay: 0.3 needs them, and they reference backends too)
    text = config(("  backends:\n" + SQLITE_KV + SQLITE_SQL, "  backends: []\n"))
    line, column = pos(text, "backends: []")
    assert summary(check(text)) == [("error", "wrong-type", "storage.backends", line, column + len("backends: "))]
    has(check(text)[0].message, "storage.backends must be a mapping of backend names to backends, not a list")


# --------------------------------------------------------------------------- unused backends


def test_backend_nothing_uses_is_info():
    text = config((SQLITE_SQL, SQLITE_SQL + "    sql_archive:\n      type: sql_sqlite\n      db_path: /tmp/archive.db\n"))
    line, column = pos(text, "sql_archive:")
    assert summary(check(text)) == [("info", "backend-unused", "storage.backends.sql_archive", line, column)]
    assert check(text)[0].message == "backend 'sql_archive' is declared but nothing references it"


def test_backend_used_only_by_a_provider_counts_as_used():
    text = config(
        (SQLITE_KV, SQLITE_KV + "    kv_vectors:\n      type: kv_sqlite\n      db_path: /tmp/v.db\n"),
        ("backend: kv_default\n        namespace: vector_io::faiss", "backend: kv_vectors\n        namespace: vector_io::faiss"),
    )
    assert check(text) == []
