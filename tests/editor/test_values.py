"""Never write what was not meant: placeholders are edited by their parts and replaced by a
literal only once confirmed; secrets are masked in the save diff too; a refused value stays in
its field with the reason under it; the quota form shows what the file says; turning quotas off
keeps their settings (as comments) unless asked to remove them."""

from __future__ import annotations

from textual.widgets import Select, Switch

from .helpers import RUN_V03, SIZE, enter_value, field, notes, settle, show, texts
from .test_fields import PG_CONFIG

HOST = ("storage", "backends", "kv_quota", "host")
LIMIT = ("server", "quota", "anonymous_max_requests")


def part(app, path: tuple, which: str):
    from llama_config.tui.widgets.fields import PlaceholderPart

    return next(w for w in app.screen.query(PlaceholderPart) if w.path == path and w.part == which)


async def test_a_placeholder_is_edited_by_its_variable_and_its_default(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, HOST[:-1], "backend")
        variable, default = part(app, HOST, "variable"), part(app, HOST, "argument")
        assert (variable.value, default.value) == ("REDIS_HOST", "localhost")
        # typing over the default changes the default only: the placeholder stays
        default.focus()
        await pilot.pause()
        default.value = ""
        await pilot.press(*"redis.prod", "enter")
        await settle(pilot)
        assert app.session.doc.value_at(HOST) == "${env.REDIS_HOST:=redis.prod}"
        await enter_value(pilot, part(app, HOST, "variable"), "QUOTA_REDIS_HOST")
        assert app.session.doc.value_at(HOST) == "${env.QUOTA_REDIS_HOST:=redis.prod}"
        # no variable name: refused inline, nothing written
        await enter_value(pilot, part(app, HOST, "variable"), "")
        assert app.session.doc.value_at(HOST) == "${env.QUOTA_REDIS_HOST:=redis.prod}"
        assert part(app, HOST, "variable").has_class("-invalid")
        assert "needs a variable name" in texts(app.detail)


async def test_replacing_a_placeholder_with_a_literal_asks_first(editor) -> None:
    app, _ = editor()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, HOST[:-1], "backend")
        await pilot.click(".edit-as-text")
        await settle(pilot)
        host = field(app, *HOST)
        assert host.value == "${env.REDIS_HOST:=localhost}"
        await enter_value(pilot, host, "redis.literal")
        assert app.screen.id == "literal-dialog"
        assert "${env.REDIS_HOST:=localhost}" in texts(app.screen)
        await pilot.press("escape")
        await settle(pilot)
        assert app.session.doc.value_at(HOST) == "${env.REDIS_HOST:=localhost}"
        assert not app.session.modified
        assert field(app, *HOST).value == "${env.REDIS_HOST:=localhost}"  # the file's text again

        await enter_value(pilot, field(app, *HOST), "redis.literal")
        assert app.screen.id == "literal-dialog"
        await pilot.press("enter")  # the focused button: replace
        await settle(pilot)
        assert app.session.doc.value_at(HOST) == "redis.literal"


async def test_a_password_is_turned_into_an_env_placeholder(editor) -> None:
    app, _ = editor(text=PG_CONFIG, name="run.yaml")
    password = ("storage", "backends", "kv_default", "password")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, password[:-1], "backend")
        app.detail.query_one(".to-placeholder").press()
        await settle(pilot)
        assert app.screen.id == "secret-dialog"
        assert app.screen.query_one("#secret-variable").value == "KV_DEFAULT_PASSWORD"
        await pilot.press("enter")  # Use placeholder (focused)
        await settle(pilot)
        assert app.session.doc.value_at(password) == "${env.KV_DEFAULT_PASSWORD}"
        assert "s3cret-pw" not in app.session.doc.text
        assert any("KV_DEFAULT_PASSWORD" in n for n in notes(app))


async def test_secrets_are_masked_in_the_save_diff_and_in_a_placeholder_default(editor) -> None:
    text = PG_CONFIG.replace("password: ${env.PG_PASSWORD}", "password: ${env.PG_PASSWORD:=pg-default-pw}")
    app, _ = editor(text=text, name="run.yaml")
    password = ("storage", "backends", "kv_default", "password")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("storage", "backends", "sql_default"), "backend")
        default = part(app, password[:2] + ("sql_default", "password"), "argument")
        assert default.password and default.value == "pg-default-pw"
        assert "pg-default-pw" not in texts(app.detail)
        app.change("", lambda: app.session.set_value(password, "n3w-secret"))
        app.change("", lambda: app.session.set_value(("storage", "backends", "sql_default", "password"), "${env.PG_PASSWORD:=other-default}"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = texts(app.screen)
        assert app.screen.id == "save-dialog"
        for secret in ("s3cret-pw", "n3w-secret", "pg-default-pw", "other-default"):
            assert secret not in shown
        assert "-      password: ••••••" in shown and "+      password: ••••••" in shown
        assert "+      password: ${env.PG_PASSWORD:=••••••}" in shown
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "+      password: n3w-secret" in texts(app.screen)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "n3w-secret" not in texts(app.screen)


QUOTA_WEEK = RUN_V03.read_text().replace("    period: day\n", "    period: week\n")


async def test_a_refused_value_stays_in_its_field_marked_with_the_reason(editor) -> None:
    app, path = editor()
    before = path.read_text()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("server", "quota"), "quota")
        await enter_value(pilot, field(app, *LIMIT), "lots")
        limit = field(app, *LIMIT)
        assert limit.value == "lots" and limit.has_class("-invalid")
        assert "✗ anonymous_max_requests must be an integer, not 'lots'" in texts(app.detail)
        assert app.session.doc.text == before
        await enter_value(pilot, field(app, *LIMIT), "   ")
        shown = texts(app.detail)
        assert "is only blank space" in shown and "the file is empty" not in shown
        assert app.session.doc.text == before
        # a number keeps the spelling it was typed in
        await enter_value(pilot, field(app, *LIMIT), "0x10")
        assert app.session.doc.value_at(LIMIT) == 16
        assert "    anonymous_max_requests: 0x10\n" in app.session.doc.text
        assert not field(app, *LIMIT).has_class("-invalid")


async def test_the_quota_form_shows_the_files_period_and_backend(editor) -> None:
    text = QUOTA_WEEK.replace("      backend: kv_quota\n      namespace: quota\n", "      backend: kv_gone\n      namespace: quota\n")
    app, _ = editor(text=text, name="run.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("server", "quota"), "quota")
        period = app.detail.query_one("#quota-period", Select)
        assert period.value == "week" and period.has_class("-invalid")
        backend = app.detail.query_one("#reference-backend", Select)
        assert backend.value == "kv_gone" and backend.has_class("-invalid")
        shown = texts(app.detail)
        assert "the server supports only day" in shown
        assert not app.session.modified
        period.value = "day"
        await settle(pilot)
        assert app.session.doc.value_at(("server", "quota", "period")) == "day"


async def test_turning_quotas_off_keeps_them_as_comments_and_on_restores_them(editor) -> None:
    app, path = editor()
    before = path.read_text()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("server", "quota"), "quota")
        await pilot.click("#quota-enabled")
        await settle(pilot)
        assert app.screen.id == "quota-off-dialog"
        await pilot.press("escape")
        await settle(pilot)
        assert app.session.doc.text == before
        assert app.detail.query_one("#quota-enabled", Switch).value is True

        await pilot.click("#quota-enabled")
        await settle(pilot)
        await pilot.press("enter")  # keep them commented out
        await settle(pilot)
        doc = app.session.doc
        assert doc.node_at(("server", "quota")) is None
        assert "  #   anonymous_max_requests: 100\n" in doc.text and "  #     backend: kv_quota\n" in doc.text
        await pilot.click("#quota-enabled")
        await settle(pilot)
        assert doc.text == before
