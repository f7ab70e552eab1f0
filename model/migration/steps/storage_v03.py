"""Pre-0.3 storage (inline store configs) to storage.backends + references (llama-stack #3697):
`migrate`'s own conversion (model/migration/apply.py), as the first step of an upgrade."""

from __future__ import annotations

from ...document import Document
from ..apply import migrate, needs_migration
from ..report import report_lines
from . import Context, Outcome, Step


def _apply(doc: Document, ctx: Context) -> Outcome:
    migration = migrate(doc)  # the stores the target needs are added by target_stores, at the end
    migration.plan.unset_stores = []  # (said by target_stores, which adds them)
    lines = report_lines(migration, doc.name or "FILE")[1:]
    return Outcome(done=[line.strip() for line in lines if not line.strip().startswith("note:")],
                   notes=[line.strip()[len("note: "):] for line in lines if line.strip().startswith("note:")])


STEP = Step(
    name="storage-backends",
    line="0.3",
    upstream="llama-stack #3697 (0.3.0: core/storage/datatypes.py StorageConfig)",
    title="store configs become storage.backends + references",
    detect=lambda doc, ctx: needs_migration(doc),
    apply=_apply,
)
