"""Snapshot tests of the provider screens: the provider form at 80x24 (the smallest terminal
the editor supports) and at the usual size, and the add-provider flow. examples/run.yaml (ogx
1.5) with a model registered to ollama; a fixed environment (OLLAMA_URL set). Update with
`pytest tests/editor/test_providers_snapshots.py --snapshot-update` and look at the SVGs."""

from __future__ import annotations

from textual.widgets import Input, OptionList

from .helpers import EXAMPLES, SIZE, settle, steady

RUN = (EXAMPLES / "run.yaml").read_text(encoding="utf-8").replace("  models: []", "  models:\n  - model_id: llama3.2:3b\n    provider_id: ollama")
ENV = {"HOME": "/home/op", "OLLAMA_URL": "http://gpu-1:11434/v1"}


async def _provider_form(pilot) -> None:
    app = pilot.app
    await settle(pilot)
    app.go_to(("providers", "inference", 0), kind="provider")
    await settle(pilot)
    app.tree.focus()
    await steady(pilot)


def test_provider_form_80x24(editor, snap_compare) -> None:
    app, _ = editor(text=RUN, name="run.yaml", environ=ENV)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_provider_form)


def test_provider_form(editor, snap_compare) -> None:
    app, _ = editor(text=RUN, name="run.yaml", environ=ENV)
    assert snap_compare(app, terminal_size=SIZE, run_before=_provider_form)


def test_add_provider_types(editor, snap_compare) -> None:
    app, _ = editor(text=RUN, name="run.yaml", environ=ENV)

    async def run_before(pilot) -> None:
        await _provider_form(pilot)
        await pilot.press("a")
        await settle(pilot)
        app.screen.query_one("#type-filter", Input).value = "openai"
        await steady(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_add_provider_form_80x24(editor, snap_compare) -> None:
    app, _ = editor(text=RUN, name="run.yaml", environ=ENV)

    async def run_before(pilot) -> None:
        await settle(pilot)
        app.go_to(("providers", "files"), kind="api")
        await settle(pilot)
        app.tree.focus()
        await pilot.press("a")
        await settle(pilot)
        types = app.screen.query_one("#provider-type", OptionList)
        types.highlighted = [o.id for o in types.options].index("remote::openai")
        types.focus()
        await pilot.press("enter")
        await steady(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
