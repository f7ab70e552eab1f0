"""text_positions.WordsAt: the index that lets a walk skip the nodes whose text cannot hold a
word (placeholders in provider entries, references in an old file's providers)."""

from __future__ import annotations

from types import SimpleNamespace

from llama_config.model.text_positions import WordsAt
from llama_config.model.yamlparse import parse


def span(start: int, end: int) -> SimpleNamespace:
    return SimpleNamespace(start=start, end=end)


def test_a_node_may_hold_a_word_that_starts_inside_its_text() -> None:
    text = "a: plain\nb: ${env.X}\nc: plain\n"
    root = parse(text)
    words = WordsAt(text, ("${",))
    assert [words.may_hold(value) for _, value in root.items] == [False, True, False]
    assert words.may_hold(root)


def test_a_backslash_counts_as_any_word() -> None:
    # "\u0024{env.X}" reads as ${env.X}: its text holds no `${`, but an escape can write one
    text = 'a: "\\u0024{env.X}"\nb: plain\n'
    root = parse(text)
    assert root.value["a"] == "${env.X}"
    words = WordsAt(text, ("${",))
    assert [words.may_hold(value) for _, value in root.items] == [True, False]


def test_overlapping_words_are_each_found() -> None:
    # `{{{` holds `{{` at 0 and at 1: a node starting at 1 still may hold it
    words = WordsAt("{{{", ("{{",))
    assert words.may_hold(span(1, 3))
    assert not words.may_hold(span(2, 3))


def test_the_end_of_a_node_is_not_inside_it() -> None:
    words = WordsAt("abc backend", ("backend",))
    assert not words.may_hold(span(0, 4))
    assert words.may_hold(span(4, 11))
    assert not WordsAt("plain text only", ("backend",))
    assert WordsAt("one backend", ("backend",))
