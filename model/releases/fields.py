"""The schema of any place in a config, for one release: what forms, `set` typing and search read.

    field = field_at(release, data, ("storage", "backends", "kv_default", "db_path"))
    field.expected()     # "string"
    fields_of(release, data, ("server",))   # the server form's rows

The release data is the one declaration of every field; `model/help.py` only adds our own help
where upstream gives none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..facts import type_tag_of
from ..help import help_for
from ..redaction import is_secret_key
from ..schema_check import describe, is_secret_schema, scalar_kinds
from ..yamldata import value_in
from . import Release, schema_value

Path = tuple  # a YAML path: keys and list indexes


@dataclass(frozen=True)
class SchemaField:
    """One field's JSON schema, with the root its `$ref`s point into."""

    schema: dict
    root: dict
    path: Path = ()  # where the field sits in the config (for help and messages)
    key: tuple[str, ...] = ()  # inside the mapping a form edits (one level of nesting: ("jwks", "uri"))
    required: bool = False
    marked_secret: bool = False  # the release marks it (SecretStr, or listed in secret_fields)

    @property
    def name(self) -> str:
        return ".".join(self.key) or (str(self.path[-1]) if self.path else "")

    @property
    def description(self) -> str:
        upstream = self.schema.get("description") or schema_value(self.schema, self.root).get("description")
        return upstream or help_for(self.path)

    @property
    def secret(self) -> bool:
        if self.marked_secret or is_secret_schema(schema_value(self.schema, self.root)):
            return True
        # the one naming rule (model.redaction); a boolean is never a secret (`send_secret_in_body`)
        last = self.key[-1] if self.key else (self.path[-1] if self.path else "")
        return isinstance(last, str) and is_secret_key(last) and "boolean" not in self.scalar_kinds()

    @property
    def default(self) -> Any:
        return self.schema.get("default")

    def expected(self) -> str:
        return describe(self.schema, self.root)

    def scalar_kinds(self) -> set[str]:
        """JSON types the field accepts (placeholders aside): string, integer, number, boolean, null, ..."""
        return scalar_kinds(self.schema, self.root)


def pick(schema: dict, root: dict, value: Any) -> dict:
    """The one object schema `value` is checked against: through `$ref`s, `X | None`, and a
    union chosen by its `type` tag (backends, auth providers)."""
    schema = schema_value(schema, root)
    for _ in range(8):
        if "oneOf" in schema or "anyOf" in schema:
            branches = [schema_value(b, root) for b in schema.get("oneOf") or schema.get("anyOf")]
            branches = [b for b in branches if b.get("type") != "null"]
            mapping = (schema.get("discriminator") or {}).get("mapping") or {}
            tag = type_tag_of(value) if isinstance(value, dict) else None
            if mapping:
                chosen = mapping.get(tag or "")
                if chosen is None:
                    return {}
                schema = schema_value({"$ref": chosen}, root)
            elif len(branches) == 1:
                schema = branches[0]
            else:
                tagged = [b for b in branches if _tag_of(b, root) == tag] if tag else []
                objects = [b for b in branches if b.get("type") == "object" or "properties" in b or "oneOf" in b or "anyOf" in b]
                schema = (tagged or objects or [{}])[0] if len(tagged) == 1 or len(objects) == 1 else {}
        else:
            return schema
    return schema


def _tag_of(schema: dict, root: dict) -> str | None:
    tag = schema_value(schema, root).get("properties", {}).get("type", {})
    return tag.get("const") or (tag.get("enum") or [None])[0] or tag.get("default")


def data_at(data: Any, path: Path) -> Any:
    """The value at `path` in plain data (None where the path leads nowhere)."""
    return value_in(data, path)


def provider_spec(release: Release, data: Any, path: Path) -> dict | None:
    """The release's registry entry of the provider at `providers.<api>[i]`."""
    if len(path) < 3 or path[0] != "providers":
        return None
    entry = data_at(data, path[:3])
    ptype = entry.get("provider_type") if isinstance(entry, dict) else None
    return release.provider(str(path[1]), ptype) if isinstance(ptype, str) else None


def node_at(release: Release, data: Any, path: Path) -> tuple[dict, dict] | None:
    """(schema, root) of the value at `path`; None where the release has no schema for it (an
    unknown key, a provider type it does not know)."""
    return _node_from(release, data, path, 0)


def provider_config_node_at(release: Release, data: Any, path: Path, entry_has_schema: bool) -> tuple[dict, dict] | None:
    """node_at for a path inside a provider's config (providers.API[i].config...), where the
    caller knows whether node_at(path[:3]) is None (`entry_has_schema`): the walk to a provider
    entry is the same for every provider of an API (a list item's schema does not depend on its
    index), and a config's schema starts afresh at `config`. Saves walking it again for each of
    50,000 providers."""
    if len(path) < 4 or path[0] != "providers" or path[3] != "config":
        return node_at(release, data, path)
    return _node_from(release, data, path, 3) if entry_has_schema else None


def _node_from(release: Release, data: Any, path: Path, start: int) -> tuple[dict, dict] | None:
    schema, root = release.schema, release.schema
    for depth in range(start, len(path)):
        part = path[depth]
        if depth == 3 and path[0] == "providers" and part == "config":
            spec = provider_spec(release, data, path)
            if spec is None or not spec.get("config_schema"):
                return None
            schema = root = spec["config_schema"]
            continue
        here = pick(schema, root, data_at(data, path[:depth]))
        if isinstance(part, int):
            items = here.get("items")
            if not isinstance(items, dict):
                return None
            schema = items
            continue
        properties = here.get("properties", {})
        if part in properties:
            schema = properties[part]
        elif isinstance(here.get("additionalProperties"), dict):
            schema = here["additionalProperties"]
        else:
            return None
    return schema, root


def _secret_paths(release: Release, data: Any, path: Path) -> set[str]:
    """Dotted field paths the release marks secret in the mapping at `path`."""
    if len(path) >= 4 and path[0] == "providers" and path[3] == "config":
        spec = provider_spec(release, data, path) or {}
        inner = ".".join(str(p) for p in path[4:])
        return {f[len(inner) + 1:] if inner else f for f in spec.get("secret_fields") or () if not inner or f.startswith(inner + ".")}
    if len(path) == 3 and path[:2] == ("storage", "backends"):
        return set(release.backend_secret_fields(type_tag_of(data_at(data, path))))
    return set()


def field_at(release: Release, data: Any, path: Path) -> SchemaField | None:
    """The field at `path` (a key of a mapping the release has a schema for)."""
    if not path or not isinstance(path[-1], str):
        return None
    found = node_at(release, data, path)
    if found is None:
        return None
    parent = node_at(release, data, path[:-1])
    required = bool(parent) and path[-1] in pick(parent[0], parent[1], data_at(data, path[:-1])).get("required", ())
    secret = path[-1] in _secret_paths(release, data, path[:-1])
    return SchemaField(found[0], found[1], path=path, key=(path[-1],), required=required, marked_secret=secret)


def backend_fields(release: Release, type_name: str) -> list[SchemaField]:
    """The fields of a backend of `type_name` that is not written yet (the add-backend form)."""
    path = ("storage", "backends", "_")
    return fields_of(release, {"storage": {"backends": {"_": {"type": type_name}}}}, path)


def fields_of(release: Release, data: Any, path: Path, *, skip: tuple[str, ...] = ("type",)) -> list[SchemaField]:
    """Every field of the mapping at `path`, nested mappings with fixed fields flattened one
    level (`jwks.uri`)."""
    found = node_at(release, data, path)
    if found is None:
        return []
    value = data_at(data, path)
    schema = pick(found[0], found[1], value)
    root = found[1]
    required = set(schema.get("required", ()))
    secrets = _secret_paths(release, data, path)
    out: list[SchemaField] = []
    for name, sub in schema.get("properties", {}).items():
        if name in skip:
            continue
        nested = pick(sub, root, value.get(name) if isinstance(value, dict) else None)
        if nested.get("properties"):
            inner_required = set(nested.get("required", ()))
            for inner, inner_schema in nested["properties"].items():
                if inner == "type" and "type" in skip:
                    continue
                out.append(SchemaField(
                    inner_schema, root, path=path + (name, inner), key=(name, inner),
                    required=inner in inner_required and name in required, marked_secret=f"{name}.{inner}" in secrets,
                ))  # fmt: skip
        else:
            out.append(SchemaField(sub, root, path=path + (name,), key=(name,), required=name in required, marked_secret=name in secrets))
    # the data keeps properties sorted by name (upstream's order is lost): what must be filled
    # in comes first, so a form never hides a required field below optional ones
    return sorted(out, key=lambda f: not f.required)


def nested_fields(release: Release, data: Any, path: Path, *, depth: int = 3) -> list[SchemaField]:
    """Every leaf field of the mapping at `path`, nested objects followed `depth` levels down
    (`network.tls.verify`): the provider form's rows, grouped into sections by `key[:-1]`.
    A leaf is required when it is required at every level above it. Order: the mapping's own
    fields first (required ones leading), then each section in schema order."""
    found = node_at(release, data, path)
    if found is None:
        return []
    root = found[1]
    secrets = _secret_paths(release, data, path)
    own: list[SchemaField] = []
    sections: list[SchemaField] = []

    def walk(schema: dict, value: Any, key: tuple[str, ...], required_here: bool) -> None:
        here = pick(schema, root, value)
        required = set(here.get("required", ()))
        for name, sub in here.get("properties", {}).items():
            inner = key + (name,)
            current = value.get(name) if isinstance(value, dict) else None
            nested = pick(sub, root, current)
            need = required_here and name in required
            # a scalar written where a union also takes an object (`timeout: 30`) stays one field
            opens = current is None or isinstance(current, dict)
            if opens and nested.get("properties") and not isinstance(nested.get("additionalProperties"), dict) and len(inner) < depth:
                walk(sub, current, inner, need)
            else:
                field = SchemaField(sub, root, path=path + inner, key=inner, required=need, marked_secret=".".join(inner) in secrets)
                (own if len(inner) == 1 else sections).append(field)

    walk(found[0], data_at(data, path), (), True)
    return sorted(own, key=lambda f: not f.required) + sections


def section_of(release: Release, data: Any, path: Path) -> SchemaField | None:
    """The nested object at `path` as a field (its name and description, for a section heading)."""
    found = node_at(release, data, path)
    if found is None or not path or not isinstance(path[-1], str):
        return None
    return SchemaField(found[0], found[1], path=path, key=(path[-1],))


def choices_of(field: SchemaField) -> list[Any]:
    """The values a field takes when it is a closed set (an enum, a const union, a boolean),
    `null` left out; [] for anything open."""
    out: list[Any] = []
    stack = [field.schema]
    while stack:
        schema = schema_value(stack.pop(0), field.root)
        if not isinstance(schema, dict):
            continue
        if "enum" in schema:
            out += [v for v in schema["enum"] if v is not None]
        elif "const" in schema:
            out.append(schema["const"])
        elif schema.get("type") == "boolean":
            out += [True, False]
        elif schema.get("type") == "null":
            continue
        elif "anyOf" in schema or "oneOf" in schema:
            stack += list(schema.get("anyOf") or schema.get("oneOf"))
        else:
            return []  # an open branch (a string, a number): any value fits
    return list(dict.fromkeys(out))
