"""Opening a pre-0.3 file: offer `llama-config migrate`'s conversion, with its report and diff.

The migration is one undoable step of the editing session and nothing is written until the
operator saves (ctrl+s shows the diff again).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from llama_config.model.document import Document

from .choice import ChoiceDialog
from .save_dialog import colored_diff

MIGRATE_LABEL = "migrate to the v0.3 storage format"


class MigrateDialog(ChoiceDialog):
    # the report and the diff both scroll; the buttons stay on screen
    DEFAULT_CSS = """
    #migrate-dialog .dialog { width: 120; height: 90%; }
    #migrate-dialog #migrate-report { height: auto; max-height: 30%; margin-bottom: 1; }
    #migrate-dialog .dialog-diff { height: 1fr; max-height: 100%; }
    """

    def __init__(self, name: str, report: list[str], diff: str, storage: bool = True) -> None:
        super().__init__(
            f"Migrate {name} to the v0.3 format?",
            "",
            [("later", "Not now", "default"), ("migrate", "Migrate", "success")],
            cancel_id="later",
            dialog_id="migrate-dialog",
        )
        self.report = report
        self.diff = diff
        self.storage = storage  # store configs move (else only placeholders are rewritten)

    def compose_body(self) -> ComposeResult:
        why = (
            "This file configures its stores the pre-0.3 way. Since v0.3 (llama-stack #3697) storage is declared "
            "once under storage.backends and the stores and providers refer to it by name; a v0.3 server refuses "
            "this file."
            if self.storage
            else "Some placeholders use the old ${env.X:default} / ${env.X+v} syntax, which the server no longer substitutes."
        )
        intro = Text(why + " Migrate converts it (nothing is written until you save):\n\n")
        intro.append("\n".join(self.report[1:]), style="dim")
        with VerticalScroll(id="migrate-report"):
            yield Static(intro)
        with VerticalScroll(classes="dialog-diff"):
            yield Static(colored_diff(self.diff), id="migrate-diff")


def offer_migration(app: Any) -> None:
    """After the first frame: if the open file needs migrating, ask (the check is not free)."""
    app.call_after_refresh(_offer, app)


def _offer(app: Any) -> None:
    from llama_config.model.migration import MigrationError, migrate, needs_migration, report_lines

    session = app.session
    if session is None or not needs_migration(session.doc):
        return
    doc = session.doc
    preview = Document(doc.text, name=doc.name, bom=doc.bom)
    release = session.release()  # as `llama-config migrate`: the stores it needs are added
    try:
        migration = migrate(preview, release)
    except MigrationError as exc:
        app.notify(f"This file uses the pre-0.3 storage format, but it cannot be migrated: {exc}", title="Old format", severity="error", timeout=12)
        return
    if not migration.changed:
        return

    def done(answer: str | None) -> None:
        if answer == "migrate":
            app.change("Migrated to the v0.3 storage format: review it, then save with ctrl+s", lambda: session.run(MIGRATE_LABEL, lambda: migrate(session.doc, release)))

    app.push_screen(MigrateDialog(app.path, report_lines(migration, app.path), preview.diff(), bool(migration.plan.places)), done)
