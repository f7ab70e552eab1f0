"""Stores the target release needs at startup that a migrated file lacks.

Pre-0.3 files had no conversations store (0.3.0 introduced it, and refuses to start without
`storage.stores.conversations`); upstream's own k8s examples were migrated without one. Each
missing store is added as the release's default reference, on a backend of its family: the
default's backend, else one the file declares, else a new SQLite backend of the release's own
sample config.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..document import Document
from ..operations import backend_family, backends
from ..references import find_references
from ..releases import Release
from ..releases.defaults import backend_config, needs_store, partition_key, store_reference

STORES = ("storage", "stores")
_DISTRO_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class AddedStore:
    store: str
    family: str
    backend: str
    partition: str
    new_backend: dict | None  # the backend config written for it, None when it was declared


def add_startup_stores(doc: Document, release: Release) -> list[AddedStore]:
    """Add to `doc` every store `release` needs at startup and the file does not set (nor gets
    from a declared default backend). Only for a file with `storage.backends`."""
    data = doc.data
    if not isinstance(backends(doc), dict) or not backends(doc) or not isinstance(data.get("storage"), dict):
        return []
    stores = doc.value_at(STORES)
    stores = stores if isinstance(stores, dict) else {}
    # as the server decides (model/validation/providers.served_apis): the APIs listed, or every
    # routed API when `apis` is empty or missing, and those with a provider
    listed = data.get("apis")
    listed = {a for a in listed if isinstance(a, str)} if isinstance(listed, list) else set()
    providers = data.get("providers")
    served = (listed or set(release.data.get("routed_apis") or {})) | {a for a in (providers if isinstance(providers, dict) else {}) if isinstance(a, str)}
    missing = []
    for name in release.stores:
        if name in stores or not needs_store(release, name, served):
            continue
        default = release.stores[name].get("default")
        if default and backend_family(doc, default.get("backend")) == release.stores[name]["family"]:
            continue  # the release fills it in from a declared backend
        missing.append(name)
    # decided before adding: a default backend created for one store is written out for all
    return [_add(doc, release, name) for name in missing]


def _add(doc: Document, release: Release, name: str) -> AddedStore:
    family = release.stores[name]["family"]
    reference = store_reference(release, name)
    key = partition_key(family)
    backend = reference["backend"]
    new_backend = None
    if backend_family(doc, backend) != family:
        declared = [b for b in backends(doc) if backend_family(doc, b) == family]
        if declared:
            backend = declared[0]
        else:
            backend = _free_name(doc, f"{family}_default")
            new_backend = backend_config(release, f"{family}_sqlite", _distro(doc))
            doc.set(("storage", "backends", backend), new_backend)
    partition = _free_partition(doc, release, backend, reference[key])
    doc.set(STORES + (name,), {"backend": backend, key: partition})
    return AddedStore(name, family, backend, partition, new_backend)


def _distro(doc: Document) -> str:
    for key in ("distro_name", "image_name"):
        value = doc.data.get(key)
        if isinstance(value, str) and _DISTRO_NAME.match(value):
            return value
    return "default"


def _free_name(doc: Document, name: str) -> str:
    taken = set(backends(doc))
    candidates = [name] + [f"{name}_{i}" for i in range(2, len(taken) + 3)]
    return next(c for c in candidates if c not in taken)


def _free_partition(doc: Document, release: Release, backend: str, partition: str) -> str:
    """`partition`, or `partition_2`, ... if another reference on `backend` uses it already."""
    used = {ref.partition for ref in find_references(doc.data, release=release) if ref.backend == backend}
    candidates = [partition] + [f"{partition}_{i}" for i in range(2, len(used) + 3)]
    return next(c for c in candidates if c not in used)
