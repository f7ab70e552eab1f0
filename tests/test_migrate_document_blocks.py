"""The Document methods the migration adds: key_block, replace_lines, drop_repeated_copies."""

from __future__ import annotations

import pytest

from llama_config.model.document import Document, EditError

TEXT = """\
# header: not the first key's
a: 1
# about b
b:   # on b's line
  x: 1
  # inside b
  y: [1,
    2]
    # after y, deeper: b's too
c: {x: 1}  # on c's line
d:
"""


def test_key_block_spans_the_comments_above_the_key_its_lines_and_deeper_comments_after():
    doc = Document(TEXT)
    a, b, c, d = (doc.key_block((k,)) for k in "abcd")
    assert doc.text[a.comment_start : a.end] == "a: 1\n"  # the file's header stays where it is
    assert doc.text[b.comment_start : b.end] == (
        "# about b\nb:   # on b's line\n  x: 1\n  # inside b\n  y: [1,\n    2]\n    # after y, deeper: b's too\n"
    )
    assert doc.text[b.line_start : b.line_start + 2] == "b:" and b.column == 0
    assert (b.key_comment, b.value_inline) == ("   # on b's line", False)
    assert (c.key_comment, c.value_inline) == ("  # on c's line", True)
    assert d.end == len(doc.text) and d.value_inline
    nested = doc.key_block(("b", "y"))
    assert doc.text[nested.comment_start : nested.end] == "  # inside b\n  y: [1,\n    2]\n    # after y, deeper: b's too\n"


@pytest.mark.parametrize("path", [("nope",), ("c", "x"), (0,)])
def test_key_block_needs_a_key_of_a_block_mapping(path):
    with pytest.raises(EditError):
        Document(TEXT).key_block(path)


def test_key_block_refuses_a_key_sharing_its_line_with_a_list_dash():
    doc = Document("l:\n- k: 1\n  j: 2\n")
    with pytest.raises(EditError, match="does not start its line"):
        doc.key_block(("l", 0, "k"))
    assert doc.text[doc.key_block(("l", 0, "j")).line_start :] == "  j: 2\n"


def test_replace_lines_moves_blocks_in_one_verified_step():
    doc = Document(TEXT)
    a, c = doc.key_block(("a",)), doc.key_block(("c",))
    moved = doc.text[a.line_start : a.end]
    expected = dict(doc.data)
    doc.replace_lines([(a.line_start, a.end, ""), (c.end, c.end, moved)], expected)
    assert doc.text.endswith("c: {x: 1}  # on c's line\na: 1\nd:\n")
    assert doc.data == expected


def test_replace_lines_lets_go_of_its_edits_before_the_re_parse():
    # on a large file the edits hold as much text as the file: emptied, they are not kept
    # beside the new tree (the peak of a migration's memory)
    doc = Document(TEXT)
    a, c = doc.key_block(("a",)), doc.key_block(("c",))
    edits = [(a.line_start, a.end, ""), (c.end, c.end, doc.text[a.line_start : a.end])]
    scalars = doc.scalar_replacements([(("c", "x"), 2)])
    expected = dict(doc.data, c={"x": 2})
    doc.replace_lines(edits, expected, scalars)
    assert (edits, scalars) == ([], [])
    assert doc.data == expected and "c: {x: 2}" in doc.text


@pytest.mark.parametrize(
    "edits, message",
    [
        ([(1, 5, "")], "line boundaries"),
        ([(0, 3, "")], "line boundaries"),
        ([(35, 156, ""), (131, 131, "c2: 1\n")], "overlap"),
    ],
)
def test_replace_lines_refuses_edits_that_are_not_whole_lines(edits, message):
    doc = Document(TEXT)
    with pytest.raises(EditError, match=message):
        doc.replace_lines(edits, doc.data)
    assert doc.text == TEXT


def test_replace_lines_keeps_the_text_when_the_result_is_not_what_was_meant():
    doc = Document(TEXT)
    a = doc.key_block(("a",))
    with pytest.raises(EditError, match="did not produce the intended value"):
        doc.replace_lines([(a.line_start, a.end, "a: 2\n")], doc.data)
    with pytest.raises(EditError, match="invalid YAML"):
        doc.replace_lines([(a.line_start, a.end, "a: [\n")], doc.data)
    assert doc.text == TEXT


def test_drop_repeated_copies_keeps_the_last_copy_and_the_data():
    text = "p:\n  f:\n  - 1\n  g: 2\n  f:\n  - 1\nq: 3\n"
    doc = Document(text)
    assert doc.repeated_keys
    data = doc.data
    assert doc.drop_repeated_copies([("p", "f")]) == [(("p", "f"), [2])]
    assert doc.text == "p:\n  g: 2\n  f:\n  - 1\nq: 3\n"
    assert doc.data == data and not doc.repeated_keys
    assert doc.drop_repeated_copies([("p", "f")]) == []  # nothing repeated: nothing to do
    assert doc.drop_repeated_copies([("x", "y")]) == []
