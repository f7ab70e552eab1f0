"""Batches keep their state in SQL: `kvstore` became `sqlstore` (ogx 1.0).

Checked in ogx 1.0.4 providers/inline/batches/reference/config.py: ReferenceBatchesImplConfig
has a required `sqlstore: SqlStoreReference` and no kvstore (release data storage_refs:
kvstore kv required in 0.7.3, sqlstore sql required in ogx 1.0); a config with only `kvstore`
fails at startup. The reference is rewritten in place onto a SQL backend; batches already in
the key-value store do not move.
"""

from __future__ import annotations

from ...document import Document
from ...yamlpath import format_path
from . import Context, Outcome, Step
from .edits import kv_to_sql_reference, providers, sql_backend


def _paths(doc: Document) -> list[tuple]:
    return [
        ("providers", api, i, "config", "kvstore")
        for api, i, entry in providers(doc)
        if api == "batches" and entry.get("provider_type") == "inline::reference"
        and isinstance(entry.get("config"), dict) and "kvstore" in entry["config"] and "sqlstore" not in entry["config"]
    ]


def _apply(doc: Document, ctx: Context) -> Outcome:
    out = Outcome()
    for path in _paths(doc):
        backend, added = sql_backend(doc, ctx.target)
        out.done += added
        old = doc.value_at(path)
        table = old.get("namespace") if isinstance(old, dict) and isinstance(old.get("namespace"), str) else "batches"
        kv_to_sql_reference(doc, path, "sqlstore", backend, table)
        out.done.append(f"{format_path(path[:-1])}: kvstore -> sqlstore {{backend: {backend}, table_name: {table}}}")
        out.notes.append("batches kept in the old key-value store do not move to the SQL table: finish or re-submit running batches")
    return out


STEP = Step(
    name="batches-sqlstore",
    line="ogx-1.0",
    upstream="ogx 1.0.0 (providers/inline/batches/reference/config.py: sqlstore: SqlStoreReference)",
    title="batches kvstore becomes sqlstore",
    detect=lambda doc, ctx: bool(_paths(doc)),
    apply=_apply,
)
