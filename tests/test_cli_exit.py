"""A one-shot command ends with os._exit, without freeing its objects (model/gcpause.py
keep_until_exit): what it printed must still all arrive, with its exit status, also when the
reader stops early."""

from __future__ import annotations

import subprocess
import sys

from llama_config.model import gcpause
from tests.conftest import cli_env


def _config(tmp_path, providers: int):
    entries = "".join(f"  - provider_id: p{i}\n    provider_type: remote::ollama\n    config: {{url: 'http://h:{i}'}}\n" for i in range(providers))
    path = tmp_path / "run.yaml"
    path.write_text(f"version: 2\nimage_name: x\napis: [inference]\nproviders:\n  inference:\n{entries}")
    return path


def test_everything_printed_arrives_with_the_exit_status(run_cli, tmp_path):
    path = _config(tmp_path, 300)
    shown = run_cli("show", path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.count("remote::ollama") == 300  # (more than any pipe buffer holds)
    path.write_text(path.read_text() + "server: {port: many}\n")
    checked = run_cli("validate", path)
    assert checked.returncode == 1
    assert "server.port must be an integer" in checked.stdout
    assert checked.stderr.rstrip().endswith("0 warnings, 0 infos")  # the summary, printed last


def test_a_reader_that_stops_early_gets_no_error(tmp_path):
    path = _config(tmp_path, 3000)
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_config.tui.cli", "show", str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=cli_env(), cwd=tmp_path,
    )  # fmt: skip
    assert proc.stdout.readline()
    proc.stdout.close()  # `llama-config show run.yaml | head -1`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert "Traceback" not in err and "Exception ignored" not in err


def test_only_a_one_shot_command_keeps_its_document(monkeypatch):
    kept: list = []
    monkeypatch.setattr(gcpause, "_kept", kept)
    first, second = object(), object()
    assert gcpause.keep_until_exit(first) is first
    assert kept == []  # (the editor, tests: documents are freed as usual)
    monkeypatch.setattr(gcpause, "_one_command", True)
    gcpause.keep_until_exit(first)
    gcpause.keep_until_exit(second)
    assert kept == [second]  # the last one only: a command over many files holds one at a time
