"""Deleting, renaming or repointing a backend or a store says where the existing data stays:
the config changes, the data does not move (model.data_location names the place)."""

from __future__ import annotations

from textual.widgets import Select

from .helpers import SIZE, enter_value, notes, settle, show, texts

KV_FILE = "the SQLite file /home/op/.llama/distributions/acme/kvstore.db"  # SQLITE_STORE_DIR unset, HOME=/home/op


async def _dialog_of(app, pilot, backend: str, key: str) -> str:
    """Select the backend in the tree, press `key` there; the dialog's id and text."""
    await show(app, pilot, ("storage", "backends", backend), "backend")
    app.tree.focus()
    await pilot.press(key)
    await settle(pilot)
    return f"{app.screen.id}\n{texts(app.screen)}"


async def test_delete_and_rename_dialogs_name_where_the_data_stays(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = await _dialog_of(app, pilot, "kv_default", "d")
        assert shown.startswith("delete-dialog") and f"Existing data is not moved or deleted: it stays in {KV_FILE}." in shown
        await pilot.press("escape")
        await settle(pilot)
        shown = await _dialog_of(app, pilot, "kv_quota", "r")
        assert shown.startswith("rename-dialog") and "it stays in Redis at redis.internal:6379." in shown


async def test_repointing_a_store_or_changing_its_namespace_says_the_old_data_stays(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("storage", "stores", "metadata"), "store")
        app.detail.query_one("#reference-partition").value = "registry"  # as shown
        await enter_value(pilot, app.detail.query_one("#reference-partition"), "registry2")
        assert f"Set storage.stores.metadata.namespace. Existing data is not moved or deleted: it stays in {KV_FILE}, namespace 'registry'." in notes(app)
        app.detail.query_one("#reference-backend", Select).value = "kv_quota"
        await settle(pilot)
        assert app.session.doc.value_at(("storage", "stores", "metadata", "backend")) == "kv_quota"
        assert f"storage.stores.metadata now uses kv_quota. Existing data is not moved or deleted: it stays in {KV_FILE}, namespace 'registry2'." in notes(app)
