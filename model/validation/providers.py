"""providers and apis: every API and provider_type the release knows, each enabled provider's
config against its class's schema, API dependencies, and `apis:` entries with no provider."""

from __future__ import annotations

from typing import Any

from ..envvars import disables_provider
from ..references import is_inline_store_config
from ..releases import display_span
from ..releases.shapes import shapes
from ..yamlpath import Path, format_path
from ..schema_check import coerce
from .context import Context, did_you_mean, show

# Provider fields beside `config`: the server's Provider model.
_PROVIDER_KEYS = ("provider_id", "provider_type", "config", "module")

# Pre-0.3 provider fields that were renamed when they became references: api -> (provider
# types, or None for all) and old key -> (the v0.3 field, its family). A v0.3 server ignores the
# old key, so a file that still has it (upstream's own k8s examples at 2c43285e2 do) loses that
# store. Built-in providers only: an external provider (`module:`) defines its own config.
_RENAMED_STORE_FIELDS: dict[str, tuple[tuple[str, ...] | None, dict[str, tuple[str, str]]]] = {
    "vector_io": (None, {"kvstore": ("persistence", "kv")}),
    "agents": (("inline::meta-reference",), {"persistence_store": ("persistence.agent_state", "kv"), "responses_store": ("persistence.responses", "sql")}),
}


def legacy_store_fields(api: str, provider: dict) -> dict[str, tuple[str, str]]:
    """Old key -> (the field that replaced it, family), for each pre-0.3 store field `provider`
    still holds as a full store config. One legacy-inline-store error explains each (in
    validation/references.py); the unknown key and the missing new field are that same problem."""
    config = provider.get("config")
    types, renamed = _RENAMED_STORE_FIELDS.get(api, (None, {}))
    if not isinstance(config, dict) or provider.get("module") or (types and provider.get("provider_type") not in types):
        return {}
    return {old: new for old, new in renamed.items() if is_inline_store_config(config.get(old))}


def _lines_with(test) -> list[str]:
    """The lines whose shape (model.releases.shapes: small, unlike the full data) passes `test`."""
    return [shape.line for shape in shapes() if test(shape)]


def _where_else(lines: list[str]) -> str:
    if not lines:
        return ""
    return f" (it exists in {display_span(lines)})"


def enabled_providers(ctx: Context) -> dict[str, list[tuple[int, dict]]]:
    """API -> the providers the server will start (not disabled by `${env.X:+id}` or `__disabled__`)."""
    return ctx.once("enabled_providers", lambda: _enabled_providers(ctx))


def _enabled_providers(ctx: Context) -> dict[str, list[tuple[int, dict]]]:
    out: dict[str, list[tuple[int, dict]]] = {}
    providers = ctx.data.get("providers")
    if not isinstance(providers, dict):
        return out
    for api, entries in providers.items():
        if not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if isinstance(entry, dict) and not is_disabled(ctx, entry):
                out.setdefault(str(api), []).append((index, entry))
    return out


def is_disabled(ctx: Context, provider: dict) -> bool:
    raw = provider.get("provider_id")
    if ctx.unresolvable(raw):
        return False
    return disables_provider(ctx.resolved(raw))


def check_providers(ctx: Context) -> None:
    providers = ctx.data.get("providers")
    if providers is None:
        return  # the top-level check reports a missing required `providers`
    if not isinstance(providers, dict):
        ctx.add("error", "wrong-type", ("providers",), f"providers must be a mapping of API names to lists of providers, not {show(providers)}")
        return
    for api, entries in providers.items():
        path: Path = ("providers", api)
        if not _check_api(ctx, api, path):
            continue
        if entries is None:
            continue
        if not isinstance(entries, list):
            ctx.add("error", "wrong-type", path, f"{format_path(path)} must be a list of providers, not {show(entries)}")
            continue
        for index, entry in enumerate(entries):
            where = path + (index,)
            ctx.per_entry("provider", where, entry, lambda: _check_provider(ctx, str(api), entry, where))
    enabled = enabled_providers(ctx)
    _check_dependencies(ctx, enabled)
    _check_listed_apis(ctx, enabled)


def _check_api(ctx: Context, api: Any, path: Path) -> bool:
    release = ctx.release
    if api in release.providable_apis:
        return True
    if api in release.internal_apis:
        ctx.add(
            "error", "unknown-api", path,
            f"'{api}' is served by {release.name} itself and takes no providers; it refuses to start with providers under it",
            key=True,
        )  # fmt: skip
        return False
    if api in release.routing_table_apis:
        ctx.add(
            "error", "routing-table-api", path,
            f"'{api}' is served by a routing table in {release.name}, not by providers: {release.name} refuses to start "
            f"with providers under it; register {api} under registered_resources instead",
            key=True,
        )  # fmt: skip
        return False
    if _external_api(ctx, api, path):
        return False
    hint = did_you_mean(api, release.providable_apis)
    ctx.add(
        "error", "unknown-api", path,
        f"{release.name} has no API {show(api)}{_where_else(_lines_with(lambda r: api in r.apis))}; it refuses to start"
        + (f"; did you mean '{hint}'?" if hint else f"; APIs that take providers: {', '.join(release.providable_apis)}"),
        key=True,
    )  # fmt: skip
    return False


def _external_api(ctx: Context, api: Any, path: Path) -> bool:
    """An API the release lacks, in a file with external_apis_dir: the release adds the APIs that
    directory defines (core/external.py load_external_apis), which llama-config does not read, so
    it can only warn. True when it did."""
    where = ctx.data.get("external_apis_dir")
    if not isinstance(api, str) or not where or "external_apis_dir" not in ctx.release.top_level_keys:
        return False
    ctx.add(
        "warning", "unknown-api", path,
        f"{ctx.release.name} has no API '{api}': it must come from external_apis_dir ({where}), which llama-config does not "
        f"read; {ctx.release.name} refuses to start unless that directory defines it (and its providers)",
        key=path[0] == "providers",
    )  # fmt: skip
    return True


def _check_provider(ctx: Context, api: str, entry: Any, path: Path) -> None:
    if not isinstance(entry, dict):
        ctx.add("error", "wrong-type", path, f"{format_path(path)} must be a provider mapping (provider_id, provider_type, config), not {show(entry)}")
        return
    for key in ("provider_id", "provider_type"):
        if key not in entry:
            ctx.add("error", "missing-field", path, f"{format_path(path)} is missing the required field '{key}'", key=True)
    for key in entry:
        if key not in _PROVIDER_KEYS:
            hint = did_you_mean(key, _PROVIDER_KEYS)
            ctx.add("warning", "unknown-key", path + (key,), f"a provider has no field '{key}', so the server ignores it" + (f"; did you mean '{hint}'?" if hint else ""), key=True)
    if ctx.release.has_definition("Provider"):
        # provider_id, provider_type and module as the config model types them (a list as the
        # id is refused before any provider is skipped); the config is checked by its own class
        ctx.check_model("Provider", entry, path, "a provider", skip=("config",))
    if is_disabled(ctx, entry):
        return  # the server skips it before reading its type or config
    ptype = ctx.resolved(entry.get("provider_type"))
    if not isinstance(ptype, str) or entry.get("module"):
        return  # an external provider (`module:`) brings its own config class
    spec = ctx.release.provider(api, ptype)
    if spec is None:
        hint = did_you_mean(ptype, ctx.release.provider_types(api))
        elsewhere = _where_else(_lines_with(lambda r: r.knows_provider(api, ptype)))
        ctx.add(
            "error", "unknown-provider-type", path + ("provider_type",),
            f"{format_path(path)}: {ctx.release.name} has no {api} provider type '{ptype}'{elsewhere}; it refuses to start"
            + (f"; did you mean '{hint}'?" if hint else f"; {api} provider types: {', '.join(ctx.release.provider_types(api))}"),
        )  # fmt: skip
        return
    if spec.get("deprecation_error"):
        ctx.add("error", "deprecated-provider", path + ("provider_type",), f"{format_path(path)}: {ptype} is removed: {spec['deprecation_error']}")
    elif spec.get("deprecation_warning"):
        ctx.add("warning", "deprecated-provider", path + ("provider_type",), f"{format_path(path)}: {ptype} is deprecated: {spec['deprecation_warning']}")
    _check_config(ctx, ptype, spec, entry.get("config", {}), path + ("config",), legacy_store_fields(api, entry))


def _check_config(ctx: Context, ptype: str, spec: dict, config: Any, path: Path, legacy: dict[str, tuple[str, str]]) -> None:
    schema = spec.get("config_schema")
    if not isinstance(schema, dict):
        return
    if config is None:
        config = {}
    what = f"the {ptype} provider's config"
    # storage references are checked with every other reference (validation/references.py)
    refs = _storage_refs(ctx, spec)
    # (a mapping holding references, written as something else, is the schema check's to report)
    top_refs = tuple({p[0] for p, _, _ in refs if len(p) == 1 or not isinstance(config, dict) or isinstance(config.get(p[0]), dict)})
    # a new field left out because the file still has its pre-0.3 field: legacy-inline-store says so
    replaced = {new.split(".")[0] for new, _ in legacy.values()} - set(config if isinstance(config, dict) else ()) if legacy else set()
    if not ctx.check_model(schema, config, path, what, skip=top_refs + tuple(replaced)):
        if not isinstance(config, dict):
            return
    ctx.check_unknown_keys(schema, config, path, what, extra_known=legacy)
    for ref_path, required, family in refs:
        if required and ref_path[0] not in replaced:
            _require(ctx, config, ref_path, path, family)


def _storage_refs(ctx: Context, spec: dict) -> list[tuple[tuple[str, ...], bool, str]]:
    """(path in the config, required, family) of each storage reference of a provider type, read
    once per pass (a large file has thousands of providers of one type)."""
    found = ctx.once(("storage-refs", id(spec)), lambda: (spec, [(tuple(r["path"].split(".")), bool(r.get("required")), r.get("family", "kv")) for r in spec.get("storage_refs") or ()]))
    return found[1]  # (the spec is held with them: its id stays its own)


def _require(ctx: Context, config: dict, ref_path: tuple[str, ...], path: Path, family: str) -> None:
    """A required storage reference (or the mapping that holds it) that is not written."""
    value: Any = config
    for depth, key in enumerate(ref_path):
        if not isinstance(value, dict):
            return  # a wrong type above it is reported by the schema check
        if key not in value or value[key] is None:
            where = path + ref_path[:depth]
            partition = "namespace" if family == "kv" else "table_name"
            # the mapping that holds references (agents' persistence) is the schema check's
            # message, written once for all the references under it
            shape = f" (a storage reference: {{backend: <a {family.split('|')[0]}_* backend>, {partition}: ...}})" if depth == len(ref_path) - 1 else ""
            ctx.add("error", "missing-field", where, f"{format_path(where)} is missing the required field '{key}'{shape}", key=True)
            return
        value = value[key]


def served_apis(ctx: Context, enabled: dict[str, list[tuple[int, dict]]]) -> set[str]:
    """APIs that exist at startup. Every release's resolve_impls builds the router of an
    auto-routed API (inference, vector_io, ...) only if it is in `apis_to_serve = run_config.apis
    or <every router API>`, with or without a provider behind it; other APIs exist when an
    enabled provider serves them."""
    listed = ctx.data.get("apis")
    routers = set(ctx.release.data.get("routed_apis") or {})
    built = {a for a in listed if isinstance(a, str) and a in routers} if isinstance(listed, list) and listed else routers
    return {a for a in enabled if a not in routers} | built | _switched_on(ctx)


def _switched_on(ctx: Context) -> set[str]:
    """Internal APIs the release builds because their switch is on (0.3: telemetry.enabled)."""
    on = set()
    for api, where in ctx.release.conditional_apis.items():
        value: Any = ctx.data
        for key in where.split("."):
            value = value.get(key) if isinstance(value, dict) else None
        accepted, flag = coerce("boolean", ctx.resolved(value))
        if accepted and flag:
            on.add(api)
    return on


def _check_dependencies(ctx: Context, enabled: dict[str, list[tuple[int, dict]]]) -> None:
    release = ctx.release
    served = served_apis(ctx, enabled)
    for api, entries in enabled.items():
        for index, entry in entries:
            ptype = ctx.resolved(entry.get("provider_type"))
            spec = release.provider(api, ptype) if isinstance(ptype, str) and not entry.get("module") else None
            for dep in (spec or {}).get("api_dependencies") or ():
                if release.available_with(dep, served):
                    continue
                path = ("providers", api, index, "provider_type")
                unlisted = dep in enabled  # served by a provider, but `apis` leaves its router out
                ctx.add(
                    "error", "missing-dependency", path,
                    f"{format_path(path[:-1])} ({ptype}) needs the {dep} API, which "
                    + ("apis does not list (the server builds the router only of the APIs listed there)" if unlisted else "has no enabled provider")
                    + f": {release.name} refuses to start; " + (f"add {dep} to apis" if unlisted else f"add a {dep} provider"),
                )  # fmt: skip


def _check_listed_apis(ctx: Context, enabled: dict[str, list[tuple[int, dict]]]) -> None:
    listed = ctx.data.get("apis")
    if not isinstance(listed, list):
        return
    release = ctx.release
    for index, api in enumerate(listed):
        path = ("apis", index)
        if not isinstance(api, str):
            continue  # the top-level schema check reports the type
        if api not in release.apis:
            if _external_api(ctx, api, path):
                continue
            hint = did_you_mean(api, release.apis)
            ctx.add(
                "error", "unknown-api", path,
                f"apis lists '{api}', which {release.name} does not have{_where_else(_lines_with(lambda r: api in r.apis))}; "
                "it refuses to start" + (f"; did you mean '{hint}'?" if hint else ""),
            )  # fmt: skip
            continue
        if not release.available_with(api, served_apis(ctx, enabled)):
            error = release.api_without_provider == "error"
            ctx.add(
                "error" if error else "warning", "api-without-provider", path,
                f"apis lists '{api}' but no enabled provider serves it: "
                + (f"{release.name} refuses to start" if error else f"{release.name} starts without it and logs a warning"),
            )  # fmt: skip
