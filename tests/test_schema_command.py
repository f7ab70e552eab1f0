"""`llama-config schema [--server X]`: one release's run config as JSON Schema, for editors that
read `# yaml-language-server: $schema=...`; checked with a real validator (jsonschema)."""

from __future__ import annotations

import json
import re
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


def test_a_number_takes_exactly_the_placeholders_the_server_substitutes():
    validator = jsonschema.Draft202012Validator(build(load_release("0.7")))

    def errors(max_tokens: str) -> list[str]:
        return [e.json_path for e in validator.iter_errors(_config({"base_url": "http://gpu/v1", "max_tokens": max_tokens}))]

    assert errors("${env.1ST_MAX:=4096}") == errors("${env.MAX:+4096}") == errors("${env.MAX}") == []
    # the server's pattern is [A-Z0-9_]+: it leaves `${env.max}` as text, which is no number
    assert errors("${env.max:=4096}") == ["$.providers.inference[0].config.max_tokens"]


@pytest.mark.parametrize("line", available_lines())
def test_every_fixed_word_fits_the_placeholder_pattern_s_bound_on_a_default(line):
    words: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            words.extend(w for w in [node.get("const"), *node.get("enum", [])] if isinstance(w, str))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(build(load_release(line)))
    assert words and max(map(len, words)) <= 128  # (json_schema.PLACEHOLDER: `${env.X:=WORD}`)


def test_the_placeholder_pattern_reads_a_hostile_value_in_linear_work():
    """Unbounded, a value of `${env.A:=` repeated with no `}` made a backtracking regex engine
    (an editor's, or Python's here) scan the rest of the value from each: 20,000 took 68 s.
    Bounded, 100,000 take a fraction of a second."""
    from llama_config.model.releases.json_schema import PLACEHOLDER
    from tests.test_fuzz_commands import watchdog

    pattern = re.compile(PLACEHOLDER["pattern"])
    with watchdog(30):
        assert pattern.search("${env.A:=" * 100_000) is None
    assert pattern.search("x ${env.A:=" + "9" * 128 + "} y") and not pattern.search("${env.A:=" + "9" * 129 + "}")


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
