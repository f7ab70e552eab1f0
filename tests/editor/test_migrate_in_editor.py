"""The editor's side of issue 5: opening a pre-0.3 file offers the migration with its diff;
opening a file that does not exist offers to create one as `llama-config init` would."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Button, Input, Select, Switch

from llama_config.model.document import Document
from llama_config.model.envvars import Environment
from llama_config.model.migration import migrate
from llama_config.model.releases import load_release
from llama_config.model.validation import has_errors, validate
from tests.conftest import CORPUS

from .helpers import RUN_V03, SIZE, notes, settle, texts, tree_labels

OLD_STARTER = CORPUS / "add64e8e2/llama_stack/distributions/starter/run.yaml"

OLD = """\
# the acme stack, before v0.3
version: 2
image_name: acme
providers:
  vector_io:
  - provider_id: faiss
    provider_type: inline::faiss
    config:
      kvstore:
        type: sqlite
        db_path: ${env.SQLITE_STORE_DIR:~/.llama/acme}/faiss_store.db
# the registry
metadata_store:
  type: sqlite
  db_path: ${env.SQLITE_STORE_DIR:~/.llama/acme}/registry.db
server:
  port: 8321
"""


async def test_an_old_format_file_offers_the_migration_with_its_diff(editor) -> None:
    app, path = editor(text=OLD, name="run.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = app.screen
        assert dialog.id == "migrate-dialog"
        shown = texts(dialog)
        assert "Migrate run.yaml to the v0.3 format?" in shown and "pre-0.3 way" in shown
        # the report: backends, references, the rewritten placeholders
        assert "kv_default  kv_sqlite" in shown and "kv_faiss_store  kv_sqlite" in shown
        assert "storage.stores.metadata  namespace registry  (was metadata_store)" in shown
        # the diff, as `migrate --dry-run` prints it
        assert "--- run.yaml (on disk)" in shown
        assert "-metadata_store:" in shown and "+storage:" in shown
        assert "+      persistence:" in shown
        assert dialog.query_one("#later", Button).has_focus  # nothing happens on a stray Enter
        assert app.session.target == "ogx 1.5 (the newest release: nothing in the file tells which it was written for)"

        await pilot.click("#migrate")
        await settle(pilot)
        assert len(app.screen_stack) == 1
        # as `llama-config migrate`: for the detected release, with the stores its startup needs
        expected = Document(OLD, name="run.yaml")
        migrate(expected, load_release("ogx-1.5"))
        assert app.session.doc.text == expected.text
        assert app.session.modified and path.read_text() == OLD  # nothing written before ctrl+s
        assert any("Migrated to the v0.3 storage format" in n for n in notes(app))
        assert "kv_faiss_store" in "\n".join(tree_labels(app))
        assert app.session.target == "ogx 1.5 (from: SQL connectors store, SQL prompts store)"  # the added stores say it now
        assert not [d for d in app.session.diagnostics if d.severity == "error"]

        # one undoable step
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert app.session.doc.text == OLD

        await pilot.press("ctrl+y")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.click("#save")
        await settle(pilot)
        assert path.read_text() == expected.text
        assert path.with_name("run.yaml.bak").read_text() == OLD


async def test_not_now_leaves_the_file_as_it_is(editor) -> None:
    app, path = editor(text=OLD, name="run.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.id == "migrate-dialog"
        await pilot.press("escape")
        await settle(pilot)
        assert len(app.screen_stack) == 1
        assert app.session.doc.text == OLD and not app.session.modified
        assert any(d.code == "old-format" for d in app.session.diagnostics)


async def test_a_corpus_file_migrates_in_the_editor_as_on_the_command_line(editor) -> None:
    text = OLD_STARTER.read_text()
    app, _ = editor(text=text, name="run.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.id == "migrate-dialog"
        assert "15 distinct SQLite files stay 15 backends" in texts(app.screen)
        await pilot.click("#migrate")
        await settle(pilot)
        assert not has_errors(validate(app.session.doc, Environment(environ={})))


async def test_a_current_file_opens_without_the_offer(editor) -> None:
    app, _ = editor()  # examples/run.yaml, v0.3 format
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(app.screen_stack) == 1
        assert not app.session.modified


async def test_a_missing_file_is_offered_to_be_created(workdir: Path) -> None:
    from tests.editor.helpers import ENV, record_notifications
    from llama_config.tui.app import ConfigEditorApp

    app = ConfigEditorApp("new.yaml", Environment(environ=dict(ENV)), server="0.7")  # 0.7 has quotas
    record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = app.screen
        assert dialog.id == "init-dialog"
        assert "new.yaml does not exist: create it?" in texts(dialog)
        assert "A minimal llama-stack 0.7 config" in texts(dialog)
        dialog.query_one("#init-name", Input).value = "acme"
        dialog.query_one("#init-sql", Select).value = "postgres"
        dialog.query_one("#init-quota", Switch).value = True
        await settle(pilot)
        assert not dialog.query_one("#init-auth", Select).disabled
        dialog.query_one("#init-auth", Select).value = "github_token"
        await pilot.click("#create")
        await settle(pilot)
        assert len(app.screen_stack) == 1
        assert app.session is not None  # the editor now edits the new file
        text = (workdir / "new.yaml").read_text()
        assert "distro_name: acme" in text and "type: sql_postgres" in text and "type: github_token" in text
        assert "~/.llama/distributions/acme}/kvstore.db" in text
        assert not has_errors(app.session.diagnostics)
        assert "Created new.yaml" in notes(app)


async def test_the_creation_dialog_offers_no_quotas_for_ogx(workdir: Path) -> None:
    """ogx removed server.quota (1.0); the newest release is the default target."""
    from llama_config.tui.app import ConfigEditorApp

    app = ConfigEditorApp("new.yaml", Environment(environ={}))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = app.screen
        assert dialog.query_one("#init-quota", Switch).disabled
        assert "Request quotas: none in ogx 1.5" in texts(dialog)
        await pilot.click("#create")
        await settle(pilot)
        text = (workdir / "new.yaml").read_text()
        assert "distro_name: my-stack" in text and "quota" not in text and "~/.ogx/distributions/my-stack}/kvstore.db" in text
        assert app.session is not None and not has_errors(app.session.diagnostics)


async def test_cancelling_the_creation_writes_nothing(workdir: Path) -> None:
    from llama_config.tui.app import ConfigEditorApp

    app = ConfigEditorApp("new.yaml", Environment(environ={}))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.id == "init-dialog"
        await pilot.press("escape")
        await settle(pilot)
        assert app.session is None and not (workdir / "new.yaml").exists()
        assert "Cannot open this file" in texts(app.screen)


async def test_a_bad_distribution_name_is_refused_in_the_dialog(workdir: Path) -> None:
    from llama_config.tui.app import ConfigEditorApp

    app = ConfigEditorApp("new.yaml", Environment(environ={}))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.screen.query_one("#init-name", Input).value = "../etc"
        await pilot.click("#create")
        await settle(pilot)
        assert app.screen.id == "init-dialog" and not (workdir / "new.yaml").exists()


async def test_a_file_with_only_old_placeholders_is_offered_the_rewrite(editor) -> None:
    text = RUN_V03.read_text().replace("${env.OLLAMA_URL:=http", "${env.OLLAMA_URL:http")
    app, _ = editor(text=text, name="run.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.id == "migrate-dialog"
        shown = texts(app.screen)
        assert "old ${env.X:default}" in shown and "pre-0.3 way" not in shown
        assert "providers.inference[0].config.url: ${env.OLLAMA_URL:=http://localhost:11434}" in shown
        await pilot.click("#migrate")
        await settle(pilot)
        assert app.session.doc.text == text.replace("${env.OLLAMA_URL:http", "${env.OLLAMA_URL:=http")


async def test_a_file_that_cannot_be_migrated_says_why(editor) -> None:
    app, _ = editor(text="version: 2\nmetadata_store:\n  type: cassandra\n", name="run.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(app.screen_stack) == 1
        assert any("cannot be migrated: metadata_store: cannot tell which kv_* backend type 'cassandra' is" in n for n in notes(app, "error"))


async def test_the_migration_s_diff_masks_secrets_as_the_save_review_does(editor) -> None:
    """The migrate dialog showed its diff as written: the default of a password's placeholder
    (`${env.PW:sekret}`) in clear, where its report and the save review mask it."""
    text = OLD.replace("    config:\n", "    config:\n      api_key: ${env.KEY:sekret}\n", 1)
    assert "sekret" in text
    app, _ = editor(text=text, name="run.yaml")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.id == "migrate-dialog"
        shown = texts(app.screen)
        assert "sekret" not in shown and "api_key: ${env.KEY:=••••••}" in shown
