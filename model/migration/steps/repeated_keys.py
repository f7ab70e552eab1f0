"""Keys written twice with one value (loading refuses two different values): the earlier copies
go before any other step, so that a step that edits the key, or under it, edits the one copy the
server reads. PyYAML keeps the last of two equal keys, so the data does not change."""

from __future__ import annotations

from typing import Iterable

from ...document import Document
from ...yamlpath import format_path
from . import Context, Outcome, Step


def repeated_key_paths(doc: Document) -> list[tuple]:
    """The path of every key written more than once, outer keys first."""
    firsts = {id(first) for first, _ in doc.repeated_keys}
    return sorted({path for path, node in doc.root.walk_paths() if id(node) in firsts}, key=len)


def drop_repeats(doc: Document, paths: Iterable[tuple]) -> list[tuple[tuple, list[int]]]:
    """Keep only the last copy of each key at `paths` that is written more than once: (path, the
    1-based lines of the copies removed), outer keys first. An earlier copy takes the keys
    inside it along."""
    return sorted(doc.drop_repeated_copies(paths), key=lambda dropped: len(dropped[0]))


def _apply(doc: Document, ctx: Context) -> Outcome:
    out = Outcome()
    for path, lines in drop_repeats(doc, repeated_key_paths(doc)):
        out.done.append(f"{format_path(path)}: removed the earlier copies (line{'s' if len(lines) > 1 else ''} "
                        f"{', '.join(map(str, lines))}); the server reads the last one, which stays")  # fmt: skip
    return out


STEP = Step(
    name="repeated-keys",
    line=None,
    upstream="PyYAML keeps the last of two equal keys",
    title="keys written twice: the earlier copies removed before the other steps",
    detect=lambda doc, ctx: bool(doc.repeated_keys),
    apply=_apply,
)
