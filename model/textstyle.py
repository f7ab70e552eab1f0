"""The layout conventions of one file, detected when it is loaded.

New lines we write must look like the lines around them: the same newline sequence, the same
indentation for mappings and for sequences, and the quote character the author prefers.
"""

from __future__ import annotations

from dataclasses import dataclass

from .yamlparse import ParseNotes


_NEWLINE_NAMES = {"\r\n": "CRLF", "\r": "CR"}


@dataclass(frozen=True)
class TextStyle:
    newline: str = "\n"
    bom: bool = False
    final_newline: bool = True
    indent: int = 2  # columns from a key to the keys of its mapping value
    sequence_offset: int = 0  # columns from a key to the "-" of its sequence value (PyYAML: 0)
    quote: str = "'"  # PyYAML dumps quote with single quotes

    def describe(self) -> str:
        return (
            f"{_NEWLINE_NAMES.get(self.newline, 'LF')} line endings, "
            f"{self.indent}-space indent, sequences {'indented' if self.sequence_offset else 'not indented'}, "
            f"{'no ' if not self.final_newline else ''}final newline{', UTF-8 BOM' if self.bom else ''}"
        )


def _most_common(counts: dict[int, list], default: int) -> int:
    """The value seen most often; of equally frequent ones, the first a walk of the tree meets."""
    if not counts:
        return default
    return max(sorted(counts, key=lambda value: counts[value][1]), key=lambda value: counts[value][0])


def detect_style(text: str, notes: ParseNotes, bom: bool) -> TextStyle:
    """The style of `text`, with the counts its parse took on the way (yamlparse.ParseNotes)."""
    crlf = text.count("\r\n")
    newline = "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"
    bare_cr = text.count("\r") - crlf
    if bare_cr and bare_cr > text.count("\n"):
        newline = "\r"  # old Mac line ends (YAML reads them too)
    indents, offsets, quotes = notes.indents, notes.offsets, notes.quotes
    indent = _most_common(indents, 2)
    if indent <= 0:
        indent = 2
    offset = _most_common(offsets, 0)
    if offset < 0:
        offset = 0
    quote = '"' if quotes['"'] > quotes["'"] else "'"
    final_newline = text == "" or text.endswith("\n")
    return TextStyle(newline, bom, final_newline, indent, offset, quote)
