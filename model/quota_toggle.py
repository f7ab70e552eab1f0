"""Turning request quotas off without losing them: the `server.quota` block is kept in the
file as comments (its limits, its kvstore, its own comments), and turning quotas on again
brings the block back as it was instead of writing new defaults."""

from __future__ import annotations

from typing import Any

from .document import Document
from .text_positions import line_start_in, lines_with_ends, without_break
from .yamldata import copy_data
from .yamlparse import parse

QUOTA = ("server", "quota")
MARK = "# quota: turned off (llama-config); turning quotas on restores these lines"


def comment_out_quota(doc: Document) -> None:
    """`server.quota` becomes comment lines under a marker line; the server sees no quota.
    Each line keeps its own line break (a file may end its lines with \n, \r\n or a bare \r)."""
    block = doc.key_block(QUOTA)
    indent = " " * block.column
    lines = [
        indent + "# " + line[block.column :] if line.strip() else indent + "#" + line[len(without_break(line)) :]
        for line in lines_with_ends(doc.text, block.line_start, block.end)
    ]
    expected = copy_data(doc.data)
    del expected["server"]["quota"]
    if not expected["server"]:
        expected["server"] = None
    doc.replace_lines([(block.line_start, block.end, indent + MARK + doc.style.newline + "".join(lines))], expected)


def commented_quota(text: str) -> tuple[int, int, list[str]] | None:
    """(start, end, the block's lines uncommented, with their line breaks) of a quota block
    comment_out_quota kept."""
    at = text.find(MARK)
    if at < 0:
        return None
    start = line_start_in(text, at)
    indent = text[start:at]
    if indent.strip():
        return None
    marker, *rest = lines_with_ends(text, start)
    lines, end = [], start + len(marker)
    for line in rest:
        content = without_break(line)
        if content.startswith(indent + "# "):
            lines.append(indent + line[len(indent) + 2 :])
        elif content == indent + "#":
            lines.append(line[len(content) :])
        else:
            break
        end += len(line)
    return (start, end, lines) if lines and lines[0].strip().startswith("quota:") else None


def restore_quota(doc: Document) -> bool:
    """Bring back a quota block kept as comments; False when there is none."""
    found = commented_quota(doc.text)
    if found is None or doc.node_at(QUOTA) is not None:
        return False
    start, end, lines = found
    new = "".join(lines)
    expected: Any = parse(doc.text[:start] + new + doc.text[end:]).value
    doc.replace_lines([(start, end, new)], expected)
    return True
