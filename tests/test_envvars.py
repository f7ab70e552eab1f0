"""Tests for model.envvars: placeholder grammar, linting, re-typing, env files, resolution."""

from __future__ import annotations

import math
import os

import pytest

from llama_config.model.envvars import (
    PLACEHOLDER_RE,
    Environment,
    Placeholder,
    Resolution,
    VariableSource,
    describe,
    disables_provider,
    find_placeholders,
    has_placeholder,
    lint_placeholders,
    load_env_file,
    resolve,
    retype,
    variables_in,
)
from llama_config.model.errors import ConfigFileError

HOME = "/home/tester"


def env(**values: str) -> Environment:
    return Environment({"HOME": HOME, **values})


def write(tmp_path, text: str, name: str = ".env") -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)


# --- existing API stays as it was -------------------------------------------------------------


def test_placeholder_re_and_has_placeholder_unchanged():
    assert PLACEHOLDER_RE.pattern == r"\$\{env\.([A-Z0-9_]+)(?::([=+])([^}]*))?\}"
    assert has_placeholder("${env.X}")
    assert not has_placeholder("${env.x}")
    assert not has_placeholder(5)


# --- find_placeholders / variables_in ---------------------------------------------------------


def test_find_each_operator():
    s = "${env.A} ${env.B:=dflt} ${env.C:+on}"
    got = find_placeholders(s)
    assert got == [
        Placeholder("A", None, None, 0, 8, "${env.A}"),
        Placeholder("B", "=", "dflt", 9, 23, "${env.B:=dflt}"),
        Placeholder("C", "+", "on", 24, 36, "${env.C:+on}"),
    ]
    for p in got:
        assert s[p.start:p.end] == p.text


def test_find_empty_args():
    a, b = find_placeholders("${env.A:=}${env.B:+}")
    assert (a.op, a.arg) == ("=", "")
    assert (b.op, b.arg) == ("+", "")


def test_find_default_with_colon_and_slash():
    s = "${env.SQLITE_STORE_DIR:=~/.llama/distributions/starter}/kvstore.db"
    (p,) = find_placeholders(s)
    assert p.name == "SQLITE_STORE_DIR"
    assert p.arg == "~/.llama/distributions/starter"
    assert s[p.end:] == "/kvstore.db"
    (q,) = find_placeholders("${env.URL:=http://localhost:8000/v1}")
    assert q.arg == "http://localhost:8000/v1"


def test_find_skips_lookalikes():
    assert find_placeholders("${env.db_host} ${env.X:-d} ${env.X+v} ${env.X") == []
    assert find_placeholders(None) == []  # type: ignore[arg-type]


def test_variables_in_order_unique():
    s = "postgresql://${env.PG_USER}:${env.PG_PASSWORD}@${env.PG_HOST:=localhost}/${env.PG_USER}"
    assert variables_in(s) == ["PG_USER", "PG_PASSWORD", "PG_HOST"]
    assert variables_in("plain") == []


# --- retype -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", None),
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("false", False),
        ("FaLsE", False),
        ("8321", 8321),
        ("-3", -3),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        ("localhost", "localhost"),
        ("yes", "yes"),  # only true/false become booleans
        ("0x10", "0x10"),  # int() without a base refuses hex, float() too
    ],
)
def test_retype(text, expected):
    got = retype(text)
    assert got == expected
    assert type(got) is type(expected)


def test_retype_follows_python_int_and_float():
    assert retype(" 42 ") == 42
    assert retype("1_000") == 1000
    assert math.isnan(retype("nan"))
    assert retype("inf") == math.inf


# --- resolve: operators -----------------------------------------------------------------------


def test_required_set():
    r = resolve("${env.PG_HOST}", env(PG_HOST="db.internal"))
    assert r.value == "db.internal"
    assert r.text == "db.internal"
    assert r.variables == (VariableSource("PG_HOST", "db.internal", "environment"),)
    assert not r.used_default
    assert r.missing == ()


@pytest.mark.parametrize("environ", [{}, {"PG_PASSWORD": ""}])
def test_required_unset_or_empty_is_missing(environ):
    r = resolve("${env.PG_PASSWORD}", Environment(environ))
    assert r.missing == ("PG_PASSWORD",)
    assert r.value is None
    assert r.text is None


def test_missing_reported_once_and_alongside_others():
    r = resolve("${env.A}-${env.B}-${env.A}", env(B="x"))
    assert r.missing == ("A",)
    assert [v.name for v in r.variables] == ["A", "B"]


def test_default_used_when_unset_or_empty():
    for e in (env(), env(PG_PORT="")):
        r = resolve("${env.PG_PORT:=5432}", e)
        assert r.value == 5432
        assert r.text == "5432"
        assert r.used_default


def test_default_ignored_when_set():
    r = resolve("${env.PG_PORT:=5432}", env(PG_PORT="6543"))
    assert r.value == 6543
    assert not r.used_default


def test_empty_default_gives_none():
    r = resolve("${env.API_KEY:=}", env())
    assert r.text == ""
    assert r.value is None
    assert r.used_default


def test_conditional_set():
    r = resolve("${env.ENABLE_VLLM:+vllm}", env(ENABLE_VLLM="1"))
    assert r.value == "vllm"
    assert not r.used_default


@pytest.mark.parametrize("environ", [{}, {"ENABLE_VLLM": ""}])
def test_conditional_unset_gives_none(environ):
    r = resolve("${env.ENABLE_VLLM:+vllm}", Environment(environ))
    assert r.text == ""
    assert r.value is None
    assert r.used_default
    assert r.missing == ()


def test_conditional_empty_value_when_set():
    r = resolve("${env.X:+}", env(X="yes"))
    assert r.text == ""
    assert r.value is None


def test_default_with_colon_slash_and_tilde():
    s = "${env.SQLITE_STORE_DIR:=~/.llama/distributions/starter}/kvstore.db"
    r = resolve(s, env())
    assert r.value == f"{HOME}/.llama/distributions/starter/kvstore.db"
    assert r.used_default
    r = resolve(s, env(SQLITE_STORE_DIR="/data"))
    assert r.value == "/data/kvstore.db"
    r = resolve("${env.URL:=http://localhost:8000/v1}", env())
    assert r.value == "http://localhost:8000/v1"


def test_tilde_expanded_only_at_start_of_substituted_text():
    assert resolve("${env.D}", env(D="~/x")).value == f"{HOME}/x"
    assert resolve("~/${env.D}", env(D="x")).value == "~/x"
    assert resolve("${env.D:=a~/b}", env()).value == "a~/b"


def test_several_placeholders():
    s = "postgresql://${env.PG_USER}:${env.PG_PASSWORD}@${env.PG_HOST:=localhost}:${env.PG_PORT:=5432}/db"
    r = resolve(s, env(PG_USER="app", PG_PASSWORD="pw", PG_HOST="db"))
    assert r.value == "postgresql://app:pw@db:5432/db"
    assert r.used_default
    assert [v.name for v in r.variables] == ["PG_USER", "PG_PASSWORD", "PG_HOST", "PG_PORT"]


def test_several_placeholders_retyped_as_a_whole():
    r = resolve("${env.MAJOR}.${env.MINOR}", env(MAJOR="1", MINOR="5"))
    assert r.value == 1.5


# --- resolve: re-typing -----------------------------------------------------------------------


def test_port_default_is_int():
    r = resolve("${env.LLAMA_STACK_PORT:=8321}", env())
    assert r.value == 8321 and type(r.value) is int


@pytest.mark.parametrize("raw", ["true", "True", "TRUE"])
def test_bool_retyped_case_insensitively(raw):
    assert resolve("${env.TLS:=false}", env(TLS=raw)).value is True


def test_numeric_password_becomes_int():
    r = resolve("${env.PG_PASSWORD}", env(PG_PASSWORD="123456"))
    assert r.value == 123456 and type(r.value) is int
    assert r.text == "123456"


def test_float_retyped():
    assert resolve("${env.TEMPERATURE:=1.5}", env()).value == 1.5


def test_strings_without_placeholders_are_not_retyped():
    for s in ("8321", "true", "", "1.5", "${env.lower}", "${env.X:-d}"):
        r = resolve(s, env())
        assert r.value == s and type(r.value) is str
        assert r.variables == ()


def test_non_strings_unchanged():
    for v in (8321, True, None, 1.5, ["${env.X}"], {"a": "${env.X}"}):
        r = resolve(v, env())
        assert r == Resolution(v, None, (), False, ())


def test_unchanged_substitution_is_not_retyped():
    # The server re-types only when the string changed.
    r = resolve("${env.X}", env(X="${env.X}"))
    assert r.value == "${env.X}"


# --- disabled providers -----------------------------------------------------------------------


def test_disables_provider():
    assert disables_provider(resolve("${env.ENABLE_OLLAMA:+ollama}", env()).value)
    assert disables_provider(resolve("${env.P:=__disabled__}", env()).value)
    assert not disables_provider(resolve("${env.ENABLE_OLLAMA:+ollama}", env(ENABLE_OLLAMA="1")).value)


# --- lint_placeholders ------------------------------------------------------------------------


def codes(s: str) -> list[str]:
    return [p.code for p in lint_placeholders(s)]


def test_lint_valid_strings_are_clean():
    for s in (
        "${env.DB_HOST}",
        "${env.PORT:=8321}",
        "${env.X:+v}",
        "${env.X:=}",
        "${env.SQLITE_STORE_DIR:=~/.llama/distributions/starter}/kvstore.db",
        "no placeholder here",
        "$HOME and ${OTHER}",
    ):
        assert lint_placeholders(s) == [], s


def test_lint_lowercase_name():
    (p,) = lint_placeholders("host: ${env.db_host}!")
    assert p.code == "env-lowercase-name"
    assert (p.start, p.end) == (6, 20)
    assert "${env.DB_HOST}" in p.message
    assert "literal" in p.message or "as written" in p.message
    (p,) = lint_placeholders("${env.db_port:=5432}")
    assert "${env.DB_PORT:=5432}" in p.message
    assert codes("${env.DB_HOST}") == []


def test_lint_old_default_syntax():
    (p,) = lint_placeholders("${env.PORT:8321}")
    assert p.code == "env-old-default-syntax"
    assert "${env.PORT:=8321}" in p.message
    assert codes("${env.PORT:=8321}") == []


def test_lint_old_conditional_syntax():
    (p,) = lint_placeholders("${env.ENABLE_X+x}")
    assert p.code == "env-old-conditional-syntax"
    assert "${env.ENABLE_X:+x}" in p.message
    assert codes("${env.ENABLE_X:+x}") == []


def test_lint_unsupported_operator():
    (p,) = lint_placeholders("${env.PORT:-8321}")
    assert p.code == "env-unsupported-operator"
    assert "${env.PORT:=8321}" in p.message
    assert codes("${env.PORT:=8321}") == []


def test_lint_unclosed():
    (p,) = lint_placeholders("url: ${env.URL")
    assert p.code == "env-unclosed"
    assert (p.start, p.end) == (5, 14)
    assert codes("url: ${env.URL}") == []
    assert codes("${env.A ${env.B}") == ["env-unclosed"]


def test_lint_bad_name():
    assert codes("${env.MY-VAR}") == ["env-bad-name"]
    assert codes("${env.}") == ["env-bad-name"]
    assert codes("${env.MY VAR}") == ["env-bad-name"]
    assert codes("${env.MY_VAR}") == []


def test_lint_nested():
    assert codes("${env.A:=${env.B:=x}}") == ["env-nested"]
    assert codes("${env.A:=x}${env.B:=y}") == []


def test_lint_positions_and_several_problems():
    s = "${env.OK} ${env.bad} ${env.X:-1}"
    probs = lint_placeholders(s)
    assert [p.code for p in probs] == ["env-lowercase-name", "env-unsupported-operator"]
    assert [s[p.start:p.end] for p in probs] == ["${env.bad}", "${env.X:-1}"]


def test_lint_messages_are_one_sentence():
    for s in ("${env.a}", "${env.A:d}", "${env.A+d}", "${env.A:-d}", "${env.A", "${env.A-B}"):
        (p,) = lint_placeholders(s)
        assert p.message.endswith(".")
        assert "\n" not in p.message


# --- env files --------------------------------------------------------------------------------


def test_env_file_parsing(tmp_path):
    path = write(
        tmp_path,
        "# comment\n"
        "\n"
        "PLAIN=value\n"
        "export EXPORTED=yes\n"
        "SINGLE='it is # not a comment \\n'\n"
        'DOUBLE="line1\\nline2 \\"q\\" \\\\ # kept"\n'
        "INLINE=abc # trailing comment\n"
        "HASH=abc#def\n"
        "EMPTY=\n"
        "SPACED = padded  \n"
        "URL=http://x:8000/v1?a=b\n"
        "QUOTED_COMMENT='v' # c\n",
    )
    got = load_env_file(path)
    assert got == {
        "PLAIN": ("value", 3),
        "EXPORTED": ("yes", 4),
        "SINGLE": ("it is # not a comment \\n", 5),
        "DOUBLE": ('line1\nline2 "q" \\ # kept', 6),
        "INLINE": ("abc", 7),
        "HASH": ("abc#def", 8),
        "EMPTY": ("", 9),
        "SPACED": ("padded", 10),
        "URL": ("http://x:8000/v1?a=b", 11),
        "QUOTED_COMMENT": ("v", 12),
    }


def test_env_file_crlf_and_later_line_wins(tmp_path):
    path = write(tmp_path, "A=1\r\nA=2\r\n")
    assert load_env_file(path) == {"A": ("2", 2)}


@pytest.mark.parametrize(
    "text, line",
    [
        ("A=1\nthis is not an assignment\n", 2),
        ("A=1\n\n=value\n", 3),
        ("A='unclosed\n", 1),
        ('A="unclosed\n', 1),
        ("A='x' junk\n", 1),
        ("1A=x\n", 1),
    ],
)
def test_env_file_bad_line(tmp_path, text, line):
    path = write(tmp_path, text)
    with pytest.raises(ConfigFileError) as info:
        load_env_file(path)
    err = info.value
    assert err.message == "line is not KEY=VALUE"
    assert (err.file, err.line, err.column) == (path, line, 1)
    assert str(err) == f"{path}:{line}:1: error: line is not KEY=VALUE"


def test_env_file_missing(tmp_path):
    path = str(tmp_path / "nope.env")
    with pytest.raises(ConfigFileError) as info:
        load_env_file(path)
    assert info.value.file == path
    assert "not found" in info.value.message
    with pytest.raises(ConfigFileError):
        Environment({}, [path])


# --- Environment precedence -------------------------------------------------------------------


def test_environment_wins_over_env_file(tmp_path):
    path = write(tmp_path, "PG_HOST=from-file\nPG_PORT=6543\nEMPTY_IN_ENV=file\n")
    e = Environment({"PG_HOST": "from-env", "EMPTY_IN_ENV": ""}, [path])
    assert e.lookup("PG_HOST") == VariableSource("PG_HOST", "from-env", "environment")
    assert e.lookup("PG_PORT") == VariableSource("PG_PORT", "6543", f"env-file {path}:2")
    # present in the environment, even empty, means the environment decides
    assert e.lookup("EMPTY_IN_ENV") == VariableSource("EMPTY_IN_ENV", "", "environment")
    assert e.lookup("NOPE") == VariableSource("NOPE", None, "unset")


def test_later_env_file_wins(tmp_path):
    first = write(tmp_path, "A=1\nB=1\n", "first.env")
    second = write(tmp_path, "A=2\n", "second.env")
    e = Environment({}, [first, second])
    assert e.lookup("A") == VariableSource("A", "2", f"env-file {second}:1")
    assert e.lookup("B") == VariableSource("B", "1", f"env-file {first}:2")


def test_default_environment_is_os_environ(monkeypatch):
    monkeypatch.setenv("LLAMA_CONFIG_TEST_VAR", "hello")
    assert Environment().lookup("LLAMA_CONFIG_TEST_VAR").origin == "environment"
    assert resolve("${env.LLAMA_CONFIG_TEST_VAR}", Environment()).value == "hello"
    assert Environment().environ is os.environ


def test_resolve_from_env_file(tmp_path):
    path = write(tmp_path, "\n\nPG_PASSWORD='s3cret'\n")
    r = resolve("${env.PG_PASSWORD}", Environment({}, [path]))
    assert r.value == "s3cret"
    assert r.variables[0].origin == f"env-file {path}:3"


# --- describe ---------------------------------------------------------------------------------


def test_describe_default():
    assert describe(resolve("${env.PG_PORT:=5432}", env())) == "5432 (default; PG_PORT is unset)"


def test_describe_from_environment():
    r = resolve("${env.PG_HOST}", env(PG_HOST="db.internal"))
    assert describe(r) == "db.internal (from environment: PG_HOST)"


def test_describe_from_env_file(tmp_path):
    path = write(tmp_path, "A=1\nB=2\nPG_HOST=db\n", ".env")
    r = resolve("${env.PG_HOST}", Environment({}, [path]))
    assert describe(r) == f"db (from env-file {path}:3: PG_HOST)"
    assert "from env-file" in describe(r) and ":3" in describe(r)


def test_describe_missing():
    d = describe(resolve("${env.PG_PASSWORD}", env()))
    assert d.startswith("error: ")
    assert "PG_PASSWORD is unset" in d
    assert "not start" in d
    d = describe(resolve("${env.PG_PASSWORD}", env(PG_PASSWORD="")))
    assert "PG_PASSWORD is empty" in d


def test_describe_types_and_plain_values():
    assert describe(resolve("${env.ENABLE_X:+x}", env())) == "null (default; ENABLE_X is unset)"
    assert describe(resolve("${env.TLS:=true}", env())) == "true (default; TLS is unset)"
    assert describe(resolve(8321, env())) == "8321"
    assert describe(resolve("plain", env())) == "plain"


def test_describe_several_variables():
    r = resolve("${env.PG_HOST}:${env.PG_PORT:=5432}", env(PG_HOST="db"))
    assert describe(r) == "db:5432 (default; from environment: PG_HOST; PG_PORT is unset)"
