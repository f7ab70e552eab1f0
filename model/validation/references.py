"""Every backend reference: it must name a declared backend of the right family, and two
references must not share one namespace or table on one backend."""

from __future__ import annotations

from ..references import Reference, find_references, is_inline_store_config
from ..schema.backends import family_of
from ..schema.references import KVStoreReference, ResponsesStoreReference, SqlStoreReference
from ..schema.stores import NEWER_DEFAULT_STORES, STORE_REFERENCE_MODELS, StoresConfig
from ..yamlpath import format_path
from .backends import backend_type, declared_backends
from .context import Context, did_you_mean, show
from .structure import is_newer_format, is_old_format

_INLINE_TYPE_FAMILY = {"sqlite": "sqlite", "postgres": "postgres", "redis": "redis", "mongodb": "mongodb"}


def _reference_model(ref: Reference):
    if ref.path[:2] == ("storage", "stores") and ref.path[2] in STORE_REFERENCE_MODELS:
        return STORE_REFERENCE_MODELS[ref.path[2]]
    if ref.family == "kv":
        return KVStoreReference
    # agents/responses providers keep responses with the same write-queue knobs as the store
    return ResponsesStoreReference if ref.path[-2:] == ("persistence", "responses") else SqlStoreReference


def _explain_inline(ctx: Context, ref: Reference) -> None:
    value = ctx.doc.value_at(ref.path)
    old_type = value.get("type")
    kind = f"{ref.family}_{_INLINE_TYPE_FAMILY.get(old_type, old_type)}"
    detail = ", ".join(f"{k}: {show(v)}" for k, v in value.items() if k != "type" and k != "password")
    where = format_path(ref.path)
    ctx.add(
        "error",
        "legacy-inline-store",
        ref.path,
        f"{where} is a pre-0.3 inline store config (type: {old_type}{', ' + detail if detail else ''}); since v0.3 it must "
        f"reference a backend: declare a {kind} backend under storage.backends with these settings and write "
        f"{ref.path[-1]}: {{backend: NAME, {ref.partition_key}: ...}} (llama-config migrate does this)",
    )


def check_references(ctx: Context) -> None:
    data = ctx.data
    old = is_old_format(data)
    backends = declared_backends(ctx)
    names = list(backends)
    refs = find_references(data, include_inline=True)
    used: set[str] = set()
    for ref in refs:
        value = ctx.doc.value_at(ref.path)
        if is_inline_store_config(value):
            if not old:  # an old-format file gets one old-format error instead of one per store
                _explain_inline(ctx, ref)
            continue
        if ref.known:
            what = ref.owner if ref.path[0] != "storage" else format_path(ref.path)
            model = _reference_model(ref)
            ctx.check_model(model, value, ref.path, what)
            ctx.check_unknown_keys(model, value, ref.path, f"the reference {format_path(ref.path)}")
        name = ctx.resolved(ref.backend)
        if not isinstance(name, str):
            if ref.backend is not None:
                ctx.add("error", "wrong-type", ref.path + ("backend",), f"{format_path(ref.path)}.backend must be a backend name, not {show(ref.backend)}")
            continue
        used.add(name)
        if name not in backends:
            if old:
                continue
            hint = did_you_mean(name, [n for n in names if family_of(backend_type(ctx, backends[n]) or "") == ref.family] or names)
            ctx.add(
                "error",
                "unknown-backend",
                ref.path + ("backend",),
                f"{format_path(ref.path)} references unknown backend '{name}'."
                + (f" Did you mean '{hint}'?" if hint else "")
                + f" Available backends: {names}",
            )
            continue
        actual_type = backend_type(ctx, backends[name])
        actual_family = family_of(actual_type or "")
        if actual_family and actual_family != ref.family:
            right = [n for n in names if family_of(backend_type(ctx, backends[n]) or "") == ref.family]
            offer = f" Backends of type {ref.family}_*: {right}" if right else f" No {ref.family}_* backend is declared yet."
            ctx.add(
                "error",
                "wrong-family",
                ref.path + ("backend",),
                f"{format_path(ref.path)} references backend '{name}' of type '{actual_type}', "
                f"but a backend of type {ref.family}_* is required.{offer}",
            )
    if not old:
        _check_stores(ctx, backends, used)
        _check_shared_partitions(ctx, [r for r in refs if isinstance(ctx.resolved(r.backend), str)])
        for name in names:
            if name not in used:
                ctx.add("info", "backend-unused", ("storage", "backends", name), f"backend '{name}' is declared but nothing references it", key=True)


def _check_stores(ctx: Context, backends: dict, used: set[str]) -> None:
    data = ctx.data
    storage = data.get("storage")
    if storage is None:
        newer = is_newer_format(data)
        ctx.add(
            "info" if newer else "warning",
            "storage-missing",
            (),
            "the file has no storage section"
            + ("; the server creates kv_default / sql_default SQLite backends and points every store at them" if newer
               else "; the server's stores (metadata, inference, conversations) are not configured"),
        )
        return
    if not isinstance(storage, dict):
        ctx.add("error", "wrong-type", ("storage",), f"storage must be a mapping with backends and stores, not {show(storage)}")
        return
    if "references" in storage and "stores" not in storage:
        ctx.add(
            "error",
            "unknown-key",
            ("storage", "references"),
            "storage.references is the name a pre-release of v0.3 used; the server reads storage.stores: rename the key",
            key=True,
        )
    else:
        ctx.check_unknown_keys(_StorageKeys, storage, ("storage",), "storage")
    stores = storage.get("stores")
    if stores is None:
        if not is_newer_format(data) and "references" not in storage:
            ctx.add("error", "missing-field", ("storage",), "storage is missing the required field 'stores' (metadata, inference, conversations)", key=True)
    elif not isinstance(stores, dict):
        ctx.add("error", "wrong-type", ("storage", "stores"), f"storage.stores must be a mapping, not {show(stores)}")
        return
    else:
        ctx.check_unknown_keys(StoresConfig, stores, ("storage", "stores"), "storage.stores")
    if is_newer_format(data) and backends:
        for store, (default_backend, _) in NEWER_DEFAULT_STORES.items():
            if isinstance(stores, dict) and store in stores:
                continue
            used.add(default_backend)
            if default_backend not in backends:
                ctx.add(
                    "error",
                    "store-default-missing",
                    ("storage", "stores") if isinstance(stores, dict) else ("storage",),
                    f"storage.stores.{store} is not set, so the server uses backend '{default_backend}', which storage.backends "
                    f"does not declare; set storage.stores.{store} to one of {list(backends)}",
                    key=True,
                )


class _StorageKeys:
    model_fields = {"backends": None, "stores": None}


def _check_shared_partitions(ctx: Context, refs: list[Reference]) -> None:
    seen: dict[tuple, Reference] = {}
    for ref in refs:
        partition = ctx.resolved(ref.partition)
        key = (ctx.resolved(ref.backend), ref.family, partition)
        first = seen.get(key)
        if first is None:
            seen[key] = ref
            continue
        line, _ = ctx.doc.position(first.path)
        label = f"{ref.partition_key} '{partition}'" if partition is not None else f"no {ref.partition_key}"
        ctx.add(
            "error",
            "shared-namespace",
            ref.path + ((ref.partition_key,) if partition is not None else ()),
            f"{format_path(ref.path)} uses {label} on backend '{key[0]}', as does {format_path(first.path)} "
            f"(line {line}); their {'keys' if ref.family == 'kv' else 'rows'} would overwrite each other",
        )
