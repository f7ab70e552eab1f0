"""An editing session re-checks only the providers an edit changed (validation.PassCache); its
diagnostics must equal a full validation after every edit, undo and redo. Random edits, seeded
and bounded, on corpus files and on a file with many providers."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from llama_config.model.document import Document, EditError
from llama_config.model.envvars import Environment
from llama_config.model.provider_ops.adding import add_provider
from llama_config.model.references import find_references
from llama_config.model.provider_ops.changing import move_provider, remove_provider, rename_provider
from llama_config.model.session import EditSession
from llama_config.model.validation import validate
from llama_config.model.yamlpath import Path as YPath
from llama_config.model.yamltree import MAP, SCALAR, SEQ, Node

CORPUS = Path(__file__).parent / "corpus"
FILES = [
    "llama-stack/d1b663294/src/ogx/distributions/ci-tests/run-with-postgres-store.yaml",
    "releases/ogx-1.5/starter/run-with-postgres-store.yaml",
]
# values an edit writes: wrong types, placeholders (set and unset), templates, references
VALUES = [
    "x", "", 0, 1, -3, True, None, 1.5, "${env.UNSET_VAR_FOR_TEST}", "${env.HOME}", "${env.X:=}", "{{ .Values.x }}",
    "kv_default", "sql_default", "no_such_backend", {"backend": "kv_default", "namespace": "shared"},
    {"backend": "sql_default", "table_name": "t"}, {"type": "sqlite", "db_path": "/tmp/x.db"}, ["a"], {"a": 1},
]  # fmt: skip


def many_providers(count: int) -> str:
    """A valid config with `count` vector_io providers (as bench/generate.py makes), some
    sharing a namespace and some with placeholders."""
    lines = ["version: 2", "image_name: generated", "apis:", "- inference", "- vector_io", "providers:", "  inference:",
             "  - provider_id: openai", "    provider_type: remote::openai", "    config:", "      api_key: ${env.OPENAI_API_KEY:=}",
             "  vector_io:"]  # fmt: skip
    for i in range(count):
        lines += [f"  - provider_id: faiss-{i}", "    provider_type: inline::faiss", "    config:", "      persistence:",
                  f"        namespace: vector_io::faiss_{i % (count - 3)}  # shard {i}",
                  f"        backend: {'kv_default' if i % 2 == 0 else '${env.KV_BACKEND:=kv_second}'}"]  # fmt: skip
    lines += ["storage:", "  backends:", "    kv_default:", "      type: kv_sqlite", "      db_path: /tmp/kv.db",
              "    kv_second:", "      type: kv_sqlite", "      db_path: /tmp/kv2.db", "    sql_default:", "      type: sql_sqlite",
              "      db_path: /tmp/sql.db", "  stores:", "    metadata:", "      backend: kv_default", "      namespace: registry",
              "    inference:", "      backend: sql_default", "      table_name: inference_store"]  # fmt: skip
    return "\n".join(lines) + "\n"


def scalar_paths(node: Node, path: YPath = ()) -> list[YPath]:
    """Paths of the scalars written in the file (aliases not followed)."""
    if node.kind == SCALAR:
        return [path]
    if node.kind == MAP:
        return [p for k, v in node.items for p in scalar_paths(v, path + (k.value,))]
    if node.kind == SEQ:
        return [p for i, item in enumerate(node.items) for p in scalar_paths(item, path + (i,))]
    return []


def providers(session: EditSession) -> list[tuple[str, str]]:
    data = session.data.get("providers") or {}
    return [(api, p["provider_id"]) for api, entries in data.items() if isinstance(entries, list)
            for p in entries if isinstance(p, dict) and isinstance(p.get("provider_id"), str)]  # fmt: skip


def random_edit(session: EditSession, rng: random.Random) -> None:
    doc, release = session.doc, session.release()
    kind = rng.choice(["set", "set", "set", "delete", "add-provider", "remove-provider", "rename-provider", "move-provider",
                       "add-backend", "rename-backend", "delete-backend", "undo", "undo", "redo"])  # fmt: skip
    backends = list((session.data.get("storage") or {}).get("backends") or {})
    some = providers(session)
    if kind == "undo":
        session.undo()
    elif kind == "redo":
        session.redo()
    elif kind in ("set", "delete"):
        paths = scalar_paths(doc.root)
        path = rng.choice(paths) if rng.random() < 0.8 else rng.choice(paths)[:-1]
        if not path:
            return
        if kind == "set":
            session.set_value(path, rng.choice(VALUES))
        else:
            session.unset(path)
    elif kind == "add-provider":
        api, ptype = rng.choice([("vector_io", "inline::faiss"), ("inference", "remote::openai"), ("vector_io", "inline::sqlite-vec")])
        session.run("add provider", lambda: add_provider(doc, api, ptype, release))
    elif kind == "remove-provider" and some:
        api, pid = rng.choice(some)
        session.run("remove provider", lambda: remove_provider(doc, api, pid, release, remove_resources=True))
    elif kind == "rename-provider" and some:
        api, pid = rng.choice(some)
        session.run("rename provider", lambda: rename_provider(doc, api, pid, pid + "-r", release))
    elif kind == "move-provider" and some:
        api, pid = rng.choice(some)
        session.run("move provider", lambda: move_provider(doc, api, pid, 0))
    elif kind == "add-backend":
        session.add_backend(f"kv_new{rng.randrange(100)}", rng.choice(["kv_sqlite", "sql_sqlite"]), {"db_path": "/tmp/n.db"})
    elif kind == "rename-backend" and backends:
        session.rename_backend(rng.choice(backends), f"renamed{rng.randrange(100)}")
    elif kind == "delete-backend" and backends:
        session.delete_backend(rng.choice(backends))


def check_random_edits(doc: Document, seed: int, steps: int, environ: dict) -> int:
    """Random edits; after each, the session's diagnostics equal a full validation, and its
    backend references (reused for unchanged providers) a fresh scan. How many provider checks
    the session reused (so a test sees that something was)."""
    env = Environment(environ)
    session = EditSession(doc, env)
    rng = random.Random(seed)
    reused = 0
    for step in range(steps):
        try:
            random_edit(session, rng)
        except EditError:
            pass  # a refused edit changes nothing; the check below still holds
        full = validate(Document.from_text(session.doc.text), env, release=session.release())
        assert session.diagnostics == full, f"seed {seed}, step {step}: incremental and full validation differ"
        fresh = find_references(Document.from_text(session.doc.text).data, release=session.release())
        assert session.references() == fresh, f"seed {seed}, step {step}: reused and fresh references differ"
        reused += session._checks.reused
    return reused


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("seed", [1, 2])
def test_random_edits_on_corpus_files(name: str, seed: int) -> None:
    doc = Document.load(str(CORPUS / name))
    assert check_random_edits(doc, seed, 40, {"HOME": "/root", "KV_BACKEND": "kv_default"}) > 0


@pytest.mark.parametrize("seed", [3, 4])
def test_random_edits_on_many_providers(seed: int) -> None:
    doc = Document.from_text(many_providers(120), name="many.yaml")
    assert check_random_edits(doc, seed, 25, {"HOME": "/root"}) > 0


def test_an_edit_of_one_provider_checks_that_provider_again_and_reuses_the_others() -> None:
    session = EditSession(Document.from_text(many_providers(50), name="many.yaml"), Environment({}))
    session.set_value(("providers", "vector_io", 7, "config", "persistence", "namespace"), "vector_io::faiss_9")
    # five checks each (fields, renamed fields, references, placeholders, templates) of 51 providers;
    # only provider 7's run again, and its namespace now clashes with provider 9's (same backend)
    assert (session._checks.reused, session._checks.checked) == (5 * 50, 5)
    assert [d.code for d in session.diagnostics if d.code == "shared-namespace"] == ["shared-namespace"]
    assert session.diagnostics == validate(Document.from_text(session.doc.text), Environment({}), release=session.release())


def test_a_changed_environment_checks_everything_again() -> None:
    environ = {"KV_BACKEND": "kv_second"}
    session = EditSession(Document.from_text(many_providers(10), name="many.yaml"), Environment(environ))
    environ["KV_BACKEND"] = "nowhere"
    session.revalidate()
    assert session._checks.reused == 0
    assert any(d.code == "unknown-backend" for d in session.diagnostics)


def test_undo_and_redo_reuse_the_parsed_tree() -> None:
    session = EditSession(Document.from_text(many_providers(5), name="many.yaml"), Environment({}))
    before = session.doc.root
    session.set_value(("server", "port"), 8322)
    after = session.doc.root
    session.undo()
    assert session.doc.root is before
    session.redo()
    assert session.doc.root is after and session.doc.data["server"]["port"] == 8322
