"""Every way to disk (ctrl+s, the quit dialog's "Save and quit") goes through one flow: the
file on disk is checked first; if another program changed it, the operator sees what it changed
and chooses to overwrite it (after the review of what replaces it), to reload it and re-apply
their edits, or to cancel; then the same review (the diff and the errors) before anything is
written."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from llama_config.model.errors import ConfigFileError, ExternalChangeError
from llama_config.model.document import EditError
from llama_config.model.disk_change import disk_change

if TYPE_CHECKING:
    from .app import ConfigEditorApp


def save(app: "ConfigEditorApp", then_quit: bool = False) -> None:
    """Check the disk, then show the review; write only once the operator confirmed it."""
    from .screens.save_dialog import SaveDialog

    session = app.session
    assert session is not None
    if disk_change(session.doc) is not None:
        _ask_about_their_change(app, then_quit)
        return

    def done(answer: str) -> None:
        if answer == "save":
            _write(app, then_quit, force=False)

    app.push_screen(SaveDialog(app.path, session.doc.diff(), session.errors()), done)


def _write(app: "ConfigEditorApp", then_quit: bool, force: bool) -> None:
    session = app.session
    assert session is not None
    try:
        session.save(force=force)
    except ExternalChangeError:  # changed between the review and the write: ask again
        _ask_about_their_change(app, then_quit)
        return
    except ConfigFileError as exc:
        app.notify(str(exc), title="Not saved", severity="error", timeout=10)
        return
    app.refresh_views()
    app.notify(f"Saved {app.path} (previous version kept as .bak)", timeout=4)
    if then_quit:
        app.exit()


def _ask_about_their_change(app: "ConfigEditorApp", then_quit: bool) -> None:
    from .screens.save_dialog import ExternalChangeDialog, SaveDialog

    session = app.session
    assert session is not None
    change = disk_change(session.doc)
    if change is None:  # changed back meanwhile
        save(app, then_quit)
        return

    def overwrite(answer: str) -> None:
        if answer == "save":
            _write(app, then_quit, force=True)

    def done(answer: str) -> None:
        if answer == "overwrite":
            title = f"Overwrite {app.path} (their version is kept as .bak)?"
            ours = session.doc.file_texts()[1]
            app.push_screen(SaveDialog(app.path, change.overwrite(ours), session.errors(), title=title, texts=(change.disk or "", ours)), overwrite)
        elif answer == "reapply":
            _reload_and_reapply(app, then_quit)

    app.push_screen(ExternalChangeDialog(change, session.edits_since_load, session.can_replay), done)


def _reload_and_reapply(app: "ConfigEditorApp", then_quit: bool) -> None:
    from .screens.choice import ChoiceDialog

    session = app.session
    assert session is not None
    try:
        report = session.reload_and_replay()
    except (ConfigFileError, EditError) as exc:
        app.notify(str(exc), title="Not reloaded", severity="error", timeout=10)
        return
    app.refresh_views()
    said = f"Reloaded {app.path} and {report.summary()} (ctrl+z goes back)"
    if not report.skipped:
        app.notify(said, timeout=5)
        save(app, then_quit)  # the review of their version with the edits on it
        return
    body = Text(said + ":\n")
    for label, reason in report.skipped:
        body.append(f"  {label}: ", style="bold")
        body.append(reason + "\n", style="red")
    body.append("Nothing was written. Check the result, then ctrl+s.", style="dim")
    app.push_screen(ChoiceDialog("Some edits no longer apply", body, [("ok", "OK", "primary")], cancel_id="ok", dialog_id="replay-report"))
