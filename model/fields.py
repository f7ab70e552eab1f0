"""Which schema field a path in a config is, so edits and help text can use its type and description."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .config_schema import load
from .errors import ParseError
from .facts import AUTH_MODEL_NAMES, BACKEND_MODEL_NAMES, STORE_MODEL_NAMES, type_tag_of
from .schema_check import check, describe, scalar_kinds, with_article
from .yamlpath import Path
from .yamltree import parse


@dataclass(frozen=True)
class SchemaField:
    """One field's JSON schema, with what forms and `set` need to know about it."""

    schema: dict

    @property
    def description(self) -> str:
        return self.schema.get("description", "")

    @property
    def secret(self) -> bool:
        return bool(self.schema.get("secret"))

    @property
    def default(self) -> Any:
        return self.schema.get("default")

    def expected(self) -> str:
        return describe(self.schema, load())

    def scalar_kinds(self) -> set[str]:
        """JSON types the field accepts (placeholders aside): subset of string, integer, number, boolean, null, ..."""
        return scalar_kinds(self.schema, load())


@dataclass(frozen=True)
class Field(SchemaField):
    model: str = ""  # name of the schema model (a `$defs` entry)
    name: str = ""


def reference_model(path: Path, family: str) -> str:
    """Schema model of a provider or quota reference."""
    if family == "kv":
        return "KVStoreReference"
    # agents/responses providers keep responses with the same write-queue knobs as the store
    return "ResponsesStoreReference" if path[-2:] == ("persistence", "responses") else "SqlStoreReference"


def model_for(data: dict, path: Path) -> str | None:
    """The schema model of the mapping at `path` (None where we have no schema)."""
    fixed = {
        ("server",): "ServerConfig",
        ("server", "quota"): "QuotaConfig",
        ("server", "quota", "kvstore"): "KVStoreReference",
        ("server", "auth"): "AuthConfig",
        ("server", "cors"): "CORSConfig",
        ("storage",): "StorageConfig",
        ("storage", "stores"): "StoresConfig",
    }
    if path in fixed:
        return fixed[path]
    if path == ("server", "auth", "provider_config"):
        return AUTH_MODEL_NAMES.get(type_tag_of(_get(data, path)) or "")
    if len(path) == 3 and path[:2] == ("storage", "backends"):
        return BACKEND_MODEL_NAMES.get(type_tag_of(_get(data, path)) or "")
    if len(path) == 3 and path[:2] == ("storage", "stores"):
        return STORE_MODEL_NAMES.get(str(path[2]))
    if path and path[0] == "providers":
        from .references import find_references

        for ref in find_references(data):
            if ref.path == path:
                return reference_model(path, ref.family)
    return None


def field_at(data: dict, path: Path) -> Field | None:
    if not path or not isinstance(path[-1], str):
        return None
    model = model_for(data, path[:-1])
    if model is None:
        return None
    properties = load()["$defs"][model].get("properties", {})
    if path[-1] not in properties:
        return None
    return Field(properties[path[-1]], model=model, name=path[-1])


def parse_text(text: str, field: Any) -> Any:
    """Text an operator typed, as the field's type: a string field keeps `0777` a string;
    elsewhere YAML rules apply (`8322` is a number, `{type: kv_sqlite}` a mapping).
    `field` is anything with `scalar_kinds()` (a Field or a form's field spec), or None."""
    kinds = field.scalar_kinds() if field else set()
    if kinds and "string" in kinds and not kinds & {"integer", "number", "boolean"} and not text.startswith(("'", '"')):
        return text
    if text == "":
        return "" if "string" in kinds else None
    try:
        return parse(text).value
    except ParseError as exc:
        raise ValueError(f"cannot read the value {text!r}: {exc.message}") from None


def parse_checked(text: str, field: Any) -> Any:
    """`parse_text`, then the field's schema: `abc` for a port is refused here (ValueError saying
    what the field takes) instead of being written as a string. `field` needs `.schema` and
    `scalar_kinds()`; placeholders always pass."""
    value = parse_text(text, field)
    issues = check(field.schema, value, load())
    if issues:
        raise ValueError(f"must be {with_article(issues[0].expected or 'valid')}, not {text!r}")
    return value


def parse_value(text: str, data: dict, path: Path) -> Any:
    """`parse_text` for the field at `path` of a config."""
    return parse_text(text, field_at(data, path))


def _get(data: Any, path: Path) -> Any:
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and -len(data) <= part < len(data):
            data = data[part]
        else:
            return None
    return data
