"""Every backend reference: it must name a declared backend of the right family, and two
references must not share one namespace or table on one backend."""

from __future__ import annotations

from typing import Any

from ..facts import declared_backends, family_of, is_old_format
from ..references import Reference, is_inline_store_config, iter_providers, provider_references, quota_references, store_references
from ..redaction import is_secret_key
from ..releases.fields import data_at, node_at, pick, provider_config_node_at
from ..yamlpath import format_path
from .backends import backend_type
from .context import Context, did_you_mean, show
from .providers import enabled_providers, legacy_store_fields, served_apis
from .server import property_def

_INLINE_TYPE_FAMILY = {"sqlite": "sqlite", "postgres": "postgres", "redis": "redis", "mongodb": "mongodb"}

def _stores_model(ctx: Context) -> str | None:
    return property_def(ctx, "StorageConfig", "stores") if ctx.release.has_definition("StorageConfig") else None


def _reference_model(ctx: Context, ref: Reference) -> str | None:
    """The release's model of a reference: the store's own, else the plain KV / SQL reference."""
    stores = _stores_model(ctx)
    if ref.path[:2] == ("storage", "stores") and stores:
        model = property_def(ctx, stores, ref.path[2])
        if model:
            return model
    model = "KVStoreReference" if ref.family == "kv" else "SqlStoreReference"
    return model if ctx.release.has_definition(model) else None


def _reference_schema(ctx: Context, ref: Reference, value: dict) -> tuple[str | dict | None, dict | None]:
    """A provider's reference as its own config class declares it (responses' persistence has
    write-queue fields a plain SQL reference lacks); a store's, the release's store model."""
    if ref.path[0] != "providers":
        return _reference_model(ctx, ref), None
    # A reference written directly in a provider's config: its schema depends on the provider's
    # type, the field, and the `type` tags of the config and the reference alone (they choose
    # between a union's members), so it is looked up once for the thousands of providers alike.
    alike = None
    if len(ref.path) == 5:
        entry = data_at(ctx.data, ref.path[:3])
        config = entry.get("config") if isinstance(entry, dict) else None
        alike = ("reference-schema", ref.path[1], entry.get("provider_type") if isinstance(entry, dict) else None, ref.path[4], _tag(config), _tag(value))
        try:
            hash(alike)
        except TypeError:  # (a tag written as a list or mapping: looked up each time)
            alike = None
    if alike is None:
        return _provider_reference_schema(ctx, ref, value)
    return ctx.once(alike, lambda: _provider_reference_schema(ctx, ref, value))


def _tag(value: Any) -> Any:
    return value.get("type") if isinstance(value, dict) else None


def _provider_reference_schema(ctx: Context, ref: Reference, value: dict) -> tuple[str | dict | None, dict | None]:
    api = ref.path[1]
    entry = ctx.once(f"provider-entry-schema:{api!r}", lambda: node_at(ctx.release, ctx.data, ref.path[:3]) is not None)
    found = provider_config_node_at(ctx.release, ctx.data, ref.path, entry)
    if found is not None:
        schema = pick(found[0], found[1], value)
        if schema.get("properties"):
            return schema, found[1]
    return _reference_model(ctx, ref), None


def _explain_inline(ctx: Context, ref: Reference) -> None:
    value = ref.value
    old_type = value.get("type")
    kind = f"{ref.family}_{_INLINE_TYPE_FAMILY.get(old_type, old_type)}"
    detail = ", ".join(f"{k}: {show(v)}" for k, v in value.items() if k != "type" and not is_secret_key(k))
    where = format_path(ref.path)
    ctx.add(
        "error",
        "legacy-inline-store",
        ref.path,
        f"{where} is a pre-0.3 inline store config (type: {old_type}{', ' + detail if detail else ''}); since v0.3 it must "
        f"reference a backend: declare a {kind} backend under storage.backends with these settings and write "
        f"{ref.path[-1]}: {{backend: NAME, {ref.partition_key}: ...}} (llama-config migrate does this)",
    )


def _explain_renamed_fields(ctx: Context) -> None:
    for api, index, provider in iter_providers(ctx.data):
        path = ("providers", api, index)
        ctx.per_entry("renamed-fields", path, provider, lambda: _explain_renamed_in(ctx, api, path, provider))


def _explain_renamed_in(ctx: Context, api: str, where: tuple, provider: dict) -> None:
    for old_key, (new_field, family) in legacy_store_fields(api, provider).items():
        value = provider["config"][old_key]
        path = where + ("config", old_key)
        old_type = value.get("type")
        partition = "namespace" if family == "kv" else "table_name"
        ctx.add(
            "error",
            "legacy-inline-store",
            path,
            f"{format_path(path)} is the pre-0.3 field for this provider's store (a full {old_type} config); since v0.3 "
            f"the server ignores '{old_key}' and reads {new_field}: declare a {family}_{_INLINE_TYPE_FAMILY.get(old_type, old_type)} "
            f"backend under storage.backends with these settings and write {new_field}: {{backend: NAME, {partition}: ...}}",
        )


def _backends_in_effect(ctx: Context) -> tuple[dict, bool]:
    """The declared backends, and whether they are implicit: where the release has default
    backends (0.4 and later), a file that leaves storage.backends out gets them, so references
    to kv_default / sql_default there are fine."""
    storage = ctx.data.get("storage")
    defaults = ctx.release.default_backends
    if defaults and (storage is None or (isinstance(storage, dict) and storage.get("backends") is None)):
        return dict(defaults), True
    return declared_backends(ctx.data), False


class _Backends:
    """What the check of one reference reads about the rest of the file: the backends in
    effect (names and resolved types, in order) and whether references are judged at all."""

    def __init__(self, ctx: Context, backends: dict, old: bool, broken: bool) -> None:
        self.backends, self.old, self.broken = backends, old, broken
        self.names = list(backends)
        self.types = {name: backend_type(ctx, backend) for name, backend in backends.items()}
        self.key = (old, broken, tuple(self.types.items()))  # (for reusing a provider's checks)

    def of_family(self, family: str) -> list[str]:
        return [n for n in self.names if family_of(self.types[n] or "") == family]


def check_references(ctx: Context) -> None:
    data = ctx.data
    old = is_old_format(data)
    backends, implicit = _backends_in_effect(ctx)
    storage = data.get("storage")
    # storage.backends written but not a mapping is reported by check_backends; every reference
    # being "unknown" after that would only repeat it
    backends_broken = isinstance(storage, dict) and storage.get("backends") is not None and not isinstance(storage.get("backends"), dict)
    known = _Backends(ctx, backends, old, backends_broken)
    used: set[str] = set()
    if not old:  # an old-format file gets one old-format error instead of one per store
        _explain_renamed_fields(ctx)
    refs = _check_all(ctx, store_references(data, ctx.release, True), known, used)
    for api, index, provider in iter_providers(data):
        path = ("providers", api, index)
        # (one provider's references, and what they use, depend on that provider and the backends alone)
        found, names = ctx.per_entry("references", path, provider, lambda: _check_provider_refs(ctx, api, index, provider, known), known.key)
        refs += found
        used.update(names)
    refs += _check_all(ctx, quota_references(data, True), known, used)
    if not old:
        _check_stores(ctx, backends, used)
        _check_shared_partitions(ctx, [r for r in refs if isinstance(ctx.resolved(r.backend), str)])
        for name in known.names if not implicit else ():
            if name not in used:
                ctx.add("info", "backend-unused", ("storage", "backends", name), f"backend '{name}' is declared but nothing references it", key=True)


def _check_provider_refs(ctx: Context, api: str, index: int, provider: dict, known: _Backends) -> tuple[list[Reference], frozenset[str]]:
    used: set[str] = set()
    refs = _check_all(ctx, provider_references(ctx.release, api, index, provider, include_inline=True, reference_free=ctx.once("reference_free", set)), known, used)
    return refs, frozenset(used)


def _check_all(ctx: Context, refs: list[Reference], known: _Backends, used: set[str]) -> list[Reference]:
    """Check each reference; the backend names they use go into `used`."""
    for ref in refs:
        name = _check_reference(ctx, ref, known)
        if name is not None:
            used.add(name)
    return refs


def _check_reference(ctx: Context, ref: Reference, known: _Backends) -> str | None:
    """The checks of one reference; the backend name it uses, if it names one."""
    value = ref.value
    if is_inline_store_config(value):
        # server.quota.kvstore: the quota check explains it, with the quota's own namespace
        if not known.old and ref.path != ("server", "quota", "kvstore"):
            _explain_inline(ctx, ref)
        return None
    if not isinstance(value, dict):
        # e.g. `persistence: kv_default`: the server needs a mapping, a bare name fails validation
        ctx.add(
            "error",
            "wrong-type",
            ref.path,
            f"{format_path(ref.path)} must be a reference {{backend: <a {ref.family}_* backend>, {ref.partition_key}: ...}}, "
            f"not {show(value)}",
        )
        return None
    model, root = _reference_schema(ctx, ref, value) if ref.known else (None, None)
    if model:
        what = ref.owner if ref.path[0] != "storage" else format_path(ref.path)
        ctx.check_model(model, value, ref.path, what, root=root)
        ctx.check_unknown_keys(model, value, ref.path, lambda: f"the reference {format_path(ref.path)}", root=root)
    name = ctx.resolved(ref.backend)
    if not isinstance(name, str):
        # known references already got the schema's wrong-type for `backend`
        if ref.backend is not None and not ref.known:
            ctx.add("error", "wrong-type", ref.path + ("backend",), f"{format_path(ref.path)}.backend must be a backend name, not {show(ref.backend)}")
        return None
    names = known.names
    if name not in known.backends:
        if not (known.old or known.broken):
            hint = did_you_mean(name, known.of_family(ref.family) or names)
            ctx.add(
                "error",
                "unknown-backend",
                ref.path + ("backend",),
                f"{format_path(ref.path)} references unknown backend '{name}'."
                + (f" Did you mean '{hint}'?" if hint else "")
                + f" Available backends: {names}",
            )
        return name
    actual_type = known.types[name]
    actual_family = family_of(actual_type or "")
    if actual_family and actual_family != ref.family:
        right = known.of_family(ref.family)
        offer = f" Backends of type {ref.family}_*: {right}" if right else f" No {ref.family}_* backend is declared yet."
        ctx.add(
            "error",
            "wrong-family",
            ref.path + ("backend",),
            f"{format_path(ref.path)} references backend '{name}' of type '{actual_type}', "
            f"but a backend of type {ref.family}_* is required.{offer}",
        )
    return name


def _check_stores(ctx: Context, backends: dict, used: set[str]) -> None:
    storage = ctx.data.get("storage")
    release = ctx.release
    if storage is None:
        if release.storage.get("required"):
            ctx.add("error", "storage-missing", (), f"the file has no storage section, which {release.name} requires (backends and stores)")
        else:
            ctx.add(
                "info", "storage-missing", (),
                f"the file has no storage section; {release.name} creates {' / '.join(release.default_backends) or 'default'} "
                "SQLite backends and points every store at them",
            )  # fmt: skip
            used.update(ref.get("backend") for ref in (s.get("default") or {} for s in release.stores.values()) if ref)
        return
    if not isinstance(storage, dict):
        ctx.add("error", "wrong-type", ("storage",), f"storage must be a mapping with backends and stores, not {show(storage)}")
        return
    renamed = "references" in storage and "stores" not in storage
    if renamed:
        ctx.add(
            "error",
            "unknown-key",
            ("storage", "references"),
            f"storage.references is the name a pre-release of v0.3 used; {release.name} reads storage.stores: rename the key",
            key=True,
        )
    elif release.has_definition("StorageConfig"):
        ctx.check_unknown_keys("StorageConfig", storage, ("storage",), "storage")
    # the stores are judged as they will be once the key is renamed, not all reported missing
    stores = storage.get("references" if renamed else "stores")
    if stores is not None and not isinstance(stores, dict):
        ctx.add("error", "wrong-type", ("storage", "stores"), f"storage.stores must be a mapping, not {show(stores)}")
        return
    stores = stores or {}
    model = _stores_model(ctx)
    if model and stores:
        ctx.check_unknown_keys(model, stores, ("storage", "stores"), "storage.stores")
    served = served_apis(ctx, enabled_providers(ctx))
    for name, spec in release.stores.items():
        where = ("storage", "stores", name)
        if name in stores and stores[name] is None:
            if spec.get("null_is_error"):
                ctx.add("error", "store-null", where, f"storage.stores.{name} is null: {release.name} refuses to start (leave the key out to use the default)", key=True)
            continue
        if name in stores:
            continue
        default = spec.get("default")
        if default:
            used.add(default["backend"])
            if default["backend"] not in backends:
                # only a backend of the store's family can take it (another is refused: wrong-family)
                family = spec.get("family") or family_of(default["backend"]) or "kv"
                right = [n for n in backends if family_of(backend_type(ctx, backends[n]) or "") == family]
                fix = f"set storage.stores.{name} to one of {right}" if right else f"declare a {family}_* backend for it"
                ctx.add(
                    "error",
                    "store-default-missing",
                    ("storage", "stores") if "stores" in storage else ("storage",),
                    f"storage.stores.{name} is not set, so {release.name} uses backend '{default['backend']}', which storage.backends "
                    f"does not declare; {fix}",
                    key=True,
                )
            continue
        startup = spec.get("startup") or "optional"
        needed = startup == "required" or (startup.startswith("when-api:") and startup.split(":", 1)[1] in served)
        if needed:
            ctx.add(
                "error", "store-missing", ("storage", "stores") if "stores" in storage else ("storage",),
                f"storage.stores.{name} is not set: {release.name} refuses to start without it "
                f"(a {spec.get('family', 'kv')}_* backend reference)",
                key=True,
            )  # fmt: skip


def _check_shared_partitions(ctx: Context, refs: list[Reference]) -> None:
    groups: dict[tuple, list[tuple[int, Reference, Any]]] = {}
    for order, ref in enumerate(refs):
        partition = ctx.resolved(ref.partition)
        if isinstance(partition, (list, dict, set)):
            continue  # not a namespace at all (`!!set` is unhashable too): the schema check reports its type
        groups.setdefault((ctx.resolved(ref.backend), ref.family, partition), []).append((order, ref, partition))
    # only references that share one are put in file order (finding a position costs a lookup),
    # so the report lands on the later of the two and points back at the earlier
    shared = sorted((item for group in groups.values() if len(group) > 1 for item in group), key=lambda item: (ctx.doc.position(item[1].path), item[0]))
    seen: dict[tuple, Reference] = {}
    for _, ref, partition in shared:
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
