"""validate / show / test-connections on Kubernetes manifests: each ConfigMap's run config is
checked at the manifest's own lines, what the resources say comes with it, and directories and
stdin find manifests as they find plain run configs."""

from __future__ import annotations

import json
from pathlib import Path

from llama_config.model.inputs import read_inputs

from .manifest_samples import OGX_STARTER, POSTGRES_DEMO, configmap, llama_stack_distribution, manifest, ogx_server


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _bad_port_manifest(tmp_path: Path, name: str = "cm.yaml") -> tuple[Path, int]:
    """A ConfigMap whose config has `port: eighty`, run by a LlamaStackDistribution; the line of
    `eighty` in the manifest."""
    config = POSTGRES_DEMO.read_text().replace("port: 8321", "port: eighty", 1)
    text = manifest(configmap("llama-cfg", "run.yaml", config), llama_stack_distribution("llama", "llama-cfg"))
    line = next(n for n, row in enumerate(text.splitlines(), 1) if row.strip() == "port: eighty")
    return _write(tmp_path / name, text), line


def test_validate_reports_the_embedded_config_at_the_manifests_lines(tmp_path, run_cli):
    path, line = _bad_port_manifest(tmp_path)
    r = run_cli("validate", path.name)
    assert r.returncode == 1, r.stderr
    assert f"cm.yaml:{line}:13: error: server.port must be an integer from 1024 to 65535, not 'eighty' [wrong-type]" in r.stdout
    assert "LlamaStackDistribution llama (spec.server.userConfig) runs ConfigMap llama-cfg, key run.yaml" in r.stdout
    assert "cm.yaml: ConfigMap llama-cfg, key run.yaml: validated against llama-stack 0.7" in r.stderr
    assert r.stderr.strip().endswith("cm.yaml: ConfigMap llama-cfg, key run.yaml: 3 errors, 2 warnings, 1 info")


def test_json_names_the_manifest_file_and_its_position(tmp_path, run_cli):
    path, line = _bad_port_manifest(tmp_path)
    r = run_cli("validate", "--format", "json", path.name)
    found = json.loads(r.stdout)
    [port] = [f for f in found if f["code"] == "wrong-type"]
    assert (port["line"], port["column"]) == (line, 13)
    assert any(f["code"] == "config-reference" for f in found)


def test_stdin_holding_a_manifest_is_read_like_a_file(tmp_path, run_cli):
    path, line = _bad_port_manifest(tmp_path)
    r = run_cli("validate", "--format", "github", "-", input=path.read_text())
    assert r.returncode == 1
    assert f"::error file=<stdin>,line={line},col=13,title=wrong-type::" in r.stdout


def test_a_directory_finds_manifests_and_resources_without_a_config(tmp_path, run_cli):
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    _bad_port_manifest(deploy, "cm.yaml")
    _write(deploy / "server.yaml", manifest(ogx_server("ogx", "elsewhere", "config.yaml")))
    _write(deploy / "service.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n")
    r = run_cli("validate", "deploy")
    assert r.returncode == 1
    assert "deploy/server.yaml:9:11: warning: OGXServer ogx (spec.overrideConfig) runs the config in ConfigMap elsewhere" in r.stdout
    assert "deploy/service.yaml: skipped: a Kubernetes manifest holding no run config" in r.stderr
    assert r.stderr.strip().endswith("2 files: 3 errors, 3 warnings, 1 info")


def test_a_manifest_named_on_the_command_line_without_a_config_is_an_error(tmp_path, run_cli):
    _write(tmp_path / "service.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n")
    r = run_cli("validate", "service.yaml")
    assert r.returncode == 2
    assert "service.yaml: error: a Kubernetes manifest holding no run config (Service web): nothing to check" in r.stderr


def test_an_ignore_comment_on_the_resource_line_silences_its_note(tmp_path, run_cli):
    text = manifest(ogx_server("ogx", "elsewhere", "config.yaml")).replace("    name: elsewhere", "    name: elsewhere  # llama-config: ignore[configmap-not-in-input]")
    _write(tmp_path / "server.yaml", text)
    r = run_cli("validate", "server.yaml")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "configmap-not-in-input" not in r.stdout


def test_show_and_test_connections_take_the_embedded_config_and_leave_resources_alone(tmp_path, run_cli):
    config = OGX_STARTER.read_text()
    _write(tmp_path / "cm.yaml", manifest(configmap("stack", "config.yaml", config), ogx_server("ogx", "stack", "config.yaml")))
    _write(tmp_path / "server.yaml", manifest(ogx_server("other", "elsewhere", "config.yaml")))
    shown = run_cli("show", "cm.yaml", "server.yaml")
    assert shown.returncode == 0, shown.stderr
    assert "cm.yaml: ConfigMap stack, key config.yaml" in shown.stdout
    assert "1 file: 1 shown" in shown.stderr
    store = tmp_path / "store"
    tested = run_cli("test-connections", "--json", "cm.yaml", "--timeout", "2", env={"SQLITE_STORE_DIR": str(store)})
    assert tested.returncode == 0, tested.stderr
    assert {row["backend"] for row in json.loads(tested.stdout)} >= {"kv_default", "sql_default"}


def test_read_inputs_gives_one_source_per_configmap_config_with_its_mapping(tmp_path):
    config = OGX_STARTER.read_text()
    text = manifest(configmap("a", "config.yaml", config), configmap("b", "run.yaml", config))
    path = _write(tmp_path / "two.yaml", text)
    first, second = read_inputs([str(path)])
    assert (first.label, second.label) == (f"{path}: ConfigMap a, key config.yaml", f"{path}: ConfigMap b, key run.yaml")
    assert first.file == second.file == str(path)
    outer = text.splitlines()
    row, col = second.position(1, 1)
    assert outer[row - 1][col - 1 :] == config.splitlines()[0]
