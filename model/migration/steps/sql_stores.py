"""The prompts and connectors stores are SQL in ogx (#5757).

Checked in ogx 1.0.4 core/storage/datatypes.py: ServerStoresConfig.prompts and .connectors are
SqlStoreReference (table_name) where llama-stack 0.7.3 had KVStoreReference (namespace); ogx
rewrites a `{backend: kv_x, namespace}` it finds to `sql_x` by name (core/storage/datatypes.py
validator), so the error names a backend the file never declared. Each reference is rewritten
in place onto a SQL backend of the file (or the one it gets); the data stays in the old
key-value store.
"""

from __future__ import annotations

from ...document import Document
from . import Context, Outcome, Step
from .edits import kv_to_sql_reference, sql_backend

STORES = ("prompts", "connectors")


def _paths(doc: Document, ctx: Context) -> list[tuple]:
    stores = doc.value_at(("storage", "stores"))
    out = []
    for name in STORES:
        if (ctx.after.stores.get(name) or {}).get("family") != "sql":
            continue
        ref = stores.get(name) if isinstance(stores, dict) else None
        if isinstance(ref, dict) and ("namespace" in ref or "table_name" not in ref):
            out.append(("storage", "stores", name))
    return out


def _apply(doc: Document, ctx: Context) -> Outcome:
    out = Outcome()
    for path in _paths(doc, ctx):
        backend, added = sql_backend(doc, ctx.target)
        out.done += added
        old = doc.value_at(path)
        table = old.get("namespace") if isinstance(old.get("namespace"), str) else path[-1]
        kv_to_sql_reference(doc, path, path[-1], backend, table)
        out.done.append(f"storage.stores.{path[-1]}: key-value {old.get('backend')} -> SQL {{backend: {backend}, table_name: {table}}}")
        out.notes.append(f"the {path[-1]} already saved in {old.get('backend')} do not move to the SQL table: export and re-create them if you need them")
    return out


STEP = Step(
    name="sql-stores",
    line="ogx-1.0",
    upstream="ogx #5757 (1.0.0: core/storage/datatypes.py prompts/connectors: SqlStoreReference)",
    title="prompts and connectors stores become SQL",
    detect=lambda doc, ctx: bool(_paths(doc, ctx)),
    apply=_apply,
)
