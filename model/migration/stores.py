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
from ..facts import family_of, type_tag_of
from ..operations import backends
from ..references import find_references, partitions_in_use
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
    if not isinstance(doc.data.get("storage"), dict):
        return []
    stores = doc.value_at(STORES)
    added = startup_stores(doc.data, backends(doc), stores if isinstance(stores, dict) else {}, release)
    # the new backends and the stores in one edit where it can be (one re-parse, not one each)
    doc.add_keys_in(store_groups(added))
    return added


def store_groups(added: list[AddedStore]) -> list[tuple[tuple, dict]]:
    """(path, entries) to add for `added`: the backends created for them, then the stores."""
    groups = [(("storage", "backends"), {s.backend: s.new_backend}) for s in added if s.new_backend is not None]
    groups.append((STORES, {s.store: store_value(s) for s in added}))
    return groups


def store_value(added: AddedStore) -> dict:
    return {"backend": added.backend, partition_key(added.family): added.partition}


def startup_stores(data: dict, declared: dict, stores: dict, release: Release, used: set[tuple] | None = None) -> list[AddedStore]:
    """The stores `release` needs at startup that `data` (with storage.backends `declared` and
    storage.stores `stores`, as written) lacks, each placed on a backend: nothing is changed.
    `used`: the (backend, partition) of every reference in `data`, if the caller knows them."""
    if not declared:
        return []
    families = {name: family_of(type_tag_of(value) or "") if isinstance(value, dict) else None for name, value in declared.items()}
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
        if default and families.get(default.get("backend")) == release.stores[name]["family"]:
            continue  # the release fills it in from a declared backend
        missing.append(name)
    # decided before adding: a default backend created for one store is written out for all
    return _plan(data, families, release, missing, used)


def _plan(data: dict, declared: dict[str, str | None], release: Release, names: list[str], used: set[tuple] | None) -> list[AddedStore]:
    """Where each missing store goes: its default backend, else a declared one of its family,
    else a new SQLite backend (one per family, shared by the stores that need it); each with a
    namespace / table no other reference on that backend uses. `declared`: name -> family."""
    if used is None:
        used = partitions_in_use(find_references(data, release=release)) if names else set()
    used = set(used)
    created: dict[str, tuple[str, dict]] = {}  # family -> (new backend name, its config)
    out: list[AddedStore] = []
    for name in names:
        family = release.stores[name]["family"]
        reference = store_reference(release, name)
        backend, new_backend = reference["backend"], None
        if declared.get(backend) != family:
            ours = [b for b, f in declared.items() if f == family]
            if ours:
                backend = ours[0]
            elif family in created:
                backend = created[family][0]
            else:
                backend = _free_name(set(declared) | {b for b, _ in created.values()}, f"{family}_default")
                new_backend = backend_config(release, f"{family}_sqlite", _distro(data))
                created[family] = (backend, new_backend)
        partition = _free_partition(used, backend, reference[partition_key(family)])
        used.add((backend, partition))
        out.append(AddedStore(name, family, backend, partition, new_backend))
    return out


def _distro(data: dict) -> str:
    for key in ("distro_name", "image_name"):
        value = data.get(key)
        if isinstance(value, str) and _DISTRO_NAME.match(value):
            return value
    return "default"


def _free_name(taken: set[str], name: str) -> str:
    candidates = [name] + [f"{name}_{i}" for i in range(2, len(taken) + 3)]
    return next(c for c in candidates if c not in taken)


def _free_partition(used: set[tuple], backend: str, partition: str) -> str:
    """`partition`, or `partition_2`, ... if another reference on `backend` uses it already."""
    taken = {p for b, p in used if b == backend}
    candidates = [partition] + [f"{partition}_{i}" for i in range(2, len(taken) + 3)]
    return next(c for c in candidates if c not in taken)
