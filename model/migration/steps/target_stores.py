"""Stores the target release needs at startup that the file lacks (stores.py, as `migrate`
adds them): 0.3.0 refuses to start without storage.stores.conversations, 0.4 added prompts, 0.5
connectors; each is added on a backend of its family."""

from __future__ import annotations

from ...document import Document
from ..stores import add_startup_stores
from . import Context, Outcome, Step


def _apply(doc: Document, ctx: Context) -> Outcome:
    added = add_startup_stores(doc, ctx.target)
    out = Outcome()
    for store in added:
        key = "namespace" if store.family == "kv" else "table_name"
        on = f"a new {store.new_backend['type']} backend" if store.new_backend else "a declared backend"
        out.done.append(f"added storage.stores.{store.store}  {key} {store.partition} on {store.backend} ({on}): {ctx.target.name} refuses to start without it")
    return out


STEP = Step(
    name="startup-stores",
    line=None,
    upstream="the target's core/storage startup checks (release data storage.stores[].startup)",
    title="stores the target needs at startup",
    detect=lambda doc, ctx: True,
    apply=_apply,
)
