"""The save review's diff with every secret masked as the form masks it (model.redaction's one
rule): `+ password: s3cret` becomes `+ password: ••••••`, a placeholder keeps its variable and
masks only its default. A changed secret still shows as a changed line, masked on both sides."""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import Any

from .errors import ParseError
from .redaction import MASK, SecretFields, is_secret_path, maskable_in_text, redact_text, secret_fields, shown_value
from .yamlparse import parse
from .yamltree import MAP, SCALAR, Node

_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


def masked_lines(text: str, extra: Any = (), secrets: set[str] | None = None) -> dict[int, str]:
    """{0-based line: the line with its secret values masked}, for the lines that hold one;
    `secrets`, when given, gets each value masked."""
    try:
        root = parse(text)
    except ParseError:
        return {}
    return _masked(text, 0, root, (), secret_fields(extra), secrets)


def masked_region(text: str, start: int, end: int, node: Node, path: tuple, extra: Any = ()) -> list[str]:
    """The lines of text[start:end], which holds `node` (the value at `path`), with its secret
    values masked: how a report quotes the lines of a value."""
    region = text[start:end]
    masks = _masked(region, start, node, path, secret_fields(extra))
    return [masks.get(i, line) for i, line in enumerate(region.splitlines())]


def _masked(text: str, offset: int, root: Node, base: tuple, extra: SecretFields, secrets: set[str] | None = None) -> dict[int, str]:
    """masked_lines of `text`, which starts at `offset` of the text `root` (the value at `base`) was parsed from."""
    # the lines as the diff has them (str.splitlines): \n, \r\n, a bare \r, and NEL, LS and PS,
    # which YAML reads as line breaks too (the parser's line numbers count them alike)
    with_ends = text.splitlines(keepends=True)
    lines = text.splitlines()
    starts = list(accumulate(map(len, with_ends), initial=offset))  # (each line's length with its break: a \r\n is two)
    out: dict[int, str] = {}
    keys: set[int] = set()  # key nodes come with the path of their entry: not values
    for sub, node in root.walk_paths():
        path = base + sub
        if node.kind == MAP:
            keys.update(id(k) for k, _ in node.items)
        if node.kind != SCALAR or id(node) in keys or not path or node.end <= node.start or isinstance(node.value, bool) or node.value in (None, ""):
            continue
        if not is_secret_path(path, extra):
            continue
        shown = shown_value(path, node.value, extra)
        if secrets is not None and shown != str(node.value):
            secrets.add(str(node.value))
            secrets.update(part.strip() for part in str(node.value).splitlines())
        # the lines of its first and last characters, in the diff's lines
        # (a block scalar's end is past its final line break, which a quoted region leaves out)
        first, last = (min(bisect_right(starts, at) - 1, len(lines) - 1) for at in (node.start, max(node.start, node.end - 1)))
        if first != last:  # a multi-line scalar: what its first line holds before it stays, the rest goes
            line = out.get(first, lines[first])
            out[first] = line[: node.start - starts[first] + len(line) - len(lines[first])] + MASK
            for n in range(first + 1, last + 1):
                out[n] = lines[n][: len(lines[n]) - len(lines[n].lstrip())] + MASK
            continue
        line = out.get(first, lines[first])
        offset = len(line) - len(lines[first])  # earlier masks on this line changed its length
        start, end = node.start - starts[first] + offset, node.end - starts[first] + offset
        out[first] = line[:start] + shown + line[end:]
    return out


def mask_diff(diff: str, before: str, after: str, extra: Any = ()) -> str:
    """`diff` (a unified diff of `before` to `after`) with secrets masked line by line."""
    if not diff:
        return diff
    secrets: set[str] = set()
    old, new = masked_lines(before, extra, secrets), masked_lines(after, extra, secrets)
    # A comment line is no value a parse finds. An upgrade's commented-out copy of a line (`# `
    # put in at the block's column) is masked as the line it was; any other comment gets the
    # file's secret values masked wherever they stand in it.
    before_lines = before.splitlines()
    was = {before_lines[n]: masked for n, masked in old.items()}
    in_comments = maskable_in_text(secrets)

    def comment(text: str) -> str:
        column = len(text) - len(text.lstrip(" "))
        masked = was.get(text[:column] + text[column + 2 :]) if text.startswith("# ", column) else None
        return redact_text(text if masked is None else masked[:column] + "# " + masked[column:], in_comments)
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
        if in_hunk and line[1:].lstrip().startswith("#"):
            line = line[0] + comment(line[1:].rstrip("\r\n")) + end
        out.append(redact_text(line))
    return "".join(out)


def masked_document_diff(doc: Any, release: Any) -> str:
    """The unified diff of a Document's edits (Document.diff), with its secrets masked, the
    fields `release` marks secret included: what a --dry-run prints and the editor's migrate
    and upgrade dialogs show."""
    from .release_secrets import release_secret_fields, secret_names_of_every_release

    before, after = doc.file_texts()
    # (and the names any release marks secret: an upgrade drops a provider the target release
    # would not know, whose lines the diff still shows)
    extra = [*release_secret_fields(doc.data, release).paths, *secret_names_of_every_release()]
    return mask_diff(doc.diff(), before, after, extra)

