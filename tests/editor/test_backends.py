"""Backends: add (type list, then a form with defaults and help), rename (every reference
follows), delete (refused while referenced; the dialog offers moving the references to a
backend of the same family first)."""

from __future__ import annotations

from textual.widgets import Button, Input, OptionList, Select


from .helpers import SIZE, added_lines_only, field, notes, settle, show, texts, tree_labels


async def press_on_backend(app, pilot, name: str, key: str) -> None:
    """Select backend `name` in the tree, focus the tree and press `key` (r: rename, d: delete)."""
    await show(app, pilot, ("storage", "backends", name), "backend")
    app.tree.focus()
    await settle(pilot)
    await pilot.press(key)
    await settle(pilot)


async def test_add_backend_type_list_form_defaults_help_then_save_only_adds_lines(editor) -> None:
    app, path = editor()
    before = path.read_bytes()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert dialog.id == "add-backend-dialog"
        types = dialog.query_one("#backend-type", OptionList)
        assert types.has_focus
        release = app.session.release()
        assert [types.get_option_at_index(i).id for i in range(types.option_count)] == list(release.backend_types)
        assert "key-value store in a PostgreSQL table" in texts(types) or "kv_postgres" in str(types.get_option("kv_postgres").prompt)
        assert dialog.query_one("#add", Button).disabled  # nothing to add before a type is chosen

        # keyboard: move to kv_postgres, enter
        types.highlighted = 0
        await pilot.press(*["down"] * release.backend_types.index("kv_postgres"), "enter")
        await settle(pilot)
        assert not types.display
        assert "Add a kv_postgres backend" in texts(dialog)
        name = dialog.query_one("#backend-name", Input)
        assert name.value == "kv_postgres" and name.has_focus
        # every field of the type, defaults filled in, help text under each
        assert field(app, "storage", "backends", "kv_postgres", "host").value == "localhost"
        assert field(app, "storage", "backends", "kv_postgres", "port").value == "5432"
        postgres = release.definition(release.backend_def("kv_postgres"))
        assert field(app, "storage", "backends", "kv_postgres", "db").value == postgres["properties"]["db"]["default"]
        password = field(app, "storage", "backends", "kv_postgres", "password")
        assert password.password  # masked before anything is typed into it
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert not password.password  # ctrl+r works in the dialog too
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert password.password
        shown = texts(dialog.query_one("#backend-form"))
        for help_text in ("Host name of the database server", "TCP port of the database server", "User to authenticate as"):
            assert help_text in shown
        user = field(app, "storage", "backends", "kv_postgres", "user")
        assert user.placeholder == ("required" if "user" in postgres.get("required", ()) else "not set")
        # F1 on a field of the dialog explains it
        field(app, "storage", "backends", "kv_postgres", "port").focus()
        await pilot.press("f1")
        await settle(pilot)
        assert app.screen.id == "help-dialog" and "TCP port of the database server" in texts(app.screen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is dialog

        # a required field left empty is refused in the dialog
        await pilot.click("#add")
        await settle(pilot)
        assert app.screen is dialog
        assert "user is required" in notes(app, "error")
        assert user.has_focus

        # (the error toast now covers the Add button: go on with the keyboard)
        name.value = "kv_pg"
        user.value = "llama"
        dialog.query_one("#add", Button).focus()
        await pilot.pause(0.25)  # a Button ignores enter for 0.2 s after a press
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is not dialog
        assert "Added backend kv_pg" in notes(app)
        assert any(label.startswith("kv_pg  kv_postgres  0 users") for label in tree_labels(app))
        assert app.detail.current.path == ("storage", "backends", "kv_pg")
        assert app.session.doc.value_at(("storage", "backends", "kv_pg")) == {"type": "kv_postgres", "user": "llama"}
        assert path.read_bytes() == before  # nothing written before saving

        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.click("#save")
        await settle(pilot)
    after = path.read_bytes()
    added = added_lines_only(before.decode(), after.decode())
    assert added == ["    kv_pg:\n", "      type: kv_postgres\n", "      user: llama\n"]
    assert after.decode().index("    kv_pg:") > after.decode().index("    kv_quota:")
    assert path.with_name(path.name + ".bak").read_bytes() == before


async def test_add_backend_refuses_a_taken_name_and_cancel_adds_nothing(editor) -> None:
    app, path = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("enter")  # kv_sqlite
        await settle(pilot)
        dialog = app.screen
        dialog.query_one("#backend-name", Input).value = "kv_default"
        field(app, "storage", "backends", "kv_sqlite", "db_path").value = "./new.db"
        await pilot.click("#add")
        await settle(pilot)
        assert app.screen is dialog
        assert any("'kv_default' is taken" in n for n in notes(app, "error"))
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not dialog
        assert not app.session.modified


async def test_edit_a_backend_field_from_its_form(editor) -> None:
    app, path = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("storage", "backends", "kv_quota"), "backend")
        shown = texts(app.detail)
        assert "Backend kv_quota" in shown and "kv_redis" in shown
        assert "Used by 1" in shown and "server quota" in shown
        port = field(app, "storage", "backends", "kv_quota", "port")
        port.focus()
        port.value = "6380"
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.doc.value_at(("storage", "backends", "kv_quota", "port")) == 6380
        assert "      port: 6380\n" in app.session.doc.text
        assert field(app, "storage", "backends", "kv_quota", "port").value == "6380"


async def test_rename_backend_every_reference_follows_and_the_count_is_told(editor) -> None:
    app, path = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_on_backend(app, pilot, "kv_default", "r")
        dialog = app.screen
        assert dialog.id == "rename-dialog"
        assert "Every reference follows (4 now point at it)" in texts(dialog)
        new_name = dialog.query_one("#new-name", Input)
        assert new_name.has_focus and new_name.value == "kv_default"
        new_name.value = ""
        await pilot.press(*"kv_main", "enter")
        await settle(pilot)
        assert app.screen is not dialog
        assert "Renamed kv_default to kv_main; 4 references changed" in notes(app)
        doc = app.session.doc
        assert "kv_default" not in doc.text
        assert "    kv_main:   # registry, agent state, vector store metadata\n" in doc.text
        for ref in (
            ("storage", "stores", "metadata"),
            ("providers", "vector_io", 0, "config", "persistence"),
            ("providers", "vector_io", 1, "config", "persistence"),
            ("providers", "agents", 0, "config", "persistence", "agent_state"),
        ):
            assert doc.value_at(ref + ("backend",)) == "kv_main"
        assert any(label.startswith("kv_main  kv_sqlite  4 users") for label in tree_labels(app))
        assert app.detail.current.path == ("storage", "backends", "kv_main")
        assert "metadata → kv_main  registry" in tree_labels(app)


async def test_rename_to_a_taken_name_is_refused_with_the_reason(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("storage", "backends", "kv_quota"), "backend")
        await pilot.click("#rename-backend")
        await settle(pilot)
        new_name = app.screen.query_one("#new-name", Input)
        new_name.value = "sql_default"
        await pilot.press("enter")
        await settle(pilot)
        assert "a backend named 'sql_default' already exists" in notes(app, "error")
        assert not app.session.modified
        assert app.session.doc.value_at(("server", "quota", "kvstore", "backend")) == "kv_quota"


async def test_delete_referenced_backend_offers_same_family_repoint(editor) -> None:
    app, path = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press_on_backend(app, pilot, "kv_default", "d")
        dialog = app.screen
        assert dialog.id == "delete-dialog"
        shown = texts(dialog)
        assert "It is still used by 4" in shown
        assert "store metadata  (storage.stores.metadata)" in shown
        repoint = dialog.query_one("#repoint", Select)
        # only kv_* backends other than the one being deleted
        assert [value for _, value in repoint._options] == ["kv_quota"]
        assert repoint.value == "kv_quota"
        assert dialog.query_one("#delete", Button).label.plain == "Move them and delete"
        assert dialog.query_one("#cancel").has_focus  # the safe choice is the default
        await pilot.click("#delete")
        await settle(pilot)
        assert app.screen is not dialog
        assert "Deleted backend kv_default; 4 references now use kv_quota" in notes(app)
        doc = app.session.doc
        assert doc.node_at(("storage", "backends", "kv_default")) is None
        assert doc.value_at(("storage", "stores", "metadata", "backend")) == "kv_quota"
        assert doc.value_at(("providers", "vector_io", 0, "config", "persistence", "backend")) == "kv_quota"
        assert doc.value_at(("providers", "agents", 0, "config", "persistence", "agent_state", "backend")) == "kv_quota"
        assert not any(label.startswith("kv_default") for label in tree_labels(app))
        assert "Backends (2)" in tree_labels(app)
        # the namespaces stay: each reference keeps its data apart on the new backend
        assert doc.value_at(("storage", "stores", "metadata", "namespace")) == "registry"
        assert app.session.errors() == []


async def test_delete_is_refused_when_no_same_family_backend_exists(editor) -> None:
    app, path = editor()
    before = path.read_text()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("storage", "backends", "sql_default"), "backend")
        await pilot.click("#delete-backend")
        await settle(pilot)
        dialog = app.screen
        assert "It is still used by 4" in texts(dialog)
        assert "No other backend of the same family exists" in texts(dialog)
        assert not dialog.query("#repoint")
        assert dialog.query_one("#delete", Button).disabled
        await pilot.press("escape")
        await settle(pilot)
        assert app.session.doc.text == before
        assert not app.session.modified


async def test_delete_unused_backend_after_adding_it(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.change("", lambda: app.session.add_backend("kv_spare", "kv_sqlite", {"db_path": "./spare.db"}))
        await show(app, pilot, ("storage", "backends", "kv_spare"), "backend")
        assert "Used by nothing" in texts(app.detail)
        await press_on_backend(app, pilot, "kv_spare", "d")
        assert "Delete backend kv_spare?" in texts(app.screen)
        assert app.screen.query_one("#delete", Button).label.plain == "Delete"
        await pilot.click("#delete")
        await settle(pilot)
        assert app.session.doc.node_at(("storage", "backends", "kv_spare")) is None
        assert "Deleted backend kv_spare" in notes(app)


async def test_add_backend_refuses_a_wrong_value_in_the_form(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("#backend-type", OptionList).highlighted = app.session.release().backend_types.index("kv_redis")
        await pilot.press("enter")
        await settle(pilot)
        dialog = app.screen
        port = field(app, "storage", "backends", "kv_redis", "port")
        port.value = "abc"
        await pilot.click("#add")
        await settle(pilot)
        assert app.screen is dialog and port.has_focus
        assert "✗ port must be an integer, not 'abc'" in texts(dialog)  # under the field, kept in it
        assert port.value == "abc" and port.has_class("-invalid")
        port.value = "6380"
        app.screen.query_one("#add", Button).focus()
        await pilot.pause(0.25)  # a Button ignores enter for 0.2 s after a press
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.doc.value_at(("storage", "backends", "kv_redis")) == {"type": "kv_redis", "port": 6380}


async def test_a_store_left_unset_counts_as_a_user_of_its_default_backend(editor) -> None:
    # tree, detail and `show` agree: llama-stack 0.7 points an unset prompts store at
    # kv_default, so that backend is used by it (and deleting it is refused)
    from tests.conftest import MINIMAL_CONFIG

    text = MINIMAL_CONFIG.replace("    prompts:\n      backend: kv_default\n      namespace: prompts\n", "")
    app, _ = editor(text=text, name="run.yaml", server="0.7")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        labels = tree_labels(app)
        assert any(label.startswith("kv_default  kv_sqlite  3 users") for label in labels)
        assert "prompts  not set → kv_default by default" in labels
        await show(app, pilot, ("storage", "backends", "kv_default"), "backend")
        assert "store prompts (unset: uses 'kv_default' by default)" in texts(app.detail)
        await press_on_backend(app, pilot, "kv_default", "d")
        assert "store prompts (unset: uses 'kv_default' by default)" in texts(app.screen)
