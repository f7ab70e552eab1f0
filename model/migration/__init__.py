"""Migration of pre-0.3 run configs (llama-stack #3697) to storage backends + references.

    migration = migrate(doc)          # edits the Document in place; MigrationError if impossible
    print("\\n".join(report_lines(migration, doc.name)))

plan.py decides (which old store configs, which backends, their names), apply.py edits the
text, report.py says what was done.
"""

from .apply import Migration, migrate, modernize_placeholders, needs_migration
from .plan import Backend, MigrationError, Place, Plan, make_plan
from .report import report_lines

__all__ = [
    "Backend",
    "Migration",
    "MigrationError",
    "Place",
    "Plan",
    "make_plan",
    "migrate",
    "modernize_placeholders",
    "needs_migration",
    "report_lines",
]
