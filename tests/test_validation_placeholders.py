"""`${env...}` placeholders: spelling lints, unset variables (warning, or error with strict_env),
and values that resolve to the wrong type once the server substitutes and re-types them."""

from __future__ import annotations

import pytest

from tests.test_validation_common import AUTH, QUOTA, check, config, has, only, pos, summary

URL = "url: http://localhost:11434"
KV_PATH = "db_path: /tmp/kv.db"
SQL_BACKEND = "    sql_default:\n      type: sql_sqlite\n      db_path: /tmp/sql.db\n"


def pg_sql(port: str = "5432", password: str = "secret") -> str:
    return config((SQL_BACKEND, f"    sql_default:\n      type: sql_postgres\n      host: db\n      port: {port}\n      user: app\n      password: {password}\n"))


# --------------------------------------------------------------------------- spelling lints


@pytest.mark.parametrize(
    ("written", "code", "fix"),
    [
        ("${env.kv_dir:=/tmp}", "env-lowercase-name", "use `${env.KV_DIR:=/tmp}`"),
        ("${env.KV_DIR:/tmp}", "env-old-default-syntax", "write `${env.KV_DIR:=/tmp}`"),
        ("${env.KV_DIR:-/tmp}", "env-unsupported-operator", "write `${env.KV_DIR:=/tmp}`"),
        ("${env.KV-DIR}", "env-bad-name", "upper-case letters, digits and `_`"),
        ("${env.KV_DIR:=${env.HOME}}", "env-nested", "cannot be nested"),
    ],
)
def test_placeholder_lints_point_at_the_placeholder(written, code, fix):
    text = config((KV_PATH, f"db_path: {written}/kv.db"))
    line, column = pos(text, written)
    assert summary(check(text)) == [("warning", code, "storage.backends.kv_default.db_path", line, column)]
    has(check(text)[0].message, fix)


def test_old_conditional_syntax():
    text = config((URL, "url: ${env.OLLAMA_URL+http://ollama:11434}"))
    assert summary(check(text)) == [("warning", "env-old-conditional-syntax", "providers.inference[0].config.url", *pos(text, "${env.OLLAMA_URL"))]
    has(check(text)[0].message, "write `${env.OLLAMA_URL:+http://ollama:11434}`")


def test_unclosed_placeholder():
    text = config((URL, "url: http://${env.OLLAMA_HOST"))
    assert summary(check(text)) == [("warning", "env-unclosed", "providers.inference[0].config.url", *pos(text, "${env.OLLAMA_HOST"))]
    has(check(text)[0].message, "has no closing `}`")


def test_lint_column_counts_the_opening_quote():
    text = config((URL, 'url: "http://${env.ollama_host:=localhost}:11434"'))
    assert summary(check(text)) == [("warning", "env-lowercase-name", "providers.inference[0].config.url", *pos(text, "${env.ollama_host"))]


def test_second_placeholder_in_one_value_gets_its_own_column():
    text = config((KV_PATH, "db_path: ${env.DIR:=/tmp}/${env.name:=kv}.db"))
    assert summary(check(text)) == [("warning", "env-lowercase-name", "storage.backends.kv_default.db_path", *pos(text, "${env.name"))]


def test_well_formed_placeholders_pass():
    text = config((KV_PATH, "db_path: ${env.SQLITE_STORE_DIR:=~/.llama/test}/kv.db"), (URL, "url: ${env.OLLAMA_URL:=http://localhost:11434}"))
    assert check(text) == []


# --------------------------------------------------------------------------- unset variables


def test_unset_required_variable_is_a_warning():
    text = config((URL, "url: ${env.OLLAMA_URL}"))
    assert summary(check(text)) == [("warning", "env-unset", "providers.inference[0].config.url", *pos(text, "${env.OLLAMA_URL}"))]
    assert check(text)[0].message == (
        "providers.inference[0].config.url needs the environment variable OLLAMA_URL, which is unset; "
        "the server will not start without it (or write ${env.OLLAMA_URL:=default})"
    )


def test_unset_required_variable_is_an_error_with_strict_env():
    text = config((URL, "url: ${env.OLLAMA_URL}"))
    assert summary(check(text, strict_env=True)) == [("error", "env-unset", "providers.inference[0].config.url", *pos(text, "${env.OLLAMA_URL}"))]


def test_empty_variable_counts_as_unset():
    text = config((URL, "url: ${env.OLLAMA_URL}"))
    d = only(check(text, {"OLLAMA_URL": ""}), "env-unset")
    has(d.message, "OLLAMA_URL, which is empty")


def test_set_variable_and_defaults_pass_even_with_strict_env():
    text = config((URL, "url: ${env.OLLAMA_URL}"))
    assert check(text, {"OLLAMA_URL": "http://ollama:11434"}, strict_env=True) == []
    assert check(config((URL, "url: ${env.OLLAMA_URL:=http://localhost:11434}")), strict_env=True) == []
    assert check(config((URL, "url: ${env.OLLAMA_URL:+http://ollama}")), {"OLLAMA_URL": "x"}, strict_env=True) == []


def test_conditional_placeholder_with_its_variable_unset_is_null():
    # `:+` with the variable unset substitutes '', which 0.3 turns into None (stack.py
    # _convert_string_to_proper_type); the oracle: 0.3 refuses, OllamaImplConfig.url must be a string
    text = config((URL, "url: ${env.OLLAMA_URL:+http://ollama}"))
    assert summary(check(text)) == [("error", "env-resolved-invalid", "providers.inference[0].config.url", *pos(text, "${env.OLLAMA_URL"))]
    has(check(text)[0].message, "resolves to null", "the server turns substituted text that is empty into null")


def test_unset_variable_in_a_backend_type_is_not_also_an_unknown_type():
    text = config(("type: kv_sqlite", "type: ${env.KV_TYPE}"))
    assert [d.code for d in check(text)] == ["env-unset"]


def test_unset_variable_in_quota_period_is_not_also_a_bad_period():
    text = config(append=AUTH + QUOTA.replace("period: day", "period: ${env.QUOTA_PERIOD}"))
    assert [d.code for d in check(text)] == ["env-unset"]


# --------------------------------------------------------------------------- resolved values


def test_port_default_that_is_not_a_number():
    # 0.3 types the port `int | str` (the oracle, which stops before opening stores, accepts it), but
    # opening the store at startup parses the URL with int(port): ValueError, the server stops
    text = pg_sql(port="${env.PG_PORT:=abc}")
    assert summary(check(text)) == [("error", "env-resolved-invalid", "storage.backends.sql_default.port", *pos(text, "${env.PG_PORT"))]
    assert check(text)[0].message == (
        "storage.backends.sql_default.port resolves to abc (default; PG_PORT is unset), but it must be an integer from 1 to 65535 "
        "(llama-stack 0.3 reads it as a port number when it opens the store at startup)"
    )
    assert check(pg_sql(port='"5432"')) == []  # text that is a number is a port to the server too


def test_port_from_the_environment_that_is_not_a_number():
    text = pg_sql(port="${env.PG_PORT:=5432}")
    assert check(text) == []
    d = only(check(text, {"PG_PORT": "fivefourthreetwo"}), "env-resolved-invalid")
    has(d.message, "resolves to fivefourthreetwo (from environment: PG_PORT)")


def test_numeric_default_password_is_retyped_to_an_int():
    text = pg_sql(password="${env.PW:=12345}")
    assert summary(check(text)) == [("error", "env-resolved-invalid", "storage.backends.sql_default.password", *pos(text, "${env.PW"))]
    assert check(text)[0].message == (
        "storage.backends.sql_default.password resolves to •••••• (default; PW is unset), but it must be a string; "
        "the server turns substituted text that reads as a number or boolean into one, so the text becomes a number"
    )
    assert "12345" not in check(text)[0].message  # a password is never quoted, not even its default


def test_numeric_password_from_the_environment_too():
    text = pg_sql(password="${env.PW}")
    assert [d.code for d in check(text, {"PW": "2024"})] == ["env-resolved-invalid"]
    assert check(text, {"PW": "s3cret"}) == []


def test_server_port_placeholder_out_of_range():
    text = config(("port: 8321", "port: ${env.PORT:=80}"))
    assert summary(check(text)) == [("error", "env-resolved-invalid", "server.port", *pos(text, "${env.PORT"))]
    assert check(text)[0].message == "server.port resolves to 80 (default; PORT is unset), but it must be an integer from 1024 to 65535"
    assert check(text, {"PORT": "8080"}) == []


def test_quota_limit_placeholder():
    # QuotaConfig.anonymous_max_requests is an int in 0.3: 'lots' makes the release refuse the file
    text = config(append=AUTH + QUOTA.replace("anonymous_max_requests: 100", "anonymous_max_requests: ${env.ANON_LIMIT:=lots}"))
    assert summary(check(text)) == [("error", "env-resolved-invalid", "server.quota.anonymous_max_requests", *pos(text, "${env.ANON_LIMIT"))]
    assert check(text, {"ANON_LIMIT": "50"}) == []


def test_a_password_of_the_wrong_type_is_not_quoted():
    text = pg_sql(password="${env.PW}").replace("${env.PW}", "98765")
    d = only(check(text), "wrong-type")
    assert d.message == "storage.backends.sql_default.password must be a string, not a number"
    assert "98765" not in d.message
    d = only(check(pg_sql(password="${env.PW}"), {"PW": "2024"}), "env-resolved-invalid")
    assert "2024" not in d.message


def test_a_placeholder_written_with_escapes_in_a_provider_is_found():
    """A provider entry whose text holds neither `${` nor `{{` is not walked for placeholders;
    an escape in double quotes can write either, so such an entry is walked."""
    text = config(("url: http://localhost:11434", 'url: "\\x24{env.OLLAMA_URL}"'))
    assert [(d.code, d.path_text) for d in check(text) if d.code.startswith("env-")] == [("env-unset", "providers.inference[0].config.url")]
    text = config(("url: http://localhost:11434", 'url: "{\\x7B host }}"'))
    assert [d.code for d in check(text) if d.code == "template-syntax"] == ["template-syntax"]
