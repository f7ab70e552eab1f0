"""Which schema field a path in a config is, so edits and help text can use its type and description."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any, Literal, Union

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .schema.backends import BACKEND_MODELS
from .schema.references import KVStoreReference, ResponsesStoreReference, SqlStoreReference
from .schema.server import AUTH_PROVIDER_MODELS, AuthConfig, QuotaConfig, ServerConfig
from .schema.stores import STORE_REFERENCE_MODELS
from .schema.types import type_tag_of
from .yamlpath import Path


@dataclass(frozen=True)
class Field:
    model: type[BaseModel]
    name: str
    info: FieldInfo

    @property
    def description(self) -> str:
        return self.info.description or ""

    @property
    def secret(self) -> bool:
        extra = self.info.json_schema_extra
        return isinstance(extra, dict) and bool(extra.get("secret"))

    def scalar_kinds(self) -> set[str]:
        """The plain types the field accepts: subset of {"str", "int", "float", "bool", "null", "other"}."""
        return _kinds(self.info.annotation)


def _kinds(tp: Any) -> set[str]:
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _kinds(typing.get_args(tp)[0])
    if origin in (Union, getattr(__import__("types"), "UnionType")):
        out: set[str] = set()
        for arg in typing.get_args(tp):
            out |= _kinds(arg)
        return out
    if origin is Literal:
        return {"str" if isinstance(v, str) else "other" for v in typing.get_args(tp)}
    names = {str: "str", int: "int", float: "float", bool: "bool", type(None): "null"}
    return {names.get(tp, "other")}


def model_for(data: dict, path: Path) -> type[BaseModel] | None:
    """The schema model of the mapping at `path` (None where we have no schema)."""
    if path == ("server",):
        return ServerConfig
    if path == ("server", "quota"):
        return QuotaConfig
    if path == ("server", "quota", "kvstore"):
        return KVStoreReference
    if path == ("server", "auth"):
        return AuthConfig
    if path == ("server", "auth", "provider_config"):
        return AUTH_PROVIDER_MODELS.get(type_tag_of(_get(data, path)) or "")
    if len(path) == 3 and path[:2] == ("storage", "backends"):
        return BACKEND_MODELS.get(type_tag_of(_get(data, path)) or "")
    if len(path) == 3 and path[:2] == ("storage", "stores"):
        return STORE_REFERENCE_MODELS.get(str(path[2]))
    if path and path[0] == "providers":
        from .references import find_references

        for ref in find_references(data):
            if ref.path == path:
                if ref.family == "kv":
                    return KVStoreReference
                return ResponsesStoreReference if path[-2:] == ("persistence", "responses") else SqlStoreReference
    return None


def field_at(data: dict, path: Path) -> Field | None:
    if not path or not isinstance(path[-1], str):
        return None
    model = model_for(data, path[:-1])
    if model is None or path[-1] not in model.model_fields:
        return None
    return Field(model, path[-1], model.model_fields[path[-1]])


def _get(data: Any, path: Path) -> Any:
    for part in path:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and -len(data) <= part < len(data):
            data = data[part]
        else:
            return None
    return data
