"""Control characters a value may hold (`"\\e[2J"`, `"\\e]0;title\\a"` in a double-quoted YAML
string) are written as their YAML escapes in everything printed for people: raw, a config
file could clear the operator's terminal, retitle it, set its clipboard (OSC 52) or move the
cursor back over an error message (`"\\r"`). A lone surrogate (`"\\ud800"`, which PyYAML reads
into a string) is escaped too: no stream can encode it.

What stays: tab, line feed, a CR that ends a line (CRLF), NEL, and DEL (which no terminal
acts on; JSON output writes it as it is). A YAML file cannot hold the others unescaped but for a
bare CR, which YAML reads as a line break, so the file's own text, and a diff of it, keep every
character but that one.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x80-\x84\x86-\x9f\ud800-\udfff]|\r(?!\n)")
_MAY_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x80-\x84\x86-\x9f\ud800-\udfff]")  # (one class: a fast first look)
# the characters YAML has a named escape for (the line breaks are escaped only by one_line)
_NAMED = {"\0": "\\0", "\a": "\\a", "\b": "\\b", "\v": "\\v", "\f": "\\f", "\r": "\\r", "\x1b": "\\e",
          "\n": "\\n", "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P"}  # fmt: skip


def _escape(match: re.Match) -> str:
    char = match[0]
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if char < "\u0100" else f"\\u{ord(char):04x}")


def escape_controls(text: str) -> str:
    """`text` with each control character that could drive a terminal, and each lone surrogate,
    written as its YAML escape (`\\e`, `\\a`, `\\x9b`, `\\ud800`, `\\r` for a CR that does not end
    a line)."""
    return _CONTROL.sub(_escape, text) if _MAY_CONTROL.search(text) else text


# what ends a line for a reader that splits as Python's str.splitlines() does
_BREAK = re.compile("[\r\n\x85\u2028\u2029\v\f\x1c-\x1e]")


def one_line(text: str) -> str:
    """`text` for a format of one line per message (`FILE:LINE:COL: error: ...`): a line break a
    value brings along (LF, CR, NEL, LS, PS, ...) is written as YAML escapes it (`\\n`, `\\N`), so
    no value can print a line that reads as a message of its own; and its bidirectional
    formatting characters too (escape_bidi)."""
    text = _BREAK.sub(_escape, text) if _BREAK.search(text) else text
    return escape_bidi(text)


# the bidirectional marks, embeddings, overrides and isolates: a terminal that orders text by
# them shows what follows in another order than it is written (`"\\u202eftp"` shows as `ptf`)
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def escape_bidi(text: str) -> str:
    """`text` with each bidirectional formatting character written as its YAML escape
    (`\\u202e`): for a value quoted in a message or a label, not for a file's own text (a diff),
    where a right-to-left comment may hold them as they are."""
    return _BIDI.sub(_escape, text) if _BIDI.search(text) else text
