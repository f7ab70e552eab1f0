"""Field types that also accept an environment placeholder.

Upstream substitutes `${env.NAME...}` before it validates, so in a file on disk an integer
field may hold `${env.PG_PORT:=5432}`. `Env[int]` accepts both: a real integer (checked as
usual, with its constraints) or any string that contains a placeholder (kept as written).
Anything else fails with pydantic's normal error for the inner type, at the field's own
location: `port: "abc"` gives one error, loc `('port',)`, "Input should be a valid integer...".

    port: EnvPort = 5432
    pool_size: env_int(ge=1) = 10
    verify_tls: EnvBool = True
    period: Env[Literal["day"]] = "day"

Use `env_int(ge=..., le=...)` (or `Env[Annotated[int, Ge(0)]]`) for constrained numbers;
never put numeric constraints on the `Field(...)` of an Env type, they would be checked
against the placeholder string too.
"""

from __future__ import annotations

import types
import typing
from typing import Annotated, Any, Literal, Union

import annotated_types as at
from pydantic import BaseModel
from pydantic_core import PydanticCustomError, core_schema

from model.facts import placeholder_hint, type_tag_of  # noqa: F401  (re-exported)

from model.envvars import has_placeholder

__all__ = [
    "PLACEHOLDER_JSON_SCHEMA",
    "ChooseByType",
    "Env",
    "EnvBool",
    "EnvFloat",
    "EnvInt",
    "EnvNonNegativeInt",
    "EnvPlaceholder",
    "EnvPort",
    "EnvPositiveInt",
    "EnvStr",
    "describe_type",
    "env_int",
    "expected_type_name",
    "placeholder_hint",
    "type_tag_of",
]

# JSON schema of "a string holding at least one ${env.NAME} placeholder".
PLACEHOLDER_JSON_SCHEMA: dict[str, Any] = {
    "type": "string",
    "pattern": r"\$\{env\.[A-Z0-9_]+([:][=+][^}]*)?\}",
    "description": "Environment placeholder, substituted when the server starts",
}


def _keep_placeholder(value: Any, handler: core_schema.ValidatorFunctionWrapHandler) -> Any:
    if isinstance(value, str) and has_placeholder(value):
        return value
    return handler(value)


def _as_written(value: Any) -> Any:
    return value


class EnvPlaceholder:
    """Annotated marker: the value may also be a string containing an env placeholder.

    `expected` is the human name of the inner type ("integer from 1 to 65535"), used by
    `expected_type_name` to turn pydantic errors into our own messages.
    """

    __slots__ = ("expected",)

    def __init__(self, expected: str) -> None:
        self.expected = expected

    def __repr__(self) -> str:
        return f"EnvPlaceholder(expected={self.expected!r})"

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_wrap_validator_function(
            _keep_placeholder,
            handler(source),
            # Scalars only: a placeholder string in an int field must not warn when dumped.
            serialization=core_schema.plain_serializer_function_ser_schema(_as_written),
        )

    def __get_pydantic_json_schema__(self, schema: core_schema.CoreSchema, handler: Any) -> dict[str, Any]:
        inner = handler(schema)
        return {"anyOf": [inner, dict(PLACEHOLDER_JSON_SCHEMA)]}


class _EnvFactory:
    """`Env[T]`: T, or a string with an env placeholder. T may be `Annotated[...]`."""

    def __getitem__(self, tp: Any) -> Any:
        return Annotated[tp, EnvPlaceholder(describe_type(tp))]


Env = _EnvFactory()


def env_int(*, ge: int | None = None, le: int | None = None, expected: str | None = None) -> Any:
    """An Env integer with inclusive bounds, e.g. `env_int(ge=1024, le=65535)`."""
    meta: list[Any] = []
    if ge is not None:
        meta.append(at.Ge(ge))
    if le is not None:
        meta.append(at.Le(le))
    inner = Annotated[(int, *meta)] if meta else int  # type: ignore[misc]
    return Annotated[inner, EnvPlaceholder(expected or describe_type(inner))]


# --------------------------------------------------------------------------- type names

_SCALAR_NAMES: dict[Any, str] = {
    int: "integer",
    bool: "boolean",
    str: "string",
    float: "number",
    type(None): "null",
}


def _bounds(base: str, metadata: list[Any]) -> str:
    lo = hi = None
    lo_strict = hi_strict = False
    extra: list[str] = []
    for m in metadata:
        if isinstance(m, at.Ge):
            lo = m.ge
        elif isinstance(m, at.Gt):
            lo, lo_strict = m.gt, True
        elif isinstance(m, at.Le):
            hi = m.le
        elif isinstance(m, at.Lt):
            hi, hi_strict = m.lt, True
        elif isinstance(m, at.Interval):
            if m.ge is not None:
                lo = m.ge
            if m.gt is not None:
                lo, lo_strict = m.gt, True
            if m.le is not None:
                hi = m.le
            if m.lt is not None:
                hi, hi_strict = m.lt, True
        elif isinstance(m, at.MaxLen):
            extra.append(f"at most {m.max_length} characters")
    if lo is not None and hi is not None and not lo_strict and not hi_strict:
        base = f"{base} from {lo} to {hi}"
    else:
        if lo is not None:
            base = f"{base} {'>' if lo_strict else '>='} {lo}"
        if hi is not None:
            base = f"{base} {'<' if hi_strict else '<='} {hi}"
    if extra:
        base = f"{base} ({', '.join(extra)})"
    return base


def describe_type(tp: Any, metadata: list[Any] | tuple[Any, ...] = ()) -> str:
    """A short English name for an annotation: "integer", "integer from 1 to 65535", ..."""
    for m in metadata:
        if isinstance(m, EnvPlaceholder):
            return m.expected
    origin = typing.get_origin(tp)
    if origin is Annotated:
        base, *inner_meta = typing.get_args(tp)
        return describe_type(base, [*inner_meta, *metadata])
    if origin is Literal:
        values = typing.get_args(tp)
        if len(values) == 1:
            return f"the value {values[0]!r}"
        return "one of " + ", ".join(repr(v) for v in values)
    if origin in (Union, types.UnionType):
        parts = [a for a in typing.get_args(tp) if a is not type(None)]
        names: list[str] = []
        for a in parts:
            name = describe_type(a)
            if name not in names:
                names.append(name)
        return " or ".join(names)
    if origin in (dict, typing.Mapping) or tp is dict:
        return "mapping"
    if origin in (list, tuple, set) or tp in (list, tuple):
        return "list"
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return "mapping"
    if tp in _SCALAR_NAMES:
        return _bounds(_SCALAR_NAMES[tp], list(metadata))
    if tp is Any:
        return "any value"
    return getattr(tp, "__name__", str(tp))


def expected_type_name(model_cls: type[BaseModel], field_name: str) -> str:
    """What a field expects, in words: "integer", "boolean", "integer from 1 to 65535"."""
    info = model_cls.model_fields[field_name]
    return describe_type(info.annotation, info.metadata)


# --------------------------------------------------------------------------- choice by `type:`


class ChooseByType:
    """Annotated marker: validate a mapping with the model its `type:` names.

    Like a pydantic discriminated union, but errors keep plain locations (no tag segment:
    `('backends', 'kv_default', 'port')`, not `(..., 'kv_redis', 'port')`), a placeholder in
    `type:` picks the model its default names, and the JSON schema lists the choices.

        BackendConfig = Annotated[Union[A, B], ChooseByType({"a": A, "b": B}, "backend")]
    """

    __slots__ = ("models", "what")

    def __init__(self, models: dict[str, type[BaseModel]], what: str) -> None:
        self.models = models
        self.what = what

    def _expected(self) -> str:
        return ", ".join(repr(name) for name in self.models)

    def _validate(self, value: Any) -> Any:
        if isinstance(value, tuple(self.models.values())):
            return value
        if not isinstance(value, dict):
            raise PydanticCustomError(
                "dict_type",
                "Input should be a mapping with a 'type' key naming the {what}",
                {"what": self.what},
            )
        tag = type_tag_of(value)
        if tag is None:
            raw = value.get("type")
            if raw is None:
                message = "Missing 'type': the {what} type must be one of {expected_tags}"
            else:
                message = "Cannot tell the {what} type from 'type': '{raw}'; expected one of {expected_tags}"
            raise PydanticCustomError(
                "union_tag_not_found",
                message,
                {"discriminator": "'type'", "what": self.what, "raw": raw, "expected_tags": self._expected()},
            )
        model = self.models.get(tag)
        if model is None:
            raise PydanticCustomError(
                "union_tag_invalid",
                "Unknown {what} type '{tag}'; expected one of {expected_tags}",
                {"discriminator": "'type'", "what": self.what, "tag": tag, "expected_tags": self._expected()},
            )
        # A ValidationError raised here is merged into the caller's, locations relative
        # to this value.
        return model.model_validate(value)

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            self._validate, json_schema_input_schema=handler(source)
        )


# --------------------------------------------------------------------------- aliases

EnvStr = str  # a placeholder is already a string
EnvInt = Env[int]
EnvFloat = Env[float]
EnvBool = Env[bool]
EnvPort = env_int(ge=1, le=65535)
EnvNonNegativeInt = env_int(ge=0)
EnvPositiveInt = env_int(ge=1)
