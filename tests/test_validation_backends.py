"""storage.backends: backend types, required fields, types and ranges, unknown keys, unused backends."""

from __future__ import annotations

import pytest

from tests.test_validation_common import BASE, check, config, has, only, pos, summary

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
    has(d.message, "unknown backend type 'cassandra'", "expected one of kv_sqlite, kv_redis, kv_postgres, kv_mongodb, sql_sqlite, sql_postgres")


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
    has(check(text)[0].message, "is missing the required field 'type' (one of kv_sqlite, kv_redis")


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
    has(check(text)[1].message, "backend 'kv_default' (kv_sqlite) has no field 'db_pth', so the server ignores it", "did you mean 'db_path'?")


def test_unknown_key_without_a_close_match_lists_the_fields():
    # upstream's kv_redis has no url / password / TLS: a `url:` is silently ignored
    text = with_kv("      type: kv_redis\n      url: redis://cache:6379\n")
    d = only(check(text), "unknown-key")
    assert (d.severity, d.path_text, (d.line, d.column)) == ("warning", "storage.backends.kv_default.url", pos(text, "url: redis"))
    has(d.message, "has no field 'url'", "known fields: host, namespace, port, type")


# --------------------------------------------------------------------------- types and ranges


@pytest.mark.parametrize(
    ("value", "code", "shown"),
    [("-1", "out-of-range", "-1"), ("0", "out-of-range", "0"), ("70000", "out-of-range", "70000"), ("abc", "wrong-type", "'abc'"), ("[1]", "wrong-type", "a list")],
)
def test_backend_port_type_and_range(value, code, shown):
    text = with_kv(f"      type: kv_redis\n      port: {value}\n")
    line, column = pos(text, f"port: {value}")
    assert summary(check(text)) == [("error", code, "storage.backends.kv_default.port", line, column + len("port: "))]
    has(check(text)[0].message, "storage.backends.kv_default.port must be an integer from 1 to 65535", f"not {shown}")


def test_backend_port_in_range_and_placeholder_pass():
    assert check(with_kv("      type: kv_redis\n      port: 65535\n")) == []
    assert check(with_kv("      type: kv_redis\n      port: ${env.REDIS_PORT:=6379}\n")) == []


@pytest.mark.parametrize(("field", "value", "bound"), [("pool_size", "0", ">= 1"), ("max_overflow", "-1", ">= 0"), ("pool_recycle", "-2", ">= -1")])
def test_sql_postgres_pool_limits(field, value, bound):
    text = with_sql(f"      type: sql_postgres\n      user: app\n      {field}: {value}\n")
    line, column = pos(text, f"{field}: {value}")
    assert summary(check(text)) == [("error", "out-of-range", f"storage.backends.sql_default.{field}", line, column + len(field) + 2)]
    has(check(text)[0].message, f"must be an integer {bound}, not {value}")


def test_sql_postgres_pool_limits_at_their_bounds_pass():
    text = with_sql("      type: sql_postgres\n      user: app\n      pool_size: 1\n      max_overflow: 0\n      pool_recycle: -1\n")
    assert check(text) == []


def test_wrong_scalar_type_for_a_string_field():
    text = with_kv("      type: kv_sqlite\n      db_path: [a, b]\n")
    d = only(check(text), "wrong-type")
    assert (d.severity, d.path_text, (d.line, d.column)) == ("error", "storage.backends.kv_default.db_path", pos(text, "[a, b]"))
    has(d.message, "must be a string, not a list")


def test_postgres_kv_table_name_must_be_an_identifier():
    text = with_kv("      type: kv_postgres\n      user: app\n      table_name: my-table\n")
    d = only(check(text), "invalid-value")
    assert (d.severity, d.path_text, (d.line, d.column)) == ("error", "storage.backends.kv_default.table_name", pos(text, "my-table"))


def test_a_backend_that_is_not_a_mapping():
    text = config((SQLITE_SQL, "    sql_default: sqlite\n"))
    line, column = pos(text, "sql_default: sqlite")
    # the references to it are not reported again: its family is unknown, not wrong
    assert summary(check(text)) == [("error", "wrong-type", "storage.backends.sql_default", line, column + len("sql_default: "))]
    has(check(text)[0].message, "must be a mapping with a type, not 'sqlite'")


def test_backends_written_as_a_list_is_one_error_not_one_per_reference():
    text = BASE.split("  backends:")[0] + "  backends: []\n  stores: {}\n"
    assert summary(check(text)) == [("error", "wrong-type", "storage.backends", *pos(text, "[]"))]
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
