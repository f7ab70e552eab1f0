"""A value rewritten on its line is patched into the parsed tree instead of parsing the file
again (model/scalar_patch.py). After random value edits, backend renames, undos and redos of corpus files and of
hand-written ones with quotes, comments, flow collections and CRLF line ends, the tree (every
node's span, line, column, style and value) equals a fresh parse of the text, and the data
equals PyYAML's (the server's loader)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from llama_config.model.document import Document, EditError
from llama_config.model.envvars import Environment
from llama_config.model.session import EditSession
from llama_config.model.yamldata import same_data
from llama_config.model.yamltree import Node

from .test_incremental_validation import scalar_paths

CORPUS = Path(__file__).parent / "corpus"
FILES = [
    "llama-stack/d1b663294/src/ogx/distributions/ci-tests/run-with-postgres-store.yaml",
    "releases/ogx-1.5/starter/config.yaml",
]
HAND_WRITTEN = """\
version: 2   # the format
image_name: 'quoted'
apis: [inference, "vector_io"]
providers:
  inference:
  - provider_id: "ollama"  # local
    provider_type: remote::ollama
    config: {base_url: http://localhost:11434, timeout: 30}
    # a comment between
  - provider_id: vllm
    provider_type: remote::vllm
    config:
      url: ${env.VLLM_URL:=http://x:8000/v1}
      max_tokens: 4096
      tls_verify: true
storage:
  backends:
    kv_default:
      type: kv_sqlite
      db_path: ~/.llama/kv.db
server:
  port: 8321
"""
# what an edit writes: values PyYAML would read as something else unquoted, indicators,
# characters that end a plain value, text the line cannot hold, and plain values
VALUES = [
    "x", "yes", "on", "0777", "1:20", "a: b", "a #b", "a#b", "- x", "---", "...", "x,y", "[a]", "{a}", "'q'", '"dq"',
    "%x", "@x", "`x", "<<", "=", "", "null", "~", "1e3", "2024-01-01", "tab\tx", "two\nlines", "ünïcode", "x" * 300,
    "${env.X:=default}", "http://h:1/v1", 5, -1, 3.5, True, False, None, 0x10,
]  # fmt: skip


def node_fields(root: Node) -> list[tuple]:
    return [(n.kind, n.start, n.end, n.line, n.column, n.tag, n.style, n.flow, n.anchor, n.raw, repr(n.value)) for n in root.walk()]


def texts() -> list[tuple[str, str]]:
    out = [(name, (CORPUS / name).read_text(encoding="utf-8")) for name in FILES]
    return out + [("hand-written", HAND_WRITTEN), ("hand-written, CRLF", HAND_WRITTEN.replace("\n", "\r\n"))]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize(("name", "text"), texts(), ids=[name for name, _ in texts()])
def test_random_value_edits_give_the_tree_a_parse_gives(name: str, text: str, seed: int) -> None:
    session = EditSession(Document(text, name="run.yaml"), Environment({}), validate_now=False)
    doc = session.doc
    rng = random.Random(seed)
    patched = 0
    for step in range(60):
        choice = rng.random()
        if choice < 0.15:
            session.undo()
        elif choice < 0.25:
            session.redo()
        elif choice < 0.35:
            backends = list((doc.data.get("storage") or {}).get("backends") or {})
            try:  # its key and every reference: a patch too, where the key's value is below it
                session.rename_backend(rng.choice(backends), rng.choice(["kv_new", "x y", "yes", backends[0], "a: b"]))
            except EditError:
                continue
        else:
            root = doc.root
            try:
                session.set_value(rng.choice(scalar_paths(doc.root)), rng.choice(VALUES))
            except EditError:
                continue
            patched += doc.root is root
        fresh = Document(doc.text)
        assert node_fields(doc.root) == node_fields(fresh.root), f"{name}, seed {seed}, step {step}"
        assert same_data(doc.data, yaml.safe_load(doc.text)), f"{name}, seed {seed}, step {step}"
    assert patched > 10  # (most edits were patched, not parsed again)


def test_what_a_patch_cannot_hold_is_parsed_again() -> None:
    doc = Document(HAND_WRITTEN)
    root = doc.root
    doc.set(("providers", "inference", 0, "config", "timeout"), 60)  # in a {...} mapping
    assert doc.root is not root
    root = doc.root
    doc.set(("server", "port"), "a: b")  # quoted: one scalar
    assert doc.root is root and doc.data["server"]["port"] == "a: b"
    doc.set(("server", "port"), {"from": 8321})  # a mapping now
    assert doc.root is not root and doc.data["server"]["port"] == {"from": 8321}
    root = doc.root
    doc.set_scalars([], [(("storage", "backends", "kv_default"), "kv_main")])  # a key, its value below it
    assert doc.root is root and list(doc.data["storage"]["backends"]) == ["kv_main"]
    doc.set_scalars([], [(("version",), "format")])  # a key with its value on its line
    assert doc.root is not root and doc.data["format"] == 2


def test_undo_after_a_patch_gives_the_tree_of_the_text_before() -> None:
    """The tree an undo step kept is the one the edit then patched: it is patched back."""
    session = EditSession(Document(HAND_WRITTEN), Environment({}), validate_now=False)
    root = session.doc.root
    session.set_value(("server", "port"), 8322)
    session.set_value(("server", "port"), 8323)
    session.undo()
    assert session.doc.root is root  # patched back, not parsed again
    assert session.doc.data["server"]["port"] == 8322
    assert node_fields(session.doc.root) == node_fields(Document(session.doc.text).root)
    session.undo()
    assert session.doc.data["server"]["port"] == 8321
    session.redo()
    session.redo()
    assert session.doc.data["server"]["port"] == 8323
    assert node_fields(session.doc.root) == node_fields(Document(session.doc.text).root)
