"""Opening a pre-0.3 file: offer `llama-config migrate`'s conversion, with its report and diff;
a file older than the release the operator chose (--server, the palette): offer `llama-config
upgrade` to it the same way.

Either is one undoable step of the editing session and nothing is written until the operator
saves (ctrl+s shows the diff again).
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from llama_config.model.document import Document
from llama_config.model.masked_diff import masked_document_diff

from .choice import ChoiceDialog
from .save_dialog import colored_diff

MIGRATE_LABEL = "migrate to the v0.3 storage format"


class MigrateDialog(ChoiceDialog):
    # the report and the diff both scroll; the buttons stay on screen
    DEFAULT_CSS = """
    #migrate-dialog .dialog { width: 120; height: 90%; }
    #migrate-dialog #migrate-report { height: auto; margin-bottom: 1; }
    #migrate-dialog .dialog-diff { height: 1fr; max-height: 100%; }
    """

    def __init__(self, title: str, why: str, report: list[str], diff: str, confirm: str = "Migrate") -> None:
        super().__init__(
            title,
            "",
            [("later", "Not now", "default"), ("migrate", confirm, "success")],
            cancel_id="later",
            dialog_id="migrate-dialog",
        )
        self.why = why
        self.confirm = confirm
        self.report = report
        self.diff = diff

    def compose_body(self) -> ComposeResult:
        intro = Text(f"{self.why} {self.confirm} converts it (nothing is written until you save):\n\n")
        intro.append("\n".join(self.report[1:]), style="dim")
        with VerticalScroll(id="migrate-report"):
            yield Static(intro)
        with VerticalScroll(classes="dialog-diff"):
            yield Static(colored_diff(self.diff), id="migrate-diff")

    def on_resize(self) -> None:
        """The report and the diff share what the screen leaves once the title and the buttons
        have their rows (the report up to half): at 80x24 the buttons must stay on screen."""
        fixed = 4 + 2 + 3  # dialog border and padding, title, buttons
        rows = max(6, int(self.size.height * 0.9) - fixed)
        report = max(3, rows // 2)
        self.query_one("#migrate-report").styles.max_height = report
        self.query_one(".dialog-diff").styles.max_height = max(3, rows - report)


def offer_migration(app: Any) -> None:
    """After the first frame: if the open file needs migrating or upgrading, ask (the check is not free)."""
    app.call_after_refresh(_offer, app)


def _offer(app: Any) -> None:
    from llama_config.model.migration import MigrationError, migrate, needs_migration, report_lines

    session = app.session
    if session is None:
        return
    if not needs_migration(session.doc):
        offer_upgrade(app)
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
            app.change("Migrated to the v0.3 storage format: review it, then save with ctrl+s", lambda: session.run(MIGRATE_LABEL, lambda: migrate(session.doc, release)), timeout=6)

    why = (
        "This file configures its stores the pre-0.3 way. Since v0.3 (llama-stack #3697) storage is declared "
        "once under storage.backends and the stores and providers refer to it by name; a v0.3 server refuses "
        "this file."
        if migration.plan.places
        else "Some placeholders use the old ${env.X:default} / ${env.X+v} syntax, which the server no longer substitutes."
    )
    app.push_screen(MigrateDialog(f"Migrate {app.path} to the v0.3 format?", why, report_lines(migration, app.path), masked_document_diff(preview, release)), done)


def offer_upgrade(app: Any) -> None:
    """The operator chose a release (--server, the palette) newer than the one the file was
    written for: offer `llama-config upgrade` to it, with its report and diff."""
    from llama_config.model.migration import MigrationError
    from llama_config.model.migration.upgrade import detect_source, upgrade
    from llama_config.model.migration.upgrade_report import upgrade_report
    from llama_config.model.releases import display_name, line_index, load_release, parse_server
    from llama_config.model.releases.detect import detect

    session = app.session
    if session is None or not session.server:
        return
    target = parse_server(session.server)
    if line_index(detect(session.doc.data).line) >= line_index(target):
        return  # as validate reads it, the file is for that release or a later one (or nothing tells)
    source = detect_source(session.doc)  # the oldest release that reads it as well: no step skipped
    doc = session.doc
    preview = Document(doc.text, name=doc.name, bom=doc.bom)
    try:
        result = upgrade(preview, source, target)
    except MigrationError as exc:
        app.notify(f"This file cannot be upgraded to {display_name(target)}: {exc}", title="Upgrade", severity="error", timeout=12)
        return
    if not preview.modified:
        return
    label = f"upgrade from {display_name(source)} to {display_name(target)}"

    def done(answer: str | None) -> None:
        if answer == "migrate":
            app.change(f"Upgraded to {display_name(target)}: review it, then save with ctrl+s", lambda: session.run(label, lambda: upgrade(session.doc, source, target)), timeout=6)

    why = (
        f"This file was written for {display_name(source)}; you are checking it against {display_name(target)}, "
        "which reads some of it differently or not at all."
        + (" Some of it needs you (MANUAL / REMOVED below)." if result.manual else "")
    )
    report = upgrade_report(result, app.path)
    app.push_screen(MigrateDialog(f"Upgrade {app.path} to {display_name(target)}?", why, report, masked_document_diff(preview, load_release(target)), confirm="Upgrade"), done)
