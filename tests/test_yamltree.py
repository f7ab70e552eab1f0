"""model.yamltree: the parsed tree, and the files it must refuse with a short, human message.

A refused file must raise ParseError (never a bare Python exception) carrying a 1-based line
and column wherever the problem has one, so the command line can print `FILE:LINE:COL: error:`.
"""

from __future__ import annotations

import math
import re
import sys

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from llama_config.model.document import Document
from llama_config.model.errors import ParseError
from llama_config.model.yamlparse import check_duplicate_keys, parse
from llama_config.model.yamltree import ALIAS, MAP, SEQ


def load(data: bytes | str, name: str = "run.yaml") -> Document:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return Document.from_bytes(data, name=name)


def refused(data: bytes | str, name: str = "run.yaml") -> ParseError:
    """The ParseError loading `data` raises, after checking it reads like a message for a human."""
    with pytest.raises(ParseError) as info:
        load(data, name)
    exc = info.value
    assert_human(exc)
    assert exc.file == name
    return exc


def assert_human(exc: ParseError) -> None:
    text = str(exc)
    assert "\n" not in text, text
    assert len(exc.message) <= 200, exc.message
    for noise in ("Traceback", 'File "', "<unicode string>", "<byte string>", "<file>", "Error:", "^", "  in "):
        assert noise not in text, f"{noise!r} in {text!r}"
    assert re.match(r"^[^:]+(:\d+(:\d+)?)?: error: \S", text), text
    if exc.line is not None:
        assert exc.line >= 1
        assert text.startswith(f"{exc.file or '<input>'}:{exc.line}:")
    if exc.column is not None:
        assert exc.line is not None and exc.column >= 1


# -- the tree ---------------------------------------------------------------------------


def test_spans_point_at_the_text():
    text = "# é 🦙\r\nname: 'llama 🦙'  # c\r\nport: 8321\r\nlist:\r\n- a\r\n- {x: 1}\r\n"
    root = parse(text)
    assert root.kind == MAP
    slices = [(text[k.start : k.end], text[v.start : v.end]) for k, v in root.items]
    assert slices[0] == ("name", "'llama 🦙'")
    assert slices[1] == ("port", "8321")
    seq = root.get("list")
    assert seq.kind == SEQ
    assert [text[i.start : i.end] for i in seq.items] == ["a", "{x: 1}"]
    assert root.get("port").line == 2 and root.get("port").column == 6
    assert root.get("name").style == "'"


def test_block_scalar_content_end():
    text = "a: |\n  one\n  two\n\nb: 1\n"
    node = parse(text).get("a")
    assert node.value == "one\ntwo\n"
    assert text[node.start : node.content_end()].rstrip("\n").endswith("two")


def test_aliases_resolve_to_the_anchored_node():
    text = "base: &b\n  type: kv_sqlite\n  db_path: /x\nother: *b\nport: &p 1\nagain: *p\nlist:\n- *b\n"
    root = parse(text)
    alias = root.get("other")
    assert alias.kind == ALIAS
    assert alias.resolved is root.get("base")
    assert alias.value == {"type": "kv_sqlite", "db_path": "/x"}
    assert root.get("again").value == 1
    assert root.get("other").get("type").value == "kv_sqlite"  # lookups follow the alias
    assert root.value == yaml.safe_load(text)


def test_undefined_alias():
    exc = refused("a: 1\nb: *nowhere\n")
    assert (exc.line, exc.column) == (2, 4)
    assert "nowhere" in exc.message


@pytest.mark.parametrize(
    "text",
    [
        "base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  y: 3\n",
        "a: &a {x: 1}\nb: &b {x: 2, z: 2}\nc:\n  <<: [*a, *b]\n",  # earlier sources win
        "a: &a {x: 1}\nc:\n  y: 0\n  <<: *a\n  x: 5\n",  # explicit keys win wherever they stand
        "a: &a {x: 1}\nb: &b\n  <<: *a\n  y: 2\nc:\n  <<: *b\n  z: 3\n",  # merges of merges
        "c:\n  <<: {x: 1}\n  y: 2\n",  # an inline mapping
    ],
)
def test_merge_keys_match_pyyaml(text):
    assert parse(text).value == yaml.safe_load(text)
    assert load(text).data == yaml.safe_load(text)


def test_merge_key_is_not_a_duplicate():
    doc = load("a: &a {x: 1}\nb: &b {y: 1}\nc:\n  <<: *a\n  <<: *b\n")
    assert doc.repeated_keys == []


@pytest.mark.parametrize("text", ["a: 1\nb:\n  <<: 3\n", "a: 1\nb:\n  <<: [1, 2]\n"])
def test_merge_of_a_non_mapping(text):
    exc = refused(text)
    assert exc.line == 3
    assert "merge" in exc.message


def test_repeated_anchor_is_refused_like_pyyaml():
    text = "a: &x 1\nb: &x 2\nc: *x\n"
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    exc = refused(text)
    assert (exc.line, exc.column) == (2, 4)
    assert "&x" in exc.message and "line 1" in exc.message


# -- duplicate keys -----------------------------------------------------------------------


def test_duplicate_keys_with_different_values():
    text = "version: 2\nserver:\n  port: 8321\n  host: x\n  port: 9000\n"
    with pytest.raises(ParseError) as info:
        check_duplicate_keys(parse(text))
    assert (info.value.line, info.value.column) == (5, 3)
    exc = refused(text)
    assert (exc.line, exc.column) == (5, 3)
    assert "port" in exc.message and "line 3" in exc.message


def test_duplicate_top_level_keys_with_different_mappings():
    exc = refused("server:\n  port: 1\nversion: 2\nserver:\n  port: 2\n")
    assert (exc.line, exc.column) == (4, 1)


def test_identical_duplicates_are_returned():
    text = "version: 2\nserver:\n  port: 8321\n  port: 8321\nx:\n  a: {b: [1]}\n  a: {b: [1]}\n"
    root = parse(text)
    pairs = check_duplicate_keys(root)
    assert [(first.line + 1, repeat.line + 1) for first, repeat in pairs] == [(3, 4), (6, 7)]
    assert all(first.value == repeat.value for first, repeat in pairs)
    doc = load(text)
    assert [(f.line, r.line) for f, r in doc.repeated_keys] == [(2, 3), (5, 6)]
    assert doc.data == yaml.safe_load(text)


def test_keys_equal_as_values_are_duplicates():
    """`1` and `0x1` are the same key to PyYAML; `'1'` is a different one."""
    with pytest.raises(ParseError):
        load("a:\n  1: x\n  0x1: y\n")
    assert load("a:\n  1: x\n  '1': y\n").data == {"a": {1: "x", "1": "y"}}


# -- tags -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, line, column",
    [
        ("a: !custom x\n", 1, 4),
        ("a: !!python/object:os.system x\n", 1, 4),
        ("a:\n  b: !!python/name:os.system ''\n", 2, 6),
        ("a: !Ref {x: 1}\n", 1, 4),
        ("a: !seq [1]\n", 1, 4),
        ("a: !<tag:example.com,2000:x> y\n", 1, 4),
    ],
)
def test_unknown_tags_are_rejected(text, line, column):
    exc = refused(text)
    assert (exc.line, exc.column) == (line, column)
    assert "tag" in exc.message


def test_standard_tags_are_read_like_pyyaml():
    text = "a: !!str 1\nb: !!int '3'\nc: !!float '1.5'\nd: !!bool 'yes'\ne: !!null ''\nf: ! 12\ng: !!map {x: 1}\n"
    assert load(text).data == yaml.safe_load(text)


@pytest.mark.parametrize(
    "text, kind",
    [("a: !!map x\n", "a single value"), ("a: !!str {x: 1}\n", "a mapping"), ("a: !!seq {x: 1}\n", "a mapping"),
     ("a: !!int [1]\n", "a list"), ("a: !!omap {x: 1}\n", "a mapping")],
)  # fmt: skip
def test_standard_tags_on_the_wrong_kind_of_node(text, kind):
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    exc = refused(text)
    assert (exc.line, exc.column) == (1, 4)
    assert kind in exc.message


@pytest.mark.parametrize("text", ["a: ! 12\n", "a: ! '12'\n", "a: ! yes\n", "a: ! ''\n", "a: ! [1, 2]\n", "a: !!str\n"])
def test_non_specific_tag_is_read_like_pyyaml(text):
    """PyYAML resolves `! x` like a plain scalar, even when x is quoted."""
    assert load(text).data == yaml.safe_load(text)


@pytest.mark.parametrize("text", ["a: !!int x\n", "a: !!float x\n", "a: !!bool maybe\n"])
def test_invalid_standard_tag_values_are_refused_when_loading(text):
    exc = refused(text, name="bad.yaml")
    assert (exc.line, exc.column) == (1, 4)


@pytest.mark.parametrize(
    "text",
    ["a: 0b_\n", "a: 0x_\n", "a: -0b__\n", "a: =\n", "a:\n- <<\n", "a: 2024-02-30\n", "a: 2024-13-01\n",
     "a: 2024-01-01 24:00:00\n", "a: 2024-01-01T10:00:00+24:00\n", "a: 0000-01-01\n"],
)  # fmt: skip
def test_plain_scalars_pyyaml_cannot_construct_are_refused(text):
    """yaml.safe_load fails on these, so the server could not start with them."""
    with pytest.raises(Exception):
        yaml.safe_load(text)
    exc = refused(text)
    assert exc.line is not None and exc.column is not None


# -- documents --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, line",
    [("version: 2\n---\nserver: {}\n", 2), ("---\na: 1\n---\nb: 2\n", 3), ("a: 1\n...\n---\nb: 2\n", 3)],
)
def test_more_than_one_document(text, line):
    exc = refused(text)
    assert (exc.line, exc.column) == (line, 1)
    assert "more than one" in exc.message


def test_one_explicit_document_is_fine():
    text = "%YAML 1.1\n---\na: 1\n...\n"
    assert load(text).data == yaml.safe_load(text) == {"a": 1}


@pytest.mark.parametrize("data", [b"", b"\n\n", b"   \n", b"# only a comment\n", b"\xef\xbb\xbf", b"---\n", b"--- # c\n...\n"])
def test_empty_file(data):
    exc = refused(data)
    assert "empty" in exc.message


@pytest.mark.parametrize(
    "text, what",
    [("- a\n- b\n", "a list"), ("[a, b]\n", "a list"), ("just text\n", "a single value"), ("42\n", "a single value")],
)
def test_top_level_must_be_a_mapping(text, what):
    exc = refused(text)
    assert (exc.line, exc.column) == (1, 1)
    assert what in exc.message and "mapping" in exc.message


# -- text that is not YAML (or not YAML the server can read) ------------------------------


@pytest.mark.parametrize(
    "text, line, column",
    [
        ("a:\n\tb: 1\n", 2, 1),
        ("a:\n  b: 1\n\tc: 2\n", 3, 1),
        ("a:\n  b:\n  \t c: 1\n", 3, 3),
    ],
)
def test_tab_indentation(text, line, column):
    exc = refused(text)
    assert (exc.line, exc.column) == (line, column)
    assert "tab" in exc.message


@pytest.mark.parametrize(
    "text, line, column",
    [
        ("a:\tvalue\n", 1, 3),
        ("a: value\t# comment\n", 1, 9),
        ("a: two\twords\n", 1, 7),
        ("a: 1\nb: [1,\t2]\n", 2, 7),
        ("a:\n  b: x \t\n", 2, 8),
        ("a: 1\n\t\nb: 2\n", 2, 1),
        ("a: 1\n\t# comment\n", 2, 1),
        ("a: &x\t1\n", 1, 6),
    ],
)
def test_tabs_pyyaml_refuses(text, line, column):
    """libyaml accepts these tabs but PyYAML, the server's loader, stops at them."""
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    exc = refused(text)
    assert (exc.line, exc.column) == (line, column)
    assert "tab" in exc.message


@pytest.mark.parametrize(
    "text",
    [
        "a: 'x\ty'\n",
        'a: "x\ty"\n',
        "a: 1  # x\ty\n",
        "# \t\na: 1\n",
        "a: |\n  x\ty\n",
        "a: 'x\n\ty'\n",
    ],
)
def test_tabs_pyyaml_accepts(text):
    assert load(text).data == yaml.safe_load(text)


@pytest.mark.parametrize(
    "text, line, column",
    [
        ("a: 'abc\nb: 1\n", 3, 1),
        ('a: "abc', 1, 8),
        ("a: {x: 1\nb: 2\n", 2, 2),
        ("a: [1, 2\n", 2, 1),
        ("a: [1, 2", 1, 9),
        ("a:\n  b: {x: [1, 2}\n", 2, 15),
    ],
)
def test_truncated_files(text, line, column):
    exc = refused(text)
    assert (exc.line, exc.column) == (line, column)


@pytest.mark.parametrize(
    "data, line, column",
    [(b"a: 1\x00\n", 1, 5), (b"a: 1\nb: \x00x\n", 2, 4), (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 3, 1)],
)
def test_binary_files(data, line, column):
    exc = refused(data)
    assert (exc.line, exc.column) == (line, column)
    assert "binary" in exc.message


@pytest.mark.parametrize(
    "data, line, column, byte",
    [(b"a: 1\nb: caf\xe9\n", 2, 7, "0xe9"), (b"\xff\xfe a", 1, 1, "0xff"), (b"a: 1\n# \xc3\n", 2, 3, "0xc3")],
)
def test_non_utf8_files(data, line, column, byte):
    exc = refused(data)
    assert (exc.line, exc.column) == (line, column)
    assert "UTF-8" in exc.message and byte in exc.message


def test_utf16_file():
    exc = refused("a: 1\n".encode("utf-16"))
    assert exc.line is not None


@pytest.mark.parametrize("data, line, column", [(b"a: 1\nb: \x07x\n", 2, 4), (b"a: 1\n\x1b[31mred\n", 2, 1)])
def test_control_characters(data, line, column):
    exc = refused(data)
    assert (exc.line, exc.column) == (line, column)


@pytest.mark.parametrize(
    "text",
    [
        "a:\n  b: 1\n c: 2\n",
        "a: b: c\n",
        "- a\nb: 1\n",
        "a: 1\n  b: 2\n",
        "a: &x 1\nb: &x\n",
        "a: @x\n",
        "? [1, 2]\n: x\n",
        "a: {[1]: 2}\n",
        "a: |\n  x\n y: 1\n",
    ],
)
def test_invalid_yaml_messages_are_short_and_located(text):
    exc = refused(text)
    assert exc.line is not None and exc.column is not None


# -- plain scalars resolve like PyYAML ------------------------------------------------------

NUMBERISH = st.text(alphabet="0123456789._:+-eExXbBoO ~yYnN", min_size=1, max_size=10)
WORDS = st.sampled_from(
    ["yes", "no", "on", "off", "y", "n", "true", "False", "NULL", "null", "~", ".inf", "-.Inf", ".NaN", "0777",
     "0o17", "0x1F", "0b101", "1:20", "190:20:30.15", "1_000", "1e3", "1.0e+3", ".5", "+.5", "1.", "12e03"]
)  # fmt: skip


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


DATEISH = st.from_regex(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{2}:[0-9]{2}(\.[0-9]*)?( ?(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)?", fullmatch=True)


@settings(max_examples=400, deadline=None)
@given(st.one_of(NUMBERISH, WORDS, DATEISH))
def test_plain_scalars_resolve_like_pyyaml(text):
    source = f"k: {text}\n"
    try:
        expected = yaml.safe_load(source)
    except Exception:
        with pytest.raises(ParseError):
            load(source).data
        return
    try:
        got = load(source).data
    except ParseError:
        # only refused where libyaml itself refuses the text
        with pytest.raises(Exception):
            parse(source)
        return
    if isinstance(expected["k"], (str, int, float, bool, type(None))):
        assert _same(got["k"], expected["k"]), (text, got, expected)


def test_a_scalar_holds_a_tag_or_anchor_slot_only_when_written_with_one() -> None:
    """Half a million scalars on a large file: the two slots nearly none of them use are not
    in every node (bench/scale.py measures the memory)."""
    root = parse("a: plain\nb: !!str tagged\nc: &x anchored\nd: *x\n")
    plain, tagged, anchored, alias = (value for _, value in root.items)
    assert (plain.tag, plain.anchor) == (None, None)
    assert (tagged.tag, tagged.anchor) == ("tag:yaml.org,2002:str", None)
    assert (anchored.tag, anchored.anchor) == (None, "x")
    assert alias.kind == ALIAS and (alias.tag, alias.anchor) == (None, None)
    assert sys.getsizeof(plain) < sys.getsizeof(tagged)


def test_a_key_written_again_and_again_is_one_string() -> None:
    root = parse("- provider_id: a\n  config: {}\n- provider_id: b\n  config: {}\n")
    first, second = (item.items[0][0] for item in root.items)
    assert first.raw == second.raw == "provider_id" and first.raw is second.raw
    assert first.value is second.value
