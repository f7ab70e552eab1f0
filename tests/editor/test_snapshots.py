"""Snapshot tests (pytest-textual-snapshot) of the editor's main screens on the llama-stack 0.3
example (tests/files/editor/run-llama-stack-0.3.yaml: it has a quota, which ogx removed).

Update after an intended UI change with `pytest tests/editor/test_snapshots.py --snapshot-update`
and look at the SVGs in __snapshots__/ before committing them. The app edits a copy named
run.yaml in the working directory (the header shows that relative name), with a fixed
environment, and every input's cursor blink is switched off: nothing depends on the clock,
the machine or the temporary directory.
"""

from __future__ import annotations

import pytest

from textual.widgets import OptionList

from .helpers import SIZE, settle, steady


def test_main_screen(editor, snap_compare) -> None:
    app, _ = editor()
    assert snap_compare(app, terminal_size=SIZE, run_before=steady)


def _selected(path: tuple, kind: str):
    """run_before: select the tree node of `path`, the tree keeping the focus."""

    async def run_before(pilot) -> None:
        await settle(pilot)
        pilot.app.go_to(path, kind=kind)
        await settle(pilot)
        pilot.app.tree.focus()
        await steady(pilot)

    return run_before


def test_backend_form(editor, snap_compare) -> None:
    app, _ = editor()
    assert snap_compare(app, terminal_size=SIZE, run_before=_selected(("storage", "backends", "kv_quota"), "backend"))


def test_add_backend_form(editor, snap_compare) -> None:
    app, _ = editor()

    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("#backend-type", OptionList).highlighted = app.session.release().backend_types.index("kv_postgres")
        await pilot.press("enter")
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_quota_form(editor, snap_compare) -> None:
    app, _ = editor()

    async def run_before(pilot) -> None:
        await settle(pilot)
        app.go_to(("server", "quota"), kind="quota")
        await settle(pilot)
        app.tree.focus()
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_save_diff_dialog(editor, snap_compare) -> None:
    app, _ = editor()

    async def run_before(pilot) -> None:
        await settle(pilot)
        session = app.session
        app.change("", lambda: session.set_value(("server", "port"), 8322))
        app.change("", lambda: session.rename_backend("kv_quota", "kv_counters"))
        await settle(pilot)
        await pilot.press("ctrl+s")
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_quit_dialog(editor, snap_compare) -> None:
    app, _ = editor()

    async def run_before(pilot) -> None:
        await settle(pilot)
        app.change("", lambda: app.session.set_value(("server", "port"), 8322))
        await settle(pilot)
        await pilot.press("q")
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_external_change_dialog_at_80x24(editor, snap_compare) -> None:
    """ctrl+s after another program changed the file: what it changed, and the three choices."""
    app, path = editor()

    async def run_before(pilot) -> None:
        await settle(pilot)
        app.change("", lambda: app.session.set_value(("server", "port"), 8322))
        path.write_text(path.read_text().replace("image_name: acme", "image_name: theirs").replace("      port: 6379\n", "      port: 6380\n"))
        await settle(pilot)
        app.tree.focus()
        await pilot.press("ctrl+s")
        await steady(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_backend_selected(editor, snap_compare, size) -> None:
    """The smallest terminal the editor supports and a common one: the footer keeps t, T, f1
    and the quit; the form's buttons and the problems list stay on screen."""
    app, _ = editor()
    assert snap_compare(app, terminal_size=size, run_before=_selected(("storage", "backends", "kv_quota"), "backend"))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_provider_selected(editor, snap_compare, size) -> None:
    app, _ = editor()
    assert snap_compare(app, terminal_size=size, run_before=_selected(("providers", "inference", 0), "provider"))


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_store_selected(editor, snap_compare, size) -> None:
    app, _ = editor()
    assert snap_compare(app, terminal_size=size, run_before=_selected(("storage", "stores", "metadata"), "store"))
