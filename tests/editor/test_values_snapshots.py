"""80x24 snapshots of the value editing parts (see test_snapshots.py for how to update): a
placeholder field as its variable and default, and the quota form showing the file's period."""

from __future__ import annotations

from .helpers import RUN_V03, settle, steady

SMALL = (80, 24)


def test_placeholder_field_80x24(editor, snap_compare) -> None:
    app, _ = editor()

    async def run_before(pilot) -> None:
        await settle(pilot)
        app.go_to(("storage", "backends", "kv_quota"), kind="backend", field=("storage", "backends", "kv_quota", "host"))
        await steady(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)


def test_quota_form_80x24(editor, snap_compare) -> None:
    app, _ = editor(text=RUN_V03.read_text().replace("    period: day\n", "    period: week\n"), name="run.yaml")

    async def run_before(pilot) -> None:
        await settle(pilot)
        app.go_to(("server", "quota"), kind="quota")
        await settle(pilot)
        app.detail.query_one("#quota-period").focus()
        await steady(pilot)

    assert snap_compare(app, terminal_size=SMALL, run_before=run_before)
