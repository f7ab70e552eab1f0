"""The keyboard: letters only where they act (the tree, the problems list), never inside a form
control; each flow finishable from the keyboard alone; the footer, F1 and the palette telling
the truth about the keys; quick fixes; the editor at 80x24."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.geometry import Region
from textual.widgets import Collapsible, Input, OptionList, Select

from llama_config.tui.widgets.diagnostics_panel import DiagnosticsPanel
from llama_config.tui.widgets.fields import FieldInput

from .helpers import RUN_V03, SIZE, settle, show, texts

STORE = ("storage", "stores", "metadata")
KV_DEFAULT = ("storage", "backends", "kv_default")


def footer_keys(app) -> set[str]:
    """The keys the footer offers where the focus is now (shown and not turned down)."""
    return {binding.key for _, binding, enabled, _ in app.screen.active_bindings.values() if binding.show and enabled}


async def test_letters_typed_into_a_select_run_no_action(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, STORE, "store")
        app.screen.query_one("#reference-backend", Select).focus()
        await settle(pilot)
        before = app.session.doc.text
        for key in ("a", "r", "d", "t", "T", "slash", "q", "f", "e", "m"):
            await pilot.press(key)
            await settle(pilot)
            assert app.is_running and len(app.screen_stack) == 1, key
        assert app.session.doc.text == before
        assert app.tree.probe_state == {}  # no connection test started


async def test_footer_offers_only_keys_that_work_where_shown(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, STORE, "store")
        app.tree.focus()
        await settle(pilot)
        keys = footer_keys(app)
        assert "r" not in keys and "d" not in keys and "t" not in keys  # nothing to rename on a store
        assert {"a", "T", "f1", "ctrl+q"} <= keys
        await show(app, pilot, KV_DEFAULT, "backend")
        app.tree.focus()
        await settle(pilot)
        assert {"a", "r", "d", "t", "T", "ctrl+q"} <= footer_keys(app)
        # in a form control: no letter at all
        app.screen.query(FieldInput).first().focus()
        await settle(pilot)
        assert not any(len(key) == 1 or key == "slash" for key in footer_keys(app))
        assert "ctrl+q" in footer_keys(app)


async def test_escape_leaves_a_field_for_the_tree_and_enter_on_a_node_goes_to_the_form(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, KV_DEFAULT, "backend")
        app.tree.focus()
        await settle(pilot)
        await pilot.press("enter")  # one key from the tree to the first field
        await settle(pilot)
        assert isinstance(app.focused, FieldInput) and app.focused.path[:3] == KV_DEFAULT
        await pilot.press("escape")
        await settle(pilot)
        assert app.focused is app.tree and app.tree.cursor_node.data.path == KV_DEFAULT


async def test_a_click_on_an_expanded_node_selects_it_without_collapsing_it(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        storage = app.tree.root.children[0]
        assert storage.is_expanded
        await pilot.click("#tree", offset=(6, 1))  # the label "Storage" on the first line
        await settle(pilot)
        assert storage.is_expanded and app.tree.cursor_node is storage


async def test_add_backend_from_the_keyboard(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("enter")  # the first type: kv_sqlite
        await settle(pilot)
        assert isinstance(app.focused, Input) and app.focused.id == "backend-name"
        await pilot.press("tab")  # the next field: db_path, which kv_sqlite needs
        assert isinstance(app.focused, FieldInput) and app.focused.path[-1] == "db_path"
        await pilot.press(*"./k.db")
        await pilot.press("enter")  # enter in the form adds
        await settle(pilot)
        assert len(app.screen_stack) == 1, app.recorded
        assert "kv_sqlite" in app.session.doc.value_at(("storage", "backends"))


async def test_rename_and_delete_a_backend_from_the_keyboard(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("storage", "backends", "kv_quota"), "backend")
        app.tree.focus()
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        app.screen.query_one("#new-name", Input).value = "kv_counters"
        await pilot.press("enter")
        await settle(pilot)
        assert "kv_counters" in app.session.doc.value_at(("storage", "backends"))
        await pilot.press("d")
        await settle(pilot)
        assert app.screen.id == "delete-dialog"
        await pilot.press("tab", "enter")  # from Cancel to the delete button
        await settle(pilot)
        assert "kv_counters" not in app.session.doc.value_at(("storage", "backends"))


async def test_add_provider_from_the_keyboard(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("providers", "inference"), "api")
        app.tree.focus()
        await settle(pilot)
        count = len(app.session.doc.value_at(("providers", "inference")))
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"ollama", "enter")
        await settle(pilot)
        await pilot.press("enter")  # enter in the provider_id field adds
        await settle(pilot)
        assert len(app.screen_stack) == 1
        assert len(app.session.doc.value_at(("providers", "inference"))) == count + 1


async def test_edit_a_field_then_save_from_the_keyboard(editor) -> None:
    app, path = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("server",), "server")
        app.tree.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.focused, FieldInput)
        target = app.focused.path
        app.focused.value = "8322"
        await pilot.press("enter")
        await settle(pilot)
        assert str(app.session.doc.value_at(target)) == "8322"
        await pilot.press("escape", "ctrl+s")
        await settle(pilot)
        assert app.screen.id == "save-dialog"
        app.screen.query_one("#save").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "8322" in path.read_text()


async def test_create_file_dialog_moves_with_tab(workdir) -> None:
    from llama_config.model.envvars import Environment
    from llama_config.tui.app import ConfigEditorApp

    app = ConfigEditorApp("new.yaml", Environment(environ={}))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.screen.id == "init-dialog" and app.focused.id == "init-name"
        await pilot.press("tab")
        assert app.focused.id == "init-sql"
        await pilot.press("shift+tab")
        assert app.focused.id == "init-name"
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert (workdir / "new.yaml").exists() and app.session is not None


async def test_quick_fix_from_the_problems_list_is_one_key_and_undoable(editor) -> None:
    text = RUN_V03.read_text().replace("      db_path: ${env.SQLITE_STORE_DIR:=~/.llama/distributions/acme}/kvstore.db", "      db_pth: ${env.SQLITE_STORE_DIR:=~/.llama/distributions/acme}/kvstore.db")
    app, _ = editor(text=text, name="run.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel = app.query_one(DiagnosticsPanel)
        index = next(i for i, d in enumerate(panel.diagnostics) if "db_pth" in d.message)
        panel.focus()
        panel.highlighted = index
        await settle(pilot)
        assert "f" in footer_keys(app)
        await pilot.press("f")
        await settle(pilot)
        backend = app.session.doc.value_at(KV_DEFAULT)
        assert "db_path" in backend and "db_pth" not in backend
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert "db_pth" in app.session.doc.value_at(KV_DEFAULT)
        # the form offers the same fix
        await show(app, pilot, KV_DEFAULT, "backend")
        assert "Fix: rename storage.backends.kv_default.db_pth to db_path" in texts(app.detail)


async def test_quick_fix_sets_a_suggested_value(editor) -> None:
    text = RUN_V03.read_text().replace("    anonymous_max_requests:", "    anonymous_max_request:")
    assert text != RUN_V03.read_text()
    app, _ = editor(text=text, name="run.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel = app.query_one(DiagnosticsPanel)
        panel.focus()
        panel.highlighted = next(i for i, d in enumerate(panel.diagnostics) if "anonymous_max_request'" in d.message)
        await pilot.press("f")
        await settle(pilot)
        assert "anonymous_max_requests" in app.session.doc.value_at(("server", "quota"))


async def test_palette_lists_every_action_and_only_the_stores_the_file_has(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        results = palette.query_one("CommandList", OptionList)
        shown = "\n".join(str(results.get_option_at_index(i).prompt) for i in range(results.option_count))
        for action in ("Test connection", "Test all connections", "Reload the file from disk", "Go to provider ollama", "Go to store metadata"):
            assert action in shown, action
        stores = app.session.doc.value_at(("storage", "stores"))
        for line in shown.splitlines():
            if line.startswith("Go to store "):
                assert line.split()[3] in stores


async def test_f1_lists_every_key_from_the_bindings(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        shown = texts(app.screen)
        for key in ("t ", "T ", "ctrl+o", "ctrl+q", "Test every backend", "f "):
            assert key in shown, key


async def test_used_by_is_a_count_with_a_list_to_open(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, KV_DEFAULT, "backend")
        users = app.detail.query_one("#backend-users", Collapsible)
        assert users.collapsed and users.title.startswith("Used by ")


def test_problem_counts_are_singular_for_one() -> None:
    from llama_config.tui.widgets.diagnostics_panel import count_of

    assert [count_of(1, "warning"), count_of(2, "warning"), count_of(1, "error"), count_of(0, "error")] == ["1 warning", "2 warnings", "1 error", "0 errors"]


async def test_at_80_columns_every_footer_key_is_on_screen_with_a_change_to_undo(editor) -> None:
    """On every node of the newest release's starter config, and in the problems list, with
    unsaved changes (so ctrl+z Undo shows too): no key of the footer is cut off at 80 columns."""
    from textual.widgets._footer import FooterKey

    from .test_redraw import CORPUS_FILE

    app, _ = editor(text=CORPUS_FILE.read_text(encoding="utf-8"), name="config.yaml")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.session.set_value(("server", "port"), 8322)
        app.refresh_views()
        await settle(pilot)
        for api in [node for node in app.tree.root.children[1].children]:
            api.expand()
        await settle(pilot)
        places = [(line.node.data.path, line.node.data.kind) for line in app.tree._tree_lines]
        for path, kind in places:
            await show(app, pilot, path, kind)
            app.tree.focus()
            await settle(pilot)
            cut = [key.key for key in app.screen.query(FooterKey) if key.display and key.region.right > 80]
            assert not cut and "ctrl+z" in footer_keys(app), (path, cut)
        app.query_one(DiagnosticsPanel).focus()
        await settle(pilot)
        assert not [key.key for key in app.screen.query(FooterKey) if key.display and key.region.right > 80]


async def test_the_focused_pane_is_drawn_with_other_characters_not_only_brighter(editor) -> None:
    """At 80x24 (and on a terminal with few colours) a brighter border alone did not show where
    typing goes: the pane with the focus has a heavy border, the others a round one."""
    app, _ = editor()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)

        def corners() -> dict[str, str]:
            """The character drawn at each pane's top-left corner."""
            out = {}
            for pane in ("tree", "detail", "problems"):
                widget = app.query_one(f"#{pane}")
                out[pane] = widget.render_lines(Region(0, 0, widget.outer_size.width, 1))[0].text[0]
            return out

        app.tree.focus()
        await settle(pilot)
        assert corners() == {"tree": "┏", "detail": "╭", "problems": "╭"}
        await show(app, pilot, KV_DEFAULT, "backend")
        app.screen.query(FieldInput).first().focus()
        await settle(pilot)
        assert corners() == {"tree": "╭", "detail": "┏", "problems": "╭"}
        app.query_one(DiagnosticsPanel).focus()
        await settle(pilot)
        assert corners() == {"tree": "╭", "detail": "╭", "problems": "┏"}
