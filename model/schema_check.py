"""Check a value against the generated JSON Schema, the way pydantic would.

Only the parts of JSON Schema our generated schema uses are understood ($ref, anyOf, type,
const, enum, bounds, pattern, lengths, properties, required, additionalProperties, items,
and our `x-exactly-one-of`). Types are checked with pydantic's lax-mode coercions, because
that is how the server reads the file: "5432" is a valid port, 5432 is not a valid string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Iterable

from .schema_fastpath import accepts



@dataclass(frozen=True)
class SchemaIssue:
    loc: tuple  # path inside the checked value
    kind: str  # "missing", "wrong-type", "out-of-range" or "invalid-value"
    expected: str  # what the schema wants, in words ("integer from 1 to 65535")
    value: Any = None
    detail: str = ""  # for invalid-value: the rule that failed, in words
    secret: bool = False  # the field is a password: messages must not quote `value`


_BOOL_WORDS = {
    **dict.fromkeys(("0", "off", "f", "false", "n", "no"), False),
    **dict.fromkeys(("1", "on", "t", "true", "y", "yes"), True),
}
_INT_TEXT = re.compile(r"^\s*[+-]?\d+\s*$")
_NUMBER_TEXT = re.compile(r"^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$")


def _resolve(schema: dict, root: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        extra = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**root["$defs"][name], **extra} if extra else root["$defs"][name]
    return schema


_WITHOUT: dict[tuple, tuple[dict, dict]] = {}  # (id(schema), id(root), skip) -> (schema, the variant); holding keeps ids unique


def without_required(schema: dict, root: dict, skip: Iterable[str]) -> dict:
    """`schema` (an object's) as it judges a value whose `skip` fields were left out to be
    checked elsewhere: they are not required. So the compiled predicate can accept that value
    at once, instead of refusing it and having the interpreter explain a `missing` that the
    caller then drops."""
    key = (id(schema), id(root), tuple(skip))
    hit = _WITHOUT.get(key)
    if hit is not None:
        return hit[1]
    resolved = _resolve(schema, root)
    required = resolved.get("required")
    variant = resolved
    if isinstance(required, list) and any(name in key[2] for name in required):
        variant = {**resolved, "required": [name for name in required if name not in key[2]]}
    _WITHOUT[key] = (schema, variant)
    return variant


def is_secret_schema(schema: dict) -> bool:
    """Our own `secret` mark, or pydantic's for SecretStr (writeOnly, format password)."""
    return bool(schema.get("secret") or schema.get("writeOnly") or schema.get("format") == "password")


def is_placeholder_branch(schema: dict) -> bool:
    return schema.get("type") == "string" and "env" in schema.get("pattern", "") and "placeholder" in schema.get("description", "")


@lru_cache(maxsize=256)
def _pattern(text: str) -> re.Pattern:
    return re.compile(text)


def coerce(kind: str, value: Any) -> tuple[bool, Any]:
    """pydantic lax mode: (accepted, value as the field will hold it)."""
    if kind == "null":
        return value is None, value
    if kind == "string":
        return isinstance(value, str), value
    if kind == "boolean":
        if isinstance(value, bool):
            return True, value
        if isinstance(value, int) and value in (0, 1):
            return True, bool(value)
        if isinstance(value, str) and value.strip().lower() in _BOOL_WORDS:
            return True, _BOOL_WORDS[value.strip().lower()]
        return False, value
    if kind == "integer":
        if isinstance(value, bool):
            return False, value
        if isinstance(value, int):
            return True, value
        if isinstance(value, float) and value.is_integer():
            return True, int(value)
        if isinstance(value, str) and _INT_TEXT.match(value):
            return True, int(value)
        return False, value
    if kind == "number":
        if isinstance(value, bool):
            return False, value
        if isinstance(value, (int, float)):
            return True, value
        if isinstance(value, str) and _NUMBER_TEXT.match(value):
            return True, float(value)
        return False, value
    if kind == "object":
        return isinstance(value, dict), value
    if kind == "array":
        return isinstance(value, list), value
    return True, value


def check(schema: dict, value: Any, root: dict, loc: tuple = ()) -> list[SchemaIssue]:
    """Every issue of `value` against `schema`. A valid value (nearly every one) is told by
    the schema's compiled predicate (schema_fastpath); only an invalid one is explained."""
    if accepts(schema, root, value):
        return []
    return _check(schema, value, root, loc)


def _check(schema: dict, value: Any, root: dict, loc: tuple = ()) -> list[SchemaIssue]:
    schema = _resolve(schema, root)
    issues = _check_resolved(schema, value, root, loc)
    if is_secret_schema(schema):
        return [replace(issue, secret=True) for issue in issues]
    return issues


def _check_resolved(schema: dict, value: Any, root: dict, loc: tuple) -> list[SchemaIssue]:
    if "oneOf" in schema:
        return _check_one_of(schema, value, root, loc)
    if "allOf" in schema:
        return [issue for part in schema["allOf"] for issue in _check(part, value, root, loc)]
    if "anyOf" in schema:
        return _check_any_of(schema, value, root, loc)
    kind = schema.get("type")
    if kind is not None:
        ok, value = coerce(kind, value)
        if not ok:
            return [SchemaIssue(loc, "wrong-type", describe(schema, root), value)]
    if "const" in schema and value != schema["const"]:
        return [SchemaIssue(loc, "out-of-range", describe(schema, root), value)]
    if "enum" in schema and value not in schema["enum"]:
        return [SchemaIssue(loc, "out-of-range", describe(schema, root), value)]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        low, high = schema.get("minimum"), schema.get("maximum")
        xlow, xhigh = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
        if (low is not None and value < low) or (high is not None and value > high) or (
            xlow is not None and value <= xlow) or (xhigh is not None and value >= xhigh):  # fmt: skip
            return [SchemaIssue(loc, "out-of-range", describe(schema, root), value)]
    if isinstance(value, str):
        if ("maxLength" in schema and len(value) > schema["maxLength"]) or ("minLength" in schema and len(value) < schema["minLength"]):
            return [SchemaIssue(loc, "out-of-range", describe(schema, root), value)]
        if "pattern" in schema and not _pattern(schema["pattern"]).search(value):
            return [SchemaIssue(loc, "invalid-value", describe(schema, root), value, f"does not match the pattern {schema['pattern']}")]
    if isinstance(value, dict):
        return _check_object(schema, value, root, loc)
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        issues: list[SchemaIssue] = []
        for index, item in enumerate(value):
            issues += _check(schema["items"], item, root, loc + (index,))
        return issues
    return []


def _check_object(schema: dict, value: dict, root: dict, loc: tuple) -> list[SchemaIssue]:
    issues: list[SchemaIssue] = []
    properties = schema.get("properties", {})
    for name in schema.get("required", ()):
        if name not in value:
            issues.append(SchemaIssue(loc + (name,), "missing", describe(properties.get(name, {}), root)))
    extra = schema.get("additionalProperties")
    for key, item in value.items():
        sub = properties.get(key)
        if sub is None and isinstance(extra, dict):
            sub = extra
        if sub is not None:
            issues += _check(sub, item, root, loc + (key,))
    group = schema.get("x-exactly-one-of")
    if group:
        present = [name for name in group if value.get(name) is not None]
        if len(present) != 1:
            help_ = schema.get("x-exactly-one-of-help", {})
            names = " or ".join(f"'{n}'" + (f" ({help_[n]})" if n in help_ else "") for n in group)
            detail = f"needs exactly one of {names}; " + ("both are set, remove one" if present else "neither is set")
            issues.append(SchemaIssue(loc, "invalid-value", "", None, detail))
    return issues


def _check_one_of(schema: dict, value: Any, root: dict, loc: tuple) -> list[SchemaIssue]:
    """pydantic's tagged unions: the discriminator field picks the branch."""
    tag = schema.get("discriminator") or {}
    field, mapping = tag.get("propertyName"), tag.get("mapping") or {}
    if field and isinstance(value, dict):
        chosen = mapping.get(value.get(field)) if isinstance(value.get(field), str) else None
        if chosen is None:
            if field not in value:
                return [SchemaIssue(loc + (field,), "missing", "one of " + ", ".join(repr(k) for k in mapping))]
            return [SchemaIssue(loc + (field,), "out-of-range", "one of " + ", ".join(repr(k) for k in mapping), value.get(field))]
        return _check({"$ref": chosen}, value, root, loc)
    return _check_any_of({**schema, "anyOf": schema["oneOf"]}, value, root, loc)


def _check_any_of(schema: dict, value: Any, root: dict, loc: tuple) -> list[SchemaIssue]:
    branches = [_resolve(b, root) for b in schema["anyOf"]]
    results = []
    for branch in branches:
        issues = _check(branch, value, root, loc)
        if not issues:
            return []
        results.append((branch, issues))
    # explain with the branch the value was meant for: not the placeholder alternative, and
    # preferably the one whose type matches the value (a mapping for a mapping)
    candidates = [(b, i) for b, i in results if not is_placeholder_branch(b)]
    if len(candidates) > 1:
        typed = [(b, i) for b, i in candidates if coerce(b.get("type", ""), value)[0] and b.get("type")]
        candidates = typed if len(typed) == 1 else []
    if len(candidates) == 1:
        return candidates[0][1]
    return [SchemaIssue(loc, "wrong-type", describe(schema, root), value)]


def _bounds(base: str, schema: dict) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return f"{base} from {low} to {high}"
    if low is not None:
        base = f"{base} >= {low}"
    if schema.get("exclusiveMinimum") is not None:
        base = f"{base} > {schema['exclusiveMinimum']}"
    if high is not None:
        base = f"{base} <= {high}"
    if schema.get("exclusiveMaximum") is not None:
        base = f"{base} < {schema['exclusiveMaximum']}"
    return base


_TYPE_WORDS = {"integer": "integer", "number": "number", "string": "string", "boolean": "boolean", "object": "mapping", "array": "list", "null": "null"}


def with_article(expected: str) -> str:
    """"integer from 1 to 65535" -> "an integer from 1 to 65535"."""
    if expected.startswith(("the ", "one of ")):
        return expected
    return f"{'an' if expected[:1] in 'aeiou' else 'a'} {expected}"


def describe(schema: dict, root: dict) -> str:
    """What a schema accepts, in words; placeholders and null are left unsaid."""
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        words: list[str] = []
        for branch in schema["anyOf"]:
            branch = _resolve(branch, root)
            if is_placeholder_branch(branch) or branch.get("type") == "null":
                continue
            word = describe(branch, root)
            if word not in words:
                words.append(word)
        return " or ".join(words) or "null"
    if "const" in schema:
        return f"the value {schema['const']!r}"
    if "enum" in schema:
        return "one of " + ", ".join(repr(v) for v in schema["enum"])
    kind = schema.get("type")
    base = _TYPE_WORDS.get(kind, "value") if isinstance(kind, str) else "value"
    if kind in ("integer", "number"):
        return _bounds(base, schema)
    if kind == "string" and "maxLength" in schema:
        return f"{base} (at most {schema['maxLength']} characters)"
    return base


def scalar_kinds(schema: dict, root: dict) -> set[str]:
    """JSON types a field accepts, placeholders left out: {"string", "integer", ...}."""
    schema = _resolve(schema, root)
    if "anyOf" in schema:
        out: set[str] = set()
        for branch in schema["anyOf"]:
            branch = _resolve(branch, root)
            if not is_placeholder_branch(branch):
                out |= scalar_kinds(branch, root)
        return out
    kind = schema.get("type")
    if kind is None and "const" in schema:
        return {"string" if isinstance(schema["const"], str) else "other"}
    return {kind} if isinstance(kind, str) else {"other"}
