"""`llama-config schema`: the committed JSON Schema, for editors that read
`# yaml-language-server: $schema=...`."""

from __future__ import annotations

import json

from model.config_schema import SCHEMA_PATH, load
from model.document import Document
from model.releases import load_release
from model.schema_check import check
from model.starter import starter_config


def test_schema_prints_the_committed_schema_byte_for_byte(run_cli):
    r = run_cli("schema")
    assert r.returncode == 0, r.stderr
    assert r.stdout == SCHEMA_PATH.read_text(encoding="utf-8")
    schema = json.loads(r.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "StackConfig" and "storage" in schema["properties"]
    # every backend type is described, with its fields' defaults and help
    backends = {name: schema["$defs"][name] for name in ("KVSqliteBackend", "SQLPostgresBackend")}
    assert backends["SQLPostgresBackend"]["properties"]["port"]["default"] == 5432
    assert "description" in backends["KVSqliteBackend"]["properties"]["db_path"]


def test_a_file_from_init_meets_the_schema_it_points_at():
    """What an editor does with `# yaml-language-server: $schema=./run-config.schema.json`."""
    # the committed schema is the llama-stack 0.5-0.7 format (prompts and connectors are KV stores)
    text = "# yaml-language-server: $schema=./run-config.schema.json\n" + starter_config(release=load_release("0.7"))
    assert check(load(), Document(text).data, load()) == []


def test_help_says_how_to_use_it_in_an_editor(run_cli):
    r = run_cli("schema", "--help")
    assert r.returncode == 0
    assert r.stdout.startswith("usage: llama-config schema")
    assert "# yaml-language-server: $schema=./run-config.schema.json" in r.stdout
    assert "exit codes:" in r.stdout
