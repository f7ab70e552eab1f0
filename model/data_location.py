"""Where a backend, a store or a namespace keeps its data, said in words.

Renaming, deleting or repointing a backend or a store changes the config only: the data already
written stays in the SQLite file, the Postgres table or under the Redis prefix it was written to.
The editor says so, naming the place, before the operator thinks it moved with the config.
"""

from __future__ import annotations

from typing import Any

from .document import Document
from .envvars import Environment, has_placeholder, resolve
from .yamlpath import Path


def _shown(value: Any, env: Environment | None) -> str:
    """A field as the server will see it: a placeholder resolved where it can be."""
    if env is not None and has_placeholder(value):
        resolution = resolve(value, env)
        if not resolution.missing and resolution.text is not None:
            return resolution.text
    return str(value)


def backend_location(backend: Any, env: Environment | None = None) -> str:
    """Where a backend (its mapping in storage.backends) keeps its data."""
    if not isinstance(backend, dict):
        return "the backend's own storage"
    kind = str(backend.get("type", ""))

    def field(key: str, default: Any) -> str:
        return _shown(backend.get(key, default), env)

    if kind.endswith("_sqlite"):
        return f"the SQLite file {field('db_path', '?')}"
    at = f"{field('host', 'localhost')}:{field('port', {'redis': 6379, 'postgres': 5432, 'mongodb': 27017}.get(kind.partition('_')[2], '?'))}"
    database = f"database {field('db', '')}" if backend.get("db") is not None else "the default database"
    if kind == "kv_redis":
        prefix = f", keys prefixed '{field('namespace', '')}:'" if backend.get("namespace") else ""
        return f"Redis at {at}{prefix}"
    if kind == "kv_postgres":
        table = f", table {field('table_name', '')}" if backend.get("table_name") is not None else ", its default kvstore table"
        return f"Postgres {database} at {at}{table}"
    if kind == "sql_postgres":
        return f"Postgres {database} at {at}"
    if kind == "kv_mongodb":
        collection = f", collection {field('collection_name', '')}" if backend.get("collection_name") is not None else ", its default kvstore collection"
        return f"MongoDB {database} at {at}{collection}"
    return f"the {kind or 'untyped'} backend's own storage"


def backend_data(doc: Document, name: str, env: Environment | None = None) -> str:
    """Where the backend `name` of `doc` keeps its data."""
    backends = doc.value_at(("storage", "backends")) or {}
    return backend_location(backends.get(name) if isinstance(backends, dict) else None, env)


def reference_data(doc: Document, ref_path: Path, env: Environment | None = None) -> str | None:
    """Where the store / reference at `ref_path` keeps its data: its backend's place and its
    namespace or table there. None when the path holds no reference to a backend."""
    ref = doc.value_at(ref_path)
    if not isinstance(ref, dict) or not isinstance(ref.get("backend"), str):
        return None
    place = backend_data(doc, ref["backend"], env)
    if ref.get("table_name") is not None:
        return f"{place}, table {_shown(ref['table_name'], env)}"
    if ref.get("namespace") is not None:
        return f"{place}, namespace '{_shown(ref['namespace'], env)}'"
    return place


def data_stays(location: str) -> str:
    """The sentence the editor shows: the config changes, the data does not move."""
    return f"Existing data is not moved or deleted: it stays in {location}."
