"""Shared state of one validation pass, and the one place pydantic errors become diagnostics."""

from __future__ import annotations

import difflib
from typing import Any, Iterable

from pydantic import BaseModel, ValidationError

from ..diagnostics import Diagnostic, Severity
from ..document import Document
from ..envvars import Environment, has_placeholder, resolve
from ..schema.types import describe_type
from ..yamlpath import Path, format_path


def did_you_mean(word: Any, choices: Iterable[str]) -> str | None:
    if not isinstance(word, str):
        return None
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return matches[0] if matches else None


def show(value: Any) -> str:
    """A value as it would read in YAML, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
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

    # -- checking a mapping against a schema model -----------------------------------------

    def check_unknown_keys(self, model: type[BaseModel], value: dict, path: Path, what: str, extra_known: Iterable[str] = ()) -> None:
        known = set(model.model_fields) | set(extra_known)
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

    def check_model(self, model: type[BaseModel], value: Any, path: Path, what: str, *, skip: Iterable[str] = ()) -> bool:
        """Validate `value` with `model`; report each error at its own field. True when valid."""
        if not isinstance(value, dict):
            self.add("error", "wrong-type", path, f"{format_path(path)} must be a mapping, not {show(value)}")
            return False
        skipped = set(skip)
        data = {k: v for k, v in value.items() if k not in skipped}
        try:
            model.model_validate(data)
        except ValidationError as exc:
            errors = [
                e for e in exc.errors(include_url=False)
                # a skipped field is checked elsewhere: it is not missing
                if not (e["type"] == "missing" and e["loc"] and e["loc"][0] in skipped)
            ]
            for error in errors:
                self._report(model, data, path, what, error)
            return not errors
        return True

    def _report(self, model: type[BaseModel], data: dict, path: Path, what: str, error: dict) -> None:
        loc = tuple(part for part in error["loc"] if isinstance(part, (str, int)))
        # keep the part of the location that exists in the data (unions add their own names)
        real: Path = ()
        node: Any = data
        for part in loc:
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
                node = node[part]
            elif error["type"] == "missing" and real == loc[: len(real)] and part == loc[-1]:
                real += (part,)
                break
            else:
                break
            real += (part,)
        kind = error["type"]
        field_path = path + real
        field_name = str(real[-1]) if real else what
        if kind == "missing":
            parent = field_path[:-1]
            self.add("error", "missing-field", parent, f"{format_path(parent)} is missing the required field '{field_name}'", key=True)
            return
        expected = _expected(model, real)
        got = error.get("input")
        if kind in _RANGE_ERRORS:
            self.add("error", "out-of-range", field_path, f"{format_path(field_path)} must be {expected}, not {show(got)}")
        elif kind.endswith("_type") or kind.endswith("_parsing") or kind in ("model_type", "dict_type", "list_type"):
            self.add("error", "wrong-type", field_path, f"{format_path(field_path)} must be {expected}, not {show(got)}")
        else:
            message = str(error.get("msg", "invalid value")).removeprefix("Value error, ")
            self.add("error", "invalid-value", field_path, f"{format_path(field_path)}: {message}")


def _expected(model: type[BaseModel], loc: Path) -> str:
    """Words for what the field at `loc` (inside `model`) expects."""
    current: Any = model
    info = None
    for part in loc:
        fields = getattr(current, "model_fields", None)
        if not isinstance(part, str) or not fields or part not in fields:
            break
        info = fields[part]
        current = _model_in(info.annotation)
    if info is None:
        return "valid"
    name = describe_type(info.annotation, info.metadata)
    return name if name.startswith(("the ", "one of ")) else f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _model_in(annotation: Any) -> Any:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
