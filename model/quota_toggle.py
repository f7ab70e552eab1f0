"""Turning request quotas off without losing them: the `server.quota` block is kept in the
file as comments (its limits, its kvstore, its own comments), and turning quotas on again
brings the block back as it was instead of writing new defaults."""

from __future__ import annotations

from typing import Any

from .document import Document
from .yamldata import copy_data
from .yamltree import parse

QUOTA = ("server", "quota")
MARK = "# quota: turned off (llama-config); turning quotas on restores these lines"


def comment_out_quota(doc: Document) -> None:
    """`server.quota` becomes comment lines under a marker line; the server sees no quota."""
    block = doc.key_block(QUOTA)
    text = doc.text[block.line_start : block.end]
    nl = "\r\n" if "\r\n" in text else "\n"
    indent = " " * block.column
    lines = [indent + MARK] + [indent + "# " + line[block.column :] if line.strip() else indent + "#" for line in text.splitlines()]
    expected = copy_data(doc.data)
    del expected["server"]["quota"]
    if not expected["server"]:
        expected["server"] = None
    doc.replace_lines([(block.line_start, block.end, nl.join(lines) + (nl if text.endswith(("\n", "\r")) else ""))], expected)


def commented_quota(text: str) -> tuple[int, int, list[str]] | None:
    """(start, end, the block's lines uncommented) of a quota block comment_out_quota kept."""
    at = text.find(MARK)
    if at < 0:
        return None
    start = text.rfind("\n", 0, at) + 1
    indent = text[start:at]
    if indent.strip():
        return None
    lines, end = [], text.find("\n", at) + 1 or len(text)
    while end < len(text):
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end + 1
        line = text[end:line_end].rstrip("\r\n")
        if line.startswith(indent + "# "):
            lines.append(indent + line[len(indent) + 2 :])
        elif line == indent + "#":
            lines.append("")
        else:
            break
        end = line_end
    return (start, end, lines) if lines and lines[0].strip().startswith("quota:") else None


def restore_quota(doc: Document) -> bool:
    """Bring back a quota block kept as comments; False when there is none."""
    found = commented_quota(doc.text)
    if found is None or doc.node_at(QUOTA) is not None:
        return False
    start, end, lines = found
    nl = "\r\n" if "\r\n" in doc.text else "\n"
    new = nl.join(lines) + (nl if doc.text[start:end].endswith("\n") else "")
    expected: Any = parse(doc.text[:start] + new + doc.text[end:]).value
    doc.replace_lines([(start, end, new)], expected)
    return True
