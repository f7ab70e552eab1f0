"""`llama-config validate FILE [--json] [--env-file F]`: output formats, exit codes, env files."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import CORPUS, MINIMAL_CONFIG

LINE_RE = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning|info): (?P<msg>.+) \[(?P<code>[a-z0-9-]+)\]$")
JSON_KEYS = {"severity", "code", "path", "line", "column", "message"}

# storage.stores.inference points at a backend that does not exist (line 24 col 16 of the text)
UNKNOWN_BACKEND = MINIMAL_CONFIG.replace("backend: sql_default", "backend: ghost")


def _write(tmp_path, text, name="run.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# ------------------------------------------------------------------ human output and exit codes


def test_valid_file_exits_0_and_prints_no_diagnostics(run_cli, config_file):
    r = run_cli("validate", config_file)
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    which, summary = r.stderr.strip().splitlines()
    assert which.startswith(f"{config_file}: validated against ")
    assert summary == f"{config_file}: 0 errors, 0 warnings, 0 infos"


def test_errors_exit_1_one_diagnostic_a_line(run_cli, tmp_path):
    path = _write(tmp_path, UNKNOWN_BACKEND)
    r = run_cli("validate", path)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert len(lines) == 1
    m = LINE_RE.match(lines[0])
    assert m, lines[0]
    assert m["file"] == str(path)
    assert int(m["line"]) == _line_of(UNKNOWN_BACKEND, "backend: ghost")
    assert int(m["col"]) == UNKNOWN_BACKEND.splitlines()[int(m["line"]) - 1].index("ghost") + 1
    assert m["sev"] == "error" and m["code"] == "unknown-backend"
    assert "ghost" in m["msg"]
    assert "1 error" in r.stderr


def test_warnings_only_exit_0(run_cli, tmp_path):
    text = MINIMAL_CONFIG.replace("server:\n", "server:\n  host: ${env.LCT_HOST}\n")
    path = _write(tmp_path, text)
    r = run_cli("validate", path)
    assert r.returncode == 0, r.stdout + r.stderr
    diagnostics = [LINE_RE.match(line) for line in r.stdout.splitlines()]
    assert diagnostics and all(diagnostics)
    assert {m["sev"] for m in diagnostics} == {"warning"}
    assert any(m["code"] == "env-unset" and int(m["line"]) == _line_of(text, "LCT_HOST") for m in diagnostics)


def test_corpus_file_valid_and_old_format_file_invalid(run_cli):
    good = CORPUS.parent / "releases/ogx-1.5/starter/config.yaml"  # shipped in ogx 1.5
    old = CORPUS / "add64e8e2/llama_stack/distributions/starter/run.yaml"
    if not (good.is_file() and old.is_file()):
        pytest.skip("corpus files not present")
    assert run_cli("validate", good).returncode == 0
    r = run_cli("validate", old)
    assert r.returncode == 1
    assert all(LINE_RE.match(line) for line in r.stdout.splitlines())
    assert "[old-format]" in r.stdout


# ------------------------------------------------------------------ --json


def test_json_valid_file_is_an_empty_list(run_cli, config_file):
    r = run_cli("validate", "--json", config_file)
    assert r.returncode == 0
    assert json.loads(r.stdout) == []


def test_json_errors_have_exactly_the_documented_keys(run_cli, tmp_path):
    path = _write(tmp_path, UNKNOWN_BACKEND)
    r = run_cli("validate", path, "--json")
    assert r.returncode == 1
    items = json.loads(r.stdout)
    assert isinstance(items, list) and len(items) == 1
    item = items[0]
    assert set(item) == JSON_KEYS
    assert item["severity"] == "error"
    assert item["code"] == "unknown-backend"
    assert item["path"] == "storage.stores.inference.backend"
    assert item["line"] == _line_of(UNKNOWN_BACKEND, "backend: ghost")
    assert item["column"] == UNKNOWN_BACKEND.splitlines()[item["line"] - 1].index("ghost") + 1
    assert "ghost" in item["message"]


def test_json_warnings_exit_0(run_cli, tmp_path):
    path = _write(tmp_path, MINIMAL_CONFIG.replace("server:\n", "server:\n  host: ${env.LCT_HOST}\n"))
    r = run_cli("validate", "--json", path)
    assert r.returncode == 0
    items = json.loads(r.stdout)
    assert items and all(set(i) == JSON_KEYS and i["severity"] == "warning" for i in items)


def test_json_unparsable_file_exits_2(run_cli, tmp_path):
    path = _write(tmp_path, "key: [unclosed\n")
    r = run_cli("validate", "--json", path)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert re.match(rf"^{re.escape(str(path))}:\d+:\d+: error: ", r.stderr)
    items = json.loads(r.stdout)  # still machine-readable
    assert len(items) == 1 and set(items[0]) == JSON_KEYS and items[0]["severity"] == "error"


# ------------------------------------------------------------------ --env-file

PORT_PLACEHOLDER = MINIMAL_CONFIG.replace("port: 8321", "port: ${env.LCT_PORT:=8321}")


@pytest.fixture
def port_config(tmp_path):
    return _write(tmp_path, PORT_PLACEHOLDER)


def test_env_file_port_resolving_to_junk_is_an_error(run_cli, tmp_path, port_config):
    env_file = _write(tmp_path, "# settings\nLCT_PORT=junk\n", "junk.env")
    r = run_cli("validate", port_config, "--env-file", env_file)
    assert r.returncode == 1
    lines = [LINE_RE.match(line) for line in r.stdout.splitlines()]
    assert len(lines) == 1 and lines[0]
    m = lines[0]
    assert m["code"] == "env-resolved-invalid" and m["sev"] == "error"
    assert int(m["line"]) == _line_of(PORT_PLACEHOLDER, "LCT_PORT")
    assert "junk" in m["msg"] and f"{env_file}:2" in m["msg"]  # says where the value came from


def test_env_file_port_resolving_to_a_port_is_fine(run_cli, tmp_path, port_config):
    env_file = _write(tmp_path, "LCT_PORT=8400\n", "good.env")
    r = run_cli("validate", port_config, "--env-file", env_file)
    assert r.returncode == 0, r.stdout
    assert r.stdout == ""


def test_without_env_file_the_default_is_used(run_cli, port_config):
    assert run_cli("validate", port_config).returncode == 0


def test_process_environment_wins_over_env_file(run_cli, tmp_path, port_config):
    env_file = _write(tmp_path, "LCT_PORT=junk\n", "junk.env")
    r = run_cli("validate", port_config, "--env-file", env_file, env={"LCT_PORT": "8400"})
    assert r.returncode == 0, r.stdout


REQUIRED_VAR = MINIMAL_CONFIG.replace("server:\n", "server:\n  host: ${env.LCT_HOST}\n")


@pytest.mark.parametrize(
    "env_text, expected_rc, expected",
    [
        pytest.param(None, 0, "warning", id="no-env-file-unset-is-a-warning"),
        pytest.param("OTHER=1\n", 1, "error", id="env-file-without-it-unset-is-an-error"),
        pytest.param("LCT_HOST=\n", 1, "error", id="env-file-with-it-empty-is-an-error"),
        pytest.param("LCT_HOST=0.0.0.0\n", 0, None, id="env-file-sets-it"),
    ],
)
def test_env_file_makes_unset_required_variables_errors(run_cli, tmp_path, env_text, expected_rc, expected):
    path = _write(tmp_path, REQUIRED_VAR)
    args = ["validate", path]
    if env_text is not None:
        args += ["--env-file", _write(tmp_path, env_text, "vars.env")]
    r = run_cli(*args)
    assert r.returncode == expected_rc, r.stdout
    found = [m for m in map(LINE_RE.match, r.stdout.splitlines()) if m and m["code"] == "env-unset"]
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0]["sev"] == expected
        assert int(found[0]["line"]) == _line_of(REQUIRED_VAR, "LCT_HOST")


def test_later_env_file_wins(run_cli, tmp_path, port_config):
    first = _write(tmp_path, "LCT_PORT=junk\n", "a.env")
    second = _write(tmp_path, "LCT_PORT=8400\n", "b.env")
    assert run_cli("validate", port_config, "--env-file", first, "--env-file", second).returncode == 0
    assert run_cli("validate", port_config, "--env-file", second, "--env-file", first).returncode == 1


def test_missing_env_file_exits_2(run_cli, tmp_path, port_config):
    r = run_cli("validate", port_config, "--env-file", tmp_path / "nope.env")
    assert r.returncode == 2
    assert r.stderr.strip() == f"{tmp_path / 'nope.env'}: error: env file not found"


def test_every_corpus_file_validates_in_the_documented_format(cli_corpus_file, capsys):
    """In-process (one subprocess per corpus file would be slow): the exit code follows the
    errors, every stdout line is one diagnostic, and --json has the same diagnostics."""
    from llama_config.tui.cli import main

    rc = main(["validate", str(cli_corpus_file)])
    out, err = capsys.readouterr()
    lines = out.splitlines()
    matches = [LINE_RE.match(line) for line in lines]
    assert all(matches), [line for line, m in zip(lines, matches) if not m]
    assert rc == (1 if any(m["sev"] == "error" for m in matches) else 0), err
    assert all(m["file"] == str(cli_corpus_file) for m in matches)
    assert main(["validate", "--json", str(cli_corpus_file)]) == rc
    items = json.loads(capsys.readouterr().out)
    assert all(set(item) == JSON_KEYS for item in items)
    assert [(i["line"], i["column"], i["severity"], i["code"]) for i in items] == [
        (int(m["line"]), int(m["col"]), m["sev"], m["code"]) for m in matches
    ]
