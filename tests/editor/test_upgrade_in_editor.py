"""The editor's side of issue 11: a file older than the release the operator checks it against
(--server, or the palette) is offered `llama-config upgrade` to that release, with the report
and the diff, as one undoable step; nothing is written before ctrl+s."""

from __future__ import annotations

from llama_config.model.document import Document
from llama_config.model.migration.upgrade import upgrade
from pathlib import Path

from .helpers import SIZE, notes, settle, texts

OLD = (Path(__file__).parents[1] / "corpus" / "releases" / "0.5" / "postgres-demo" / "config.yaml").read_text()


def _upgraded(target: str) -> str:
    doc = Document(OLD, name="config.yaml")
    upgrade(doc, "0.5", target)
    return doc.text


async def test_a_file_older_than_server_is_offered_the_upgrade_as_one_undoable_step(editor) -> None:
    app, path = editor(text=OLD, name="config.yaml", server="0.7")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = app.screen
        assert dialog.id == "migrate-dialog"
        shown = texts(dialog)
        assert "Upgrade config.yaml to llama-stack 0.7?" in shown
        assert "written for llama-stack 0.5" in shown
        assert "providers.agents -> providers.responses" in shown  # the report, step by step
        assert "--- config.yaml (on disk)" in shown and "+- responses" in shown  # the diff

        await pilot.click("#migrate")
        await settle(pilot)
        assert len(app.screen_stack) == 1
        assert app.session.doc.text == _upgraded("0.7")
        assert path.read_text() == OLD  # nothing written before ctrl+s
        assert any("Upgraded to llama-stack 0.7" in n for n in notes(app))

        await pilot.press("ctrl+z")
        await settle(pilot)
        assert app.session.doc.text == OLD


async def test_choosing_a_newer_release_offers_the_upgrade_and_not_now_changes_nothing(editor) -> None:
    app, path = editor(text=OLD, name="config.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(app.screen_stack) == 1  # judged by its own release: nothing to offer
        app.choose_release("0.7")
        await settle(pilot)
        assert app.screen.id == "migrate-dialog"
        assert "Upgrade config.yaml to llama-stack 0.7?" in texts(app.screen)
        await pilot.press("escape")
        await settle(pilot)
        assert len(app.screen_stack) == 1 and app.session.doc.text == OLD and not app.session.modified
        app.choose_release("0.5")  # the file's own release: no offer
        await settle(pilot)
        assert len(app.screen_stack) == 1
