"""Saving (the diff first, .bak, errors listed before writing), a file changed on disk
(asked first: reload and re-apply, or overwrite after the review), the quit guard, undo / redo and the unsaved-changes marker."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Button

from .helpers import SIZE, field, enter_value, notes, settle, show, texts

# the header's suffix for the llama-stack 0.3 example: which release checks it, and why
CHECKED = "  ·  checked against llama-stack 0.3 (from: remote::ollama url, API agents, inline::meta-reference)"


def header_text(app) -> str:
    from textual.widgets._header import HeaderTitle

    title = app.screen.query_one(HeaderTitle)
    return texts(title) or str(title.render())


async def set_port(app, pilot, value: int) -> None:
    app.change("", lambda: app.session.set_value(("server", "port"), value))
    await settle(pilot)


async def test_save_shows_the_unified_diff_and_confirm_writes_with_a_backup(editor) -> None:
    app, path = editor()
    before = path.read_text()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "No changes to save" in notes(app)
        assert len(app.screen_stack) == 1

        await show(app, pilot, ("server",), "server")
        await enter_value(pilot, field(app, "server", "port"), "8322")
        app.tree.focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        dialog = app.screen
        assert dialog.id == "save-dialog"
        shown = texts(dialog)
        assert "Save run.yaml?" in shown
        assert "--- run.yaml (on disk)" in shown and "+++ run.yaml (edited)" in shown
        assert "-  port: 8321" in shown and "+  port: 8322" in shown
        assert "@@ " in shown
        assert "error" not in shown
        assert dialog.query_one("#save", Button).label.plain == "Save"
        assert dialog.query_one("#cancel").has_focus

        # cancel first: nothing written
        await pilot.press("escape")
        await settle(pilot)
        assert path.read_text() == before and app.session.modified

        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.click("#save")
        await settle(pilot)
        assert path.read_text() == before.replace("  port: 8321\n", "  port: 8322\n")
        assert path.with_name("run.yaml.bak").read_text() == before
        assert "Saved run.yaml (previous version kept as .bak)" in notes(app)
        assert not app.session.modified
        assert app.sub_title == "saved" + CHECKED


async def test_saving_with_errors_lists_them_in_the_dialog_first(editor) -> None:
    app, path = editor("broken.yaml")
    before = path.read_text()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await set_port(app, pilot, 8322)  # fixes one error; the others stay
        errors = app.session.errors()
        assert len(errors) == 4
        await pilot.press("ctrl+s")
        await settle(pilot)
        dialog = app.screen
        shown = texts(dialog)
        assert "The file still has 4 errors; the server may refuse it:" in shown
        assert "references unknown backend 'kv_defualt'" in shown
        assert "19:18" in shown  # with line and column
        save = dialog.query_one("#save", Button)
        assert save.label.plain == "Save anyway" and save.variant == "warning"
        await pilot.click("#save")
        await settle(pilot)
        assert path.read_text() == before.replace("  port: 80\n", "  port: 8322\n")


async def _their_change_then_ctrl_s(app, pilot, path: Path, theirs: str) -> None:
    await settle(pilot)
    await set_port(app, pilot, 8322)
    path.write_text(theirs)
    app.tree.focus()
    await pilot.press("ctrl+s")
    await settle(pilot)


async def test_file_changed_on_disk_is_asked_first_showing_what_they_changed(editor) -> None:
    app, path = editor()
    theirs = path.read_text().replace("image_name: acme", "image_name: theirs")
    async with app.run_test(size=SIZE) as pilot:
        await _their_change_then_ctrl_s(app, pilot, path, theirs)
        dialog = app.screen
        assert dialog.id == "external-change-dialog"  # before any review of ours
        shown = texts(dialog)
        assert "run.yaml changed on disk" in shown
        assert "--- run.yaml (as you loaded it)" in shown and "+++ run.yaml (on disk now)" in shown
        assert "-image_name: acme" in shown and "+image_name: theirs" in shown
        assert "port" not in shown.split("+++")[1]  # their change only, not ours
        assert [b.label.plain for b in dialog.query(Button)] == ["Cancel", "Reload and re-apply my edits", "Overwrite…"]
        assert dialog.query_one("#cancel").has_focus
        await pilot.press("escape")
        await settle(pilot)
        assert path.read_text() == theirs
        assert app.session.modified and app.session.doc.value_at(("server", "port")) == 8322


async def test_reload_and_reapply_replays_the_edits_on_their_version_then_reviews(editor) -> None:
    app, path = editor()
    original = path.read_text()
    theirs = original.replace("image_name: acme", "image_name: theirs")
    async with app.run_test(size=SIZE) as pilot:
        await _their_change_then_ctrl_s(app, pilot, path, theirs)
        ours = app.session.doc.text
        await pilot.click("#reapply")
        await settle(pilot)
        assert app.session.doc.text == theirs.replace("  port: 8321\n", "  port: 8322\n")
        assert "Reloaded run.yaml and re-applied 1 edit (ctrl+z goes back)" in notes(app)
        review = app.screen
        assert review.id == "save-dialog"  # the same review, now against their version
        shown = texts(review)
        assert "+  port: 8322" in shown and "image_name" not in shown
        await pilot.press("escape")
        await settle(pilot)
        # one undo step goes back to before the reload, with our edit on the old text
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert app.session.doc.text == ours
        assert "Undid: reload from disk and re-apply 1 edit" in notes(app)
        await pilot.press("ctrl+y")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.click("#save")
        await settle(pilot)
        assert path.read_text() == theirs.replace("  port: 8321\n", "  port: 8322\n")
        assert path.with_name("run.yaml.bak").read_text() == theirs


async def test_reapply_reports_the_edits_that_no_longer_apply(editor) -> None:
    app, path = editor()
    theirs = path.read_text().replace("  port: 8321\n", "  port: 9000\n").replace("image_name: acme", "image_name: theirs")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.change("", lambda: app.session.rename_backend("kv_quota", "kv_counters"))
        await _their_change_then_ctrl_s(app, pilot, path, theirs)
        await pilot.click("#reapply")
        await settle(pilot)
        report = app.screen
        assert report.id == "replay-report"
        shown = texts(report)
        assert "Reloaded run.yaml and re-applied 1 edit; 1 no longer applies (ctrl+z goes back):" in shown
        assert "set server.port: server.port was changed on disk too" in shown
        assert "Nothing was written" in shown
        await pilot.press("enter")
        await settle(pilot)
        doc = app.session.doc
        assert doc.value_at(("server", "port")) == 9000  # theirs kept
        assert doc.value_at(("server", "quota", "kvstore", "backend")) == "kv_counters"  # ours re-applied
        assert doc.value_at(("image_name",)) == "theirs"
        assert path.read_text() == theirs


async def test_overwrite_reviews_what_replaces_their_version_then_writes_ours(editor) -> None:
    app, path = editor()
    ours = path.read_text().replace("  port: 8321\n", "  port: 8322\n")
    theirs = path.read_text().replace("image_name: acme", "image_name: theirs")
    async with app.run_test(size=SIZE) as pilot:
        await _their_change_then_ctrl_s(app, pilot, path, theirs)
        await pilot.click("#overwrite")
        await settle(pilot)
        review = app.screen
        assert review.id == "save-dialog"
        shown = texts(review)
        assert "Overwrite run.yaml (their version is kept as .bak)?" in shown
        assert "--- run.yaml (on disk now)" in shown and "+++ run.yaml (yours)" in shown
        assert "-image_name: theirs" in shown and "+image_name: acme" in shown and "+  port: 8322" in shown
        assert path.read_text() == theirs
        await pilot.click("#save")
        await settle(pilot)
        assert path.read_text() == ours
        assert path.with_name("run.yaml.bak").read_text() == theirs
        assert not app.session.modified


async def test_quit_without_changes_just_quits(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_quit_guard_keep_editing(editor) -> None:
    app, path = editor()
    before = path.read_text()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await set_port(app, pilot, 8322)
        await pilot.press("q")
        await settle(pilot)
        dialog = app.screen
        assert dialog.id == "quit-dialog"
        assert "You have unsaved changes." in texts(dialog)
        assert [b.label.plain for b in dialog.query(Button)] == ["Keep editing", "Discard and quit", "Save and quit"]
        assert dialog.query_one("#keep").has_focus
        await pilot.press("enter")  # the focused, safe choice
        await settle(pilot)
        assert app.is_running and len(app.screen_stack) == 1
        assert app.session.modified and path.read_text() == before


async def test_quit_guard_discard_and_quit(editor) -> None:
    app, path = editor()
    before = path.read_text()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await set_port(app, pilot, 8322)
        await pilot.press("q")
        await settle(pilot)
        await pilot.click("#discard")
        await pilot.pause()
        assert not app.is_running
    assert path.read_text() == before
    assert not path.with_name("run.yaml.bak").exists()


async def test_quit_guard_save_and_quit_shows_the_same_review_as_ctrl_s(editor) -> None:
    app, path = editor("broken.yaml")
    before = path.read_text()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await set_port(app, pilot, 8322)
        await pilot.press("ctrl+q")  # ctrl+q asks too
        await settle(pilot)
        assert "The file has 4 errors." in texts(app.screen)
        await pilot.click("#save")
        await settle(pilot)
        review = app.screen
        assert review.id == "save-dialog" and app.is_running and path.read_text() == before
        shown = texts(review)
        assert "The file still has 4 errors; the server may refuse it:" in shown and "+  port: 8322" in shown
        await pilot.click("#save")
        await pilot.pause()
        assert not app.is_running
    assert path.read_text() == before.replace("  port: 80\n", "  port: 8322\n")
    assert path.with_name("broken.yaml.bak").read_text() == before


async def test_save_and_quit_after_an_external_change_asks_about_it_first(editor) -> None:
    app, path = editor()
    theirs = path.read_text().replace("image_name: acme", "image_name: theirs")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await set_port(app, pilot, 8322)
        path.write_text(theirs)
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.click("#save")
        await settle(pilot)
        assert app.screen.id == "external-change-dialog"
        await pilot.click("#reapply")
        await settle(pilot)
        await pilot.click("#save")
        await pilot.pause()
        assert not app.is_running
    assert path.read_text() == theirs.replace("  port: 8321\n", "  port: 8322\n")


async def test_undo_and_redo_restore_the_exact_text(editor) -> None:
    app, path = editor()
    original = path.read_text()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.check_action("undo", ()) is False  # nothing to undo: not in the footer
        session = app.session
        texts_after: list[str] = []
        await set_port(app, pilot, 8322)
        texts_after.append(session.doc.text)
        app.change("", lambda: session.rename_backend("kv_quota", "kv_counters"))
        texts_after.append(session.doc.text)
        app.change("", lambda: session.add_backend("kv_extra", "kv_sqlite", {"db_path": "./extra.db"}))
        texts_after.append(session.doc.text)
        await settle(pilot)
        app.tree.focus()

        await pilot.press("ctrl+z")
        await settle(pilot)
        assert session.doc.text == texts_after[1]
        assert "Undid: add backend kv_extra" in notes(app)
        await pilot.press("ctrl+z", "ctrl+z")
        await settle(pilot)
        assert session.doc.text == original
        assert not session.modified
        assert app.sub_title == "saved" + CHECKED
        assert any(label.startswith("kv_quota  kv_redis") for label in [n.label.plain for n in app.tree.node_for(("storage", "backends"), "backends").children])

        await pilot.press("ctrl+y")
        await settle(pilot)
        assert session.doc.text == texts_after[0]
        await pilot.press("ctrl+y", "ctrl+y")
        await settle(pilot)
        assert session.doc.text == texts_after[2]
        assert app.check_action("redo", ()) is False
        # a new edit after an undo clears the redo history
        await pilot.press("ctrl+z")
        await settle(pilot)
        await set_port(app, pilot, 8400)
        assert not session.can_redo


async def test_header_shows_the_file_and_a_marker_for_unsaved_changes(editor) -> None:
    app, path = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "run.yaml" in app.title
        assert "unsaved" not in header_text(app)
        assert app.sub_title == "saved" + CHECKED
        await set_port(app, pilot, 8322)
        assert app.sub_title == "● unsaved changes" + CHECKED
        assert "● unsaved changes  ·  checked against llama-stack 0.3" in header_text(app)
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert "unsaved" not in header_text(app)


async def test_save_and_quit_apply_a_value_typed_without_enter(editor) -> None:
    app, path = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("server",), "server")
        port = field(app, "server", "port")
        port.focus()
        port.value = "8322"  # typed, no Enter
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen.id == "save-dialog"
        assert "+  port: 8322" in texts(app.screen)
        await pilot.press("escape")
        await settle(pilot)
        port = field(app, "server", "port")
        port.focus()
        port.value = "8400"
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert app.screen.id == "quit-dialog"
        assert app.session.doc.value_at(("server", "port")) == 8400


async def _save_with_the_button_on_an_80x24_screen(app, pilot) -> None:
    """ctrl+s from the tree; the Save button is within the 24 rows; tab to it and press it."""
    app.tree.focus()
    await pilot.press("ctrl+s")
    await settle(pilot)
    save = app.screen.query_one("#save", Button)
    assert app.screen.id == "save-dialog" and save.region.bottom <= 24 and save.region.height > 0
    await pilot.press("tab", "enter")
    await settle(pilot)


async def test_on_an_80x24_terminal_the_save_buttons_stay_on_screen(editor) -> None:
    """A long diff shrinks to what the screen leaves: Save must be reachable at 80x24."""
    app, path = editor()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for port in ("8322", "8323"):
            await show(app, pilot, ("server",), "server")
            await enter_value(pilot, field(app, "server", "port"), port)
        app.change("", lambda: app.session.rename_backend("kv_default", "kv_registry"))  # a diff taller than the screen
        await settle(pilot)
        await _save_with_the_button_on_an_80x24_screen(app, pilot)
        assert "port: 8323" in path.read_text() and not app.session.modified


async def test_on_an_80x24_terminal_the_external_change_buttons_stay_on_screen(editor) -> None:
    app, path = editor()
    theirs = "".join(line.replace(":", ":  # theirs", 1) if line.startswith("  ") and ": " in line else line for line in path.read_text().splitlines(keepends=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await _their_change_then_ctrl_s(app, pilot, path, theirs)  # their diff is taller than the screen
        assert app.screen.id == "external-change-dialog"
        for button in app.screen.query(Button):
            assert 0 < button.region.bottom <= 24 and button.region.right <= 80 and button.region.height > 0


async def test_on_an_80x24_terminal_many_long_errors_leave_the_save_buttons_on_screen(editor) -> None:
    """Errors that wrap over several lines each scroll in their own part of the dialog."""
    old = (Path(__file__).parents[1] / "files" / "upgrade" / "commented-0.3.yaml").read_text()
    app, path = editor(text=old, name="run.yaml", server="ogx-1.5")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("tab", "enter")  # Upgrade: four long missing-dependency errors remain
        await settle(pilot)
        assert len(app.session.errors()) >= 4
        await _save_with_the_button_on_an_80x24_screen(app, pilot)
        assert "distro_name" in path.read_text() and not app.session.modified
