"""What a migration to the v0.3 storage format will do, decided from the data alone.

Before llama-stack #3697 every store carried a full database config (`metadata_store:
{type: sqlite, db_path: ...}` at the top level, `kvstore:` / `persistence_store:` / ... inside
providers). Since v0.3 each database is declared once under `storage.backends` and the stores
and providers point at it by name. The plan finds every old store config ("place"), groups the
identical ones into one backend per family, names the backends and picks the namespace or
table each reference gets. apply.py then edits the text.
"""

from __future__ import annotations

import itertools
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterator

from ..document import EditError
from ..envvars import has_placeholder
from ..facts import is_newer_format, looks_like_draft_quota, type_tag_of
from ..redaction import shown_repr
from ..references import find_references, iter_providers, provider_reference_fields
from ..releases import load_release
from ..yamldata import hashable
from ..yamlpath import Path, format_path


# The migration writes the llama-stack 0.3 storage format (#3697): its reference fields and
# backend defaults are that release's.
V03 = load_release("0.3")


class MigrationError(ValueError):
    """The file holds something the migration cannot convert; nothing was changed."""


@contextmanager
def all_or_nothing(doc: Any) -> Iterator[None]:
    """Run a migration's edits on `doc`; if any fails, put the text back and raise MigrationError.
    Every edit is verified by re-parsing: one that fails (EditError) leaves the file as it was,
    and the command says why instead of failing as an internal error."""
    before = doc.text
    try:
        yield
    except MigrationError:
        doc.restore(before)
        raise
    except EditError as exc:
        doc.restore(before)
        raise MigrationError(f"the file could not be rewritten safely ({exc})") from None


# Pre-0.3 `type:` -> the v0.3 backend type, per family.
OLD_TYPES: dict[str, dict[str, str]] = {
    "kv": {"sqlite": "kv_sqlite", "postgres": "kv_postgres", "redis": "kv_redis", "mongodb": "kv_mongodb"},
    "sql": {"sqlite": "sql_sqlite", "postgres": "sql_postgres"},
}

# Top-level pre-0.3 stores: old key -> (store under storage.stores, family, namespace or table).
# The namespaces and tables are the ones upstream's own v0.3 configs use.
TOP_LEVEL_STORES: dict[str, tuple[str, str, str]] = {
    "metadata_store": ("metadata", "kv", "registry"),
    "inference_store": ("inference", "sql", "inference_store"),
    "conversations_store": ("conversations", "sql", "openai_conversations"),
}

# Provider fields renamed when they became references: (api, old key) -> the v0.3 path in config.
# The other provider stores (batches, datasetio, eval kvstore, files metadata_store) kept their key.
RENAMED_FIELDS: dict[tuple[str, str], tuple[str, ...]] = {
    ("vector_io", "kvstore"): ("persistence",),
    ("agents", "persistence_store"): ("persistence", "agent_state"),
    ("agents", "responses_store"): ("persistence", "responses"),
}

# Namespaces / tables upstream's v0.3 configs give provider references: (api, last key) -> name.
PROVIDER_PARTITIONS: dict[tuple[str, str], str] = {
    ("agents", "agent_state"): "agents",
    ("agents", "responses"): "responses",
    ("batches", "kvstore"): "batches",
    ("eval", "kvstore"): "eval",
    ("files", "metadata_store"): "files_metadata",
}

# vector_io::<name> as upstream spells it per provider type (otherwise: the type's name).
VECTOR_IO_NAMES: dict[str, str] = {
    "inline::sqlite-vec": "sqlite_vec",
    "remote::chromadb": "chroma_remote",
    "remote::milvus": "milvus_remote",
    "remote::qdrant": "qdrant_remote",
}

QUOTA_PATH: Path = ("server", "quota")
# The request limits the server uses when a quota leaves them out.
QUOTA_DEFAULTS = {"anonymous_max_requests": 100, "authenticated_max_requests": 1000}
# The inference store's other pre-0.3 shape wraps its settings: {sql_store_config: {...}, max_write_queue_size, ...}
_SQL_WRAPPER = "sql_store_config"


@dataclass(slots=True)  # (a large file has one per provider)
class Place:
    """One pre-0.3 store config, which becomes a reference to a backend."""

    path: Path  # the old key
    family: str  # "kv" or "sql"
    target: Path  # where the reference is after the migration
    partition: str  # its namespace (kv) or table_name (sql)
    settings: dict  # the connection settings as written (`type` included when it is in them)
    settings_path: Path  # where the settings are written: path, or a mapping inside it
    new_type: str  # kv_sqlite, sql_postgres, ...
    extras: dict = field(default_factory=dict)  # further reference fields (write-queue knobs)
    provider_id: Any = None
    backend: str = ""  # the backend's name, once assigned

    @property
    def partition_key(self) -> str:
        return "namespace" if self.family == "kv" else "table_name"

    @property
    def fields(self) -> dict:
        """The backend's fields: the settings without `type` and the namespace (now the reference's)."""
        return {k: v for k, v in self.settings.items() if k not in ("type", "namespace")}

    @property
    def is_draft_quota(self) -> bool:
        return self.path == QUOTA_PATH

    @property
    def reference_path(self) -> Path:
        return self.target + ("kvstore",) if self.is_draft_quota else self.target

    def reference(self) -> dict:
        return {"backend": self.backend, self.partition_key: self.partition}

    def value(self) -> dict:
        """What `target` holds after the migration: the reference (with the write-queue knobs
        an inference store had), or for a draft quota the whole shipped quota."""
        if self.is_draft_quota:
            return {"kvstore": self.reference(), **self.extras}
        return {**self.reference(), **self.extras}


@dataclass
class Backend:
    name: str
    type: str
    fields: dict
    places: list[Place] = field(default_factory=list)
    existing: bool = False  # already declared under storage.backends

    @property
    def family(self) -> str:
        return self.type.split("_", 1)[0]

    def where(self) -> str:
        """Where the data lives, for people (never a password)."""
        f = self.fields
        if self.type.endswith("_sqlite"):
            return str(f.get("db_path", "?"))
        defaults = backend_defaults(self.type)
        host, port = f.get("host", defaults.get("host", "?")), f.get("port", defaults.get("port"))
        where = f"{host}:{port}" if port is not None and "://" not in str(host) else str(host)
        db = f.get("db", defaults.get("db"))
        return f"{where}/{db}" if db else where


@dataclass
class Plan:
    places: list[Place] = field(default_factory=list)
    backends: list[Backend] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the operator should know
    problems: list[str] = field(default_factory=list)  # what stops the migration
    rename_references: bool = False  # storage.references (a v0.3 pre-release name) -> storage.stores
    fresh_storage: bool = True  # the file has no storage section yet
    unset_stores: list[str] = field(default_factory=list)  # stores 0.3 needs that the old file did not set
    partitions: set[tuple] = field(default_factory=set)  # (backend, namespace or table) of every reference after it

    @property
    def new_backends(self) -> list[Backend]:
        return [b for b in self.backends if not b.existing]


# -- finding the old store configs ------------------------------------------------------------


def make_plan(data: dict, known: Callable[[tuple], list | None] | None = None) -> Plan:
    """The migration of `data`; `known`: find_references' shortcut for the references already
    written (see there)."""
    plan = Plan()
    storage = data.get("storage")
    plan.fresh_storage = storage is None
    if storage is not None and not isinstance(storage, dict):
        plan.problems.append("storage is not a mapping; fix it by hand first")
        return plan
    stores = (storage or {}).get("stores")
    if isinstance(storage, dict) and "references" in storage and "stores" not in storage:
        plan.rename_references = True
        stores = storage.get("references")
    stores = stores if isinstance(stores, dict) else {}
    for key, (store, family, partition) in TOP_LEVEL_STORES.items():
        if key not in data:
            continue
        if store in stores:
            plan.notes.append(f"left {key} as it is: storage.stores.{store} is set, and the server ignores {key}; delete it once you no longer need it")
            continue
        _add_place(plan, (key,), data[key], family, ("storage", "stores", store), partition)
    _find_provider_places(plan, data)
    _find_quota_place(plan, data)
    if not plan.problems:
        _assign_backends(plan, data)
        _unique_partitions(plan, data, known)
    return plan


def _add_place(plan: Plan, path: Path, value: Any, family: str, target: Path, partition: str, provider_id: Any = None) -> None:
    if not isinstance(value, dict):
        if value is not None:
            plan.notes.append(f"left {format_path(path)} as it is: it is not a store config (a mapping with a type)")
        return
    settings, settings_path, extras = value, path, {}
    if family == "sql" and isinstance(value.get(_SQL_WRAPPER), dict):
        # the inference store's other pre-0.3 shape: {sql_store_config: {...}, max_write_queue_size, num_writers}
        settings, settings_path = value[_SQL_WRAPPER], path + (_SQL_WRAPPER,)
        extras = {k: v for k, v in value.items() if k != _SQL_WRAPPER}
    old_type = settings.get("type")
    new_type = _new_type(old_type, family)
    if new_type is None:
        known = ", ".join(OLD_TYPES[family])
        plan.problems.append(f"{format_path(path)}: cannot tell which {family}_* backend type {shown_repr(settings_path + ('type',), old_type)} is (pre-0.3 {family.upper()} store types: {known})")
        return
    namespace = settings.get("namespace")
    if family == "kv" and isinstance(namespace, str) and namespace:
        partition = namespace  # the keys are already stored under it: keep it
    plan.places.append(Place(path, family, target, partition, settings, settings_path, new_type, extras, provider_id))


def _new_type(old_type: Any, family: str) -> str | None:
    if not isinstance(old_type, str) or has_placeholder(old_type):
        return None
    types = OLD_TYPES[family]
    if old_type in types:
        return types[old_type]
    return old_type if old_type in types.values() else None


def _find_provider_places(plan: Plan, data: dict) -> None:
    old_keys = {(api, new): old for (api, old), new in RENAMED_FIELDS.items()}
    for api, index, provider in iter_providers(data):
        config = provider.get("config")
        if not isinstance(config, dict):
            continue
        base = ("providers", api, index, "config")
        ptype = str(provider.get("provider_type", ""))
        # an external provider (`module:`) has no registry entry: the fields its API's own have
        for ref_path, family in provider_reference_fields(V03, api, ptype) or _api_reference_fields(api):
            old_key = old_keys.get((api, ref_path), ref_path[0] if len(ref_path) == 1 else None)
            value = config.get(old_key) if old_key else None
            if not _is_inline(value) and not _is_inline((value or {}).get(_SQL_WRAPPER) if isinstance(value, dict) else None):
                continue
            if provider.get("module"):
                plan.notes.append(f"left {format_path(base + (old_key,))} as it is: an external provider ({provider['module']}) defines its own config")
                continue
            new_key = ref_path[0]
            if new_key != old_key and new_key in config:
                plan.notes.append(f"left {format_path(base + (old_key,))} as it is: the provider already has {new_key}")
                continue
            partition = _provider_partition(api, ptype, ref_path[-1])
            _add_place(plan, base + (old_key,), value, family, base + ref_path, partition, provider.get("provider_id"))


def _api_reference_fields(api: str) -> list[tuple[tuple[str, ...], str]]:
    """Every storage reference field some 0.3 provider of `api` has."""
    fields = [f for ptype in V03.provider_types(api) for f in provider_reference_fields(V03, api, ptype)]
    return list(dict.fromkeys(fields))


def _is_inline(value: Any) -> bool:
    return isinstance(value, dict) and "backend" not in value and "type" in value


def _provider_partition(api: str, provider_type: str, last_key: str) -> str:
    name = provider_type.split("::")[-1].replace("-", "_")
    if api == "vector_io":
        return f"vector_io::{VECTOR_IO_NAMES.get(provider_type, name)}"
    if api == "datasetio":
        return f"datasetio::{name}"
    return PROVIDER_PARTITIONS.get((api, last_key), api)


def _find_quota_place(plan: Plan, data: dict) -> None:
    server = data.get("server")
    quota = server.get("quota") if isinstance(server, dict) else None
    if looks_like_draft_quota(quota):
        # the quota PR's draft {type, config: {db_path}, limit: {max_requests, period}}
        config = quota.get("config") if isinstance(quota.get("config"), dict) else {}
        new_type = _new_type(quota.get("type"), "kv")
        if new_type is None:
            plan.problems.append(f"server.quota: cannot tell which kv_* backend type {shown_repr(QUOTA_PATH + ('type',), quota.get('type'))} is (pre-0.3 KV store types: {', '.join(OLD_TYPES['kv'])})")
            return
        limit = quota.get("limit") if isinstance(quota.get("limit"), dict) else {}
        extras = {
            "anonymous_max_requests": QUOTA_DEFAULTS["anonymous_max_requests"],
            "authenticated_max_requests": limit.get("max_requests", QUOTA_DEFAULTS["authenticated_max_requests"]),
            "period": "day",
        }
        if limit.get("period", "day") != "day":
            plan.notes.append(f"server.quota: the draft's period {shown_repr(QUOTA_PATH + ('limit', 'period'), limit.get('period'))} became 'day', the only period the server supports")
        settings = {"type": quota.get("type"), **config}
        plan.places.append(Place(QUOTA_PATH, "kv", QUOTA_PATH, "quota", settings, QUOTA_PATH + ("config",), new_type, extras))
    elif isinstance(quota, dict) and _is_inline(quota.get("kvstore")):
        _add_place(plan, QUOTA_PATH + ("kvstore",), quota["kvstore"], "kv", QUOTA_PATH + ("kvstore",), "quota")


# -- one backend per distinct database, and its name -----------------------------------------


def backend_defaults(type_name: str) -> dict:
    return dict(_backend_defaults(type_name))


@lru_cache(maxsize=None)
def _backend_defaults(type_name: str) -> tuple:
    # (asked once per store config: 50,000 times on a large file, for a few types)
    model = V03.backend_def(type_name)
    if model is None:
        return ()
    props = V03.definition(model).get("properties", {})
    return tuple((k, p["default"]) for k, p in props.items() if "default" in p and k not in ("type", "namespace"))


def identity(type_name: str, fields: dict) -> str:
    """Equal for two backends that are the same database: the same type and the same settings
    once the defaults are filled in (`port: 5432` and no port are the same server). Values are
    compared as written: `${env.DB:=x}` and `x` differ as soon as DB is set."""
    settings = {**backend_defaults(type_name), **{k: v for k, v in fields.items() if k != "namespace"}}
    return json.dumps([type_name, settings], sort_keys=True, default=str)


def _assign_backends(plan: Plan, data: dict) -> None:
    by_identity: dict[str, Backend] = {}
    storage = data.get("storage")
    declared = storage.get("backends") if isinstance(storage, dict) else None
    for name, value in (declared.items() if isinstance(declared, dict) else ()):
        type_name = type_tag_of(value) if isinstance(value, dict) else None
        if type_name in V03.backend_types:
            backend = Backend(str(name), type_name, {k: v for k, v in value.items() if k != "type"}, existing=True)
            plan.backends.append(backend)
            by_identity.setdefault(identity(type_name, backend.fields), backend)
    written: dict[tuple, str] = {}  # settings written alike (and typed alike: 1 is not true) -> identity
    for place in plan.places:
        fields = place.fields
        alike = (place.new_type, *((k, type(v), v) for k, v in fields.items()))
        try:
            key = written.get(alike)
        except TypeError:  # a list or mapping among the values
            alike, key = None, None
        if key is None:
            key = identity(place.new_type, fields)
            if alike is not None:
                written[alike] = key
        backend = by_identity.get(key)
        if backend is None:
            backend = by_identity[key] = Backend("", place.new_type, fields)
            plan.backends.append(backend)
        backend.places.append(place)
    _name_backends(plan, data)
    for backend in plan.backends:
        for place in backend.places:
            place.backend = backend.name
    plan.backends = [b for b in plan.backends if b.places or b.existing]
    _data_notes(plan)


def _name_backends(plan: Plan, data: dict) -> None:
    """kv_default / sql_default for the backends of the server's stores, then descriptive names:
    `<family>_<file name>` for SQLite (`kv_faiss_store` for .../faiss_store.db),
    `<family>_<kind>` otherwise (`kv_postgres`), made unique with the store's name or a number."""
    taken = {b.name for b in plan.backends if b.existing}
    new = plan.new_backends
    # a newer-format file sends its unset stores to kv_default / sql_default: a new backend
    # must not take one of those names unless a store is meant to use it
    defaults_free = not is_newer_format(data)
    for family, stores in (("kv", ("metadata",)), ("sql", ("inference", "conversations"))):
        name = f"{family}_default"
        if name in taken:
            continue
        owner = next((b for store in stores for b in new if any(p.target == ("storage", "stores", store) for p in b.places)), None)
        if owner is None and plan.fresh_storage and defaults_free:
            owner = next((b for b in new if b.family == family), None)
        if owner is not None:
            owner.name = name
            taken.add(name)
    for backend in new:
        if backend.name:
            continue
        kind = backend.type.split("_", 1)[1]
        if kind == "sqlite":
            stem = _slug(_file_stem(backend.fields.get("db_path")))
            base = [f"{backend.family}_{stem}"] if stem else []
            base.append(f"{backend.family}_{_slug(backend.places[0].partition)}")
        else:
            base = [f"{backend.family}_{kind}", f"{backend.family}_{kind}_{_slug(backend.places[0].partition)}"]
        numbered = (f"{base[0]}_{n}" for n in itertools.count(2))
        backend.name = next(name for name in itertools.chain(base, numbered) if name not in taken)
        taken.add(backend.name)


def _file_stem(db_path: Any) -> str:
    if not isinstance(db_path, str):
        return ""
    last = db_path.replace("}", "").rstrip("/").rsplit("/", 1)[-1]
    return re.sub(r"\.(db|sqlite3?|db3)$", "", last)


# A name is part of a backend's name, which becomes a YAML key: keep it readable, and far below
# the 1,024 characters YAML allows an implicit key (a 1,022-character file name would not fit).
_SLUG_MAX = 48


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower())[:_SLUG_MAX].strip("_")


def _unique_partitions(plan: Plan, data: dict, known: Callable[[tuple], list | None] | None) -> None:
    """Two references on one backend must not share a namespace (or table): their data would
    mix. Upstream's names differ per store; two providers of one type get their id added."""
    # a backend or namespace written as a list or mapping names nothing: it cannot clash
    used = {(r.backend, r.family, r.partition) for r in find_references(data, release=V03, known=known) if hashable(r.backend) and hashable(r.partition)}
    for place in plan.places:
        backend, family = place.backend, place.family
        key = (backend, family, place.partition)
        if key in used:
            pid = place.provider_id if isinstance(place.provider_id, str) and not has_placeholder(place.provider_id) else None
            key = (backend, family, f"{place.partition}::{pid}") if pid else key
            if key in used:  # (thousands of providers of one type take their ids: no numbering)
                key = next(k for n in itertools.count(2) if (k := (backend, family, f"{place.partition}_{n}")) not in used)
            place.partition = key[2]
        used.add(key)
    plan.partitions = {(backend, partition) for backend, _, partition in used}



def _data_notes(plan: Plan) -> None:
    new = plan.new_backends
    if plan.fresh_storage and plan.places:
        # said in the report when no target release is given (with one, they are added: stores.py)
        plan.unset_stores = [store for store in ("metadata", "conversations") if not any(p.target == ("storage", "stores", store) for p in plan.places)]
    sqlite = [b for b in new if b.type.endswith("_sqlite")]
    if len(sqlite) > 1:
        files = {str(b.fields.get("db_path")) for b in sqlite}
        plan.notes.append(
            f"{len(files)} distinct SQLite files stay {len(sqlite)} backends: each file holds its own data, and pointing "
            "two stores at one file would leave the other file's data behind. To consolidate, move the data first, "
            "then point the references at one backend (llama-config edit, or set ...backend=NAME)"
        )
    for type_name in sorted({b.type for b in new if not b.type.endswith("_sqlite")}):
        same = [b for b in plan.backends if b.type == type_name]
        if len(same) > 1:
            settings = [{**backend_defaults(type_name), **b.fields} for b in same]
            differ = sorted({k for s in settings for k in s if any(s.get(k) != t.get(k) for t in settings)})
            names = " and ".join([", ".join(b.name for b in same[:-1]), same[-1].name])
            plan.notes.append(f"{names} ({'both' if len(same) == 2 else 'all'} {type_name}) differ in {', '.join(differ)}, so they stay separate backends")
    if any(b.type in ("kv_postgres", "kv_redis", "kv_mongodb") for b in new):
        plan.notes.append(
            "since v0.3 a kv_postgres / kv_redis / kv_mongodb backend prefixes each reference's keys with its namespace; "
            "keys an old store wrote without a namespace are not found under the new one"
        )
