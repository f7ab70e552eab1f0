"""`--help` of every command, the documented exit codes, usage errors (2) and internal errors (3)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import cli_env

COMMANDS = ["edit", "validate", "show", "set", "rename-backend", "test-connections", "migrate"]

EXIT_CODE_LINES = [
    "0  success",
    "1  validate: the file has errors; set / rename-backend / migrate: the edit was refused;",
    "2  the file (or an env file) cannot be read or parsed, or the command line is wrong",
    "3  internal error",
]


def _assert_documents_exit_codes(text: str) -> None:
    assert "exit codes:" in text
    for line in EXIT_CODE_LINES:
        assert line in text, f"--help does not document: {line!r}"


def test_top_level_help_lists_commands_and_exit_codes(run_cli):
    r = run_cli("--help")
    assert r.returncode == 0, r.stderr
    for command in COMMANDS:
        assert command in r.stdout
    _assert_documents_exit_codes(r.stdout)


@pytest.mark.parametrize("command", COMMANDS)
def test_command_help(run_cli, command):
    r = run_cli(command, "--help")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"usage: llama-config {command} ")
    assert "FILE" in r.stdout
    _assert_documents_exit_codes(r.stdout)


def test_help_names_each_commands_options(run_cli):
    assert all(opt in run_cli("validate", "--help").stdout for opt in ("--json", "--env-file"))
    set_help = run_cli("set", "--help").stdout
    assert all(opt in set_help for opt in ("PATH=VALUE", "--output", "--dry-run", "--unset", "--force"))
    assert "FILE:LINE:COL: severity: message [code]" in run_cli("validate", "--help").stdout
    assert all(word in run_cli("rename-backend", "--help").stdout for word in ("OLD", "NEW", "--dry-run"))


def test_version(run_cli):
    r = run_cli("--version")
    assert r.returncode == 0
    assert r.stdout.startswith("llama-config ")


@pytest.mark.parametrize(
    "args",
    [
        pytest.param([], id="no-command"),
        pytest.param(["frobnicate", "x.yaml"], id="unknown-command"),
        pytest.param(["validate"], id="missing-FILE"),
        pytest.param(["validate", "x.yaml", "--no-such-option"], id="unknown-option"),
        pytest.param(["rename-backend", "x.yaml", "only-old"], id="missing-NEW"),
    ],
)
def test_bad_usage_exits_2(run_cli, args):
    r = run_cli(*args)
    assert r.returncode == 2
    assert "usage: llama-config" in r.stderr
    assert "Traceback" not in r.stderr


def test_good_usage_exits_0(run_cli, config_file):
    r = run_cli("validate", config_file)
    assert r.returncode == 0, r.stderr


def test_internal_error_exits_3_without_traceback(tmp_path, config_file):
    """A bug inside a command is exit 3 and one line naming the exception, never a traceback."""
    code = (
        "import sys, llama_config.tui.commands.validate as v\n"
        "def boom(args): raise RuntimeError('simulated bug')\n"
        "v.run = boom\n"
        "import llama_config.tui.cli\n"
        f"sys.exit(llama_config.tui.cli.main(['validate', {str(config_file)!r}]))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=cli_env(), cwd=tmp_path)
    assert r.returncode == 3
    assert "Traceback" not in r.stderr
    assert r.stderr.strip() == (
        "llama-config: internal error: RuntimeError: simulated bug (set LLAMA_CONFIG_DEBUG=1 for details)"
    )


def test_internal_error_with_debug_shows_the_traceback(tmp_path, config_file):
    code = (
        "import sys, llama_config.tui.commands.validate as v\n"
        "def boom(args): raise RuntimeError('simulated bug')\n"
        "v.run = boom\n"
        "import llama_config.tui.cli\n"
        f"sys.exit(llama_config.tui.cli.main(['validate', {str(config_file)!r}]))\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=cli_env(LLAMA_CONFIG_DEBUG="1"), cwd=tmp_path
    )
    assert r.returncode == 1  # an uncaught exception
    assert "Traceback" in r.stderr and "simulated bug" in r.stderr
