"""No value from a config file drives the operator's terminal: control characters written with
YAML escapes (`"\\e[2J"`, `"\\e]52;c;...\\a"`, `"\\r"`) are printed as those escapes by every
one-shot command, on stdout and stderr, while a config file's own text (migrate and upgrade to
stdout), rich's colours and the JSON formats go out as they are. Output is read as bytes here:
text mode would turn each CR into a line feed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from llama_config.model.control_chars import escape_controls
from tests.conftest import MINIMAL_CONFIG, cli_env

HOSTILE = """\
version: 2
image_name: "evil\\e[31mRED\\e[0m\\a"
apis: [inference]
providers:
  inference:
  - provider_id: "x\\e]0;retitled\\ay\\rfake"
    provider_type: "remote::vllm\\e[2J\\x9b\\rover\\ud800"
    config:
      url: http://h:1/v1
storage:
  backends:
    kv: {type: kv_sqlite, db_path: /tmp/x.db}
    "odd\\e]0;t\\a\\x7f": {type: kv_redis, host: "h\\e[2J\\x9b", port: 1}
  stores:
    metadata: {backend: "kv\\e[31m", namespace: registry}
"""
# the pre-0.3 format, for migrate to have something to report
HOSTILE_OLD = """\
version: 2
image_name: "evil\\e[31mRED"
apis: [agents]
providers:
  agents:
  - provider_id: "x\\e]0;retitled\\ay\\rover"
    provider_type: inline::meta-reference
    config:
      persistence_store:
        type: sqlite
        db_path: "/tmp/\\e[2J\\a.db"
"""


@pytest.mark.parametrize(
    "text, shown",
    [
        ("a\x1b[2Jb", "a\\e[2Jb"),
        ("bell\a nul\0 bs\b vt\v ff\f", "bell\\a nul\\0 bs\\b vt\\v ff\\f"),
        ("\x1b]52;c;eA==\x07", "\\e]52;c;eA==\\a"),
        ("csi\x9b2J c1\x80", "csi\\x9b2J c1\\x80"),
        ("cr\rover", "cr\\rover"),
        ("ends\r", "ends\\r"),
        ("lone \ud800 surrogate \udfff", "lone \\ud800 surrogate \\udfff"),  # no stream can encode it
        ("tab\tlf\ncrlf\r\nnel\x85 del\x7f", "tab\tlf\ncrlf\r\nnel\x85 del\x7f"),  # a YAML file may hold these; no terminal acts on DEL
        ("plain text, ünïcode ✓ \u202e", "plain text, ünïcode ✓ \u202e"),
    ],
)
def test_escape_controls(text, shown):
    assert escape_controls(text) == shown


def _run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llama_config.tui.cli", *map(str, args)], capture_output=True, env=cli_env(), timeout=60)


def _text(output: bytes) -> str:
    text = output.decode("utf-8")  # (a lone surrogate would not even have been written)
    assert not any(c in text for c in "\x1b\x07\x9b"), text
    assert "\r" not in text.replace("\r\n", ""), text
    return text


@pytest.mark.parametrize(
    "command",
    [("validate",), ("validate", "--server", "0.3"), ("show",), ("test-connections", "--timeout", "0.2"),
     ("migrate", "--dry-run"), ("migrate",)],  # (migrate to stdout: its report goes to stderr)
    ids=["validate", "validate-0.3", "show", "test-connections", "migrate-dry-run", "migrate-report-on-stderr"],
)  # fmt: skip
def test_no_command_prints_a_control_character_from_the_file(tmp_path, command):
    path = tmp_path / "run.yaml"
    path.write_text(HOSTILE_OLD if command[0] == "migrate" else HOSTILE, encoding="utf-8")
    r = _run(command[0], path, *command[1:])
    assert r.returncode in (0, 1), r.stderr
    out, err = _text(r.stdout), _text(r.stderr)
    assert "\\e" in (err if command == ("migrate",) else out + err)  # shown, as the file writes it
    if command[0] in ("validate", "show"):
        assert "\\r" in out + err and "\\ud800" in out + err


@pytest.mark.parametrize("command", [("validate", "--format", "json"), ("validate", "--format", "sarif"), ("test-connections", "--json", "--timeout", "0.2")])
def test_json_output_stays_json(tmp_path, command):
    path = tmp_path / "run.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    r = _run(command[0], path, *command[1:])
    assert r.returncode in (0, 1), r.stderr
    data = json.loads(_text(r.stdout))
    assert any("\x1b" in text for text in _strings(data))  # the values, exactly, once parsed


def _strings(data) -> list[str]:
    if isinstance(data, dict):
        return [text for key, value in data.items() for text in [key, *_strings(value)]]
    if isinstance(data, list):
        return [text for item in data for text in _strings(item)]
    return [data] if isinstance(data, str) else []


def test_show_in_a_terminal_keeps_its_colours_and_escapes_the_values(run_cli, tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    r = run_cli("show", path, env={"FORCE_COLOR": "1", "TERM": "xterm-256color"})
    assert r.returncode == 0, r.stderr
    assert "\x1b[1m" in r.stdout  # rich's bold
    assert "evil\\e[31mRED\\e[0m\\a" in r.stdout and "\x1b[31mRED" not in r.stdout
    assert "\x07" not in r.stdout and "retitled" in r.stdout


@pytest.mark.parametrize("command", [("migrate",), ("upgrade", "--to", "0.6")])
@pytest.mark.parametrize("newline", ["\r", "\r\n"], ids=["bare-cr", "crlf"])
def test_a_config_written_to_stdout_is_the_file_text_as_it_is(tmp_path, newline, command):
    # a file with nothing to change goes to stdout unchanged: bare-CR line ends included
    path = tmp_path / "run.yaml"
    path.write_bytes(MINIMAL_CONFIG.replace("\n", newline).encode())
    r = _run(command[0], path, *command[1:])
    assert r.returncode == 0, r.stderr
    assert r.stdout == path.read_bytes()


def test_a_closed_stdout_or_stderr_is_no_internal_error(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    for redirect in (">&-", "2>&-"):  # (the shell closes the descriptor: Python's stream is then None)
        r = subprocess.run(f"'{sys.executable}' -m llama_config.tui.cli show '{path}' {redirect}", shell=True, capture_output=True, env=cli_env(), timeout=60)
        assert r.returncode in (0, 1) and b"Traceback" not in r.stdout + r.stderr and b"internal error" not in r.stdout + r.stderr, (redirect, r)


@pytest.mark.parametrize("brk", ["\\n", "\\N", "\\L", "\\P"], ids=["LF", "NEL", "LS", "PS"])
def test_a_value_with_a_line_break_cannot_print_a_message_of_its_own(tmp_path, brk):
    # one line per finding, whatever a value holds: CI reads FILE:LINE:COL: severity: message
    # (the output is split as Python's str.splitlines() does: at any of these breaks)
    path = tmp_path / "run.yaml"
    forged = f"remote::x{brk}run.yaml:1:1: info: all good\\r\\nrun.yaml:2:1: info: really"
    text = HOSTILE.replace('"remote::vllm\\e[2J\\x9b\\rover\\ud800"', f'"{forged}"')
    assert forged in text
    path.write_text(text, encoding="utf-8")
    for args in (("validate", path), ("validate", path, "--server", "0.3")):
        r = _run(*args)
        lines = [line for line in _text(r.stdout + r.stderr).splitlines() if "all good" in line]
        assert len(lines) == 1, (args, r)
        assert lines[0].startswith(str(path)) and f"{brk}run.yaml:1:1: info: all good\\r\\nrun.yaml:2:1" in lines[0]


def test_an_error_about_the_file_is_one_line_too(tmp_path):
    # a ConfigFileError quotes names from the file (a ConfigMap's, here)
    path = tmp_path / "cm.yaml"
    path.write_text('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "cm\\nman.yaml:1:1: info: all good"\n'
                    "data:\n  run.yaml: >\n    version: 2\n", encoding="utf-8")  # fmt: skip
    r = _run("validate", path)
    lines = [line for line in _text(r.stdout + r.stderr).splitlines() if "all good" in line]
    assert len(lines) == 1 and lines[0].startswith(f"{path}: error:") and "cm\\nman.yaml:1:1" in lines[0], r


def test_test_connections_table_stays_aligned(tmp_path):
    # the columns are measured on the cells as printed (escaped, one line each)
    path = tmp_path / "run.yaml"
    path.write_text(HOSTILE.replace('"odd\\e]0;t\\a\\x7f"', '"odd\\e]0;t\\a\\nx"'), encoding="utf-8")
    r = _run("test-connections", path, "--timeout", "0.2")
    lines = _text(r.stdout).splitlines()
    header, rows = lines[0], lines[1:]
    assert len(rows) == 2, r.stdout  # one line per backend
    for row in rows:
        assert row.index("kv_") == header.index("TYPE"), r.stdout  # (kv_sqlite, kv_redis)


def test_a_bidirectional_override_in_a_value_is_escaped_where_it_is_quoted(tmp_path):
    # U+202E shows what follows right to left: `x\u202eptf.exe` would read `xexe.ftp`
    path = tmp_path / "run.yaml"
    path.write_text(HOSTILE.replace('"remote::vllm\\e[2J\\x9b\\rover\\ud800"', '"remote::x\\u202eptf.exe\\u2066"'), encoding="utf-8")
    for command in ("validate", "show"):
        r = _run(command, path)
        out = _text(r.stdout + r.stderr)
        assert "\u202e" not in out and "\u2066" not in out, out
        assert "remote::x\\u202eptf.exe\\u2066" in out, out


def test_a_diff_keeps_a_right_to_left_comment_as_it_is(tmp_path):
    # a file may hold bidirectional marks unescaped (a Hebrew comment): its diff applies to it
    path = tmp_path / "run.yaml"
    path.write_text(MINIMAL_CONFIG.replace("distro_name: mini", "distro_name: mini  # \u05e9\u05dc\u05d5\u05dd \u200f(prod)\u200f"), encoding="utf-8")
    r = _run("set", path, "distro_name=prod", "--dry-run")
    assert r.returncode == 0, r.stderr
    diff = r.stdout.decode("utf-8")
    assert "-distro_name: mini  # \u05e9\u05dc\u05d5\u05dd \u200f(prod)\u200f" in diff
    assert "+distro_name: prod  # \u05e9\u05dc\u05d5\u05dd \u200f(prod)\u200f" in diff
