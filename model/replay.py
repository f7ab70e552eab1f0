"""The operator's edits as operations, replayed on the file as another program left it.

Each session step keeps the callable that made it (it reads `session.doc` when called, so it
runs on whatever document the session holds), the text it was applied to and what it made of
it. Replaying on a reloaded file runs the callables again in order; before each one, the paths
the step changed the first time must still hold what they held then, or the other writer
changed them too and the step is reported instead of silently overwriting theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator

from .document import Document
from .yamldata import same_data, value_in
from .yamlpath import Path, format_path

_MISSING = object()


@dataclass(frozen=True)
class Operation:
    label: str
    edit: Callable[[], Any]
    before: str  # the document's text it was applied to
    after: str  # and what it made of it


@dataclass
class Replay:
    applied: list[str]
    skipped: list[tuple[str, str]]  # (label, why it no longer applies)

    def summary(self) -> str:
        done = f"re-applied {len(self.applied)} edit{'s' if len(self.applied) != 1 else ''}"
        if not self.skipped:
            return done
        return f"{done}; {len(self.skipped)} no longer appl{'y' if len(self.skipped) != 1 else 'ies'}"


def _at(data: Any, path: Path) -> Any:
    return value_in(data, path, _MISSING)


def changed_paths(before: Any, after: Any, path: Path = ()) -> Iterator[Path]:
    """The innermost paths whose values differ: mappings by key, lists of one length by
    index; a list that grew or shrank changed as a whole (its indexes moved)."""
    if before is after or same_data(before, after):
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in {**before, **after}:
            yield from changed_paths(before.get(key, _MISSING), after.get(key, _MISSING), path + (key,))
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (old, new) in enumerate(zip(before, after)):
            yield from changed_paths(old, new, path + (index,))
    else:
        yield path


def _same(a: Any, b: Any) -> bool:
    return a is b if _MISSING in (a, b) else same_data(a, b)


class _Parsed:
    """The data of the texts replay compares with, each parsed once."""

    def __init__(self) -> None:
        self._data: dict[str, Any] = {}

    def __call__(self, text: str) -> Any:
        if text not in self._data:
            self._data[text] = Document.from_text(text).data
        return self._data[text]


def conflict(op: Operation, now: Any, parsed: Callable[[str], Any]) -> str | None:
    """Why `op` cannot be replayed on a document holding `now`; None when it can."""
    before, after = parsed(op.before), parsed(op.after)
    paths = list(changed_paths(before, after))
    if paths and all(_same(_at(now, p), _at(after, p)) for p in paths):
        return "the file on disk already has this change"
    for path in paths:
        if not _same(_at(now, path), _at(before, path)):
            return f"{format_path(path) or 'the document'} was changed on disk too"
    return None


def replay(ops: tuple[Operation, ...], current: Callable[[], Document]) -> tuple[list[Operation], Replay]:
    """Run `ops` in order on the document `current()` returns; a step that fails leaves the
    text as it was and is reported with its reason. Returns the steps as they now apply."""
    parsed = _Parsed()
    applied: list[Operation] = []
    report = Replay([], [])
    for op in ops:
        doc = current()
        start = doc.text
        reason = conflict(op, doc.data, parsed)
        if reason is None:
            try:
                op.edit()
            except Exception as exc:  # it ran once on another text: any failure means "no longer applies"
                reason = str(exc) or type(exc).__name__
        if reason is not None:
            if current().text != start:
                current().restore(start)
            report.skipped.append((op.label, reason))
            continue
        report.applied.append(op.label)
        applied.append(Operation(op.label, op.edit, start, current().text))
    return applied, report
