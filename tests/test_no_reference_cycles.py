"""One-shot commands run with the cyclic collector off (model/gcpause.py), so nothing they do
may leave a reference cycle that holds a document: it would keep its whole parse tree until the
process ends (a nested function that calls itself, kept in a cell, was one)."""

from __future__ import annotations

import gc
import shutil
import weakref
from pathlib import Path

import pytest

from llama_config.model import document
from llama_config.tui.cli import main
from tests.conftest import CORPUS

# pre-0.3 (old placeholders, inline stores: migrate has work to do) and a current starter config
OLD = CORPUS / "add64e8e2" / "docs" / "docs" / "distributions" / "k8s" / "stack_run_config.yaml"
NEW = CORPUS.parent / "releases" / "ogx-1.5" / "starter" / "config.yaml"

COMMANDS = [
    ["validate", "{new}"],
    ["validate", "--json", "{old}"],
    ["show", "{new}"],
    ["set", "{new}", "server.port=8322", "--output", "{out}", "--no-backup"],
    ["rename-backend", "{new}", "kv_default", "kv_renamed", "--output", "{out}", "--no-backup"],
    ["migrate", "{old}", "--output", "{out}", "--no-backup"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0] + ("-json" if "--json" in c else ""))
def test_a_command_frees_every_document_it_read_without_the_collector(command, tmp_path: Path, monkeypatch, capsys) -> None:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    shutil.copy(OLD, old)
    shutil.copy(NEW, new)
    documents: list[weakref.ref] = []
    made = document.Document.__init__

    def init(self, *args, **kwargs):
        documents.append(weakref.ref(self))
        made(self, *args, **kwargs)

    monkeypatch.setattr(document.Document, "__init__", init)
    args = [part.format(old=old, new=new, out=tmp_path / "out.yaml") for part in command]
    gc.collect()
    gc.disable()
    try:
        code = main(args)
        alive = [ref() for ref in documents if ref() is not None]
    finally:
        gc.enable()
    assert code in (0, 1), capsys.readouterr().err
    assert documents, "the command read no document"
    assert alive == [], f"{len(alive)} of {len(documents)} documents outlived `{command[0]}`"
