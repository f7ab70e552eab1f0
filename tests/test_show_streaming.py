"""`show` writes its tree line by line, exactly as rich's Tree prints it.

rich lays a Tree out whole before printing its first line: 50,000 providers took half a
minute and half a gigabyte. The streamed output must stay identical to rich's (colours aside), with rich's emoji codes off:
a value is printed as written."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from rich.console import Console

from llama_config.model.document import Document
from llama_config.tui.commands.show import build_tree, escape, plain_text, print_tree
from tests.conftest import CORPUS_FILES

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from generate import generate  # noqa: E402

ODD = """\
version: 2
image_name: "a\\\\[bold]b\\\\\\\\[x] :smile: c\\\\"
providers:
  vector_io:
  - provider_id: "x\\ny [bold]z[/] \\\\[not]"
    provider_type: inline::faiss
    config:
      persistence: {backend: kv, namespace: "n\\nm"}
  - provider_id: ":smile: q :1st_place_medal::"
    provider_type: inline::faiss
storage:
  backends:
    kv: {type: kv_sqlite, db_path: /x}
"""


class CountingFile(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, s: str) -> int:
        self.writes += 1
        return super().write(s)


def _rich(tree) -> str:
    out = io.StringIO()
    Console(file=out, highlight=False, emoji=False, width=10_000).print(tree)
    return "\n".join(line.rstrip() for line in out.getvalue().split("\n"))


def _streamed(tree) -> tuple[str, int]:
    out = CountingFile()
    print_tree(tree, Console(file=out, highlight=False))
    return out.getvalue(), out.writes


HOSTILE = (Path(__file__).parent / "files" / "show_hostile_labels.yaml").read_text()


@pytest.mark.parametrize("text", [ODD, HOSTILE, generate(50)], ids=["markup-escapes-emoji-newlines", "controls-bidi-tags", "generated"])
def test_streamed_tree_is_what_rich_prints(text):
    for tree in build_tree(Document(text), "run.yaml"):
        streamed, _ = _streamed(tree)
        assert streamed == _rich(tree)


def test_every_corpus_file_streams_as_rich_prints_it():
    assert CORPUS_FILES
    for path in CORPUS_FILES:
        try:
            doc = Document.load(str(path))
        except Exception:
            continue  # files that do not load are the load tests' business
        for tree in build_tree(doc, path.name):
            assert _streamed(tree)[0] == _rich(tree), path


def test_one_write_per_node_and_no_layout_of_the_whole_tree():
    # counted work: 1,000 providers give one write per tree node, so the output is streamed
    doc = Document(generate(1000))
    (tree,) = build_tree(doc, "run.yaml")
    streamed, writes = _streamed(tree)
    # (27 lines besides the providers: 4 of them the two stores left unset, which use sql_default)
    assert writes == streamed.count("\n") == 3 * 1000 + 31
    assert streamed.splitlines()[0] == "run.yaml  generated, v0.3 format"


def test_escape_matches_rich_escape():
    from rich.markup import escape as rich_escape

    for text in ["plain", "a[0].b", "[bold]", "[#fff]x", "[@click]", "[/]", "x\\", "x\\\\", "\\[b]", "a[1][c]", "[", "]", "[[x]]"]:
        assert escape(text) == rich_escape(text), text


def test_plain_text_matches_rich_markup():
    from rich.markup import render

    for markup in ["[bold]x[/]", "a \\[b]", "a \\\\[bold]b[/]", ":smile: x::y", "[dim](kv)[/] → [bold]n[/]", "trailing \\",
                   "[[bold]x]", "a [1] b[", "[x] [/x] ] [@click] [#fff]", "[dim]a\\\\[b][/]"]:
        assert plain_text(markup) == render(markup, emoji=False).plain


@pytest.mark.parametrize("terminal", [False, True], ids=["plain", "terminal"])
def test_a_value_that_looks_like_an_emoji_code_is_printed_as_written(terminal):
    # rich turns `:key:` into 🔑 in markup; a provider id `db:key:1` must not read as `db🔑1`
    doc = Document(ODD.replace('":smile: q :1st_place_medal::"', "db:key:1").replace(":smile: c", ":cd: c"))
    out = io.StringIO()
    for tree in build_tree(doc, "run.yaml"):
        print_tree(tree, Console(file=out, force_terminal=terminal, color_system=None, width=200))
    text = out.getvalue()
    assert "db:key:1  inline::faiss" in text and ":cd: c" in text
    assert "🔑" not in text and "💿" not in text
