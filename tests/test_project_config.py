"""`.llama-config.toml` / `[tool.llama-config]` in pyproject.toml: the release, disabled codes and
severity overrides, found by walking up from each file (model.project_config)."""

from __future__ import annotations

from pathlib import Path

import pytest

from llama_config.model.errors import ConfigFileError
from llama_config.model.project_config import NO_PROJECT_CONFIG, ProjectConfigs, load_project_config, toml_line
from tests.conftest import MINIMAL_CONFIG

TYPO = MINIMAL_CONFIG.replace("server:\n", "server:\n  bogus_field: 1\n")  # one unknown-key warning


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_disable_and_severity(run_cli, tmp_path):
    _write(tmp_path / "run.yaml", TYPO)
    assert run_cli("validate", "run.yaml").returncode == 0  # a warning
    _write(tmp_path / ".llama-config.toml", '[severity]\nunknown-key = "error"\n')
    r = run_cli("validate", "run.yaml")
    assert r.returncode == 1 and ": error: server has no field 'bogus_field'" in r.stdout
    _write(tmp_path / ".llama-config.toml", 'disable = ["unknown-key"]\n[severity]\nunknown-key = "error"\n')
    r = run_cli("validate", "run.yaml")
    assert (r.returncode, r.stdout) == (0, "")


def test_server_from_the_project_and_what_wins_over_it(run_cli, tmp_path):
    _write(tmp_path / "run.yaml", MINIMAL_CONFIG)
    _write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.llama-config]\nserver = "ogx-1.4"\n')
    r = run_cli("validate", "run.yaml")
    assert r.stderr.splitlines()[0] == f"run.yaml: validated against ogx 1.4.1 (server = 'ogx-1.4' in {tmp_path / 'pyproject.toml'})"
    r = run_cli("validate", "run.yaml", env={"LLAMA_CONFIG_SERVER": "ogx-1.3"})  # the environment wins ...
    assert "validated against ogx 1.3" in r.stderr.splitlines()[0]
    r = run_cli("validate", "run.yaml", "--server", "ogx-1.2", env={"LLAMA_CONFIG_SERVER": "ogx-1.3"})  # ... and --server over it
    assert "validated against ogx 1.2" in r.stderr.splitlines()[0]


def test_show_and_test_connections_use_the_project_release_too(run_cli, tmp_path):
    _write(tmp_path / "run.yaml", "version: 2\ndistro_name: x\n")
    _write(tmp_path / ".llama-config.toml", 'server = "0.3"\n')
    r = run_cli("show", "run.yaml", "--server", "nonsense")
    assert r.returncode == 2  # --server is still checked first
    _write(tmp_path / ".llama-config.toml", 'server = "nonsense"\n')
    r = run_cli("test-connections", "run.yaml")
    assert r.returncode == 2 and f"{tmp_path / '.llama-config.toml'}:1: error: server: " in r.stderr


def test_nearest_wins_and_a_pyproject_without_the_table_is_passed_over(tmp_path):
    _write(tmp_path / ".llama-config.toml", 'disable = ["backend-unused"]\n')
    _write(tmp_path / "a" / "pyproject.toml", '[project]\nname = "a"\n')  # no [tool.llama-config]
    _write(tmp_path / "a" / "b" / "pyproject.toml", '[tool.llama-config]\ndisable = ["unknown-key"]\n')
    _write(tmp_path / "a" / "b" / ".llama-config.toml", 'disable = ["repeated-key"]\n')  # beats pyproject.toml
    configs = ProjectConfigs()
    assert configs.for_input(str(tmp_path / "a" / "run.yaml")).disable == {"backend-unused"}
    assert configs.for_input(str(tmp_path / "a" / "b" / "c" / "run.yaml")).disable == {"repeated-key"}
    assert configs.for_input(str(tmp_path / "run.yaml")).file == str(tmp_path / ".llama-config.toml")


def test_no_project_file_anywhere(tmp_path):
    # tmp_path's parents hold no settings (the test would be wrong on a machine whose /tmp had one)
    assert ProjectConfigs().for_input(str(tmp_path / "run.yaml")) == NO_PROJECT_CONFIG


def test_stdin_uses_the_working_directory(run_cli, tmp_path):
    _write(tmp_path / ".llama-config.toml", 'disable = ["unknown-key"]\n')
    r = run_cli("validate", "-", input=TYPO)
    assert (r.returncode, r.stdout) == (0, "")


@pytest.mark.parametrize("text, line, says", [
    ('server = "0.7"\ndisabled = ["x"]\n', 2, "unknown setting 'disabled' (did you mean 'disable'?)"),
    ('disable = "unknown-key"\n', 1, "disable: must be a list of diagnostic codes"),
    ('disable = [\n  "unknown-kye",\n]\n', 1, "'unknown-kye' is not a llama-config diagnostic code (did you mean 'unknown-key'?)"),
    ('server = "0.7"\n\n[severity]\nunknown-key = "fatal"\n', 4, "unknown-key must be one of 'error', 'warning', 'info', not 'fatal'"),
    ('severity = { unknown-key = "loud" }\n', 1, "must be one of"),
    ('server = "9.9"\n', 1, "server: "),
    ('server = 0.7\n', 1, 'must be a release as a string, e.g. "ogx-1.5"'),
])
def test_a_bad_setting_is_exit_2_with_file_and_line(run_cli, tmp_path, text, line, says):
    settings = _write(tmp_path / ".llama-config.toml", text)
    _write(tmp_path / "run.yaml", MINIMAL_CONFIG)
    r = run_cli("validate", "run.yaml")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith(f"{settings}:{line}: error: ") and says in r.stderr, r.stderr
    assert "Traceback" not in r.stderr


def test_a_bad_setting_in_pyproject_names_the_table(tmp_path):
    path = _write(tmp_path / "pyproject.toml", '[tool.black]\nline-length = 100\n\n[tool.llama-config.severity]\nunknown-key = 1\n')
    with pytest.raises(ConfigFileError) as info:
        load_project_config(str(path), ("tool", "llama-config"))
    assert (info.value.line, info.value.message) == (5, "tool.llama-config.severity: unknown-key must be one of 'error', 'warning', 'info', not 1")


def test_invalid_toml_has_line_and_column(run_cli, tmp_path):
    settings = _write(tmp_path / ".llama-config.toml", 'server = "0.7"\ndisable = [\n')
    _write(tmp_path / "a.yaml", MINIMAL_CONFIG)
    _write(tmp_path / "b.yaml", MINIMAL_CONFIG)
    r = run_cli("validate", "a.yaml", "b.yaml")
    assert r.returncode == 2
    lines = r.stderr.splitlines()
    assert lines[0].startswith(f"{settings}:3:1: error: not valid TOML: ")
    assert lines[1:] == ["2 files: 0 errors, 0 warnings, 0 infos (2 unreadable)"]  # said once for both files


def test_toml_line_finds_keys_tables_and_inline_tables():
    text = 'a = 1\n[tool.llama-config]\nserver = "x"\nseverity.unknown-key = "error"\n[tool.llama-config.severity]\n"repeated-key" = "info"\n'
    base = ("tool", "llama-config")
    assert toml_line(text, base + ("server",)) == 3
    assert toml_line(text, base + ("severity", "unknown-key")) == 4
    assert toml_line(text, base + ("severity", "repeated-key")) == 6
    assert toml_line(text, base + ("disable",)) == 2  # not written: the table it would be in
    assert toml_line('x = { y = 1 }\n', ("x", "y")) == 1
