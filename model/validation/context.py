"""Shared state of one validation pass, and the one place pydantic errors become diagnostics."""

from __future__ import annotations

import difflib
from typing import Any, Iterable

from ..diagnostics import Diagnostic, Severity
from ..document import Document
from ..envvars import Environment, has_placeholder, resolve
from ..config_schema import definition, load
from ..schema_check import SchemaIssue, check, describe, with_article
from ..yamlpath import Path, format_path


def did_you_mean(word: Any, choices: Iterable[str]) -> str | None:
    if not isinstance(word, str):
        return None
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


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


class Context:
    def __init__(self, doc: Document, env: Environment | None, strict_env: bool) -> None:
        self.doc = doc
        self.data: dict = doc.data
        self.env = env or Environment()
        self.strict_env = strict_env  # an env file was given: unset variables are errors
        self.diagnostics: list[Diagnostic] = []
        self._seen: set[tuple] = set()

    def add(
        self, severity: Severity, code: str, path: Path, message: str, *,
        key: bool = False, column_offset: int = 0, at: tuple[int, int] | None = None,
    ) -> None:  # fmt: skip
        """Report at `path` (its key with `key=True`), or at an explicit 1-based (line, column)."""
        marker = (code, path, message)
        if marker in self._seen:
            return
        self._seen.add(marker)
        line, column = at or self.doc.position(path, key=key)
        self.diagnostics.append(Diagnostic(severity, code, path, line, column + column_offset, message))

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

    def check_unknown_keys(self, model: str, value: dict, path: Path, what: str, extra_known: Iterable[str] = ()) -> None:
        """Warn about keys the schema model `model` (a `$defs` name) does not have."""
        known = set(definition(model).get("properties", {})) | set(extra_known)
        for key in value:
            if key in known:
                continue
            hint = did_you_mean(key, known)
            suggestion = f"; did you mean '{hint}'?" if hint else f"; known fields: {', '.join(sorted(known))}"
            self.add(
                "warning",
                "unknown-key",
                path + (key,),
                f"{what} has no field '{key}', so the server ignores it{suggestion}",
                key=True,
            )

    def check_model(self, model: str, value: Any, path: Path, what: str, *, skip: Iterable[str] = ()) -> bool:
        """Check `value` against schema model `model`; report each problem at its own field.
        Skipped fields are checked elsewhere (they are not missing either). True when valid."""
        if not isinstance(value, dict):
            self.add("error", "wrong-type", path, f"{format_path(path)} must be a mapping, not {show(value)}")
            return False
        skipped = set(skip)
        data = {k: v for k, v in value.items() if k not in skipped}
        issues = [i for i in check(definition(model), data, load()) if not (i.kind == "missing" and i.loc[0] in skipped)]
        for issue in issues:
            self.report(issue, path, what=what)
        return not issues

    def report(self, issue: SchemaIssue, path: Path, code: str | None = None, prefix: str = "", what: str = "") -> None:
        field_path = path + issue.loc
        if issue.kind == "missing":
            parent = field_path[:-1]
            self.add("error", "missing-field", parent, f"{format_path(parent)} is missing the required field '{field_path[-1]}'", key=True)
        elif issue.kind == "invalid-value":
            subject = f"{format_path(field_path)}: {what}" if what and not issue.loc else format_path(field_path)
            self.add("error", code or "invalid-value", field_path, f"{subject} {issue.detail}")
        else:
            self.add("error", code or issue.kind, field_path, f"{format_path(field_path)} {prefix}must be {with_article(issue.expected)}, not {show(issue.value, secret=issue.secret)}")


def expected_at(model: str, key: str) -> str:
    """Words for what field `key` of schema model `model` expects."""
    schema = definition(model).get("properties", {}).get(key)
    return with_article(describe(schema, load())) if schema else "valid"
