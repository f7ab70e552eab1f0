"""Quota: on and off, with and without authentication (the editor says so and offers the
auth form), and with no kv backend for the counters (it offers ./quotas.db)."""

from __future__ import annotations

from textual.widgets import Select, Switch


from .helpers import RUN_V03, SIZE, enter_value, field, fields_named, notes, settle, show, texts

RUN = RUN_V03.read_text()
NO_AUTH_NO_QUOTA = RUN[: RUN.index("  auth:\n")]
AUTH_NO_QUOTA = RUN[: RUN.index("  quota:\n")]
NO_KV = """\
version: 2
image_name: no-kv
apis: []
providers: {}
storage:
  backends:
    sql_default:
      type: sql_sqlite
      db_path: ./sql.db
  stores:
    inference:
      table_name: inference_store
      backend: sql_default
server:
  port: 8321
  auth:
    provider_config:
      type: custom
      endpoint: https://auth.example/check
"""


def codes(app) -> set[str]:
    return {d.code for d in app.session.diagnostics}


async def test_quota_on_without_auth_warns_and_leads_to_the_auth_form(editor) -> None:
    app, _ = editor(text=NO_AUTH_NO_QUOTA, name="run.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("server", "quota"), "quota")
        switch = app.detail.query_one("#quota-enabled", Switch)
        assert switch.value is False
        shown = texts(app.detail)
        assert "Quotas require authentication" in shown
        assert "Configure authentication…" in shown
        assert not fields_named(app, "anonymous_max_requests")  # no limits while off

        await pilot.click("#quota-enabled")
        await settle(pilot)
        doc = app.session.doc
        assert doc.value_at(("server", "quota")) == {
            "kvstore": {"backend": "kv_default", "namespace": "quota"},
            "anonymous_max_requests": 100,
            "authenticated_max_requests": 1000,
            "period": "day",
        }
        assert "Quotas turned on" in notes(app)
        assert "quota-without-auth" in codes(app)
        assert app.detail.query_one("#quota-enabled", Switch).value is True
        shown = texts(app.detail)
        assert "server.quota requires server.auth" in shown  # the error, in the form
        assert "Quotas require authentication" in shown
        # a warning: the server starts anyway and counts every caller by IP (VALIDATOR.md: a
        # deliberate extra catch); the unused kv_quota backend is the info
        assert [d.severity for d in app.session.diagnostics if d.code == "quota-without-auth"] == ["warning"]
        assert app.query_one("#problems").border_title == "Problems: 0 errors, 1 warning, 1 info"

        await pilot.click("#configure-auth")
        await settle(pilot)
        assert app.detail.current.kind == "auth"
        auth_type = app.detail.query_one("#auth-type", Select)
        assert auth_type.has_focus
        assert auth_type.value is Select.NULL
        assert [v for _, v in auth_type._options if v is not Select.NULL] == list(app.session.release().auth_types)
        assert "off: every caller is anonymous" in texts(app.detail)

        auth_type.value = "custom"
        await settle(pilot)
        assert doc.value_at(("server", "auth", "provider_config")) == {"type": "custom"}
        endpoint = field(app, "server", "auth", "provider_config", "endpoint")
        assert endpoint.placeholder == "required"
        assert "Authentication" in texts(app.detail) and "custom" in texts(app.detail)
        await enter_value(pilot, endpoint, "https://auth.acme.example/check")
        assert doc.value_at(("server", "auth", "provider_config")) == {"type": "custom", "endpoint": "https://auth.acme.example/check"}
        assert "quota-without-auth" not in codes(app)
        assert app.session.errors() == []

        # another provider type shows that type's fields
        app.detail.query_one("#auth-type", Select).value = "oauth2_token"
        await settle(pilot)
        assert field(app, "server", "auth", "provider_config", "jwks", "uri")
        assert field(app, "server", "auth", "provider_config", "audience").placeholder == "default: llama-stack"
        assert not fields_named(app, "endpoint")

        await show(app, pilot, ("server", "quota"), "quota")
        assert "Quotas require authentication" not in texts(app.detail)


async def test_quota_on_with_auth_shows_the_limits_and_kv_only_counters(editor) -> None:
    app, _ = editor(text=AUTH_NO_QUOTA, name="run.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("server", "quota"), "quota")
        assert "Quotas require authentication" not in texts(app.detail)
        app.detail.query_one("#quota-enabled", Switch).value = True
        await settle(pilot)
        assert app.session.errors() == []
        assert field(app, "server", "quota", "anonymous_max_requests").value == "100"
        assert field(app, "server", "quota", "authenticated_max_requests").value == "1000"
        period = app.detail.query_one("#quota-period", Select)
        assert period.value == "day" and period.disabled
        counters = app.detail.query_one("#reference-backend", Select)
        assert [v for _, v in counters._options if v is not Select.NULL] == ["kv_default", "kv_quota"]
        counters.value = "kv_quota"
        await settle(pilot)
        await enter_value(pilot, field(app, "server", "quota", "anonymous_max_requests"), "50")
        doc = app.session.doc
        assert doc.value_at(("server", "quota")) == {
            "kvstore": {"backend": "kv_quota", "namespace": "quota"},
            "anonymous_max_requests": 50,
            "authenticated_max_requests": 1000,
            "period": "day",
        }
        assert doc.text.startswith(AUTH_NO_QUOTA)  # quota only appended lines

        # and off again, asked to remove it: the whole section goes
        app.detail.query_one("#quota-enabled", Switch).value = False
        await settle(pilot)
        await pilot.click("#remove")
        await settle(pilot)
        assert doc.node_at(("server", "quota")) is None
        assert doc.text == AUTH_NO_QUOTA
        assert "Quotas turned off; their settings were removed" in notes(app)


async def test_quota_without_a_kv_backend_offers_kv_sqlite_at_quotas_db(editor) -> None:
    app, _ = editor(text=NO_KV, name="run.yaml", server="0.7")  # the newest release with quotas
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # without any kv_* backend 0.7's kv stores fall back to a kv_default the file lacks:
        # those errors are the file's own, the quota must add none
        stores_errors = [(d.code, d.path) for d in app.session.errors()]
        assert stores_errors == [("store-default-missing", ("storage", "stores"))] * 3
        await show(app, pilot, ("server", "quota"), "quota")
        shown = texts(app.detail)
        assert "No kv_* backend exists for the counters." in shown
        assert "Create kv_sqlite backend at ./quotas.db" in shown
        # turning quotas on first is refused with the reason
        await pilot.click("#quota-enabled")
        await settle(pilot)
        assert any("need a kv_* backend" in n for n in notes(app, "error"))
        assert app.session.doc.node_at(("server", "quota")) is None
        assert app.detail.query_one("#quota-enabled", Switch).value is False

        await pilot.click("#create-quota-backend")
        await settle(pilot)
        doc = app.session.doc
        assert doc.value_at(("storage", "backends", "kv_quota")) == {"type": "kv_sqlite", "db_path": "./quotas.db"}
        assert "Added backend kv_quota (kv_sqlite at ./quotas.db)" in notes(app)
        assert "No kv_* backend exists" not in texts(app.detail)
        await pilot.click("#quota-enabled")
        await settle(pilot)
        assert doc.value_at(("server", "quota", "kvstore")) == {"backend": "kv_quota", "namespace": "quota"}
        assert [(d.code, d.path) for d in app.session.errors()] == stores_errors


async def test_looking_at_an_auth_type_chosen_by_a_placeholder_changes_nothing(editor) -> None:
    # ogx's ci-tests config turns auth on with `type: ${env.AUTH_PROVIDER:+oauth2_token}`; the
    # picker shows oauth2_token, and its first Changed (mounting) was taken for a choice: the
    # whole provider config became `{type: oauth2_token}` (audience, issuer, jwks gone)
    from tests.conftest import CORPUS

    text = (CORPUS / "d1b663294/src/ogx/distributions/ci-tests/config.yaml").read_text()  # shipped in ogx (see SOURCE.md)
    app, path = editor(text=text, name="config.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("server", "auth"), "auth")
        assert app.detail.query_one("#auth-type", Select).value == "oauth2_token"
        assert field(app, "server", "auth", "provider_config", "jwks", "uri")
        assert not app.session.modified
        assert app.session.doc.text == text
        # choosing another type still replaces the config with that type's
        app.detail.query_one("#auth-type", Select).value = "custom"
        await settle(pilot)
        assert app.session.doc.value_at(("server", "auth", "provider_config")) == {"type": "custom"}
