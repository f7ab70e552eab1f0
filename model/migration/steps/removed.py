"""What a release no longer has: APIs (with their providers and registered resources) and
provider types. Read from the release data (each release's Api enum, provider registry and
RegisteredResources model), so every line crossed is covered: telemetry is its own step (0.4),
post_training and the agents-era types went in llama-stack 0.7, and ogx 1.0 dropped safety,
eval, scoring, datasetio and post_training with shields, benchmarks, datasets and scoring
functions (#5290).

A release refuses at startup an API it does not know and a provider_type its registry lacks, so
they cannot stay; they are commented out (the text stays in the file) and listed loudly: what
they did is gone, and an upgrade that drops them exits 1 unless --force.
"""

from __future__ import annotations

from ...document import Document
from ...releases import Release
from . import Context, Outcome, Step
from .edits import comment_out, providers

KNOWN_PRS = {"ogx-1.0": "ogx #5290"}

# registered_resources key -> the API that served it (llama-stack 0.7.3 core/stack.py RESOURCES
# gives each key its routing table, core/distribution.py builtin_automatically_routed_apis the
# routing table's API): a dropped resource is reported under the API that went with it
RESOURCE_APIS = {"shields": "safety", "datasets": "datasetio", "scoring_fns": "scoring", "benchmarks": "eval"}


def _resource_keys(release: Release) -> set[str]:
    defs = release.schema.get("$defs", {}).get("RegisteredResources", {})
    return set(defs.get("properties", {}))


def _removed_apis(ctx: Context) -> set[str]:
    if ctx.before is None:
        return set()
    return set(ctx.before.data["apis"]) - set(ctx.after.data["apis"])


def _api_paths(doc: Document, ctx: Context) -> list[tuple]:
    gone = _removed_apis(ctx)
    data = doc.data
    paths: list[tuple] = []
    apis = data.get("apis")
    paths += [("apis", i) for i, a in enumerate(apis if isinstance(apis, list) else ()) if isinstance(a, str) and a in gone]
    section = data.get("providers")
    paths += [("providers", api) for api in (section if isinstance(section, dict) else ()) if api in gone]
    if ctx.before is not None:
        resources = data.get("registered_resources")
        dropped = _resource_keys(ctx.before) - _resource_keys(ctx.after)
        paths += [("registered_resources", k) for k in (resources if isinstance(resources, dict) else ()) if k in dropped]
        new_ignored = set(ctx.after.data.get("ignored_top_level") or {}) - set(ctx.before.data.get("ignored_top_level") or {})
        paths += [(k,) for k in data if k in new_ignored and k not in ("telemetry",)]
    return paths


def _apply_apis(doc: Document, ctx: Context) -> Outcome:
    apis = doc.data.get("apis")
    listed = {a for a in (apis if isinstance(apis, list) else ()) if isinstance(a, str)}
    paths = _api_paths(doc, ctx)
    used = {p[1] for p in paths if p[0] == "providers"} | {RESOURCE_APIS.get(p[1]) for p in paths if p[0] == "registered_resources"}
    gone = sorted(_removed_apis(ctx) & (used | listed))
    pr = f" ({KNOWN_PRS[ctx.after.line]})" if ctx.after.line in KNOWN_PRS else ""
    why = f"{ctx.after.name} has no {', '.join(gone) or 'such'} API{pr}"

    def own_why(path: tuple) -> str:  # (a provider list or a resource under the one API it served)
        api = None  # (a whole section commented out, `providers:`, takes the reason of all)
        if len(path) == 2:
            api = path[1] if path[0] == "providers" else RESOURCE_APIS.get(path[1]) if path[0] == "registered_resources" else None
        return (f"{ctx.after.name} has no {api} API{pr}" if api in gone else why) + "; kept for the record"

    lines = comment_out(doc, paths, own_why)
    return Outcome(manual=[f"REMOVED: {why}: commented out what used it (it stops working; no replacement is configured):"]
                   + [f"  {line}" for line in lines])


def _unavailable(doc: Document, ctx: Context) -> list[tuple[str, int, dict]]:
    return [
        (api, i, entry) for api, i, entry in providers(doc)
        if api in ctx.after.data["apis"] and isinstance(entry.get("provider_type"), str)
        and not entry.get("module") and entry["provider_type"] != "__disabled__"
        and ctx.after.provider(api, entry["provider_type"]) is None
        and (ctx.before is None or ctx.before.provider(api, entry["provider_type"]) is not None)
    ]


def _apply_providers(doc: Document, ctx: Context) -> Outcome:
    found = _unavailable(doc, ctx)
    ids = {entry.get("provider_id") for _, _, entry in found if isinstance(entry.get("provider_id"), str)}
    paths: list[tuple] = [("providers", api, i) for api, i, _ in found]
    resources = doc.data.get("registered_resources")
    for key, items in (resources.items() if isinstance(resources, dict) else ()):
        for i, item in enumerate(items if isinstance(items, list) else ()):
            if isinstance(item, dict) and isinstance(item.get("provider_id"), str) and item["provider_id"] in ids:
                paths.append(("registered_resources", key, i))
    types = ", ".join(sorted({f"{api} {entry['provider_type']}" for api, _, entry in found}))
    why = f"{ctx.after.name} has no provider {types}"
    lines = comment_out(doc, paths, why + "; kept for the record")
    return Outcome(manual=[f"REMOVED: {why}: commented out the provider and what it served (choose a replacement by hand):"]
                   + [f"  {line}" for line in lines])


APIS = Step(
    name="removed-apis",
    line="*",
    upstream="each release's Api enum and RegisteredResources (ogx #5290: safety, eval, scoring, datasetio, post_training)",
    title="APIs a release removed: their providers and resources commented out",
    detect=lambda doc, ctx: bool(_api_paths(doc, ctx)),
    apply=_apply_apis,
)

PROVIDERS = Step(
    name="removed-provider-types",
    line="*",
    upstream="each release's provider registry (providers/registry/*.py)",
    title="provider types a release removed: commented out with the resources they served",
    detect=lambda doc, ctx: bool(_unavailable(doc, ctx)),
    apply=_apply_providers,
)
