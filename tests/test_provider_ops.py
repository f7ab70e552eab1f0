"""Provider operations on a Document (model.provider_ops): add from the release's sample, remove,
rename, the `${env.X:+id}` toggle, reorder, state labels and registered resources."""

from __future__ import annotations

from pathlib import Path

import pytest

from llama_config.model.document import Document, EditError
from llama_config.model.envvars import Environment
from llama_config.model.provider_ops import (
    ProviderInUse, add_provider, add_resource, config_field, edit_resource, enabled_provider_ids, move_provider,
    provider_ids, provider_state, remove_provider, remove_resource, rename_provider, set_toggle,
)  # fmt: skip
from llama_config.model.releases import available_lines, load_release
from llama_config.model.starter import StarterOptions, starter_config
from llama_config.model.validation import validate

STACK = Path(__file__).parent / "providers" / "stack.yaml"
NO_ENV = Environment(environ={})
OGX = load_release("ogx-1.5")


def stack() -> Document:
    return Document.from_text(STACK.read_text(), name=str(STACK))


def errors(doc: Document, release=OGX, env=NO_ENV) -> list[str]:
    return [d.format("") for d in validate(doc, env, release=release) if d.severity == "error"]


def _sample_value(field) -> object:
    """A value the field accepts, for filling in what the sample leaves empty."""
    schema = field.schema
    enum = schema.get("enum") or next((b.get("enum") for b in schema.get("anyOf", ()) if b.get("enum")), None)
    if enum:
        return enum[0]
    kinds = field.scalar_kinds()
    if "string" in kinds:
        return "http://localhost:1234/v1"
    if "integer" in kinds:
        return 1
    if "number" in kinds:
        return 1.5
    if "boolean" in kinds:
        return True
    return "x"


@pytest.mark.parametrize("line", available_lines())
def test_every_provider_type_adds_and_validates_once_its_fields_are_filled(line):
    """For every provider type of every release: added with its defaults (and the providers of
    the APIs it needs), any error is in a field reported to fill; with those filled, the file
    validates with no error."""
    release = load_release(line)
    base = starter_config(StarterOptions(), release=release)
    assert errors(Document(base), release) == []
    assert set(release.providers) <= set(release.providable_apis)
    failures, added = [], 0
    for api in release.providable_apis:
        for ptype in release.provider_types(api):
            doc = Document(base)
            result = add_provider(doc, api, ptype, release, add_dependencies=True)
            assert result.missing_dependencies == []
            added += 1
            own = [f for f in result.to_fill if not f.key.startswith("providers.")]
            found = errors(doc, release)
            if own:
                written = doc.value_at(result.path + ("config",))
                values = {f.key: _sample_value(config_field(release, api, ptype, written, f.key)) for f in own}
                doc = Document(base)
                result = add_provider(doc, api, ptype, release, values=values, add_dependencies=True)
                assert not [f for f in result.to_fill if f.key in values]
                found = errors(doc, release)
            if found:
                failures.append((ptype, own, found))
    assert added == sum(len(types) for types in release.providers.values()) > 0
    assert failures == []


def _unchanged_outside(before: str, after: str, removed: set[str] = frozenset(), added: set[str] = frozenset()) -> None:
    """Every line of `before` is still in `after` in order, except `removed`; nothing else is new."""
    import difflib

    diff = [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:2] in ("- ", "+ ")]
    assert {line[2:] for line in diff if line.startswith("- ")} == set(removed)
    assert {line[2:] for line in diff if line.startswith("+ ")} == set(added)


def test_add_keeps_the_rest_of_the_file_byte_for_byte_and_adds_the_api():
    doc = stack()
    before = doc.text
    result = add_provider(doc, "files", "inline::localfs", OGX)
    assert result.provider_id == "localfs" and result.path == ("providers", "files", 0)
    assert doc.text.startswith(before[: before.index("- vector_io") + len("- vector_io\n")])
    assert doc.value_at(("apis",)) == ["inference", "vector_io", "files"]
    config = doc.value_at(result.path + ("config",))
    assert config["storage_dir"] == "${env.FILES_STORAGE_DIR:=~/.ogx/distributions/ops-test/files}"  # placeholder kept, {name} filled
    assert config["metadata_store"] == {"backend": "sql_default", "table_name": "files_metadata"}
    assert errors(doc) == []
    removed_lines = [line for line in before.splitlines() if line not in doc.text.splitlines()]
    assert removed_lines == []


def test_a_second_provider_of_a_type_gets_its_own_id_and_namespace():
    doc = stack()
    result = add_provider(doc, "vector_io", "inline::faiss", OGX)
    assert result.provider_id == "faiss-2"
    assert doc.value_at(result.path + ("config", "persistence")) == {"backend": "kv_default", "namespace": "vector_io::faiss_faiss_2"}
    assert errors(doc) == []
    with pytest.raises(EditError, match="providers.vector_io already has a provider 'faiss'"):
        add_provider(doc, "vector_io", "inline::faiss", OGX, provider_id="faiss")


def test_a_reference_with_no_backend_of_its_family_gets_one():
    doc = Document(STACK.read_text().replace("    sql_default:\n      type: sql_sqlite\n      db_path: /tmp/ops-test/sql.db\n", ""))
    result = add_provider(doc, "files", "inline::localfs", OGX)
    backends = doc.value_at(("storage", "backends"))
    assert backends["sql_default"]["type"] == "sql_sqlite"
    assert doc.value_at(result.path + ("config", "metadata_store", "backend")) == "sql_default"
    assert "added the backend 'sql_default' (sql_sqlite) for the new storage references" in result.notes


def test_a_missing_dependency_is_reported_or_added():
    doc = stack()
    result = add_provider(doc, "batches", "inline::reference", OGX)
    assert result.missing_dependencies == ["files"]
    assert any(d for d in validate(doc, NO_ENV, release=OGX) if d.code == "missing-dependency")
    doc = stack()
    result = add_provider(doc, "batches", "inline::reference", OGX, add_dependencies=True)
    assert result.missing_dependencies == []
    assert provider_ids(doc, "files") == ["localfs"]
    assert "files" in doc.value_at(("apis",)) and "batches" in doc.value_at(("apis",))
    assert errors(doc) == []


def test_required_fields_left_empty_are_reported_and_settable():
    doc = stack()
    result = add_provider(doc, "inference", "remote::vertexai", OGX)
    assert [(f.key, f.variable) for f in result.to_fill] == [("project", "VERTEX_AI_PROJECT")]
    doc = stack()
    add_provider(doc, "inference", "remote::vertexai", OGX, values={"project": "my-project"})
    assert errors(doc) == []


def test_unknown_api_or_type_is_refused_with_the_choices():
    with pytest.raises(EditError, match="did you mean 'inference'"):
        add_provider(stack(), "inferense", "remote::ollama", OGX)
    with pytest.raises(EditError, match="did you mean 'remote::ollama'"):
        add_provider(stack(), "inference", "remote::olama", OGX)


def test_remove_refuses_while_models_name_it():
    doc = stack()
    with pytest.raises(ProviderInUse, match=r"registered_resources.models\[1\] \(gpt-4o\)"):
        remove_provider(doc, "inference", "openai", OGX)
    assert not doc.modified


def test_remove_with_its_resources_or_moving_them():
    doc = stack()
    result = remove_provider(doc, "inference", "openai", OGX, remove_resources=True)
    assert [u.name for u in result.resources] == ["gpt-4o"]
    assert [m["model_id"] for m in doc.value_at(("registered_resources", "models"))] == ["llama3.2:3b", "all-MiniLM-L6-v2"]
    assert provider_ids(doc, "inference") == ["ollama", "sentence-transformers"]
    assert "# the chat model" in doc.text and "# keep this comment" in doc.text
    assert errors(doc) == []
    doc = stack()
    remove_provider(doc, "inference", "ollama", OGX, move_resources_to="openai")
    assert doc.value_at(("registered_resources", "models", 0, "provider_id")) == "openai"
    assert "# the GPU box" not in doc.text  # its comment went with it
    assert errors(doc) == []


def test_removing_the_last_provider_of_an_api_unlists_it():
    doc = stack()
    result = remove_provider(doc, "vector_io", "faiss", OGX)
    assert result.unlisted_api and doc.value_at(("apis",)) == ["inference"]
    assert "vector_io" not in doc.value_at(("providers",))
    assert errors(doc) == []


def test_rename_moves_the_models_and_keeps_the_toggle():
    doc = stack()
    uses = rename_provider(doc, "inference", "ollama", "gpu", OGX)
    assert [u.name for u in uses] == ["llama3.2:3b"]
    assert doc.value_at(("providers", "inference", 0, "provider_id")) == "${env.OLLAMA_URL:+gpu}"
    assert doc.value_at(("registered_resources", "models", 0, "provider_id")) == "${env.OLLAMA_URL:+gpu}"
    assert "   # keep this comment" in doc.text
    assert errors(doc, env=Environment(environ={"OLLAMA_URL": "http://x"})) == []
    with pytest.raises(EditError, match="already"):
        rename_provider(doc, "inference", "gpu", "openai", OGX)


def test_toggle_on_and_off_and_the_state_label():
    doc = stack()
    provider = doc.value_at(("providers", "inference", 0))
    assert provider_state(provider, NO_ENV).label == "ollama  remote::ollama  off (OLLAMA_URL unset)"
    assert provider_state(provider, Environment(environ={"OLLAMA_URL": "http://gpu"})).label == "ollama  remote::ollama  on (OLLAMA_URL set)"
    assert set_toggle(doc, "inference", "ollama", None) == "ollama"
    assert provider_state(doc.value_at(("providers", "inference", 0)), NO_ENV).label == "ollama  remote::ollama  on"
    assert set_toggle(doc, "inference", "openai", "OPENAI_API_KEY") == "${env.OPENAI_API_KEY:+openai}"
    assert provider_state(doc.value_at(("providers", "inference", 1)), NO_ENV).on is False
    assert enabled_provider_ids(doc, "inference", NO_ENV) == ["ollama", "sentence-transformers"]
    with pytest.raises(EditError, match="not a variable name"):
        set_toggle(doc, "inference", "openai", "lower")


def test_reorder_within_an_api():
    doc = stack()
    move_provider(doc, "inference", "sentence-transformers", 0)
    assert provider_ids(doc, "inference") == ["sentence-transformers", "ollama", "openai"]
    move_provider(doc, "inference", "sentence-transformers", 2)
    assert doc.text == STACK.read_text()


def test_registered_resources_add_edit_remove():
    doc = stack()
    path = add_resource(doc, "models", {"model_id": "gpt-4o-mini", "provider_id": "openai"}, OGX, NO_ENV)
    assert path == ("registered_resources", "models", 3)
    with pytest.raises(EditError, match="not an enabled one"):
        add_resource(doc, "models", {"model_id": "x", "provider_id": "ollama"}, OGX, NO_ENV)  # off: OLLAMA_URL unset
    with pytest.raises(EditError, match="has no registered_resources.shields"):
        add_resource(doc, "shields", {"shield_id": "x"}, OGX, NO_ENV)
    edit_resource(doc, "models", 3, {"provider_model_id": "gpt-4o-mini-2024", "model_type": "llm"}, OGX, NO_ENV)
    assert doc.value_at(path) == {"model_id": "gpt-4o-mini", "provider_id": "openai", "provider_model_id": "gpt-4o-mini-2024", "model_type": "llm"}
    edit_resource(doc, "models", 3, {"provider_model_id": None}, OGX, NO_ENV)
    assert "provider_model_id" not in doc.value_at(path)
    remove_resource(doc, "models", 3)
    assert doc.text == STACK.read_text()
    assert errors(doc) == []
