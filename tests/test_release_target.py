"""The target release: --server values, LLAMA_CONFIG_SERVER, and detection from the file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from llama_config.model.document import Document
from llama_config.model.envvars import Environment
from llama_config.model.releases import UnknownRelease, available_lines, load_release, parse_server
from llama_config.model.releases.detect import detect
from llama_config.model.validation import validate
from tests.conftest import cli_env

RELEASES = Path(__file__).parent / "corpus" / "releases"


@pytest.mark.parametrize(
    "spec, line",
    [
        ("0.3", "0.3"), ("0.3.0", "0.3"), ("0.7.3", "0.7"), ("v0.7", "0.7"), ("llama-stack==0.7.3", "0.7"),
        ("llama-stack 0.5", "0.5"), ("ogx-1.5", "ogx-1.5"), ("ogx 1.5.0", "ogx-1.5"), ("1.5", "ogx-1.5"),
        ("ogx==1.0.4", "ogx-1.0"), ("OGX-1.2", "ogx-1.2"), ("latest", "ogx-1.5"),
    ],
)  # fmt: skip
def test_server_values(spec: str, line: str) -> None:
    assert parse_server(spec) == line


@pytest.mark.parametrize("spec", ["0.2", "0.8", "ogx-2.0", "1.9", "banana", "", "0"])
def test_unknown_server_values_name_the_known_ones(spec: str) -> None:
    with pytest.raises(UnknownRelease, match="llama-stack 0.3.*ogx 1.5"):
        parse_server(spec)


def test_every_line_has_data() -> None:
    assert available_lines() == ("0.3", "0.4", "0.5", "0.6", "0.7", "ogx-1.0", "ogx-1.1", "ogx-1.2", "ogx-1.3", "ogx-1.4", "ogx-1.5")
    for line in available_lines():
        assert load_release(line).line == line


def _shipped(line: str) -> list[Path]:
    return sorted((RELEASES / line).rglob("*.yaml"))


@pytest.mark.parametrize("line", ["0.3", "0.7", "ogx-1.5"])
def test_shipped_configs_are_detected_as_a_release_that_accepts_them(line: str) -> None:
    """A release's own configs: detection lands on that release or one whose shape equals it."""
    files = _shipped(line)
    assert files, f"no shipped configs for {line} under {RELEASES}"
    for path in files:
        found = detect(yaml.safe_load(path.read_text()))
        assert found.exact, (path, found)
        if line == "ogx-1.5":
            assert found.line.startswith("ogx-"), (path, found)
        if line == "0.3":
            assert not found.line.startswith("ogx-"), (path, found)


def test_detection_names_its_reasons() -> None:
    data = {
        "version": 2, "distro_name": "x", "providers": {},
        "storage": {"backends": {"sql_default": {"type": "sql_sqlite", "db_path": "/tmp/x.db"}},
                    "stores": {"prompts": {"backend": "sql_default", "table_name": "prompts"}}},
    }  # fmt: skip
    found = detect(data)
    assert found.line.startswith("ogx-")
    assert "SQL prompts store" in found.describe()


def test_quota_points_at_a_release_that_has_it() -> None:
    found = detect({"version": 2, "image_name": "x", "providers": {}, "server": {"quota": {}}})
    assert not found.line.startswith("ogx-")
    assert "server.quota" in found.reasons


def test_cli_says_which_release_and_why(tmp_path: Path) -> None:
    src = _shipped("ogx-1.5")[0]
    result = subprocess.run(
        [sys.executable, "-m", "llama_config.tui.cli", "validate", str(src)], capture_output=True, text=True, env=cli_env()
    )
    assert "validated against ogx" in result.stderr and "(from: " in result.stderr, result.stderr


def test_cli_server_option_and_environment(tmp_path: Path) -> None:
    src = str(_shipped("ogx-1.5")[0])
    by_option = subprocess.run([sys.executable, "-m", "llama_config.tui.cli", "validate", src, "--server", "0.7.3"], capture_output=True, text=True, env=cli_env())
    assert "validated against llama-stack 0.7.3 (--server 0.7.3)" in by_option.stderr
    by_env = subprocess.run([sys.executable, "-m", "llama_config.tui.cli", "validate", src], capture_output=True, text=True, env=cli_env(LLAMA_CONFIG_SERVER="ogx-1.0"))
    assert "validated against ogx 1.0" in by_env.stderr
    bad = subprocess.run([sys.executable, "-m", "llama_config.tui.cli", "validate", src, "--server", "9.9"], capture_output=True, text=True, env=cli_env())
    assert bad.returncode == 2 and "unknown server release '9.9'" in bad.stderr and "Traceback" not in bad.stderr


def test_telemetry_in_apis_needs_its_switch_on_0_3() -> None:
    """0.3's resolver builds the telemetry API only `if run_config.telemetry.enabled` (the release
    refuses the file otherwise: "no implementation for the telemetry API listed in apis")."""
    text = (Path(__file__).parent / "files" / "telemetry-0.3.yaml").read_text()
    off = validate(Document(text), Environment(environ={}), release=load_release("0.3"))
    assert [(d.severity, d.code, d.path) for d in off] == [("error", "api-without-provider", ("apis", 1))]
    on = text.replace("apis:", "telemetry:\n  enabled: ${env.TELEMETRY:=true}\napis:")
    assert validate(Document(on), Environment(environ={}), release=load_release("0.3")) == []
    assert not load_release("0.4").conditional_apis  # later releases have no such switch


def test_a_provider_reference_is_checked_against_the_providers_own_class() -> None:
    """ogx 1.5's responses persistence takes write-queue fields a plain SQL reference lacks."""
    path = Path(__file__).parent / "corpus" / "releases" / "ogx-1.5" / "starter" / "config.yaml"
    doc = Document.load(str(path))
    found = validate(doc, Environment(environ={}), release=load_release("ogx-1.5"))
    assert not [d for d in found if d.code == "unknown-key"], found
    typo = Document(doc.text.replace("        num_writers: 4", "        num_writer: 4", 1))
    assert [d.path[-1] for d in validate(typo, Environment(environ={}), release=load_release("ogx-1.5")) if d.code == "unknown-key"] == ["num_writer"]
