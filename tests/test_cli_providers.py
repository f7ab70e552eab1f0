"""add-provider, remove-provider, rename-provider and `set` by provider id, run in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from llama_config.model.document import Document
from llama_config.tui.cli import main

STACK = Path(__file__).parent / "providers" / "stack.yaml"


@pytest.fixture
def config(tmp_path, monkeypatch):
    for name in ("OLLAMA_URL", "OPENAI_API_KEY", "LLAMA_CONFIG_SERVER"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "config.yaml"
    path.write_bytes(STACK.read_bytes())
    return path


def run(*args) -> int:
    return main([str(a) for a in args] + ["--server", "ogx-1.5"])


def data(path: Path) -> dict:
    return Document.load(str(path)).data


def test_set_addresses_a_provider_by_id_with_its_schema_types(config, capsys):
    assert run("set", config, "providers.inference[ollama].config.base_url=http://gpu-1:11434", "providers.vector_io[faiss].config.persistence.namespace=0777") == 0
    after = data(config)
    assert after["providers"]["inference"][0]["config"]["base_url"] == "http://gpu-1:11434"
    assert after["providers"]["vector_io"][0]["config"]["persistence"]["namespace"] == "0777"  # a string field stays a string
    before, text = STACK.read_text(), config.read_text()
    assert [line for line in text.splitlines() if line not in before.splitlines()] == [
        "      base_url: http://gpu-1:11434", "        namespace: '0777'",
    ]  # fmt: skip


def test_set_with_an_unknown_id_lists_the_ids(config, capsys):
    assert run("set", config, "providers.inference[vllm].config.base_url=x") == 2
    assert "there is no inference provider 'vllm' (its providers: ollama, openai, sentence-transformers)" in capsys.readouterr().err
    assert config.read_bytes() == STACK.read_bytes()


def test_add_provider_with_values(config, capsys):
    assert run("add-provider", config, "inference", "remote::vllm", "--id", "gpu", "base_url=http://gpu-1:8000/v1", "max_tokens=512") == 0
    out = capsys.readouterr().out
    assert "added the inference provider 'gpu' (remote::vllm) at providers.inference[3]" in out
    provider = data(config)["providers"]["inference"][3]
    assert provider["config"]["max_tokens"] == 512 and provider["config"]["base_url"] == "http://gpu-1:8000/v1"
    assert config.read_text().startswith(STACK.read_text()[: STACK.read_text().index("  vector_io:")])


def test_add_provider_refuses_a_value_of_the_wrong_type_or_field(config, capsys):
    assert run("add-provider", config, "inference", "remote::vllm", "max_tokens=lots") == 2
    assert "max_tokens: must be an integer, not 'lots'" in capsys.readouterr().err
    assert run("add-provider", config, "inference", "remote::vllm", "base_ur=x") == 2
    assert "did you mean 'base_url'" in capsys.readouterr().err
    assert config.read_bytes() == STACK.read_bytes()


def test_add_provider_with_a_missing_dependency(config, capsys):
    assert run("add-provider", config, "batches", "inline::reference") == 1
    err = capsys.readouterr().err
    assert "needs the files API, which no provider serves" in err and "[missing-dependency]" in err and "refused" in err
    assert config.read_bytes() == STACK.read_bytes()
    assert run("add-provider", config, "batches", "inline::reference", "--with-dependencies") == 0
    assert "added the files provider 'localfs' (inline::localfs)" in capsys.readouterr().out
    assert data(config)["apis"] == ["inference", "vector_io", "batches", "files"]


def test_add_provider_reports_fields_to_fill(config, capsys):
    assert run("add-provider", config, "inference", "remote::vertexai") == 1
    err = capsys.readouterr().err
    assert "config.project: required, and the sample leaves it empty (give project=VALUE or set VERTEX_AI_PROJECT)" in err
    assert run("add-provider", config, "inference", "remote::vertexai", "project=my-project") == 0


def test_remove_provider_refused_then_with_resources(config, capsys):
    assert run("remove-provider", config, "inference", "openai") == 1
    assert "registered_resources.models[1] (gpt-4o)" in capsys.readouterr().err
    assert config.read_bytes() == STACK.read_bytes()
    assert run("remove-provider", config, "inference", "openai", "--move-resources-to", "sentence-transformers", "-n") == 0
    assert "+    provider_id: sentence-transformers" in capsys.readouterr().out
    assert run("remove-provider", config, "inference", "openai", "--remove-resources") == 0
    assert [m["model_id"] for m in data(config)["registered_resources"]["models"]] == ["llama3.2:3b", "all-MiniLM-L6-v2"]
    assert run("remove-provider", config, "inference", "nope") == 2


def test_rename_provider(config, capsys):
    assert run("rename-provider", config, "inference", "ollama", "gpu") == 0
    assert "and 1 registered resource naming it" in capsys.readouterr().out
    after = data(config)
    assert after["providers"]["inference"][0]["provider_id"] == "${env.OLLAMA_URL:+gpu}"
    assert after["registered_resources"]["models"][0]["provider_id"] == "${env.OLLAMA_URL:+gpu}"
