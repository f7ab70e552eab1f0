"""Form fields: Enter applies, invalid values are refused, passwords are masked (ctrl+r
reveals), placeholders show their resolved value and its source, F1 explains a field."""

from __future__ import annotations

from textual.widgets import Input

from .helpers import SIZE, enter_value, field, fields_named, notes, settle, show, texts

PG_CONFIG = """\
version: 2
image_name: pg
apis: []
providers: {}
storage:
  backends:
    kv_default:
      type: kv_postgres
      host: ${env.PG_HOST:=localhost}
      user: llama
      password: s3cret-pw
    sql_default:
      type: sql_postgres
      user: llama
      password: ${env.PG_PASSWORD}
  stores:
    metadata:
      backend: kv_default
      namespace: registry
    inference:
      backend: sql_default
      table_name: inference_store
    conversations:
      backend: sql_default
      table_name: openai_conversations
server:
  port: 8321
"""


async def test_enter_applies_a_field_and_only_that_line_changes(editor) -> None:
    app, path = editor()
    before = path.read_text()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("server",), "server")
        port = field(app, "server", "port")
        assert port.value == "8321"
        await enter_value(pilot, port, "8322")
        assert app.session.doc.value_at(("server", "port")) == 8322
        assert app.session.doc.text == before.replace("  port: 8321\n", "  port: 8322\n")
        assert notes(app) == ["Set server.port"]
        assert field(app, "server", "port").value == "8322"
        assert "unsaved" in app.sub_title


async def test_invalid_value_is_refused_inline_and_nothing_changes(editor) -> None:
    app, path = editor()
    before = path.read_text()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("server",), "server")
        await enter_value(pilot, field(app, "server", "port"), "abc")
        assert "✗ port must be an integer" in texts(app.detail) and "not 'abc'" in texts(app.detail)
        assert app.session.doc.text == before
        assert not app.session.modified and not app.session.can_undo
        port = field(app, "server", "port")
        assert port.value == "abc" and port.has_class("-invalid")  # kept, marked, said why
        # out of the range the server accepts: refused the same way
        await enter_value(pilot, field(app, "server", "port"), "80")
        assert "1024 to 65535" in texts(app.detail)
        assert app.session.doc.text == before
        # leaving the field (tab) does not apply it either; no toast covers the problems
        app.tree.focus()
        await settle(pilot)
        assert notes(app, "error") == []
        assert app.session.doc.text == before


async def test_a_placeholder_is_accepted_where_a_number_is_expected(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("server",), "server")
        await enter_value(pilot, field(app, "server", "port"), "${env.PORT:=8321}")
        assert app.session.doc.value_at(("server", "port")) == "${env.PORT:=8321}"
        assert "8321 (default; PORT is unset)" in texts(app.detail)


async def test_clearing_an_optional_field_removes_it(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("storage", "backends", "kv_quota"), "backend")
        port = field(app, "storage", "backends", "kv_quota", "port")
        port.focus()
        port.value = ""
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.doc.node_at(("storage", "backends", "kv_quota", "port")) is None
        assert "Removed storage.backends.kv_quota.port" in notes(app)
        assert field(app, "storage", "backends", "kv_quota", "port").placeholder == "default: 6379"


async def test_password_fields_are_masked_and_ctrl_r_reveals(editor) -> None:
    app, _ = editor(text=PG_CONFIG, name="run.yaml", environ={"PG_PASSWORD": "hunter2"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("storage", "backends", "kv_default"), "backend")
        password = field(app, "storage", "backends", "kv_default", "password")
        assert password.password and password.value == "s3cret-pw"
        assert "s3cret-pw" not in texts(app.detail)
        assert "(hidden: ctrl+r reveals)" in texts(app.detail)
        assert not field(app, "storage", "backends", "kv_default", "user").password
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert not field(app, "storage", "backends", "kv_default", "password").password
        assert "s3cret-pw" in texts(app.detail)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert field(app, "storage", "backends", "kv_default", "password").password

        # a placeholder password: the placeholder is not the secret and shows as written; its
        # resolved value is masked
        await show(app, pilot, ("storage", "backends", "sql_default"), "backend")
        password = field(app, "storage", "backends", "sql_default", "password")
        assert not password.password and password.typed == "${env.PG_PASSWORD}"  # the variable part
        shown = texts(app.detail)
        assert "hunter2" not in shown
        assert "↳ •••••• (from environment: PG_PASSWORD)" in shown
        assert "(hidden: ctrl+r reveals)" not in shown


async def test_placeholder_shows_resolved_value_and_where_it_came_from(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("storage", "backends", "kv_quota"), "backend")
        assert field(app, "storage", "backends", "kv_quota", "host").typed == "${env.REDIS_HOST:=localhost}"
        assert "↳ redis.internal (from environment: REDIS_HOST)" in texts(app.detail)
        await show(app, pilot, ("storage", "backends", "kv_default"), "backend")
        assert "↳ /home/op/.llama/distributions/acme/kvstore.db (default; SQLITE_STORE_DIR is unset)" in texts(app.detail)


async def test_f1_shows_help_for_the_focused_field_and_the_keys_elsewhere(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("server",), "server")
        field(app, "server", "port").focus()
        await pilot.press("f1")
        await settle(pilot)
        dialog = app.screen
        assert dialog.id == "help-dialog"
        shown = texts(dialog)
        assert "Help: port" in shown
        assert "Port to listen on" in shown  # the release's own description
        assert "integer from 1024 to 65535" in shown and "Default: 8321" in shown
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not dialog
        assert app.focused is field(app, "server", "port")

        app.tree.focus()
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        shown = texts(app.screen)
        assert app.screen.id == "help-dialog"
        assert "ctrl+s" in shown and "ctrl+z" in shown and "ctrl+y" in shown and "Search" in shown
        await pilot.click("#close")
        await settle(pilot)
        assert app.screen.id != "help-dialog"


async def test_typing_in_a_field_does_not_trigger_single_key_shortcuts(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("storage", "backends", "kv_quota"), "backend")
        (host,) = fields_named(app, "host", part="argument")  # the placeholder's default
        host.focus()
        host.value = ""
        await pilot.press(*"redis.adq", "enter")  # a, d and q are shortcuts elsewhere
        await settle(pilot)
        assert app.is_running and len(app.screen_stack) == 1
        assert app.session.doc.value_at(("storage", "backends", "kv_quota", "host")) == "${env.REDIS_HOST:=redis.adq}"
        assert isinstance(app.focused, Input)


async def test_only_secret_fields_are_masked_not_booleans_named_like_them(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        introspection = {"url": "https://auth.acme.example/introspect", "client_id": "llama", "client_secret": "cs-123", "send_secret_in_body": True}
        app.change("", lambda: app.session.set_value(("server", "auth", "provider_config", "introspection"), introspection))
        await show(app, pilot, ("server", "auth"), "auth")
        auth = ("server", "auth", "provider_config")
        assert field(app, *auth, "introspection", "client_secret").password
        assert not field(app, *auth, "introspection", "send_secret_in_body").password
        assert field(app, *auth, "introspection", "send_secret_in_body").value == "true"
