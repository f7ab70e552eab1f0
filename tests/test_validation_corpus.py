"""Every real upstream run config in the shared corpus (see its SOURCE.md):

- 2c43285e2 (v0.3, #3697) and d1b663294 (newer config.yaml format) are clean: no error-severity
  diagnostic with an empty environment, except two k8s examples upstream left half-migrated;
- add64e8e2 (just before #3697) is the old format: one old-format error per file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from model.diagnostics import CODES, Diagnostic
from model.document import Document
from model.envvars import Environment
from model.validation import validate

from tests.conftest import CORPUS
FILES = sorted(str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.yaml")) if CORPUS.is_dir() else []

pytestmark = pytest.mark.skipif(not FILES, reason=f"corpus not found at {CORPUS}")

V03, NEWER, OLD = "2c43285e2/", "d1b663294/", "add64e8e2/"

# At 2c43285e2 these two still use the pre-release `storage.references`, an inline files
# metadata_store and the pre-0.3 vector_io `kvstore` / agents `persistence_store` and
# `responses_store` fields. A v0.3 server ignores the renamed fields and the inline configs fail
# the provider's validation, so each is an error. Lines/columns: where the value starts.
STALE: dict[str, list[tuple[str, str, int, int]]] = {
    "2c43285e2/benchmarking/k8s-benchmark/stack_run_config.yaml": [
        # `files:` is written twice (identically); the location is the first copy's
        ("legacy-inline-store", "providers.files[0].config.metadata_store", 30, 9),
        ("legacy-inline-store", "providers.vector_io[0].config.kvstore", 38, 9),
        ("legacy-inline-store", "providers.agents[0].config.persistence_store", 62, 9),
        ("legacy-inline-store", "providers.agents[0].config.responses_store", 69, 9),
        ("unknown-key", "storage.references", 115, 3),
    ],
    "2c43285e2/docs/docs/distributions/k8s/stack_run_config.yaml": [
        ("legacy-inline-store", "providers.vector_io[0].config.kvstore", 36, 9),
        ("legacy-inline-store", "providers.files[0].config.metadata_store", 48, 9),
        ("legacy-inline-store", "providers.agents[0].config.persistence_store", 60, 9),
        ("legacy-inline-store", "providers.agents[0].config.responses_store", 67, 9),
        ("unknown-key", "storage.references", 113, 3),
    ],
}

# The one add64e8e2 file with no top-level store at all: it has no storage of any kind, is
# byte-identical to its 2c43285e2 copy, and so cannot be told apart from a v0.3 file.
NO_STORES = "add64e8e2/tests/external/ramalama-stack/run.yaml"


def run(name: str) -> list[Diagnostic]:
    return validate(Document.load(str(CORPUS / name)), Environment(environ={}))


def errors(diagnostics: list[Diagnostic]) -> list[tuple[str, str, int, int]]:
    return [(d.code, d.path_text, d.line, d.column) for d in diagnostics if d.severity == "error"]


def test_corpus_has_all_three_generations():
    assert {name.split("/")[0] + "/" for name in FILES} == {V03, NEWER, OLD}
    assert set(STALE) <= set(FILES) and NO_STORES in FILES


@pytest.mark.parametrize("name", FILES)
def test_every_file_validates_with_registered_codes_in_order(name):
    diagnostics = run(name)
    assert {d.code for d in diagnostics} <= set(CODES)
    assert diagnostics == sorted(diagnostics, key=Diagnostic.sort_key)
    for d in diagnostics:
        assert d.line >= 1 and d.column >= 1


@pytest.mark.parametrize("name", [n for n in FILES if n.startswith((V03, NEWER)) and n not in STALE])
def test_current_files_have_no_errors(name):
    assert errors(run(name)) == []


@pytest.mark.parametrize("name", sorted(STALE))
def test_stale_v03_examples_get_exactly_these_errors(name):
    diagnostics = run(name)
    assert errors(diagnostics) == STALE[name]
    references = next(d for d in diagnostics if d.path_text == "storage.references")
    assert "the server reads storage.stores: rename the key" in references.message
    kvstore = next(d for d in diagnostics if d.path_text == "providers.vector_io[0].config.kvstore")
    assert "since v0.3 the server ignores 'kvstore' and reads persistence" in kvstore.message


@pytest.mark.parametrize("name", [n for n in FILES if n.startswith(OLD) and n != NO_STORES])
def test_old_files_get_exactly_one_old_format_error(name):
    diagnostics = run(name)
    assert [code for code, *_ in errors(diagnostics)] == ["old-format"]
    d = next(d for d in diagnostics if d.code == "old-format")
    assert d.path_text == "metadata_store" and d.column == 1
    assert "llama-config migrate" in d.message


def test_old_generation_file_without_stores_is_not_called_old():
    diagnostics = run(NO_STORES)
    assert errors(diagnostics) == []
    assert [(d.severity, d.code) for d in diagnostics] == [("warning", "storage-missing")]


def test_newer_format_files_are_recognised_as_newer():
    from model.validation import is_newer_format

    newer = [n for n in FILES if n.startswith(NEWER)]
    assert newer
    for name in newer:
        doc = Document.load(str(CORPUS / name))
        assert is_newer_format(doc.data), name


def test_setting_every_variable_removes_the_env_unset_warnings():
    name = "2c43285e2/llama_stack/distributions/dell/run-with-safety.yaml"
    variables = {"DEH_URL": "http://tgi:8080", "DEH_SAFETY_URL": "http://tgi:8081", "INFERENCE_MODEL": "m", "SAFETY_MODEL": "s"}
    doc = Document.load(str(CORPUS / name))
    assert {d.code for d in validate(doc, Environment(environ={}))} == {"env-unset"}
    assert validate(doc, Environment(environ=variables), strict_env=True) == []
    strict = validate(doc, Environment(environ={}), strict_env=True)
    assert strict and all(d.severity == "error" and d.code == "env-unset" for d in strict)
