"""Re-validating after an edit without re-checking every provider.

An editing session keeps one PassCache and hands it to each `validate`. The checks of one
provider entry (its own fields, its references, its placeholders and templates) depend on that
entry and a little context: the release, the environment, and for references the backends in
effect. Context.memo keeps what each such check reported (as calls to Context.add, so lines and
columns are looked up again) and returned, keyed by the entry's content and that context; the
next pass replays it while the key is equal, and runs the check where it is not. Everything
else is checked again in each pass, in the same order, so the result equals a full validation.

An entry's content is its text (column and characters) where the file has no aliases and no
repeated keys (then the text alone makes the entry's value and its nodes), else repr() of its
value (which tells 1, 1.0, True and '1' apart); the scalar checks, which read the nodes, are then
not reused. A pass keeps only the entries the previous pass used, so the cache never holds more
than one file's worth.
"""

from __future__ import annotations

from typing import Any

from ..document import Document
from ..envvars import Environment
from ..releases import Release
from ..yamltree import MAP, SEQ


class PassCache:
    def __init__(self) -> None:
        self._scope: tuple | None = None
        self._previous: dict[tuple, tuple] = {}  # (phase, entry path) -> (entry key, context, reports, result)
        self._current: dict[tuple, tuple] = {}
        self._texts: tuple[str | None, dict[tuple, Any] | None] = (None, None)  # (a document text, entry_texts(doc) of it)
        self.reused = self.checked = 0  # of the last pass (tests count them)

    def begin(self, doc: Document, env: Environment, strict_env: bool, release: Release) -> None:
        """Start a pass; what the previous pass kept is dropped when the context changed."""
        scope = (
            release, env, strict_env,
            frozenset(env.environ.items()),  # (os.environ may change between passes)
            doc.text[: doc.root.start],  # directives (%YAML, %TAG) change how the rest reads
            _tag(doc.data), _tag(doc.data.get("providers")),  # (what picks the schema above a provider's, see releases.fields.pick)
        )  # fmt: skip
        if self._scope is None or not _same_scope(self._scope, scope):
            self._previous = {}
        self._scope = scope
        self._current = {}
        self.reused = self.checked = 0

    def end(self) -> None:
        self._previous, self._current = self._current, {}

    def entry_key(self, doc: Document, path: tuple, entry: Any = None) -> Any:
        """The content of the provider entry at `path` (providers.API[i]): its column and text
        where the text alone makes it, else repr() of `entry` when that is a mapping; None: the
        checks are not reused (a check that reads the nodes passes no entry)."""
        texts = self.entry_texts(doc)
        if texts is None:
            return repr(entry) if isinstance(entry, dict) else None
        return texts.get(path)

    def entry_texts(self, doc: Document) -> dict[tuple, Any] | None:
        """entry_texts(doc) where the text alone makes each entry (Document.written_once), else
        None; once per document text (the session's reference scan asks for them too)."""
        if self._texts[0] is not doc.text:
            self._texts = (doc.text, entry_texts(doc) if doc.written_once else None)
        return self._texts[1]

    def get(self, phase: str, path: tuple, key: Any, context: tuple) -> tuple | None:
        """(reports, result) that the previous pass kept for this entry, if its key and context were the same."""
        found = self._previous.get((phase, path))
        if found is None or found[0] != key or found[1] != context:
            self.checked += 1
            return None
        self.reused += 1
        return found[2], found[3]

    def put(self, phase: str, path: tuple, key: Any, context: tuple, reports: list, result: Any) -> None:
        self._current[(phase, path)] = (key, context, reports, result)


def entry_texts(doc: Document) -> dict[tuple, Any]:
    """providers.API[i] -> (column, text) of each provider entry (a mapping): what makes the
    entry's value and nodes where the document is written_once."""
    keys: dict[tuple, Any] = {}
    text = doc.text
    for key, value in doc.root.items:
        if key.value != "providers" or value.kind != MAP:
            continue
        for api, entries in value.items:
            for index, item in enumerate(entries.items if entries.kind == SEQ else ()):
                if item.kind == MAP:
                    keys[("providers", api.value, index)] = (item.column, text[item.start : item.content_end()])
    return keys


def _tag(value: Any) -> Any:
    return value.get("type") if isinstance(value, dict) else None


def _same_scope(a: tuple, b: tuple) -> bool:
    """The release and environment objects by identity, the rest by value."""
    return a[0] is b[0] and a[1] is b[1] and a[2:] == b[2:]
