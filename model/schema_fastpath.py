"""A schema compiled once into a yes/no predicate: does schema_check.check find no issue?

check() interprets the schema for every value (its keywords looked up, a location built at
each level, a list of issues joined at each level): on 50,000 providers that was a third of
validation. Nearly every value is valid, so check() asks this predicate first and interprets
the schema only for a value it refuses, to explain why. The predicate follows check()'s rules
step for step (the same coercions, the same branches); it only needs to be right when it says
yes, because a no goes to the interpreter, which has the last word.
"""

from __future__ import annotations

from typing import Any, Callable

from . import schema_check as _rules  # (imports this module: its names are read at compile time)

Predicate = Callable[[Any], bool]

# (id(schema), id(root)) -> (schema, root, predicate); holding the dicts keeps their ids unique
_COMPILED: dict[tuple[int, int], tuple[dict, dict, Predicate]] = {}


def accepts(schema: dict, root: dict, value: Any) -> bool:
    """True when check(schema, value, root) finds nothing wrong."""
    return compiled(schema, root)(value)


def compiled(schema: dict, root: dict) -> Predicate:
    key = (id(schema), id(root))
    hit = _COMPILED.get(key)
    if hit is not None:
        return hit[2]
    # a schema that refers to itself meets this entry while it is compiled: it forwards
    cell: list[Predicate] = []
    _COMPILED[key] = (schema, root, lambda value: cell[0](value))
    predicate = _compile(_rules._resolve(schema, root), root)
    cell.append(predicate)
    _COMPILED[key] = (schema, root, predicate)
    return predicate


def _compile(schema: dict, root: dict) -> Predicate:
    """schema_check._check_resolved as a predicate."""
    if "oneOf" in schema:
        return _one_of(schema, root)
    if "allOf" in schema:
        parts = [compiled(part, root) for part in schema["allOf"]]
        return lambda value: all(part(value) for part in parts)
    if "anyOf" in schema:
        return _any_of(schema["anyOf"], root)
    steps = _scalar_steps(schema)
    kind = schema.get("type")
    coerce = _rules.coerce
    object_check = _object(schema, root)
    items = compiled(schema["items"], root) if isinstance(schema.get("items"), dict) else None

    def predicate(value: Any) -> bool:
        if kind is not None:
            ok, value = coerce(kind, value)
            if not ok:
                return False
        for step in steps:
            if not step(value):
                return False
        if isinstance(value, dict):
            return object_check(value)
        if items is not None and isinstance(value, list):
            return all(items(item) for item in value)
        return True

    return predicate


def _scalar_steps(schema: dict) -> list[Predicate]:
    """const, enum, numeric bounds, string lengths and pattern: one test each."""
    steps: list[Predicate] = []
    if "const" in schema:
        const = schema["const"]
        steps.append(lambda value: not (value != const))
    if "enum" in schema:
        enum = schema["enum"]
        steps.append(lambda value: value in enum)
    low, high = schema.get("minimum"), schema.get("maximum")
    xlow, xhigh = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
    if (low, high, xlow, xhigh) != (None, None, None, None):

        def in_bounds(value: Any) -> bool:
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                return True
            return not ((low is not None and value < low) or (high is not None and value > high) or (
                xlow is not None and value <= xlow) or (xhigh is not None and value >= xhigh))  # fmt: skip

        steps.append(in_bounds)
    longest, shortest = schema.get("maxLength"), schema.get("minLength")
    if "maxLength" in schema or "minLength" in schema:
        steps.append(lambda value: not isinstance(value, str) or not (
            ("maxLength" in schema and len(value) > longest) or ("minLength" in schema and len(value) < shortest)))  # fmt: skip
    if "pattern" in schema:
        pattern = _rules._pattern(schema["pattern"])
        steps.append(lambda value: not isinstance(value, str) or bool(pattern.search(value)))
    return steps


def _object(schema: dict, root: dict) -> Predicate:
    """schema_check._check_object as a predicate (children compiled when first met)."""
    properties = schema.get("properties", {})
    required = tuple(schema.get("required", ()))
    extra = schema.get("additionalProperties")
    extra = extra if isinstance(extra, dict) else None
    group = schema.get("x-exactly-one-of")
    subs: dict[Any, Predicate] = {}

    def sub_for(key: Any) -> Predicate | None:
        sub = properties.get(key)
        if sub is None:
            sub = extra
        if sub is None:
            return None
        predicate = subs[key] = compiled(sub, root)
        return predicate

    def predicate(value: dict) -> bool:
        for name in required:
            if name not in value:
                return False
        for key, item in value.items():
            sub = subs.get(key)
            if sub is None:
                sub = sub_for(key)
                if sub is None:
                    continue
            if not sub(item):
                return False
        if group:
            return sum(1 for name in group if value.get(name) is not None) == 1
        return True

    return predicate


def _any_of(branches: list, root: dict) -> Predicate:
    parts = [compiled(branch, root) for branch in branches]
    return lambda value: any(part(value) for part in parts)


def _one_of(schema: dict, root: dict) -> Predicate:
    """pydantic's tagged unions: the discriminator field picks the branch."""
    tag = schema.get("discriminator") or {}
    field, mapping = tag.get("propertyName"), tag.get("mapping") or {}
    untagged = _any_of(schema["oneOf"], root)
    if not field:
        return untagged

    def predicate(value: Any) -> bool:
        if not isinstance(value, dict):
            return untagged(value)
        chosen = value.get(field)
        chosen = mapping.get(chosen) if isinstance(chosen, str) else None
        if chosen is None:
            return False
        return _tagged(chosen, root)(value)

    return predicate


def _tagged(ref: str, root: dict) -> Predicate:
    """The branch a discriminator value names (check() resolves {"$ref": ref})."""
    return compiled(root["$defs"][ref.rsplit("/", 1)[-1]], root)
