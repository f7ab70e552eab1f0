"""Control characters a value may hold (`"\\e[2J"`, `"\\e]0;title\\a"` in a double-quoted YAML
string) are written as their YAML escapes in everything printed for people: raw, a config
file could clear the operator's terminal, retitle it, set its clipboard (OSC 52) or move the
cursor back over an error message.

What stays: tab, line feed, and a CR that ends a line (CRLF). A YAML file cannot hold the
others unescaped (PyYAML refuses them), so the file's own text never needs them, but for the
bidirectional formatting characters, escaped too (`\\u202e`): in a message they would show a
value in another order than it is written.
"""

from __future__ import annotations

import re

# C0 but tab and LF, a CR not before a LF, DEL, C1 but NEL (which YAML allows written as it is),
# and the bidirectional marks, embeddings, overrides and isolates, which make a terminal show the
# text around them in another order (`"\u202eftp"` shows as `ptf`)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]|\r(?!\n)")
_NAMED = {"\0": "\\0", "\a": "\\a", "\b": "\\b", "\v": "\\v", "\f": "\\f", "\r": "\\r", "\x1b": "\\e"}


def _escape(match: re.Match) -> str:
    char = match[0]
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if char < "\u0100" else f"\\u{ord(char):04x}")


def escape_controls(text: str) -> str:
    """`text` with each control character that could drive a terminal, or reorder what it shows,
    written as its YAML escape (`\\e`, `\\a`, `\\x9b`, `\\u202e`, `\\r` for a CR that does not end
    a line)."""
    return _CONTROL.sub(_escape, text) if _CONTROL.search(text) else text
