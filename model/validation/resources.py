"""registered_resources: each model, vector store or tool group names an enabled provider."""

from __future__ import annotations

from ..redaction import shown_repr
from ..yamlpath import format_path
from .context import Context, did_you_mean, show
from .providers import enabled_providers, is_disabled

# What kind of provider serves each resource kind.
_RESOURCE_API = {
    "models": "inference",
    "shields": "safety",
    "vector_stores": "vector_io",
    "vector_dbs": "vector_io",
    "datasets": "datasetio",
    "scoring_fns": "scoring",
    "benchmarks": "eval",
    "tool_groups": "tool_runtime",
}


# An entry whose id resolves to nothing is left out by the server's substitution (stack.py).
_ID_FIELDS = ("model_id", "vector_store_id")


def check_resources(ctx: Context) -> None:
    resources = ctx.data.get("registered_resources")
    if resources is None:
        return
    path = ("registered_resources",)
    schema = ctx.release.schema.get("properties", {}).get("registered_resources")
    if schema is None:
        return  # the top-level check says the release does not know the key
    if not ctx.check_model(schema, resources, path, "registered_resources", root=ctx.release.schema):
        if not isinstance(resources, dict):
            return
    ctx.check_unknown_keys(schema, resources, path, "registered_resources", root=ctx.release.schema)
    enabled = enabled_providers(ctx)
    every = _all_provider_ids(ctx)
    for kind, entries in resources.items():
        api = _RESOURCE_API.get(kind)
        if api is None or not isinstance(entries, list):
            continue
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict) or "provider_id" not in entry or ctx.unresolvable(entry.get("provider_id")):
                continue
            if any(key in entry and ctx.resolved(entry[key]) in (None, "") for key in _ID_FIELDS):
                continue  # `model_id: ${env.X:+...}` with X unset: the server skips the entry
            pid = ctx.resolved(entry.get("provider_id"))
            if not isinstance(pid, (str, int, float, bool)) and pid is not None:
                continue  # a list or mapping: the config model's type check reports it
            if pid in (None, "", "__disabled__"):
                continue  # the server registers nothing for it
            if pid == "all" and kind == "models" and ctx.release.data.get("model_provider_all", ctx.release.is_ogx):
                continue  # ogx: an alias on the first active inference provider
            ids = [ctx.resolved(p.get("provider_id")) for _, p in enabled.get(api, [])]
            if pid in ids:
                continue
            where = path + (kind, index, "provider_id")
            if pid in every.get(api, {}):
                why = f"the {api} provider '{pid}' is disabled (its provider_id resolves to nothing in this environment)"
            else:
                hint = did_you_mean(pid, [i for i in ids if isinstance(i, str)])
                why = f"there is no enabled {api} provider '{pid}'" + (f"; did you mean '{hint}'?" if hint else f"; enabled: [{', '.join(shown_repr(('providers', api, 'provider_id'), i) for i in ids)}]")
            ctx.add("error", "unknown-provider", where, f"{format_path(where)} names provider {show(pid)}: {why}; {ctx.release.name} refuses to start")


def _all_provider_ids(ctx: Context) -> dict[str, dict]:
    """API -> {provider_id as written or as its `${env.X:+id}` value: provider} for every provider."""
    out: dict[str, dict] = {}
    providers = ctx.data.get("providers")
    for api, entries in (providers.items() if isinstance(providers, dict) else ()):
        for entry in entries if isinstance(entries, list) else ():
            if isinstance(entry, dict) and is_disabled(ctx, entry):
                raw = entry.get("provider_id")
                if not isinstance(raw, (str, int, float, bool)):
                    continue  # a mapping or list as the id: the provider's own check reports it
                name = raw.rsplit(":+", 1)[-1].rstrip("}") if isinstance(raw, str) and ":+" in raw else raw
                out.setdefault(api, {})[name] = entry
    return out
