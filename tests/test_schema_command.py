"""`llama-config schema [--server X]`: one release's run config as JSON Schema, for editors that
read `# yaml-language-server: $schema=...`; checked with a real validator (jsonschema)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from llama_config.model.releases import available_lines, load_release
from llama_config.model.releases.json_schema import build

SHIPPED = Path(__file__).parent / "corpus" / "releases"


@pytest.mark.parametrize("line", available_lines())
def test_every_config_the_release_ships_meets_its_schema(line):
    validator = jsonschema.Draft202012Validator(build(load_release(line)))
    files = sorted((SHIPPED / line).rglob("*.yaml"))
    assert files
    for path in files:
        errors = [f"{e.json_path}: {e.message[:120]}" for e in validator.iter_errors(yaml.safe_load(path.read_text()))]
        assert errors == [], path.name


def _config(config: dict) -> dict:
    return {
        "version": 2, "distro_name": "x", "apis": ["inference"],
        "providers": {"inference": [{"provider_id": "v", "provider_type": "remote::vllm", "config": config}]},
        "storage": {"backends": {"kv": {"type": "kv_sqlite", "db_path": "${env.DB:=/tmp/kv.db}"}}, "stores": {}},
    }  # fmt: skip


def test_provider_configs_are_checked_per_type_and_placeholders_pass():
    validator = jsonschema.Draft202012Validator(build(load_release("0.7")))
    assert list(validator.iter_errors(_config({"base_url": "http://gpu/v1", "max_tokens": "${env.MAX:=4096}"}))) == []
    errors = list(validator.iter_errors(_config({"base_url": "http://gpu/v1", "max_tokens": "lots"})))
    assert [e.json_path for e in errors] == ["$.providers.inference[0].config.max_tokens"]
    bad_port = _config({})
    bad_port["storage"]["backends"]["pg"] = {"type": "kv_postgres", "port": "five"}
    assert [e.json_path for e in validator.iter_errors(bad_port)] == ["$.storage.backends.pg"]


def test_the_command_prints_the_chosen_releases_schema(run_cli):
    r = run_cli("schema", "--server", "0.3")
    assert r.returncode == 0, r.stderr
    schema = json.loads(r.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "llama-stack 0.3.5 run config"
    assert "image_name" in schema["properties"] and "distro_name" not in schema["properties"]
    newest = json.loads(run_cli("schema").stdout)
    assert newest["title"].startswith("ogx 1.5") and "distro_name" in newest["properties"]
    r = run_cli("schema", "--server", "9.9")
    assert r.returncode == 2 and "unknown server release '9.9'" in r.stderr and not r.stdout


def test_help_says_how_to_use_it_in_an_editor(run_cli):
    r = run_cli("schema", "--help")
    assert r.returncode == 0
    assert r.stdout.startswith("usage: llama-config schema")
    assert "# yaml-language-server: $schema=./run-config.schema.json" in r.stdout
    assert "--server" in r.stdout and "exit codes:" in r.stdout
