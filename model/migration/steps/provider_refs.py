"""Storage references a provider's config requires in the target release and the file lacks
(ogx 1.1 made messages `kvstore` required, for example).

Read from the release data: each provider spec's `storage_refs` (fields typed as the release's
KVStoreReference / SqlStoreReference, with their requiredness) and its `sample_config` (what
upstream's own distribution template writes). The sample reference is added, on a declared
backend of its family when the sample's backend is not declared.
"""

from __future__ import annotations

from ...document import Document
from ...yamlpath import format_path
from . import Context, Outcome, Step
from .edits import backend_of_family, providers


def _missing(doc: Document, ctx: Context) -> list[tuple[tuple, dict, str]]:
    out = []
    for api, i, entry in providers(doc):
        spec = ctx.target.provider(api, entry.get("provider_type")) if isinstance(entry.get("provider_type"), str) else None
        config = entry.get("config")
        if spec is None or not isinstance(config, dict) and config is not None:
            continue
        for ref in spec.get("storage_refs") or ():
            parts = tuple(ref["path"].split("."))
            if not ref.get("required") or len(parts) != 1:
                continue
            sample = (spec.get("sample_config") or {}).get(parts[0])
            if (config or {}).get(parts[0]) is None and isinstance(sample, dict):
                out.append((("providers", api, i, "config", parts[0]), dict(sample), ref["family"]))
    return out


def _apply(doc: Document, ctx: Context) -> Outcome:
    out = Outcome()
    declared = doc.value_at(("storage", "backends"))
    for path, reference, family in _missing(doc, ctx):
        if isinstance(declared, dict) and declared and reference.get("backend") not in declared:
            reference["backend"] = backend_of_family(doc, family) or reference.get("backend")
        doc.set(path, reference)
        out.done.append(f"{format_path(path)}: added {reference} ({ctx.target.name} requires it; upstream's own default)")
    return out


STEP = Step(
    name="provider-storage-refs",
    line=None,
    upstream="the target's provider registry (storage_refs required; sample_config), e.g. ogx 1.1 messages kvstore",
    title="storage references the target's providers require",
    detect=lambda doc, ctx: bool(_missing(doc, ctx)),
    apply=_apply,
)
