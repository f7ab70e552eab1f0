"""Shared state of one validation pass, and the one place pydantic errors become diagnostics."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Hashable, Iterable, Iterator, TypeVar

from ..diagnostics import Diagnostic, Severity
from ..document import Document
from ..envvars import Environment, Resolution, describe as describe_resolution, has_placeholder, resolve
from ..redaction import is_secret_path
from ..releases import Release, schema_value
from ..schema_check import SchemaIssue, check, describe, with_article, without_required
from ..schema_fastpath import compiled
from ..text_positions import WordsAt
from ..variables import string_scalars
from ..yamlpath import Path, format_path
from ..yamltree import MAP, SEQ, Node


def did_you_mean(word: Any, choices: Iterable[str]) -> str | None:
    """The closest choice; also one that only adds a prefix word (`url` -> `base_url`)."""
    if not isinstance(word, str):
        return None
    choices = list(choices)
    import difflib  # only when something is misspelt

    matches = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    widened = [c for c in choices if isinstance(c, str) and c.endswith("_" + word)]
    return widened[0] if len(widened) == 1 else None


def show(value: Any, *, secret: bool = False) -> str:
    """A value as it would read in YAML, for messages; a secret only by its kind."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean" if secret else "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    if secret:
        return "a number" if isinstance(value, (int, float)) else f"a {type(value).__name__}"
    return repr(value)


_RANGE_ERRORS = {
    "greater_than", "greater_than_equal", "less_than", "less_than_equal", "literal_error",
    "enum", "too_short", "too_long", "string_too_short", "string_too_long",
}  # fmt: skip


def _retyped_note(issue: SchemaIssue, resolution: Resolution) -> str:
    """Why a string field got a number, boolean or null: the server re-types substituted text
    (stack.py _convert_string_to_proper_type), and quoting cannot prevent it."""
    text, value = resolution.text, resolution.value
    if not (issue.kind == "wrong-type" and isinstance(text, str) and not isinstance(value, str) and issue.expected.startswith("string")):
        return ""
    if text == "":
        return "; the server turns substituted text that is empty into null"
    shown = "the text" if issue.secret else repr(text)
    return f"; the server turns substituted text that reads as a number or boolean into one, so {shown} becomes {show(value, secret=issue.secret)}"


T = TypeVar("T")


_MARKS = ("${", "{{")


def _marked_segments(root: Node) -> Iterator[tuple]:
    """string_scalars(root) in the same order, but each provider entry (a mapping in a list
    under providers.API) as one item (path, node, None), for Context.provider_scalars."""
    for key, value in root.items if root.kind == MAP else ():
        if key.value == "providers" and value.kind == MAP:
            for api, entries in value.items:
                if entries.kind != SEQ:
                    yield from string_scalars(entries, ("providers", api.value), marks=_MARKS)
                    continue
                for index, entry in enumerate(entries.items):
                    path = ("providers", api.value, index)
                    yield from [(path, entry, None)] if entry.kind == MAP else string_scalars(entry, path, marks=_MARKS)
        else:
            yield from string_scalars(value, (key.value,), marks=_MARKS)
    if root.kind != MAP:
        yield from string_scalars(root, marks=_MARKS)


_NONE_MARKED: list = []  # (most entries: one empty list for all of them)


def _holds_placeholder(value: Any) -> bool:
    """Whether any string in `value` is a placeholder; a container shared by aliases is looked
    into once, so the work follows the file's size, not its expansion."""
    if isinstance(value, dict):  # (nearly every value checked: a mapping of plain values, read in one go)
        nested = False
        for item in value.values():
            if isinstance(item, str):
                if "${env." in item and has_placeholder(item):
                    return True
            elif isinstance(item, (dict, list)):
                nested = True
        if not nested:
            return False
    stack, seen = [value], set()
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if has_placeholder(item):
                return True
        elif isinstance(item, (dict, list)) and id(item) not in seen:
            seen.add(id(item))
            stack.extend(item.values() if isinstance(item, dict) else item)
    return False


def _each(check: Callable[[Path, Node], None], items: Iterable[tuple[Path, Node]]) -> None:
    for path, node in items:
        check(path, node)


class Context:
    def __init__(self, doc: Document, env: Environment | None, strict_env: bool, release: Release, cache: Any = None) -> None:
        self.doc = doc
        self.data: dict = doc.data
        self.env = env or Environment()
        self.strict_env = strict_env  # an env file was given: unset variables are errors
        self.release = release  # the server release the file is judged against
        self.diagnostics: list[Diagnostic] = []
        self.markers: list[tuple] = []  # what `add` told each of them apart by, for merge_reports
        self._seen: set[tuple] = set()
        self._marked: list | None = None
        # an editing session's model.validation.incremental.PassCache: the reports of each
        # provider's checks, reused while the provider's text and their context are unchanged
        self.cache = cache
        self._recording: list[tuple] | None = None
        self._once: dict[str, Any] = {}
        self._entry_scalars: dict[Path, list] = {}  # (the placeholder and template phases walk each entry once)
        self._marks_at: WordsAt | None = None  # where `${` and `{{` stand in the text (_marked_in_entry)
        self._predicates: dict[tuple, tuple] = {}  # see check_model

    def marked_values(self) -> list:
        """Every scalar value with `${` or `{{` in its text, in text order: the placeholder and
        the template checks both start from these (one walk of the tree). Each item is a (path,
        node), or a provider entry (path, node, None) whose scalars are walked only when the
        checks of that provider are not already known (see `provider_scalars`)."""
        if self._marked is None:
            self._marked = list(_marked_segments(self.doc.root))
        return self._marked

    def per_entry(self, phase: str, path: Path, entry: Any, work: Callable[[], T], *context: Any) -> T:
        """work(): the `phase` checks of the provider entry at `path` (providers.API[i]), which
        report through `add` and return a value that depends on nothing but the entry, the
        pass's release and environment, and `context` (what else they read of the file). With
        a session's cache, what the previous pass reported and returned for an equal entry and
        context is replayed instead. Reports are kept as calls (paths, not lines), so lines and
        columns are always the current ones. `entry` None: the checks read the entry's nodes."""
        key = self.cache.entry_key(self.doc, path, entry) if self.cache is not None else None
        if key is None:
            return work()
        found = self.cache.get(phase, path, key, context)
        if found is None:
            outer, self._recording = self._recording, []
            try:
                result = work()
            finally:
                calls, self._recording = self._recording, outer
            found = (calls, result)
        else:
            for args, kwargs in found[0]:
                self.add(*args, **kwargs)
        self.cache.put(phase, path, key, context, *found)
        return found[1]

    def once(self, name: Hashable, compute: Callable[[], T]) -> T:
        """A value derived from the whole file, computed once per pass (several rules ask)."""
        if name not in self._once:
            self._once[name] = compute()
        return self._once[name]

    def add(
        self, severity: Severity, code: str, path: Path, message: str, *,
        key: bool = False, column_offset: int = 0, at: tuple[int, int] | None = None,
    ) -> None:  # fmt: skip
        """Report at `path` (its key with `key=True`), or at an explicit 1-based (line, column)."""
        if self._recording is not None:  # (before the check for repeats: a replay starts from other reports)
            self._recording.append(((severity, code, path, message), {"key": key, "column_offset": column_offset, "at": at}))
        marker = (code, path, message)
        if marker in self._seen:
            return
        self._seen.add(marker)
        line, column = at or self.doc.position(path, key=key)
        self.diagnostics.append(Diagnostic(severity, code, path, line, column + column_offset, message))
        self.markers.append(marker)

    def merge_reports(self, at: int, diagnostics: list[Diagnostic], markers: list[tuple]) -> None:
        """Put the reports of another pass that ran one rule module (on the second core; its
        diagnostics and markers) at index `at` of this pass's, where this pass would have made
        them, and drop the repeats `add` would have dropped across the two: theirs of a report
        made before `at`, ours after `at` of one of theirs. Neither side repeats itself."""
        before = set(self.markers[:at])
        theirs = [(d, m) for d, m in zip(diagnostics, markers) if m not in before]
        seen = {m for _, m in theirs}
        after = [(d, m) for d, m in zip(self.diagnostics[at:], self.markers[at:]) if m not in seen]
        self.diagnostics[at:] = [d for d, _ in theirs + after]
        self.markers[at:] = [m for _, m in theirs + after]
        self._seen |= seen

    def provider_scalars(self, phase: str, item: tuple, check: Callable[[Path, Node], None]) -> None:
        """check(path, node) for each marked scalar of one item of `marked_values`."""
        if len(item) == 2:
            check(*item)
            return
        path, node, _ = item
        self.per_entry(phase, path, None, lambda: _each(check, self._marked_in_entry(path, node)))

    def _marked_in_entry(self, path: Path, node: Node) -> list:
        found = self._entry_scalars.get(path)
        if found is None:  # (most provider entries hold no mark: they are not walked)
            if self._marks_at is None:
                self._marks_at = WordsAt(self.doc.text, _MARKS)
            found = self._entry_scalars[path] = (list(string_scalars(node, path, marks=_MARKS)) if self._marks_at.may_hold(node) else None) or _NONE_MARKED
        return found

    def resolved(self, value: Any) -> Any:
        """The value the server will see (placeholders substituted from the environment)."""
        if not has_placeholder(value):
            return value
        return resolve(value, self.env).value

    def unresolvable(self, value: Any) -> bool:
        """A `${env.X}` whose variable is unset: env-unset reports it, and its value is only
        known at run time, so rules about the value must not judge the None it resolves to."""
        return has_placeholder(value) and bool(resolve(value, self.env).missing)

    # -- checking a mapping against a schema model -----------------------------------------

    def schema_of(self, model: str | dict, root: dict | None = None) -> tuple[dict, dict]:
        """(schema, root for its $refs): a `$defs` name of the release's config model, or a
        schema (a provider config class's own is its own root)."""
        if isinstance(model, dict):
            return model, root or model
        return self.release.definition(model), self.release.schema

    def check_unknown_keys(
        self, model: str | dict, value: dict, path: Path, what: str | Callable[[], str], extra_known: Iterable[str] = (), *, root: dict | None = None,
    ) -> None:  # fmt: skip
        """Warn about keys the schema does not have: the server ignores them. `what` names the
        mapping in the message (a function: made only when there is a message)."""
        schema, root = self.schema_of(model, root)
        schema = schema_value(schema, root)
        if isinstance(schema.get("additionalProperties"), dict):
            return  # a free-form mapping (headers, claims) takes any key
        properties = schema.get("properties", {})
        if all(key in properties for key in value):
            return  # (nearly every mapping: nothing unknown, no set of names to make)
        known = set(properties) | set(extra_known)
        for key in value:
            if key in known:
                continue
            hint = did_you_mean(key, known)
            suggestion = f"; did you mean '{hint}'?" if hint else f"; known fields: {', '.join(sorted(known))}"
            what = what() if callable(what) else what
            self.add(
                "warning",
                "unknown-key",
                path + (key,),
                f"{what} has no field '{key}', so {self.release.name} ignores it{suggestion}",
                key=True,
            )

    def substituted(self, value: Any, loc: tuple = ()) -> tuple[Any, dict[tuple, Resolution]]:
        """`value` as the server sees it after substituting placeholders, and the resolution of
        each substituted place. A placeholder whose variable is unset is left out: env-unset
        reports it, and its value is only known at run time."""
        if not _holds_placeholder(value):
            return value, {}  # (nearly every value: nothing to copy)
        places: dict[tuple, Resolution] = {}
        unknown = object()
        done: dict[int, Any] = {}  # a value shared by YAML aliases is substituted once, not per expansion

        def walk(v: Any, at: tuple) -> Any:
            if isinstance(v, str) and has_placeholder(v):
                r = resolve(v, self.env)
                places[at] = r
                return unknown if r.missing else r.value
            if not isinstance(v, (dict, list)):
                return v
            if id(v) in done:
                return done[id(v)]
            if isinstance(v, dict):
                out: Any = {k: walk(item, at + (k,)) for k, item in v.items()}
                out = {k: item for k, item in out.items() if item is not unknown}
            else:
                out = [item for item in (walk(x, at + (i,)) for i, x in enumerate(v)) if item is not unknown]
            done[id(v)] = out
            return out

        try:
            result = walk(value, loc)
        finally:
            # a nested function that calls itself is a reference cycle, which would keep this
            # context and its document alive until a collection (one-shot commands run none)
            del walk
        return (None if result is unknown else result), places

    def check_model(
        self, model: str | dict, value: Any, path: Path, what: str, *, skip: Iterable[str] = (), root: dict | None = None,
    ) -> bool:  # fmt: skip
        """Check `value` against a schema, as the server will see it (placeholders substituted);
        report each problem at its own field. Skipped fields are checked elsewhere (they are not
        missing either). True when valid."""
        if not isinstance(value, dict):
            self.add("error", "wrong-type", path, f"{format_path(path)} must be a mapping, not {show(value)}")
            return False
        # (asked 150,000 times on a large file: the predicate of a model and its skipped fields
        # is found with one look-up, and a value with no placeholder is checked as it is; the
        # entry holds the model and root, so their ids stay theirs)
        key = (id(model), id(root), skip) if isinstance(skip, tuple) else None
        fast = self._predicates.get(key) if key is not None else None
        if fast is not None:
            view = {k: v for k, v in value.items() if k not in skip} if skip else value
            if not _holds_placeholder(view) and fast[2](view):
                return True
        given_root = root
        schema, root = self.schema_of(model, root)
        skipped = set(skip)
        view, places = self.substituted({k: v for k, v in value.items() if k not in skipped} if skipped else value)
        if skipped:
            schema = without_required(schema, root, skip)
        predicate = compiled(schema, root)
        if key is not None:
            self._predicates[key] = (model, given_root, predicate)
        if not places and predicate(view):
            return True  # (nearly every value: nothing to explain, nothing to filter)
        unresolved = {loc for loc, r in places.items() if r.missing}
        issues = [
            # a password-named field is a secret even where the release types it as a plain str
            replace(i, secret=True) if not i.secret and is_secret_path(path + i.loc) else i
            for i in check(schema, view, root)
            if not (i.kind == "missing" and (i.loc[0] in skipped or i.loc in unresolved))
        ]  # fmt: skip
        for issue in issues:
            resolution = places.get(issue.loc)
            if resolution is not None and issue.kind != "missing":
                self.report_resolved(issue, path, resolution)
            else:
                self.report(issue, path, what=what)
        return not issues

    def report_resolved(self, issue: SchemaIssue, path: Path, resolution: Resolution) -> None:
        field = path + issue.loc
        self.add(
            "error",
            "env-resolved-invalid",
            field,
            f"{format_path(field)} resolves to {describe_resolution(resolution, secret=issue.secret)}, but it must be "
            f"{with_article(issue.expected)}" + _retyped_note(issue, resolution),
        )

    def report(self, issue: SchemaIssue, path: Path, code: str | None = None, prefix: str = "", what: str = "") -> None:
        field_path = path + issue.loc
        if issue.kind == "missing":
            parent = field_path[:-1]
            self.add("error", "missing-field", parent, f"{format_path(parent) or what or 'the value'} is missing the required field '{field_path[-1]}'", key=True)
        elif issue.kind == "invalid-value":
            subject = f"{format_path(field_path)}: {what}" if what and not issue.loc else format_path(field_path)
            self.add("error", code or "invalid-value", field_path, f"{subject} {issue.detail}")
        else:
            self.add("error", code or issue.kind, field_path, f"{format_path(field_path)} {prefix}must be {with_article(issue.expected)}, not {show(issue.value, secret=issue.secret)}")

    def expected_at(self, model: str, key: str) -> str:
        """Words for what field `key` of schema model `model` expects."""
        schema, root = self.schema_of(model)
        field = schema.get("properties", {}).get(key)
        return with_article(describe(field, root)) if field else "valid"
