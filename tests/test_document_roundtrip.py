"""Loading and saving without an edit gives back the very same bytes.

Every upstream run config in the shared corpus and every hand-written fixture in
tests/files/handwritten/ must survive `Document.from_bytes(b).to_bytes()` unchanged, and the
values we parse must be the values the server's loader (`yaml.safe_load`) reads.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from llama_config.model.document import Document

from tests.conftest import CORPUS
HANDWRITTEN = Path(__file__).parent / "files" / "handwritten"

CORPUS_FILES = sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.yaml")) if CORPUS.is_dir() else []
HANDWRITTEN_FILES = sorted(p.name for p in HANDWRITTEN.glob("*.yaml"))

# Layout features the hand-written fixtures must keep covering (file name -> what to find in it).
FEATURES = {
    "comments_and_blank_lines.yaml": [b"\n# ----", b"   # end-of-line comment", b"\n\n\n", b"'it''s single quoted'", b'"llama3.2:3b"', b"\t"],
    "four_space_indented_sequences.yaml": [b"\n    - inference", b"        -   provider_id"],
    "flow_collections.yaml": [b"{ provider_id", b"[ inference , safety ]", b"{ }", b"[\n    {"],
    "anchors_aliases_merge.yaml": [b"&sqlite", b"*sqlite", b"<<: *", b"<<: [*"],
    "block_scalars.yaml": [b": |\n", b": >-\n", b": |+\n", b": |2\n", b"'a single quoted\n", b'"a double quoted \\\n'],
    "long_lines.yaml": [b"description: " + b"a" * 120],
    "no_final_newline.yaml": [b"port: 8321"],
    "crlf_line_endings.yaml": [b"\r\n"],
    "utf8_bom.yaml": [b"\xef\xbb\xbf"],
    "document_markers.yaml": [b"\n---\n", b"\n...\n", b"%YAML 1.1"],
    "trailing_spaces.yaml": [b"version: 2   \n", b"comment\twith"],
    "unicode_text.yaml": ["🦙".encode()],
}


def test_the_corpus_is_there():
    """The parametrized corpus tests below must not silently run over nothing."""
    folders = {name.split("/")[0] for name in CORPUS_FILES}
    assert len(folders) >= 3, f"expected the three commit folders of {CORPUS}, found {sorted(folders)}"
    assert len(CORPUS_FILES) >= 40


def test_the_fixtures_cover_the_layout_features():
    assert set(FEATURES) <= set(HANDWRITTEN_FILES)
    for name, needles in FEATURES.items():
        data = (HANDWRITTEN / name).read_bytes()
        for needle in needles:
            assert needle in data, f"{name} lost {needle!r}"
    long_lines = (HANDWRITTEN / "long_lines.yaml").read_bytes().splitlines()
    assert sum(len(line) > 200 for line in long_lines) >= 6
    assert not (HANDWRITTEN / "no_final_newline.yaml").read_bytes().endswith(b"\n")
    crlf = (HANDWRITTEN / "crlf_line_endings.yaml").read_bytes()
    assert crlf.count(b"\r\n") == crlf.count(b"\n"), "the CRLF fixture was normalised to LF (git autocrlf?)"


def assert_round_trip(data: bytes) -> Document:
    doc = Document.from_bytes(data)
    assert doc.to_bytes() == data
    assert not doc.modified
    assert doc.diff() == ""
    assert doc.data == yaml.safe_load(data)
    return doc


@pytest.mark.parametrize("name", CORPUS_FILES)
def test_corpus_round_trip(name):
    assert_round_trip((CORPUS / name).read_bytes())


@pytest.mark.parametrize("name", HANDWRITTEN_FILES)
def test_handwritten_round_trip(name):
    assert_round_trip((HANDWRITTEN / name).read_bytes())


# -- byte-level variants made from one fixture -----------------------------------------


def to_crlf(data: bytes) -> bytes:
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


def add_bom(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def strip_final_newline(data: bytes) -> bytes:
    return data.rstrip(b"\r\n")


VARIANTS = {
    "lf": lambda b: b,
    "crlf": to_crlf,
    "bom": add_bom,
    "no-final-newline": strip_final_newline,
    "crlf+bom": lambda b: add_bom(to_crlf(b)),
    "crlf+bom+no-final-newline": lambda b: strip_final_newline(add_bom(to_crlf(b))),
    "trailing-blank-lines": lambda b: b + b"\n\n  \n",
}
VARIANT_SOURCES = [
    "comments_and_blank_lines.yaml",
    "four_space_indented_sequences.yaml",
    "flow_collections.yaml",
    "anchors_aliases_merge.yaml",
    "block_scalars.yaml",
    "unicode_text.yaml",
]


@pytest.mark.parametrize("source", VARIANT_SOURCES)
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variant_round_trip(source, variant):
    data = VARIANTS[variant]((HANDWRITTEN / source).read_bytes())
    doc = assert_round_trip(data)
    assert doc.bom == data.startswith(b"\xef\xbb\xbf")
    assert doc.style.final_newline == data.endswith(b"\n")
    assert doc.style.newline == ("\r\n" if b"\r\n" in data else "\n")


@pytest.mark.parametrize(
    "name",
    [
        "d1b663294/src/ogx/distributions/starter/config.yaml",
        "2c43285e2/llama_stack/distributions/starter/run.yaml",
    ],
)
@pytest.mark.parametrize("variant", ["crlf", "bom", "no-final-newline", "crlf+bom+no-final-newline"])
def test_corpus_variant_round_trip(name, variant):
    if not (CORPUS / name).exists():
        pytest.skip(f"{name} is not in the corpus")
    assert_round_trip(VARIANTS[variant]((CORPUS / name).read_bytes()))


def test_round_trip_after_save(tmp_path):
    """Saving an unedited document writes the bytes it was loaded from."""
    data = to_crlf(add_bom((HANDWRITTEN / "comments_and_blank_lines.yaml").read_bytes()))
    path = tmp_path / "run.yaml"
    path.write_bytes(data)
    doc = Document.load(str(path))
    doc.save(backup=False)
    assert path.read_bytes() == data


def test_edit_and_undo_gives_back_the_original_bytes():
    data = (HANDWRITTEN / "comments_and_blank_lines.yaml").read_bytes()
    doc = Document.from_bytes(data)
    doc.set(("server", "port"), 9000)
    assert doc.modified
    doc.set(("server", "port"), 8321)
    assert doc.to_bytes() == data
    assert not doc.modified
