"""Adding a provider: its config from the release's sample for the type (placeholders kept),
storage references on backends of the right family with partitions of their own, the API
listed in `apis:`, and what is still to fill in or missing reported back."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..document import Document, EditError
from ..envvars import find_placeholders
from ..fields import parse_checked, parse_text
from ..releases import Release, schema_value
from ..releases.fields import SchemaField, field_at, pick
from ..schema_check import scalar_kinds
from ..sequence_edits import append_item
from ..validation.context import did_you_mean
from ..yamldata import copy_data
from ..yamlpath import Path
from .lookup import PROVIDERS, provider_ids
from .storage import StorageAllocator

DEFAULT_DISTRO = "my-stack"


@dataclass(frozen=True)
class FieldToFill:
    """A config field the new provider still needs: required and left empty by the sample, or
    a bare `${env.X}` the server will not start without."""

    key: str  # dotted, inside `config`
    why: str
    variable: str | None = None  # the placeholder's variable, when setting it would do


@dataclass
class AddResult:
    path: Path  # providers.<api>[i]
    provider_id: str
    to_fill: list[FieldToFill] = field(default_factory=list)
    missing_dependencies: list[str] = field(default_factory=list)  # APIs it needs that nothing serves
    notes: list[str] = field(default_factory=list)  # what else was added, for people


def check_type(release: Release, api: str, provider_type: str) -> dict:
    """The release's spec of `provider_type` under `api`; EditError naming the choices."""
    if api not in release.providable_apis:
        hint = did_you_mean(api, release.providable_apis)
        raise EditError(f"{release.name} has no API '{api}' that takes providers" + (f"; did you mean '{hint}'?" if hint else f" (APIs: {', '.join(release.providable_apis)})"))
    spec = release.provider(api, provider_type)
    if spec is None:
        types = release.provider_types(api)
        hint = did_you_mean(provider_type, types)
        raise EditError(f"{release.name} has no {api} provider type '{provider_type}'" + (f"; did you mean '{hint}'?" if hint else f" ({api} provider types: {', '.join(types)})"))
    if spec.get("deprecation_error"):
        raise EditError(f"{provider_type} is removed in {release.name}: {spec['deprecation_error']}")
    return spec


def short_name(provider_type: str) -> str:
    """`remote::ollama` -> "ollama"."""
    return provider_type.rsplit("::", 1)[-1]


def free_id(doc: Document, api: str, wanted: str) -> str:
    taken = set(provider_ids(doc, api))
    return next(c for c in [wanted] + [f"{wanted}-{n}" for n in range(2, 1000)] if c not in taken)


def distro_name(data: dict) -> str:
    for key in ("distro_name", "image_name"):
        value = data.get(key)
        if isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value):
            return value
    return DEFAULT_DISTRO


def _named(value: Any, distro: str) -> Any:
    """The sample with its `{name}` (the distribution directory) filled in."""
    if isinstance(value, dict):
        return {k: _named(v, distro) for k, v in value.items()}
    if isinstance(value, list):
        return [_named(v, distro) for v in value]
    return value.replace("{name}", distro) if isinstance(value, str) else value


def _put(config: dict, key: str, value: Any) -> None:
    parts = key.split(".")
    target = config
    for part in parts[:-1]:
        if not isinstance(target.get(part), dict):
            target[part] = {}
        target = target[part]
    target[parts[-1]] = value


def _lookup(config: dict, parts: tuple[str, ...]) -> Any:
    value: Any = config
    for part in parts:
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _scratch(api: str, provider_type: str, config: dict) -> dict:
    """A one-provider config, for reading the schema of the new provider's fields."""
    return {"providers": {api: [{"provider_id": "_", "provider_type": provider_type, "config": config}]}}


def config_field(release: Release, api: str, provider_type: str, config: dict, key: str) -> SchemaField | None:
    path = ("providers", api, 0, "config", *key.split("."))
    return field_at(release, _scratch(api, provider_type, config), path)


def parse_config_values(release: Release, api: str, provider_type: str, texts: dict[str, str]) -> dict[str, Any]:
    """KEY=VALUE text for a new provider's config, typed by its schema (ValueError when a value
    does not fit its field, or the key is no field of the type)."""
    config = copy_data(sample_config(release, api, provider_type, DEFAULT_DISTRO))
    out: dict[str, Any] = {}
    for key, text in texts.items():
        found = config_field(release, api, provider_type, config, key)
        if found is None:
            known = [k for k in (schema_value(release.provider(api, provider_type).get("config_schema") or {}, {}).get("properties") or {})]
            hint = did_you_mean(key.split(".")[0], known)
            raise ValueError(f"{provider_type} has no config field '{key}'" + (f"; did you mean '{hint}'?" if hint else f" (fields: {', '.join(known)})"))
        try:
            out[key] = parse_checked(text, found) if found.schema else parse_text(text, found)
        except ValueError as exc:
            raise ValueError(f"{key}: {exc}") from None
        _put(config, key, out[key])
    return out


def sample_config(release: Release, api: str, provider_type: str, distro: str) -> dict:
    sample = check_type(release, api, provider_type).get("sample_config")
    return _named(copy_data(sample), distro) if isinstance(sample, dict) else {}


def _empty(value: Any) -> bool:
    """Nothing, or a placeholder that gives nothing when its variable is unset (`${env.X:=}`)."""
    if value is None or value == "":
        return True
    places = find_placeholders(value) if isinstance(value, str) else []
    return len(places) == 1 and places[0].text == value and places[0].op in ("=", "+") and not places[0].arg


def fields_to_fill(spec: dict, config: dict) -> list[FieldToFill]:
    """Required fields left empty (and fields that take no null holding a placeholder that gives
    null), and bare `${env.X}` the server needs set, in `config`."""
    root = spec.get("config_schema") or {}
    out: list[FieldToFill] = []

    def walk(schema: dict, value: Any, prefix: tuple[str, ...], depth: int) -> None:
        here = pick(schema, root, value)
        required = set(here.get("required") or ())
        for name, sub in (here.get("properties") or {}).items():
            key = prefix + (name,)
            current = value.get(name) if isinstance(value, dict) else None
            nested = pick(sub, root, current)
            if isinstance(current, dict) and nested.get("properties") and depth < 4:
                walk(sub, current, key, depth + 1)
            elif _empty(current) and (name in required or (name in value and "null" not in scalar_kinds(sub, root))):
                # (a `${env.X:=}` the server turns into null, in a field that takes no null, too)
                why = "required, and the sample leaves it empty" if name in required else "left empty, but it takes no null"
                out.append(FieldToFill(".".join(key), why, _variable(current)))
            else:
                bare = [p.name for p in find_placeholders(current) if p.op is None] if isinstance(current, str) else []
                if bare:
                    out.append(FieldToFill(".".join(key), f"the server will not start unless {bare[0]} is set", bare[0]))

    walk(root, config, (), 0)
    return out


def _variable(value: Any) -> str | None:
    places = find_placeholders(value) if isinstance(value, str) else []
    return places[0].name if places else None


def new_provider(
    doc: Document, api: str, provider_type: str, release: Release, provider_id: str | None = None,
    values: dict[str, Any] | None = None, storage: StorageAllocator | None = None,
) -> tuple[dict, list[FieldToFill]]:  # fmt: skip
    """(the provider entry, the fields still to fill); nothing is written."""
    spec = check_type(release, api, provider_type)
    if provider_id is None:
        provider_id = free_id(doc, api, short_name(provider_type))
    elif not isinstance(provider_id, str) or not re.fullmatch(r"[A-Za-z0-9_.:\-]+", provider_id):
        raise EditError(f"'{provider_id}' is not a usable provider_id (letters, digits, _ . : -)")
    elif provider_id in provider_ids(doc, api):
        raise EditError(f"providers.{api} already has a provider '{provider_id}' (its providers: {', '.join(provider_ids(doc, api))})")
    distro = distro_name(doc.data)
    storage = storage or StorageAllocator(doc, release, distro)
    config = sample_config(release, api, provider_type, distro)
    for key, value in (values or {}).items():
        _put(config, key, value)
    for ref in spec.get("storage_refs") or ():
        parts = tuple(ref["path"].split("."))
        current = _lookup(config, parts)
        if current is None and not ref.get("required"):
            continue
        if current is not None and not isinstance(current, dict):
            continue  # a value given in `values` that is no reference: validation judges it
        if current and any(k in (values or {}) for k in (ref["path"], ref["path"] + ".backend")):
            continue  # the caller chose it
        _put(config, ref["path"], storage.reference(ref["family"], current, provider_id, api))
    entry = {"provider_id": provider_id, "provider_type": provider_type, "config": config}
    return entry, fields_to_fill(spec, config)


def served_apis(data: dict, release: Release, adding: set[str]) -> set[str]:
    """The APIs that exist at startup once providers of `adding` are added (each listed in
    `apis:`), the way validation's served_apis counts them (every provider taken as on)."""
    providers = data.get("providers")
    with_providers = {a for a, e in providers.items() if isinstance(e, list) and e} if isinstance(providers, dict) else set()
    with_providers |= adding
    routers = set(release.data.get("routed_apis") or {})
    listed = data.get("apis")
    if isinstance(listed, list) and listed:
        built = {a for a in listed if isinstance(a, str) and a in routers} | (adding & routers)
    else:
        built = routers
    return {a for a in with_providers if a not in routers} | built


def missing_dependencies(data: dict, release: Release, spec: dict, adding: set[str]) -> list[str]:
    served = served_apis(data, release, adding)
    return [dep for dep in spec.get("api_dependencies") or () if not release.available_with(dep, served)]


def dependency_type(release: Release, api: str) -> str | None:
    """The provider type to add for a dependency: not deprecated, inline before remote, the
    fewest fields to fill, the fewest dependencies of its own."""
    scored = []
    for ptype, spec in release.providers.get(api, {}).items():
        if spec.get("deprecation_error") or spec.get("deprecation_warning"):
            continue
        sample = spec.get("sample_config") if isinstance(spec.get("sample_config"), dict) else {}
        scored.append((not ptype.startswith("inline::"), len(fields_to_fill(spec, sample)), len(spec.get("api_dependencies") or ()), ptype))
    return min(scored)[-1] if scored else None


def add_provider(
    doc: Document, api: str, provider_type: str, release: Release, provider_id: str | None = None,
    values: dict[str, Any] | None = None, add_dependencies: bool = False,
) -> AddResult:  # fmt: skip
    """Add a provider of `provider_type` under `api` (see the module's docstring). With
    `add_dependencies`, a provider for each API it needs that nothing serves is added too (and
    so on for theirs); otherwise those APIs are reported in `missing_dependencies`."""
    storage = StorageAllocator(doc, release, distro_name(doc.data))
    entry, to_fill = new_provider(doc, api, provider_type, release, provider_id, values, storage)
    planned: list[tuple[str, dict]] = [(api, entry)]
    notes: list[str] = []
    queue = [(api, provider_type)]
    while queue:
        needer_api, needer = queue.pop(0)
        spec = release.provider(needer_api, needer)
        # APIs that take providers first: a routing table (tool_groups) exists once its router's does
        for dep in sorted(spec.get("api_dependencies") or (), key=lambda d: d not in release.providable_apis):
            if dep in {a for a, _ in planned} or not missing_dependencies(doc.data, release, {"api_dependencies": [dep]}, {a for a, _ in planned}):
                continue
            dep_type = dependency_type(release, dep) if add_dependencies and dep in release.providable_apis else None
            if dep_type is None:
                continue
            dep_entry, dep_fill = new_provider(doc, dep, dep_type, release, storage=storage)
            planned.append((dep, dep_entry))
            queue.append((dep, dep_type))
            notes.append(f"added the {dep} provider '{dep_entry['provider_id']}' ({dep_type}): {needer} needs the {dep} API")
            to_fill += [FieldToFill(f"providers.{dep}[{dep_entry['provider_id']}].config.{f.key}", f.why, f.variable) for f in dep_fill]
    apis = {a for a, _ in planned}
    missing = list(dict.fromkeys(d for a, e in planned for d in missing_dependencies(doc.data, release, release.provider(a, e["provider_type"]), apis)))
    if storage.new_backends:
        doc.add_keys(("storage", "backends"), storage.new_backends)
        notes += [f"added the backend '{name}' ({b.get('type')}) for the new storage references" for name, b in storage.new_backends.items()]
    for target_api, target in planned:
        append_item(doc, PROVIDERS + (target_api,), target)
    listed = doc.value_at(("apis",))
    if isinstance(listed, list):
        for target_api in dict.fromkeys(a for a, _ in planned):
            if target_api not in listed:
                append_item(doc, ("apis",), target_api)
                notes.append(f"added {target_api} to apis")
    index = len(doc.value_at(PROVIDERS + (api,))) - 1
    return AddResult(PROVIDERS + (api, index), entry["provider_id"], to_fill, missing, notes)
