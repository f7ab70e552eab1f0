"""No value from a config file drives the operator's terminal: control characters written with
YAML escapes (`"\\e[2J"`, `"\\e]52;c;...\\a"`) are printed as those escapes by every one-shot
command, while a config file's own text (migrate to stdout) and rich's colours go out as they are."""

from __future__ import annotations

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
  - provider_id: "x\\e]0;retitled\\ay\\rfake\\u202eptf"
    provider_type: "remote::vllm\\e[2J\\x9b"
    config:
      url: http://h:1/v1
storage:
  backends:
    kv: {type: kv_sqlite, db_path: /tmp/x.db}
    "odd\\e]0;t\\a": {type: kv_redis, host: "h\\e[2J", port: 1}
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
  - provider_id: "x\\e]0;retitled\\ay"
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
        ("csi\x9b2J del\x7f c1\x80", "csi\\x9b2J del\\x7f c1\\x80"),
        ("cr\rover", "cr\\rover"),
        ("\u202eftp.exe\u202c \u2067x\u2069 \u200f", "\\u202eftp.exe\\u202c \\u2067x\\u2069 \\u200f"),  # bidi formatting
        ("ends\r", "ends\\r"),
        ("tab\tlf\ncrlf\r\nnel\x85", "tab\tlf\ncrlf\r\nnel\x85"),  # what a YAML file may hold as it is
        ("plain text, ünïcode ✓", "plain text, ünïcode ✓"),
    ],
)
def test_escape_controls(text, shown):
    assert escape_controls(text) == shown


def _no_controls(output: str) -> None:
    assert not any(c in output for c in "\x1b\x07\x9b\u202e"), output
    assert "\r" not in output.replace("\r\n", ""), output


@pytest.mark.parametrize("command", [("validate",), ("validate", "--server", "0.3"), ("show",), ("migrate", "--dry-run"), ("test-connections", "--timeout", "0.2")])
def test_no_command_prints_a_control_character_from_the_file(run_cli, tmp_path, command):
    path = tmp_path / "run.yaml"
    path.write_text(HOSTILE_OLD if command[0] == "migrate" else HOSTILE, encoding="utf-8")
    r = run_cli(command[0], path, *command[1:])
    assert r.returncode in (0, 1), r.stderr
    _no_controls(r.stdout)
    _no_controls(r.stderr)
    assert "\\e" in r.stdout + r.stderr  # shown, as the file writes it


def test_show_in_a_terminal_keeps_its_colours_and_escapes_the_values(run_cli, tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text(HOSTILE, encoding="utf-8")
    r = run_cli("show", path, env={"FORCE_COLOR": "1", "TERM": "xterm-256color"})
    assert r.returncode == 0, r.stderr
    assert "\x1b[1m" in r.stdout  # rich's bold
    assert "evil\\e[31mRED\\e[0m\\a" in r.stdout and "\x1b[31mRED" not in r.stdout
    assert "\x07" not in r.stdout and "retitled" in r.stdout


@pytest.mark.parametrize("newline", ["\r", "\r\n"], ids=["bare-cr", "crlf"])
def test_migrate_to_stdout_writes_the_file_text_as_it_is(run_cli, tmp_path, newline):
    # a file with nothing to migrate goes to stdout unchanged: bare-CR line ends included
    path = tmp_path / "run.yaml"
    path.write_bytes(MINIMAL_CONFIG.replace("\n", newline).encode())
    r = subprocess.run([sys.executable, "-m", "llama_config.tui.cli", "migrate", path], capture_output=True, env=cli_env(), timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == path.read_bytes()
