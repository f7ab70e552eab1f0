"""Renamed APIs and provider types: agents became responses (llama-stack #5195), the inline
`meta-reference` providers became `inline::builtin` (#5131), and the types a release deprecated
in favour of another are written as that one when the next release drops them.

Checked in the packages: llama-stack 0.7.3 has no `agents` in its Api enum and registers
providers/registry/responses.py `inline::builtin` with the same config fields as 0.6.1's agents
`inline::meta-reference` (persistence, vector_stores_config); eval `inline::meta-reference`
became `inline::builtin` (registry/eval.py), tool_runtime `inline::rag-runtime` became
`inline::file-search` (registry/tool_runtime.py, same vector_stores_config). Deprecated types are
read from each release's registry: its `deprecation_warning` names the replacement ("Please use
the `inline::faiss` provider instead": vector_io meta-reference / builtin, sqlite_vec).
"""

from __future__ import annotations

import re

from ...document import Document
from ...redaction import shown_value
from ...releases import Release
from . import Context, Outcome, Step
from .edits import providers

API_RENAMES = {"agents": "responses"}
# (api in the older release, provider_type) -> provider_type in the newer one
TYPE_RENAMES = {
    ("agents", "inline::meta-reference"): "inline::builtin",
    ("eval", "inline::meta-reference"): "inline::builtin",
    ("tool_runtime", "inline::rag-runtime"): "inline::file-search",
}
_USE_INSTEAD = re.compile(r"use the `([^`]+)` provider")


def _new_type(api: str, ptype: str, before: Release | None, after: Release) -> str | None:
    new_api = API_RENAMES.get(api, api) if api not in after.data["apis"] else api
    if after.provider(new_api, ptype) is not None:
        return None  # still there
    new = TYPE_RENAMES.get((api, ptype))
    if new is None and before is not None:
        spec = before.provider(api, ptype) or {}
        found = _USE_INSTEAD.search(spec.get("deprecation_warning") or "")
        new = found.group(1) if found else None
    return new if new and after.provider(new_api, new) is not None else None


def _edits(doc: Document, ctx: Context) -> tuple[list, list, list[str]]:
    assignments, renames, done = [], [], []
    for api, i, entry in providers(doc):
        ptype = entry.get("provider_type")
        new = _new_type(api, ptype, ctx.before, ctx.after) if isinstance(ptype, str) else None
        if new:
            assignments.append((("providers", api, i, "provider_type"), new))
            done.append(f"providers.{api}[{i}] ({shown_value(('providers', api, i, 'provider_id'), entry.get('provider_id'))}): provider_type {ptype} -> {new}")
    section = doc.data.get("providers")
    for old, new in API_RENAMES.items():
        if old in ctx.after.data["apis"] or new not in ctx.after.data["apis"]:
            continue
        if isinstance(section, dict) and old in section and new not in section:
            renames.append((("providers", old), new))
            done.append(f"providers.{old} -> providers.{new} (the {old} API is now {new})")
        apis = doc.data.get("apis")
        for i, name in enumerate(apis if isinstance(apis, list) else ()):
            if name == old and new not in apis:
                assignments.append((("apis", i), new))
                done.append(f"apis: {old} -> {new}")
    return assignments, renames, done


def _apply(doc: Document, ctx: Context) -> Outcome:
    assignments, renames, done = _edits(doc, ctx)
    doc.set_scalars(assignments, renames)
    return Outcome(done=done)


STEP = Step(
    name="api-renames",
    line="*",
    upstream="llama-stack #5195 (agents -> responses), #5131 (meta-reference -> builtin); deprecated types from each registry",
    title="renamed APIs and provider types",
    detect=lambda doc, ctx: any(_edits(doc, ctx)),
    apply=_apply,
)
