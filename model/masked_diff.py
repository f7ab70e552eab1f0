"""The save review's diff with every secret masked as the form masks it (model.redaction's one
rule): `+ password: s3cret` becomes `+ password: ••••••`, a placeholder keeps its variable and
masks only its default. A changed secret still shows as a changed line, masked on both sides."""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import Any

from .errors import ParseError
from .redaction import MASK, is_secret_path, redact_text, secret_fields, shown_value
from .yamlparse import parse
from .yamltree import MAP, SCALAR

_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def masked_lines(text: str, extra: Any = ()) -> dict[int, str]:
    """{0-based line: the line with its secret values masked}, for the lines that hold one."""
    extra = secret_fields(extra)
    try:
        root = parse(text)
    except ParseError:
        return {}
    # the lines as the diff has them (str.splitlines): \n, \r\n, a bare \r, and NEL, LS and PS,
    # which YAML reads as line breaks too (the parser's line numbers count them alike)
    with_ends = text.splitlines(keepends=True)
    lines = text.splitlines()
    starts = [0, *accumulate(map(len, with_ends))]  # (one more than the break: a \r\n is two)
    out: dict[int, str] = {}
    keys: set[int] = set()  # key nodes come with the path of their entry: not values
    for path, node in root.walk_paths():
        if node.kind == MAP:
            keys.update(id(k) for k, _ in node.items)
        if node.kind != SCALAR or id(node) in keys or not path or node.end <= node.start or isinstance(node.value, bool) or node.value in (None, ""):
            continue
        if not is_secret_path(path, extra):
            continue
        # the lines of its first and last characters, in the diff's lines
        first, last = (bisect_right(starts, at) - 1 for at in (node.start, max(node.start, node.end - 1)))
        if first != last:  # a multi-line scalar: what its first line holds before it stays, the rest goes
            line = out.get(first, lines[first])
            out[first] = line[: node.start - starts[first] + len(line) - len(lines[first])] + MASK
            for n in range(first + 1, last + 1):
                out[n] = lines[n][: len(lines[n]) - len(lines[n].lstrip())] + MASK
            continue
        line = out.get(first, lines[first])
        offset = len(line) - len(lines[first])  # earlier masks on this line changed its length
        start, end = node.start - starts[first] + offset, node.end - starts[first] + offset
        out[first] = line[:start] + shown_value(path, node.value, extra) + line[end:]
    return out


def mask_diff(diff: str, before: str, after: str, extra: Any = ()) -> str:
    """`diff` (a unified diff of `before` to `after`) with secrets masked line by line."""
    if not diff:
        return diff
    old, new = masked_lines(before, extra), masked_lines(after, extra)
    out: list[str] = []
    old_n = new_n = 0
    in_hunk = False
    for line in diff.splitlines(keepends=True):
        end = line[len(line.rstrip("\r\n")) :]
        hunk = _HUNK.match(line)
        if hunk:
            old_n, new_n = int(hunk[1]) - 1, int(hunk[2]) - 1
            in_hunk = True
        elif not in_hunk:
            pass  # the --- / +++ file names
        elif line.startswith("-"):
            line = "-" + old.get(old_n, line[1:].rstrip("\r\n")) + end
            old_n += 1
        elif line.startswith("+"):
            line = "+" + new.get(new_n, line[1:].rstrip("\r\n")) + end
            new_n += 1
        elif line.startswith(" "):
            line = " " + new.get(new_n, line[1:].rstrip("\r\n")) + end
            old_n += 1
            new_n += 1
        out.append(redact_text(line))
    return "".join(out)


def masked_document_diff(doc: Any, release: Any) -> str:
    """The unified diff of a Document's edits (Document.diff), with its secrets masked, the
    fields `release` marks secret included: what a --dry-run prints and the editor's migrate
    and upgrade dialogs show."""
    from .release_secrets import release_secret_fields

    before, after = doc.file_texts()
    return mask_diff(doc.diff(), before, after, release_secret_fields(doc.data, release))

