"""Finding things and moving around: search, the command palette, the problems panel,
the tree by keyboard and by mouse, a 5,000-provider config, and a file that does not parse."""

from __future__ import annotations

import sys

from textual.command import CommandPalette
from textual.widgets import Input, OptionList

from llama_config.tui.widgets.detail import ActionButton
from llama_config.tui.widgets.diagnostics_panel import DiagnosticsPanel
from llama_config.tui.widgets.fields import FieldInput

from .helpers import ROOT, RUN_V03, SIZE, enter_value, field, notes, settle, show, texts


async def test_search_jumps_to_the_node_and_focuses_the_field(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await settle(pilot)
        dialog = app.screen
        assert dialog.id == "search-dialog"
        search = dialog.query_one("#search-input", Input)
        assert search.has_focus
        await pilot.press(*"kv_quota port")
        await settle(pilot)
        results = dialog.query_one("#search-results", OptionList)
        labels = [str(results.get_option_at_index(i).prompt) for i in range(results.option_count)]
        # the field, and the value the file gives it (search matches values and keys too)
        assert labels == ["kv_quota.port  field of backend kv_quota", "storage.backends.kv_quota.port = 6379"]
        await pilot.press("enter")
        await settle(pilot)
        assert len(app.screen_stack) == 1
        assert app.detail.current.path == ("storage", "backends", "kv_quota")
        assert app.tree.cursor_node.data.path == ("storage", "backends", "kv_quota")
        assert isinstance(app.focused, FieldInput) and app.focused.path == ("storage", "backends", "kv_quota", "port")

        # a provider inside a collapsed group: the group opens, the provider is selected
        # ("/" in a field is just a character: search from the tree)
        app.tree.focus()
        await pilot.press("slash")
        await settle(pilot)
        app.screen.query_one("#search-input", Input).value = "pgvector"
        await settle(pilot)
        results = app.screen.query_one("#search-results", OptionList)
        assert str(results.get_option_at_index(0).prompt).startswith("provider pgvector (vector_io, remote::pgvector)")
        # down moves into the results; enter picks the highlighted one
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.detail.current.path == ("providers", "vector_io", 1)
        assert app.tree.cursor_node.data.path == ("providers", "vector_io", 1)
        assert "Provider pgvector" in texts(app.detail)  # the id its toggle stands for


async def test_search_escape_changes_nothing(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        current = app.detail.current
        await pilot.press("slash")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert len(app.screen_stack) == 1 and app.detail.current == current


async def test_command_palette_lists_the_editor_actions_and_runs_them(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        results = palette.query_one("CommandList", OptionList)
        await settle(pilot)
        shown = "\n".join(str(results.get_option_at_index(i).prompt) for i in range(results.option_count))
        for action in ("Save", "Undo", "Redo", "Search", "Add backend", "Rename backend", "Delete backend", "Reveal passwords", "Help", "Quit", "Go to quota", "Go to backend kv_quota", "Go to store metadata"):
            assert action in shown, action
        await pilot.press(*"add b")  # typed: the palette filters as you type
        await settle(pilot, 3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.id == "add-backend-dialog"


async def test_command_palette_go_to_a_backend(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # rename with no backend selected: told why nothing happens
        await pilot.press("ctrl+p")
        await settle(pilot)
        app.screen.query_one("#--input Input", Input).value = "rename backend"
        await settle(pilot, 3)
        await pilot.press("enter")
        await settle(pilot)
        assert len(app.screen_stack) == 1
        assert "Select a backend in the tree first" in notes(app)

        await pilot.press("ctrl+p")
        await settle(pilot)
        app.screen.query_one("#--input Input", Input).value = "go to backend kv_quota"
        await settle(pilot, 3)
        await pilot.press("enter")
        await settle(pilot)
        assert len(app.screen_stack) == 1
        assert app.detail.current.path == ("storage", "backends", "kv_quota")


async def test_problems_panel_updates_after_a_change_and_jumps_to_the_node(editor) -> None:
    app, _ = editor("broken.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        panel = app.query_one(DiagnosticsPanel)
        # judged against llama-stack 0.7, the closest release (quota, image_name): quota without
        # auth and a negative limit are warnings (0.7 starts), image_name is deprecated (info)
        assert app.session.target.startswith("llama-stack 0.7 (closest:")
        assert panel.border_title == "Problems: 5 errors, 4 warnings, 1 info"
        assert panel.option_count == 10
        # in file order, whatever the severity
        first, second = (str(panel.get_option_at_index(i).prompt) for i in (0, 1))
        assert first.startswith("info    3:1  'image_name' is deprecated in llama-stack 0.7; write 'distro_name' instead")
        assert second.startswith("error   19:18  providers.vector_io[0].config.persistence references unknown backend 'kv_defualt'")

        await show(app, pilot, ("server",), "server")
        await enter_value(pilot, field(app, "server", "port"), "8321")
        assert panel.border_title == "Problems: 4 errors, 4 warnings, 1 info"
        assert not any("server.port" in str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count))

        # keyboard: into the panel, down to the wrong-family finding, enter
        panel.focus()
        await settle(pilot)
        index = next(i for i, d in enumerate(panel.diagnostics) if d.code == "wrong-family")
        panel.highlighted = 0
        await pilot.press(*["down"] * index, "enter")
        await settle(pilot)
        assert app.tree.cursor_node.data.path == ("storage", "stores", "metadata")
        assert app.detail.current.path == ("storage", "stores", "metadata")
        assert "Point it at kv_default" in texts(app.detail)

        # a finding inside a collapsed provider group: the group opens
        index = next(i for i, d in enumerate(panel.diagnostics) if d.code == "unknown-backend")
        panel.focus()
        panel.highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        assert app.detail.current.path == ("providers", "vector_io", 0, "config", "persistence")
        assert "there is no backend named 'kv_defualt'" in texts(app.detail)


async def test_tree_keyboard_only(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = app.tree
        assert tree.has_focus
        assert tree.cursor_node is not None and tree.cursor_node.data.kind == "storage"  # the node the detail shows
        await pilot.press("down", "down")
        await settle(pilot)
        assert tree.cursor_node.data.path == ("storage", "backends", "kv_default")
        assert app.detail.current.path == ("storage", "backends", "kv_default")
        assert "Backend kv_default" in texts(app.detail)

        # down to Providers > vector_io, expand it with enter, walk into it
        vector_io = tree.node_for(("providers", "vector_io"), kind="api")
        while tree.cursor_node is not vector_io:
            await pilot.press("down")
        await settle(pilot)
        assert "API vector_io" in texts(app.detail)
        assert not vector_io.is_expanded
        await pilot.press("enter")
        await settle(pilot)
        assert vector_io.is_expanded
        assert [child.label.plain for child in vector_io.children] == ["faiss  inline::faiss  on", "pgvector  remote::pgvector  off (PGVECTOR_DB unset)"]
        await pilot.press("down", "down")
        await settle(pilot)
        assert app.detail.current.kind == "reference"
        await pilot.press("left")  # to the parent provider
        await settle(pilot)
        assert app.detail.current.path == ("providers", "vector_io", 0)
        await pilot.press("left")  # the provider is open: left closes it first
        await settle(pilot)
        assert not tree.cursor_node.is_expanded and app.detail.current.path == ("providers", "vector_io", 0)
        await pilot.press("left", "left")  # up to the group, then collapse it
        await settle(pilot)
        assert tree.cursor_node is vector_io and not vector_io.is_expanded
        await pilot.press("right")
        await settle(pilot)
        assert vector_io.is_expanded

        # tab leaves the tree for the form (the scrollable pane, the folded "Used by" list, then
        # its buttons and fields), shift+tab comes back
        await show(app, pilot, ("storage", "backends", "kv_quota"), "backend")
        tree.focus()
        await pilot.press("tab")
        await settle(pilot)
        assert app.focused is app.detail
        await pilot.press("tab", "tab")
        await settle(pilot)
        assert isinstance(app.focused, ActionButton) and app.focused.id == "test-backend"  # the first action
        await pilot.press("shift+tab", "shift+tab", "shift+tab")
        await settle(pilot)
        assert tree.has_focus


async def test_tree_mouse_click_selects_a_node(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = app.tree
        quota = tree.node_for(("server", "quota"), kind="quota")
        # the tree has a one-cell border; labels start after the guides
        await pilot.click("#tree", offset=(8, quota.line + 1))
        await settle(pilot)
        assert tree.cursor_node is quota
        assert app.detail.current.kind == "quota"
        assert "Request quota" in texts(app.detail)
        # and a click in the form focuses the field under the mouse
        await pilot.click(field(app, "server", "quota", "anonymous_max_requests"))
        await settle(pilot)
        assert app.focused is field(app, "server", "quota", "anonymous_max_requests")


async def test_a_5000_provider_config_opens_and_the_group_expands(editor) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "bench"))
    app, _ = editor(text=generate(5000), name="big.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = app.tree
        providers = next(n for n in tree.root.children if n.data.kind == "providers")
        group = next(n for n in providers.children if n.data.path == ("providers", "vector_io"))
        assert group.label.plain == "vector_io (5000)"
        assert not group.children  # filled only when opened
        assert "kv_default  kv_sqlite  2501 users" in [n.label.plain for n in tree.node_for(("storage", "backends"), "backends").children]
        tree.move_cursor(group)
        await settle(pilot)
        await pilot.press("right")
        await settle(pilot)
        assert group.is_expanded and len(group.children) == 5000
        assert group.children[4999].label.plain == "faiss-4999  inline::faiss  on"
        await pilot.press("down", "down")
        await settle(pilot)
        assert app.detail.current.path == ("providers", "vector_io", 0, "config", "persistence")


PARSE_ERROR = "version: 2\nstorage:\n  backends: [kv_default\n  stores: {}\n"


async def test_a_file_that_does_not_parse_shows_the_error_and_ctrl_q_quits(editor) -> None:
    app, path = editor(text=PARSE_ERROR, name="run.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.session is None
        shown = texts(app.screen)
        assert "Cannot open this file" in shown
        assert "run.yaml:4:9: error: did not find expected ',' or ']'" in shown
        assert "Nothing was written." in shown and "ctrl+q to quit" in shown
        assert not app.query("#tree")
        # editing keys do nothing (and do not crash)
        await pilot.press("ctrl+s", "a", "slash", "ctrl+z", "q")
        await settle(pilot)
        assert app.is_running and len(app.screen_stack) == 1
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running
    assert path.read_text() == PARSE_ERROR


async def test_a_file_that_does_not_parse_loads_again_after_the_fix(editor) -> None:
    app, path = editor(text=PARSE_ERROR, name="run.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        path.write_text(RUN_V03.read_text())
        await pilot.press("ctrl+o")
        await settle(pilot, 4)
        assert app.session is not None
        assert "Loaded" in notes(app)
        assert app.query_one("#tree").has_focus
        assert "kv_quota  kv_redis  1 user" in [n.label.plain for n in app.tree.node_for(("storage", "backends"), "backends").children]
