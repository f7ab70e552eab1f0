"""Text an operator types, read as the type of the field it goes into (the target release's
schema, model/releases/fields.py), for `set` and the editor's inputs."""

from __future__ import annotations

from typing import Any

from .envvars import has_placeholder
from .errors import ParseError
from .redaction import MASK, mask_quoted
from .releases import Release
from .releases.fields import SchemaField, field_at
from .schema_check import check, with_article
from .yamlpath import Path
from .yamlparse import parse

__all__ = ["SchemaField", "parse_text", "parse_checked", "parse_value", "set_typed"]


def parse_text(text: str, field: Any) -> Any:
    """Text an operator typed, as the field's type: a string field keeps `0777` a string;
    elsewhere YAML rules apply (`8322` is a number, `{type: kv_sqlite}` a mapping).
    `field` is anything with `scalar_kinds()` (a SchemaField), or None."""
    kinds = field.scalar_kinds() if field else set()
    if kinds and "string" in kinds and not kinds & {"integer", "number", "boolean"} and not text.startswith(("'", '"')):
        return text
    if text == "":
        return "" if "string" in kinds else None
    if not text.strip():
        # (parsed, blank text is "an empty file": say what is wrong with the value instead)
        raise ValueError("is only blank space: type a value, or clear the field to remove it")
    try:
        return parse(text).value
    except ParseError as exc:
        problem = mask_quoted(exc.message) if _is_secret(field) else exc.message
        raise ValueError(f"cannot read the value {_quoted(text, field)}: {problem}") from None


def parse_checked(text: str, field: SchemaField) -> Any:
    """`parse_text`, then the field's schema: `abc` for a port is refused here (ValueError saying
    what the field takes) instead of being written as a string. Placeholders always pass."""
    value = parse_text(text, field)
    if has_placeholder(value):
        return value  # its value is known only once substituted: validation judges that
    issues = check(field.schema, value, field.root)
    if issues:
        raise ValueError(f"must be {with_article(issues[0].expected or 'valid')}, not {_quoted(text, field)}")
    return value


def _is_secret(field: Any) -> bool:
    return bool(getattr(field, "secret", False))


def _quoted(text: str, field: Any) -> str:
    """`text` as a message quotes it: masked when it goes into a secret field."""
    return f"'{MASK}'" if _is_secret(field) else repr(text)


def parse_value(text: str, data: dict, path: Path, release: Release) -> Any:
    """`parse_text` for the field at `path` of a config, as `release` types it."""
    return parse_text(text, field_at(release, data, path))


def set_typed(doc: Any, path: Path, value: Any, text: str) -> None:
    """Set `value` (read from `text`) at `path`, spelled as typed when a number reads the same
    in another spelling (`0x10`, `1_000`): YAML 1.1 reads `0x10` as 16 and the server sees 16,
    but the operator wrote hexadecimal and the file keeps it."""
    doc.set(path, value)
    typed = text.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and typed != str(value):
        doc.respell(path, typed)
