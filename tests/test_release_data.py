"""The committed release data (model/releases/<line>.json.gz, made by tools/releases/generate.py):
every file loads and has the keys FORMAT.md promises, and a few facts read from the releases'
own code hold. The conformance test rebuilds one line from its package and compares."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tools.releases.envs import RELEASES

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "model" / "releases"
CORPUS = ROOT / "tests" / "corpus" / "releases"

TOP_LEVEL = {
    "format", "line", "distribution", "version", "package", "api_package", "file_name",
    "config_model", "config_schema", "name_fields", "storage", "backends", "server", "apis",
    "routing_table_apis", "routed_apis", "providable_apis", "internal_apis", "conditional_apis",
    "api_without_provider", "ignored_top_level", "providers", "shipped_configs",
}  # fmt: skip
STORE_KEYS = {"family", "reference_def", "default", "startup", "startup_source", "null_is_error"}
SERVER_KEYS = {
    "def", "keys", "quota", "cors", "auth_def", "auth_types", "tls_required_unless_insecure",
    "tls_required_source", "ignored_keys",
}  # fmt: skip
PROVIDER_KEYS = {
    "module", "config_class", "description", "config_schema", "secret_fields", "storage_refs",
    "api_dependencies", "optional_api_dependencies", "deprecation_warning", "deprecation_error",
    "sample_config", "import_error", "schema_error", "sample_error",
}  # fmt: skip


def load(line: str) -> dict:
    return json.loads(gzip.decompress((DATA / f"{line}.json.gz").read_bytes()))


@pytest.fixture(scope="module", params=list(RELEASES))
def release(request) -> dict:
    return load(request.param)


def providers(data: dict) -> dict[str, dict]:
    return {ptype: spec for specs in data["providers"].values() for ptype, spec in specs.items()}


def test_every_line_has_its_file_with_the_promised_keys(release):
    assert set(release) == TOP_LEVEL
    assert (release["distribution"], release["version"]) == RELEASES[release["line"]]
    assert release["format"] == 1
    schema_defs = release["config_schema"]["$defs"]
    assert release["server"]["def"] in schema_defs and set(release["server"]) == SERVER_KEYS
    for store in release["storage"]["stores"].values():
        assert set(store) == STORE_KEYS and store["family"] in ("kv", "sql")
        assert store["startup"] == "optional" or store["startup"] == "required" or store["startup"].startswith("when-api:")
    for backend in release["backends"].values():
        assert backend["def"] in schema_defs and backend["family"] in ("kv", "sql")
    assert all(name in schema_defs for name in release["server"]["auth_types"].values())
    assert release["api_without_provider"]["outcome"] in ("error", "warning")
    assert set(release["routing_table_apis"]) <= set(release["apis"])
    for api, specs in release["providers"].items():
        assert api in release["apis"]
        for spec in specs.values():
            assert set(spec) == PROVIDER_KEYS
            assert spec["import_error"] is None, spec["import_error"]
            assert spec["config_schema"]["type"] == "object"
            for ref in spec["storage_refs"]:
                assert ref["family"] in ("kv", "sql") and isinstance(ref["required"], bool)


def test_shipped_configs_are_copied_with_their_source(release):
    folder = CORPUS / release["line"]
    copied = sorted(str(p.relative_to(folder)) for p in folder.rglob("*.yaml"))
    assert copied == sorted(release["shipped_configs"]) and copied
    assert release["version"] in (folder / "SOURCE.md").read_text()


def test_api_packages_match_the_release(release):
    # an unpinned llama-stack-api / ogx-api would give an older release a newer Api enum
    if release["api_package"] is not None:
        assert release["api_package"]["version"] == release["version"]


def test_ogx_1_5_has_sql_prompts_and_connectors_and_no_quota_or_cors():
    data = load("ogx-1.5")
    stores = data["storage"]["stores"]
    assert stores["prompts"]["family"] == stores["connectors"]["family"] == "sql"
    assert not data["server"]["quota"] and not data["server"]["cors"]
    assert set(data["server"]["ignored_keys"]) >= {"quota", "cors"}
    assert {"upstream_header", "local_api_key"} <= set(data["server"]["auth_types"])
    assert data["server"]["tls_required_unless_insecure"]
    assert data["api_without_provider"]["outcome"] == "warning"
    assert "safety" not in data["apis"]


def test_0_3_requires_image_name_and_storage_with_no_defaults():
    data = load("0.3")
    assert data["name_fields"]["required"] == ["image_name"]
    assert data["storage"]["required"] and data["storage"]["default_backends"] == {}
    assert data["storage"]["stores"]["inference"]["startup"] == "when-api:inference"
    assert data["api_without_provider"]["outcome"] == "error"
    assert "models" in data["ignored_top_level"]
    assert data["file_name"] == "run.yaml"
    assert set(data["server"]["auth_types"]) == {"oauth2_token", "github_token", "custom", "kubernetes"}


def test_0_7_postgres_pool_and_ollama_base_url():
    data = load("0.7")
    sql_postgres = data["config_schema"]["$defs"][data["backends"]["sql_postgres"]["def"]]
    assert {"pool_size", "max_overflow", "pool_recycle", "pool_pre_ping"} <= set(sql_postgres["properties"])
    ollama = providers(data)["remote::ollama"]["config_schema"]["properties"]
    assert "base_url" in ollama and "url" not in ollama
    assert data["name_fields"] == {"one_of": ["distro_name", "image_name"], "deprecated": ["image_name"]}


def test_storage_references_and_secrets_are_found_in_nested_models():
    data = load("0.3")
    agents = data["providers"]["agents"]["inline::meta-reference"]
    assert {(r["path"], r["family"]) for r in agents["storage_refs"]} == {("persistence.agent_state", "kv"), ("persistence.responses", "sql")}
    assert "api_key" in providers(data)["remote::openai"]["secret_fields"]
    batches = load("ogx-1.5")["providers"]["batches"]["inline::reference"]
    assert [(r["path"], r["family"], r["required"]) for r in batches["storage_refs"]] == [("sqlstore", "sql", True)]


@pytest.mark.conformance
def test_generator_check_agrees_with_the_committed_data():
    """Rebuilds ogx-1.5 from the released package (the environment is built if missing) and
    compares it with the committed data and shipped-config copies."""
    result = subprocess.run(
        [sys.executable, "-m", "tools.releases.generate", "--check", "ogx-1.5"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_detection_summary_is_what_the_data_files_give():
    """model/releases/shapes.json.gz is derived data: rewrite it with
    `python -m model.releases.shapes --write` (the generator does) when this fails."""
    from llama_config.model.releases.shapes import SHAPES_PATH, build

    assert json.loads(gzip.decompress(SHAPES_PATH.read_bytes())) == build()
