"""Stores and provider references: the backend list offers only the right family; a
wrong-family reference from the file is shown red with one action to fix it."""

from __future__ import annotations

from textual.widgets import OptionList, Select


from .helpers import SIZE, enter_value, field, notes, settle, show, texts, tree_labels

ONLY_SQL = """\
version: 2
image_name: only-sql
apis: []
providers: {}
storage:
  backends:
    sql_default:
      type: sql_sqlite
      db_path: ./sql.db
  stores:
    metadata:
      namespace: registry
      backend: sql_default
    inference:
      table_name: inference_store
      backend: sql_default
    conversations:
      table_name: openai_conversations
      backend: sql_default
"""


def options(select: Select) -> list:
    return [value for _, value in select._options if value is not Select.NULL]


async def test_repoint_a_store_with_the_family_filter(editor) -> None:
    app, path = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("storage", "stores", "metadata"), "store")
        assert "Store metadata" in texts(app.detail) and "needs a kv_* backend" in texts(app.detail)
        select = app.detail.query_one("#reference-backend", Select)
        assert options(select) == ["kv_default", "kv_quota"]  # no sql_default
        assert select.value == "kv_default"

        # keyboard: open the list, move down, choose
        select.focus()
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        doc = app.session.doc
        assert doc.value_at(("storage", "stores", "metadata")) == {"namespace": "registry", "backend": "kv_quota"}
        assert any(n.startswith("storage.stores.metadata now uses kv_quota. Existing data is not moved") for n in notes(app))
        assert "metadata → kv_quota  registry" in tree_labels(app)
        assert app.detail.query_one("#reference-backend", Select).value == "kv_quota"

        # the namespace is an input of its own
        await enter_value(pilot, app.detail.query_one("#reference-partition"), "registry2")
        assert doc.value_at(("storage", "stores", "metadata", "namespace")) == "registry2"

        # a SQL store is offered SQL backends only
        await show(app, pilot, ("storage", "stores", "inference"), "store")
        assert options(app.detail.query_one("#reference-backend", Select)) == ["sql_default"]
        assert "table_name" in texts(app.detail)
        # its queue settings are fields of the form
        assert field(app, "storage", "stores", "inference", "num_writers").value == "4"


async def test_repoint_a_provider_reference_from_the_expanded_tree(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("providers", "vector_io", 0, "config", "persistence"), "reference")
        assert "faiss  inline::faiss  on" in tree_labels(app)
        assert "persistence → kv_default  vector_io::faiss" in tree_labels(app)
        shown = texts(app.detail)
        assert "of vector_io provider faiss; needs a kv_* backend" in shown
        select = app.detail.query_one("#reference-backend", Select)
        assert options(select) == ["kv_default", "kv_quota"]
        select.value = "kv_quota"
        await settle(pilot)
        assert app.session.doc.value_at(("providers", "vector_io", 0, "config", "persistence")) == {
            "namespace": "vector_io::faiss",
            "backend": "kv_quota",
        }
        # the files provider's metadata_store is SQL
        await show(app, pilot, ("providers", "files", 0, "config", "metadata_store"), "reference")
        assert options(app.detail.query_one("#reference-backend", Select)) == ["sql_default"]


async def test_wrong_family_reference_is_red_with_a_one_click_fix(editor) -> None:
    app, _ = editor("broken.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        tree = app.tree
        node = tree.node_for(("storage", "stores", "metadata"), kind="store")
        label = node.label
        assert label.plain.startswith("metadata → sql_default (not kv_*)")
        red = {label.plain[span.start : span.end] for span in label.spans if "red" in str(span.style)}
        assert "sql_default" in red and " (not kv_*)" in red

        await show(app, pilot, ("storage", "stores", "metadata"), "store")
        shown = texts(app.detail)
        assert "'sql_default' is a sql_* backend, but this reference needs a kv_* backend" in shown
        assert "[wrong-family]" in shown
        fix = app.detail.query_one("#fix-reference")
        assert "Point it at kv_default" in texts(fix)
        # the select shows what the file says, marked as wrong, not a silent blank
        select = app.detail.query_one("#reference-backend", Select)
        assert select.value == "sql_default" and select.has_class("-invalid")
        assert ("sql_default (a sql_* backend, not a kv_* one)", "sql_default") in select._options
        await pilot.click("#fix-reference")
        await settle(pilot)
        assert app.session.doc.value_at(("storage", "stores", "metadata")) == {"namespace": "registry", "backend": "kv_default"}
        assert not [d for d in app.session.diagnostics if d.code == "wrong-family"]
        assert not app.detail.query("#fix-reference")
        assert tree.node_for(("storage", "stores", "metadata"), kind="store").label.plain.startswith("metadata → kv_default  registry")


async def test_wrong_family_without_a_right_backend_offers_to_create_one(editor) -> None:
    app, _ = editor(text=ONLY_SQL, name="run.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("storage", "stores", "metadata"), "store")
        assert options(app.detail.query_one("#reference-backend", Select)) == ["sql_default"]  # only the file's own, marked wrong
        assert "Create a kv_sqlite backend for it" in texts(app.detail.query_one("#fix-reference"))
        await pilot.click("#fix-reference")
        await settle(pilot)
        types = app.screen.query_one("#backend-type", OptionList)
        assert [types.get_option_at_index(i).id for i in range(types.option_count)] == [t for t in app.session.release().backend_types if t.startswith("kv_")]
        await pilot.press("enter")  # kv_sqlite
        await settle(pilot)
        field(app, "storage", "backends", "kv_sqlite", "db_path").value = "./kv.db"
        await pilot.click("#add")
        await settle(pilot)
        doc = app.session.doc
        assert doc.value_at(("storage", "backends", "kv_sqlite")) == {"type": "kv_sqlite", "db_path": "./kv.db"}
        assert doc.value_at(("storage", "stores", "metadata")) == {"namespace": "registry", "backend": "kv_sqlite"}
        # one step: a single undo takes both back
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert doc is app.session.doc and doc.text == ONLY_SQL
