"""Registered resources (`registered_resources.models`, `vector_stores`, `tool_groups`, ... as
the target release has them): each names the provider that serves it by `provider_id`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..document import Document, EditError
from ..envvars import Environment
from ..releases import Release, schema_value
from ..sequence_edits import append_item, delete_items
from ..validation.resources import _RESOURCE_API as RESOURCE_API
from ..yamlpath import Path, format_path
from .lookup import id_of, provider_state, providers_of

RESOURCES: Path = ("registered_resources",)
ID_KEYS = ("model_id", "vector_store_id", "toolgroup_id", "shield_id", "dataset_id", "scoring_fn_id", "benchmark_id", "vector_db_id")

__all__ = ["RESOURCE_API", "resource_kinds", "resources_naming", "enabled_provider_ids", "add_resource", "edit_resource", "remove_resource"]


def resource_kinds(release: Release) -> dict[str, str]:
    """Kind (`models`, ...) -> the API whose providers serve it, for the kinds `release` has."""
    schema = schema_value(release.schema.get("properties", {}).get("registered_resources") or {}, release.schema)
    return {kind: RESOURCE_API[kind] for kind in schema.get("properties") or {} if kind in RESOURCE_API}


@dataclass(frozen=True)
class ResourceUse:
    path: Path  # registered_resources.<kind>[i]
    kind: str
    name: str  # its id (model_id, ...) for messages

    @property
    def provider_path(self) -> Path:
        return self.path + ("provider_id",)


def _resource_name(entry: dict) -> str:
    return next((str(entry[k]) for k in ID_KEYS if entry.get(k) is not None), "?")


def resources_naming(doc: Document, api: str, provider_id: str, release: Release) -> list[ResourceUse]:
    """The registered resources whose provider_id names `provider_id` of `api` (as written, or
    through a `${env.X:+id}` toggle)."""
    resources = doc.value_at(RESOURCES)
    if not isinstance(resources, dict):
        return []
    out = []
    for kind, kind_api in resource_kinds(release).items():
        entries = resources.get(kind)
        if kind_api != api or not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if isinstance(entry, dict) and provider_id in (entry.get("provider_id"), id_of(entry.get("provider_id"))):
                out.append(ResourceUse(RESOURCES + (kind, index), kind, _resource_name(entry)))
    return out


def describe_uses(uses: list[ResourceUse]) -> str:
    return ", ".join(f"{format_path(u.path)} ({u.name})" for u in uses)


def enabled_provider_ids(doc: Document, api: str, env: Environment | None = None) -> list[str]:
    """The ids of the providers of `api` the server starts under `env` (the picker's choices)."""
    states = [provider_state(p, env) for _, p in providers_of(doc, api)]
    return [s.provider_id for s in states if s.on]


def _kind_api(release: Release, kind: str) -> str:
    kinds = resource_kinds(release)
    if kind not in kinds:
        raise EditError(f"{release.name} has no registered_resources.{kind} (it has: {', '.join(kinds)})")
    return kinds[kind]


def _check_provider(doc: Document, release: Release, kind: str, provider_id: Any, env: Environment | None) -> None:
    api = _kind_api(release, kind)
    if provider_id is None:
        return
    enabled = enabled_provider_ids(doc, api, env)
    if provider_id not in enabled and id_of(provider_id) not in enabled:
        known = f"enabled {api} providers: {', '.join(enabled)}" if enabled else f"no {api} provider is enabled"
        raise EditError(f"{kind} are served by {api} providers, and '{provider_id}' is not an enabled one ({known})")


def add_resource(doc: Document, kind: str, entry: dict, release: Release, env: Environment | None = None) -> Path:
    """Append `entry` to registered_resources.<kind>; its provider_id must name an enabled
    provider of the kind's API. Returns the new entry's path."""
    _check_provider(doc, release, kind, entry.get("provider_id"), env)
    append_item(doc, RESOURCES + (kind,), entry)
    return RESOURCES + (kind, len(doc.value_at(RESOURCES + (kind,))) - 1)


def _entry_path(doc: Document, kind: str, index: int) -> Path:
    entries = doc.value_at(RESOURCES + (kind,))
    if not isinstance(entries, list) or not -len(entries) <= index < len(entries):
        raise EditError(f"registered_resources.{kind} has no entry [{index}]")
    return RESOURCES + (kind, index % len(entries))


def edit_resource(doc: Document, kind: str, index: int, changes: dict, release: Release, env: Environment | None = None) -> None:
    """Set fields of registered_resources.<kind>[index] (None removes a field)."""
    path = _entry_path(doc, kind, index)
    if "provider_id" in changes:
        _check_provider(doc, release, kind, changes["provider_id"], env)
    current = doc.value_at(path)
    removed = [k for k, v in changes.items() if v is None and isinstance(current, dict) and k in current]
    kept = {k: v for k, v in changes.items() if v is not None}
    new = {k: v for k, v in kept.items() if not (isinstance(current, dict) and k in current)}
    for key, value in kept.items():
        if key not in new:
            doc.set(path + (key,), value)
    if new:
        doc.add_keys(path, new)
    for key in removed:
        doc.delete(path + (key,))


def remove_resource(doc: Document, kind: str, index: int) -> None:
    path = _entry_path(doc, kind, index)
    delete_items(doc, path[:-1], [path[-1]])
