"""How the editor redraws: the form on screen becomes the next one in place (the same widgets
where the shape allows), a held arrow key builds only where it stops, the tree relabels instead
of rebuilding, and nothing the operator is typing is lost or replaced by a redraw."""

from __future__ import annotations

from textual import events
from textual.widget import Widget
from textual.widgets import Input, Select, Static

from llama_config.tui.widgets.config_tree import NodeRef
from llama_config.tui.widgets.detail import DetailPane
from llama_config.tui.widgets.fields import FieldInput
from llama_config.tui.widgets.reconcile import is_parked

from .helpers import ROOT, enter_value, field, settle, show

SIZE = (150, 48)
CORPUS_FILE = ROOT / "tests" / "corpus" / "releases" / "ogx-1.5" / "starter" / "config.yaml"


def signature(widget: Widget) -> list:
    """What the detail pane shows, widget by widget: type, id, classes, and its text or value."""
    out = []
    for node in widget.walk_children(with_self=False):
        if any(getattr(a, "_pruning", False) or is_parked(a) for a in node.ancestors_with_self):
            continue  # on its way out, or hidden until a form needs one more row
        if isinstance(node, Input):
            state = (node.value, node.placeholder, node.password, getattr(node, "path", None))
        elif isinstance(node, Select):
            state = (node.value, [str(p) for p, _ in node._options])
        elif isinstance(node, Static):
            state = str(node.content)
        else:
            state = None
        out.append((type(node).__name__, node.id, sorted(c for c in node.classes if not c.startswith("-")), state))
    return out


async def test_each_node_drawn_in_place_equals_the_node_drawn_fresh(editor) -> None:
    """Walk every node of an ogx 1.5 starter config (every provider group open): the form that
    the previous one turned into shows exactly what a form built from nothing shows."""
    app, _ = editor(text=CORPUS_FILE.read_text(encoding="utf-8"), name="config.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for node in list(app.tree.root.children):
            for group in node.children:
                if group.data.kind == "api":
                    app.tree._fill_api(group)
                    group.expand()
        await settle(pilot)
        refs = [line.node.data for line in app.tree._tree_lines]
        assert len(refs) > 60 and {"backend", "store", "provider", "api", "auth"} <= {r.kind for r in refs}
        for ref in refs:
            app.detail.show(ref)
            await settle(pilot, rounds=2)
            in_place = signature(app.detail)
            await app.detail.remove_children()
            app.detail.show(ref)
            await settle(pilot, rounds=2)
            assert in_place == signature(app.detail), ref


async def test_moving_between_two_stores_keeps_the_widgets(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("storage", "stores", "metadata"), "store")
        select = app.detail.query_one("#reference-backend", Select)
        partition = app.detail.query_one("#reference-partition", Input)
        heading = app.detail.query(".detail-title").first()
        await show(app, pilot, ("storage", "stores", "inference"), "store")
        # the same picker, input and heading, showing the next store
        assert app.detail.query_one("#reference-backend", Select) is select
        assert app.detail.query_one("#reference-partition", Input) is partition
        assert app.detail.query(".detail-title").first() is heading and "Store inference" in str(heading.content)
        assert select.ref_path == ("storage", "stores", "inference") and select.value == "sql_default"
        assert partition.ref_path == ("storage", "stores", "inference") and partition.key == "table_name"


async def test_a_held_arrow_key_builds_the_form_once_where_it_stops(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.tree.focus()
        built: list[NodeRef] = []
        original = DetailPane.show

        def counting(pane: DetailPane, ref):
            built.append(ref)
            return original(pane, ref)

        app.detail.show = counting.__get__(app.detail)
        for _ in range(6):  # as a terminal delivers a held key: queued before any is handled
            app.post_message(events.Key("down", None))
        await settle(pilot)
        assert app.tree.cursor_line == 6
        assert built == [app.tree.cursor_node.data]
        assert app.detail.current == app.tree.cursor_node.data


async def test_an_edit_relabels_the_tree_in_place_and_a_new_backend_rebuilds_it(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        nodes = {id(line.node) for line in app.tree._tree_lines}
        app.change("", lambda: app.session.set_value(("storage", "stores", "metadata", "backend"), "kv_quota"))
        await settle(pilot)
        assert {id(line.node) for line in app.tree._tree_lines} == nodes
        assert any(line.node.label.plain.startswith("metadata → kv_quota") for line in app.tree._tree_lines)
        app.change("", lambda: app.session.add_backend("kv_extra", "kv_sqlite", {"db_path": "./extra.db"}))
        await settle(pilot)
        labels = [line.node.label.plain for line in app.tree._tree_lines]
        assert any(label.startswith("kv_extra") for label in labels) and "Backends (4)" in labels


async def test_typing_in_a_field_survives_a_redraw(editor) -> None:
    """A redraw (a connection test result, an edit elsewhere) keeps what the operator is typing
    in the focused field, and its focus."""
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("storage", "backends", "kv_quota"), "backend")
        port = field(app, "storage", "backends", "kv_quota", "port")
        port.focus()
        await settle(pilot)
        await pilot.press("end", "backspace", "9")
        app.refresh_views()
        await settle(pilot)
        assert app.focused is port and port.value == "6379"[:-1] + "9"
        assert app.session.doc.value_at(("storage", "backends", "kv_quota", "port")) == 6379


async def test_after_undo_the_next_key_adds_to_the_value_instead_of_replacing_it(editor) -> None:
    """db_path: q was saved once: ctrl+z left the field focused with all its text selected."""
    app, path = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("storage", "backends", "kv_quota"), "backend")
        port = field(app, "storage", "backends", "kv_quota", "port")
        await enter_value(pilot, port, "6380")
        await settle(pilot)
        assert app.session.doc.value_at(("storage", "backends", "kv_quota", "port")) == 6380
        await pilot.press("ctrl+z")
        await settle(pilot)
        focused = app.focused
        assert isinstance(focused, FieldInput) and focused.path[-1] == "port"
        assert focused.value == "6379" and focused.selection.is_empty
        await pilot.press("1")
        await settle(pilot)
        assert focused.value == "63791"  # typed at the end, nothing replaced
        assert app.session.doc.value_at(("storage", "backends", "kv_quota", "port")) == 6379  # not applied yet


async def test_keys_typed_right_after_a_click_land_in_the_clicked_field(editor) -> None:
    """Clicking another field applies the one left (a redraw): the keys typed at once after the
    click go into the clicked field, which stays the same widget through the redraw."""
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("storage", "backends", "kv_quota"), "backend")
        port = field(app, "storage", "backends", "kv_quota", "port")
        host = field(app, "storage", "backends", "kv_quota", "host")
        port.focus()
        await settle(pilot)
        await pilot.press("end", "backspace", "8")  # 6378, applied when the field is left
        await pilot.click(host)
        await pilot.press("end", "x", "y")  # at once, before the redraw settles
        await settle(pilot)
        assert app.session.doc.value_at(("storage", "backends", "kv_quota", "port")) == 6378
        assert field(app, "storage", "backends", "kv_quota", "host") is host
        assert app.focused is host and host.value.endswith("xy")
