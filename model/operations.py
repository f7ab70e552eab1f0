"""Edits an operator thinks in: add, rename or delete a backend, point a reference at a
backend, turn quotas on. Each checks what would break before touching the document, so the
command line and the editor share one set of rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .document import Document, EditError
from .envvars import has_placeholder
from .facts import family_of, type_tag_of
from .references import Reference, find_references
from .releases import Release
from .releases.detect import release_of
from .yamlpath import Path, format_path

BACKEND_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
BACKENDS: Path = ("storage", "backends")


def backends(doc: Document) -> dict:
    """`storage.backends` as written (a merge key is not followed: edits could not reach it)."""
    value = doc.value_at(BACKENDS)
    return value if isinstance(value, dict) else {}


def backend_family(doc: Document, name: str) -> str | None:
    backend = backends(doc).get(name)
    return family_of(type_tag_of(backend) or "") if isinstance(backend, dict) else None


def backends_of_family(doc: Document, family: str) -> list[str]:
    return [name for name in backends(doc) if backend_family(doc, name) == family]


def users_of(doc: Document, name: str, release: Release | None = None) -> list[Reference]:
    return [ref for ref in find_references(doc.data, release=release_of(doc.data, release)) if ref.backend == name]


def _store_default(release: Release, store: str) -> dict:
    default = release.stores.get(store, {}).get("default")
    return default if isinstance(default, dict) else {}


def unset_store_defaults(doc: Document, release: Release | None = None) -> dict[str, str]:
    """store -> the backend the release points it at because the file leaves it unset (from
    0.4 on, unset stores use kv_default / sql_default), declared or not."""
    release = release_of(doc.data, release)
    stores = doc.value_at(("storage", "stores"))
    stores = stores if isinstance(stores, dict) else {}
    defaults = {store: _store_default(release, store).get("backend") for store in release.stores if store not in stores}
    return {store: backend for store, backend in defaults.items() if isinstance(backend, str)}


def implicit_store_users(doc: Document, name: str, release: Release | None = None) -> list[str]:
    """Stores that use backend `name` because they are left unset (see unset_store_defaults)."""
    return [store for store, backend in unset_store_defaults(doc, release).items() if backend == name]


def implicit_user_label(store: str, backend: str) -> str:
    """How every view names a store that uses `backend` by being left unset."""
    return f"store {store} (unset: uses '{backend}' by default)"


def _write_default_store(doc: Document, release: Release, store: str, backend: str) -> None:
    """Write out an unset store the release defaults, pointed at `backend`, with its partition."""
    from .releases.defaults import store_reference

    doc.set(("storage", "stores", store), {**store_reference(release, store), "backend": backend})


def check_backend_name(doc: Document, name: str) -> None:
    if not BACKEND_NAME.match(name or ""):
        raise EditError(f"'{name}' is not a usable backend name (letters, digits, _ . -; not starting with a digit)")
    if name in backends(doc):
        raise EditError(f"a backend named '{name}' already exists")


def add_backend(doc: Document, name: str, type_name: str, fields: dict[str, Any], release: Release | None = None) -> None:
    types = release_of(doc.data, release).backend_types
    if type_name not in types:
        raise EditError(f"'{type_name}' is not a backend type (one of {', '.join(types)})")
    check_backend_name(doc, name)
    values = {"type": type_name, **{k: v for k, v in fields.items() if v is not None and k != "type"}}
    doc.set(BACKENDS + (name,), values)


@dataclass
class RenameResult:
    references: list[Reference] = field(default_factory=list)
    written_stores: list[str] = field(default_factory=list)  # unset stores now written out
    skipped: list[Reference] = field(default_factory=list)  # placeholders naming the backend

    @property
    def count(self) -> int:
        return len(self.references) + len(self.written_stores)


def rename_backend(doc: Document, old: str, new: str, release: Release | None = None) -> RenameResult:
    """Rename a backend and every reference to it (one re-parse for any number of references).
    A store that `release` points at `old` because it is unset is written out on `new`: left
    unset it would name a backend that no longer exists, and the server would not start
    (from 0.4 on; 0.3 has no store defaults)."""
    if old not in backends(doc):
        raise EditError(f"there is no backend '{old}' (backends: {list(backends(doc))})")
    check_backend_name(doc, new)
    release = release_of(doc.data, release)
    refs = find_references(doc.data, release=release)
    result = RenameResult(
        references=[r for r in refs if r.backend == old],
        skipped=[r for r in refs if has_placeholder(r.backend) and old in r.backend],
    )
    implicit = implicit_store_users(doc, old, release)
    doc.set_scalars([(ref.path + ("backend",), new) for ref in result.references], renames=[(BACKENDS + (old,), new)])
    # the release points unset stores at kv_default / sql_default: keep them on this backend
    for store in implicit:
        _write_default_store(doc, release, store, new)
        result.written_stores.append(store)
    return result


def delete_backend(doc: Document, name: str, repoint_to: str | None = None, release: Release | None = None) -> list[Reference]:
    """Delete a backend. Refused while something references it, unless `repoint_to` names a
    backend of the same family for those references; returns the references moved."""
    if name not in backends(doc):
        raise EditError(f"there is no backend '{name}'")
    release = release_of(doc.data, release)
    users = users_of(doc, name, release)
    implicit = implicit_store_users(doc, name, release)
    if (users or implicit) and repoint_to is None:
        who = [f"{format_path(r.path)} ({r.owner})" for r in users] + [f"storage.stores.{s} (unset: uses '{name}' by default)" for s in implicit]
        raise EditError(f"backend '{name}' is still used by {len(who)}: {', '.join(who)}; point them at another backend first")
    if repoint_to is not None:
        if repoint_to == name or repoint_to not in backends(doc):
            raise EditError(f"cannot move the references to '{repoint_to}': no such other backend")
        family = backend_family(doc, name)
        if backend_family(doc, repoint_to) != family:
            raise EditError(f"'{repoint_to}' is not a {family}_* backend like '{name}'")
        doc.set_scalars([(ref.path + ("backend",), repoint_to) for ref in users])
        for store in implicit:
            _write_default_store(doc, release, store, repoint_to)
    doc.delete(BACKENDS + (name,))
    return users


def set_reference(doc: Document, path: Path, family: str, backend: str, partition: str | None) -> None:
    """Point the reference at `path` at `backend` (which must be of `family`)."""
    if backend not in backends(doc):
        raise EditError(f"there is no backend '{backend}'")
    actual = backend_family(doc, backend)
    if actual != family:
        raise EditError(f"'{backend}' is a {actual}_* backend, but {format_path(path)} needs a {family}_* backend")
    key = "namespace" if family == "kv" else "table_name"
    current = doc.value_at(path)
    if isinstance(current, dict):
        if current.get("backend") != backend:
            doc.set(path + ("backend",), backend)
        if partition is not None and current.get(key) != partition:
            doc.set(path + (key,), partition)
    else:
        value = {"backend": backend}
        if partition is not None:
            value[key] = partition
        doc.set(path, value)


QUOTA: Path = ("server", "quota")


def enable_quota(doc: Document, backend: str, namespace: str = "quota", anonymous: int = 100, authenticated: int = 1000) -> None:
    """Quotas on: the settings kept when they were turned off, else these."""
    from .quota_toggle import restore_quota

    if restore_quota(doc):
        return
    set_reference(doc, QUOTA + ("kvstore",), "kv", backend, namespace)
    for key, value in (("anonymous_max_requests", anonymous), ("authenticated_max_requests", authenticated), ("period", "day")):
        if doc.value_at(QUOTA + (key,)) != value:
            doc.set(QUOTA + (key,), value)


def disable_quota(doc: Document) -> None:
    if doc.node_at(QUOTA) is not None:
        doc.delete(QUOTA)
