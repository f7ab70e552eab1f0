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
from .facts import BACKEND_TYPES, family_of, type_tag_of
from .references import Reference, find_references
from .releases import Release, load_release
from .releases.detect import detect
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


def users_of(doc: Document, name: str) -> list[Reference]:
    return [ref for ref in find_references(doc.data) if ref.backend == name]


def implicit_store_users(doc: Document, name: str, release: Release | None = None) -> list[str]:
    """Stores that `release` (default: the one the file was written for) points at `name`
    because the file leaves them unset."""
    return list(_defaulted_stores(doc, name, release))


def _defaulted_stores(doc: Document, name: str, release: Release | None) -> dict[str, dict]:
    """Unset store -> the reference the release uses for it, for the defaults that name `name`.
    From 0.4 on an unset store means its default reference (kv_default / sql_default), and
    startup refuses a file whose storage.backends lacks that backend (StackConfig's
    "storage.stores.prompts references unknown backend 'kv_default'"); 0.3 has no defaults."""
    release = release or load_release(detect(doc.data).line)
    stores = doc.value_at(("storage", "stores"))
    stores = stores if isinstance(stores, dict) else {}
    return {
        store: spec["default"]
        for store, spec in release.stores.items()
        if (spec.get("default") or {}).get("backend") == name and store not in stores
    }


def _write_stores(doc: Document, defaulted: dict[str, dict], backend: str) -> None:
    """Write each defaulted store out, on `backend`, with its default namespace or table
    (the reference's other fields keep their defaults by being left out)."""
    for store, default in defaulted.items():
        partition = "namespace" if "namespace" in default else "table_name"
        doc.set(("storage", "stores", store), {"backend": backend, partition: default[partition]})


def check_backend_name(doc: Document, name: str) -> None:
    if not BACKEND_NAME.match(name or ""):
        raise EditError(f"'{name}' is not a usable backend name (letters, digits, _ . -; not starting with a digit)")
    if name in backends(doc):
        raise EditError(f"a backend named '{name}' already exists")


def add_backend(doc: Document, name: str, type_name: str, fields: dict[str, Any]) -> None:
    if type_name not in BACKEND_TYPES:
        raise EditError(f"'{type_name}' is not a backend type (one of {', '.join(BACKEND_TYPES)})")
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
    unset it would name a backend that no longer exists, and the server would not start."""
    if old not in backends(doc):
        raise EditError(f"there is no backend '{old}' (backends: {list(backends(doc))})")
    check_backend_name(doc, new)
    refs = find_references(doc.data)
    result = RenameResult(
        references=[r for r in refs if r.backend == old],
        skipped=[r for r in refs if has_placeholder(r.backend) and old in r.backend],
    )
    implicit = _defaulted_stores(doc, old, release)
    for ref in result.references:
        # a key written twice on the way (`backend:` repeated with the same value): renaming the
        # copy the server reads would leave two that disagree; say which lines to clean up
        doc._refuse_repeated(ref.path + ("backend",))
    doc.set_scalars([(ref.path + ("backend",), new) for ref in result.references])
    doc.rename_key(BACKENDS + (old,), new)
    _write_stores(doc, implicit, new)
    result.written_stores.extend(implicit)
    return result


def delete_backend(doc: Document, name: str, repoint_to: str | None = None, release: Release | None = None) -> list[Reference]:
    """Delete a backend. Refused while something references it (a store `release` defaults to
    it included), unless `repoint_to` names a backend of the same family for those
    references; returns the references moved."""
    if name not in backends(doc):
        raise EditError(f"there is no backend '{name}'")
    users = users_of(doc, name)
    implicit = _defaulted_stores(doc, name, release)
    if (users or implicit) and repoint_to is None:
        who = [f"{format_path(r.path)} ({r.owner})" for r in users] + [f"storage.stores.{s} (unset, so it uses '{name}')" for s in implicit]
        raise EditError(f"backend '{name}' is still used by {len(who)}: {', '.join(who)}; point them at another backend first")
    if repoint_to is not None:
        if repoint_to == name or repoint_to not in backends(doc):
            raise EditError(f"cannot move the references to '{repoint_to}': no such other backend")
        family = backend_family(doc, name)
        if backend_family(doc, repoint_to) != family:
            raise EditError(f"'{repoint_to}' is not a {family}_* backend like '{name}'")
        doc.set_scalars([(ref.path + ("backend",), repoint_to) for ref in users])
        _write_stores(doc, implicit, repoint_to)
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
    set_reference(doc, QUOTA + ("kvstore",), "kv", backend, namespace)
    for key, value in (("anonymous_max_requests", anonymous), ("authenticated_max_requests", authenticated), ("period", "day")):
        if doc.value_at(QUOTA + (key,)) != value:
            doc.set(QUOTA + (key,), value)


def disable_quota(doc: Document) -> None:
    if doc.node_at(QUOTA) is not None:
        doc.delete(QUOTA)
