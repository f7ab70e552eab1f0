"""Providers in the editor: the tree shows each by its state (never a raw toggle placeholder),
with its registered resources; the provider form; add, switch off, remove, rename, reorder;
models; secrets written as placeholders; search by value and key.

The files are examples/run.yaml (ogx 1.5, in this repository) and a scratch file with no
provider at all."""

from __future__ import annotations

from textual.widgets import Button, Input, OptionList, Select

from llama_config.model.provider_ops import provider_state
from llama_config.tui.widgets.fields import FieldSelect, PlaceholderPart
from llama_config.tui.widgets.provider_form import FormSection

from .helpers import EXAMPLES, SIZE, enter_value, field, fields_named, notes, settle, show, steady, texts, tree_labels

RUN = (EXAMPLES / "run.yaml").read_text(encoding="utf-8")  # ogx 1.5
ENV = {"HOME": "/home/op", "OLLAMA_URL": "http://gpu-1:11434/v1"}
INFERENCE = ("providers", "inference")

SCRATCH = """\
version: 2
distro_name: scratch
apis: []
providers: {}
storage:
  backends:
    kv_default:
      type: kv_sqlite
      db_path: ./kv.db
    sql_default:
      type: sql_sqlite
      db_path: ./sql.db
  stores:
    metadata:
      namespace: registry
      backend: kv_default
    inference:
      table_name: inference_store
      backend: sql_default
    conversations:
      table_name: openai_conversations
      backend: sql_default
    prompts:
      table_name: prompts
      backend: sql_default
    connectors:
      table_name: connectors
      backend: sql_default
server:
  port: 8321
"""


def _errors(app) -> list[str]:
    return sorted(f"{d.code} {d.path}" for d in app.session.errors())


async def _to_form(app, pilot, api: str, provider_type: str, query: str = "") -> None:
    """Through the dialog with the keyboard: a (on the Providers node), the API, the filter,
    the type, enter: its form (id, fields to fill) is up."""
    app.go_to(("providers",), kind="providers")
    await settle(pilot)
    await pilot.press("a")
    await settle(pilot)
    dialog = app.screen
    assert dialog.id == "add-provider-dialog"
    apis = dialog.query_one("#provider-api", OptionList)
    apis.highlighted = [o.id for o in apis.options].index(api)
    await pilot.press("enter")
    await settle(pilot)
    filter_input = dialog.query_one("#type-filter", Input)
    assert filter_input.has_focus
    filter_input.value = query
    await settle(pilot)
    types = dialog.query_one("#provider-type", OptionList)
    shown = [o.id for o in types.options]
    assert provider_type in shown, shown
    types.highlighted = shown.index(provider_type)
    types.focus()
    await pilot.press("enter")
    await settle(pilot)


async def _add_provider(app, pilot, api: str, query: str, provider_type: str, provider_id: str | None = None) -> None:
    """_to_form, then the id and Add."""
    await _to_form(app, pilot, api, provider_type, query)
    if provider_id is not None:
        app.screen.query_one("#provider-id", Input).value = provider_id
    await pilot.click("#add")
    await settle(pilot)


async def test_tree_shows_provider_state_never_a_raw_toggle_and_models_under_their_provider(editor) -> None:
    text = RUN.replace("  models: []", "  models:\n  - model_id: llama3.2:3b\n    provider_id: ollama")
    app, _ = editor(text=text, name="run.yaml", environ=ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, INFERENCE + (0,), "provider")
        labels = tree_labels(app)
        assert "ollama  remote::ollama  on (OLLAMA_URL set)" in labels
        assert "openai  remote::openai  off (OPENAI_API_KEY unset)" in labels
        assert not any("${env" in label for label in labels)
        ollama = labels.index("ollama  remote::ollama  on (OLLAMA_URL set)")
        assert labels[ollama + 1] == "model llama3.2:3b"  # its child
        node = app.tree.node_for(("registered_resources", "models", 0), kind="resource")
        assert node is not None and node.parent.data.path == INFERENCE + (0,)


async def test_add_an_inference_provider_from_scratch(editor) -> None:
    app, path = editor(text=SCRATCH, name="run.yaml", environ=ENV, server="ogx-1.5")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = _errors(app)
        await _add_provider(app, pilot, "inference", "vllm", "remote::vllm", "gpu")
        data = app.session.data
        assert data["providers"]["inference"][0]["provider_type"] == "remote::vllm"
        assert data["providers"]["inference"][0]["provider_id"] == "gpu"
        assert data["apis"] == ["inference"]  # the API is listed too
        # the sample's placeholders are kept
        assert data["providers"]["inference"][0]["config"]["base_url"].startswith("${env.VLLM_URL")
        assert _errors(app) == before  # no new error
        assert "gpu  remote::vllm  on" in tree_labels(app)
        assert app.detail.current.kind == "provider" and "Provider gpu" in texts(app.detail)
        assert any("Added the inference provider gpu" in n for n in notes(app))
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert app.session.data["providers"] == {}  # one undoable step
        assert path.read_text(encoding="utf-8") == SCRATCH  # nothing written before ctrl+s


async def test_the_add_flow_offers_missing_dependencies(editor) -> None:
    from llama_config.model.provider_ops.adding import missing_dependencies

    app, _ = editor(text=SCRATCH, name="run.yaml", environ=ENV, server="ogx-1.5")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        release = app.session.release()
        spec = release.provider("batches", "inline::reference")
        missing = missing_dependencies(app.session.data, release, spec, {"batches"})
        assert missing  # (files, at least: nothing here serves it)
        await _to_form(app, pilot, "batches", "inline::reference")
        dialog = app.screen
        assert f"needs the {', '.join(missing)} API" in texts(dialog)
        assert dialog.query_one("#add-dependencies").value  # offered, on by default
        await pilot.click("#add")
        await settle(pilot)
        for dependency in missing:
            assert app.session.data["providers"].get(dependency), dependency
        assert any("needs the files API" in n for n in notes(app))


async def test_the_type_list_is_searchable_and_marks_deprecated_types(editor) -> None:
    app, _ = editor(text=RUN, name="run.yaml", environ=ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, INFERENCE, "api")
        app.tree.focus()
        await pilot.press("a")
        await settle(pilot)
        dialog = app.screen
        assert not dialog.query_one("#provider-api").display  # the API of the selected group
        types = dialog.query_one("#provider-type", OptionList)
        release = app.session.release()
        assert [o.id for o in types.options] == list(release.provider_types("inference"))
        deprecated = [t for t in release.provider_types("inference") if release.provider("inference", t).get("deprecation_warning")]
        for t in deprecated:
            assert "deprecated" in types.get_option(t).prompt.plain
        dialog.query_one("#type-filter", Input).value = "ollama"
        await settle(pilot)
        assert [o.id for o in types.options] == ["remote::ollama"]
        assert "Ollama" in types.get_option("remote::ollama").prompt.plain  # the description


async def test_edit_a_nested_field_picker_and_input_one_undoable_step_each(editor) -> None:
    app, _ = editor(text=RUN, name="run.yaml", environ=ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, INFERENCE + (0,), "provider")
        section = app.detail.query_one(FormSection)
        assert not section.opened and not fields_named(app, "network.tls.min_version")
        section.query_one(Button).press()  # nothing under network is set: it opens on demand
        await settle(pilot)
        shown = texts(app.detail)
        assert "network.tls" in shown and "network.proxy" in shown  # sub-sections
        config = INFERENCE + (0, "config")
        picker = next(w for w in app.detail.query(FieldSelect) if w.path == config + ("network", "tls", "min_version"))
        picker.value = "TLSv1.3"
        await settle(pilot)
        assert app.session.doc.value_at(config + ("network", "tls", "min_version")) == "TLSv1.3"
        await enter_value(pilot, field(app, *config, "network", "proxy", "url"), "http://proxy.internal:3128")
        assert app.session.doc.value_at(config + ("network", "proxy")) == {"url": "http://proxy.internal:3128"}
        await enter_value(pilot, field(app, *config, "network", "limits", "max_connections"), "abc")
        limit = field(app, *config, "network", "limits", "max_connections")
        assert limit.value == "abc" and limit.has_class("-invalid")  # typed by the schema, refused
        assert "must be" in texts(app.detail)
        assert app.session.doc.value_at(config + ("network", "limits")) is None
        assert app.detail.query_one(FormSection).opened  # network is written now: open when shown again
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert app.session.doc.value_at(config + ("network", "proxy")) is None
        assert app.session.doc.value_at(config + ("network", "tls", "min_version")) == "TLSv1.3"


async def test_search_opens_the_section_of_a_nested_field(editor) -> None:
    app, _ = editor(text=RUN, name="run.yaml", environ=ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        target = INFERENCE + (0, "config", "network", "proxy", "url")
        app.go_to(INFERENCE + (0,), kind="provider", field=target)
        await settle(pilot)
        assert app.detail.query_one(FormSection).opened
        assert app.focused is field(app, *target)


async def test_add_a_model_to_a_provider_then_pick_another_provider(editor) -> None:
    app, _ = editor(text=RUN, name="run.yaml", environ=ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, INFERENCE + (0,), "provider")
        app.tree.focus()
        await pilot.press("m")
        await settle(pilot)
        dialog = app.screen
        assert dialog.id == "add-resource-dialog"
        picker = dialog.query_one("#new-resource-provider", Select)
        assert picker.value == "ollama"
        # only the enabled inference providers are offered (openai is off: OPENAI_API_KEY unset)
        assert [value for _, value in picker._options if value is not Select.NULL] == ["ollama", "sentence-transformers"]
        field(app, "registered_resources", "models", 0, "model_id").value = "llama3.2:3b"
        await pilot.click("#add")
        await settle(pilot)
        assert app.session.data["registered_resources"]["models"] == [{"model_id": "llama3.2:3b", "provider_id": "ollama"}]
        labels = tree_labels(app)
        assert labels[labels.index("ollama  remote::ollama  on (OLLAMA_URL set)") + 1] == "model llama3.2:3b"
        assert app.detail.current.kind == "resource"
        provider = app.detail.query_one("#resource-provider", Select)
        provider.value = "sentence-transformers"
        await settle(pilot)
        assert app.session.data["registered_resources"]["models"][0]["provider_id"] == "sentence-transformers"


async def test_disable_a_provider_through_its_toggle_and_enable_it_again(editor) -> None:
    app, _ = editor(text=RUN, name="run.yaml", environ=ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        path = INFERENCE + (2,)  # sentence-transformers, a plain id
        await show(app, pilot, path, "provider")
        app.tree.focus()
        await pilot.press("e")
        await settle(pilot)
        written = app.session.doc.value_at(path + ("provider_id",))
        assert written == "${env.ENABLE_SENTENCE_TRANSFORMERS:+sentence-transformers}"
        assert not provider_state(app.session.doc.value_at(path), app.session.env).on
        assert "sentence-transformers  inline::sentence-transformers  off (ENABLE_SENTENCE_TRANSFORMERS unset)" in tree_labels(app)
        await pilot.press("e")
        await settle(pilot)
        assert app.session.doc.value_at(path + ("provider_id",)) == "sentence-transformers"
        # ollama's toggle variable (OLLAMA_URL) is set here: switching it off uses one that is not
        await show(app, pilot, INFERENCE + (0,), "provider")
        app.tree.focus()
        await pilot.press("e")
        await settle(pilot)
        assert app.session.doc.value_at(INFERENCE + (0, "provider_id")) == "${env.ENABLE_OLLAMA:+ollama}"


async def test_remove_a_provider_a_model_uses_moves_or_removes_the_model(editor) -> None:
    text = RUN.replace("  models: []", "  models:\n  - model_id: llama3.2:3b\n    provider_id: ollama")
    app, _ = editor(text=text, name="run.yaml", environ=ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, INFERENCE + (0,), "provider")
        app.tree.focus()
        await pilot.press("d")
        await settle(pilot)
        dialog = app.screen
        assert dialog.id == "remove-provider-dialog" and "model llama3.2:3b" in texts(dialog)
        choice = dialog.query_one("#resources-choice", Select)
        assert choice.value == "openai"  # the first other inference provider
        choice.value = "sentence-transformers"
        await pilot.click("#remove")
        await settle(pilot)
        assert app.session.data["registered_resources"]["models"] == [{"model_id": "llama3.2:3b", "provider_id": "sentence-transformers"}]
        assert [p["provider_type"] for p in app.session.data["providers"]["inference"]] == ["remote::openai", "inline::sentence-transformers"]
        await pilot.press("ctrl+z")
        await settle(pilot)
        # the other answer: remove the model with it
        await show(app, pilot, INFERENCE + (0,), "provider")
        app.tree.focus()
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        app.screen.query_one("#resources-choice", Select).value = ""
        await pilot.click("#remove")
        await settle(pilot)
        assert app.session.data["registered_resources"]["models"] == []
        assert any("removed with it" in n for n in notes(app))


async def test_rename_and_reorder_a_provider(editor) -> None:
    text = RUN.replace("  models: []", "  models:\n  - model_id: m\n    provider_id: sentence-transformers")
    app, _ = editor(text=text, name="run.yaml", environ=ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, INFERENCE + (2,), "provider")
        app.tree.focus()
        await pilot.press("r")
        await settle(pilot)
        await enter_value(pilot, app.screen.query_one("#new-name", Input), "st")
        assert app.session.data["providers"]["inference"][2]["provider_id"] == "st"
        assert app.session.data["registered_resources"]["models"][0]["provider_id"] == "st"  # follows
        app.tree.focus()
        await pilot.press("shift+up")
        await settle(pilot)
        assert [p["provider_id"] for p in app.session.data["providers"]["inference"]][1] == "st"
        assert app.detail.current.path == INFERENCE + (1,)


async def test_required_field_counter(editor) -> None:
    app, _ = editor(text=SCRATCH, name="run.yaml", environ=ENV, server="ogx-1.5")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _add_provider(app, pilot, "inference", "vertex", "remote::vertexai")
        if app.screen.id == "add-provider-dialog":  # project is prompted: leave it for now
            assert "project" in texts(app.screen)
            await pilot.click("#add")
            await settle(pilot)
        counter = app.detail.query_one("#required-count")
        assert "1 required field missing: project" in str(counter.content)
        # upstream's sample has ${env.VERTEX_AI_PROJECT:=}: its default is what gives the value
        project = ("providers", "inference", 0, "config", "project")
        default = next(w for w in app.detail.query(PlaceholderPart) if w.path == project and w.part == "argument")
        await enter_value(pilot, default, "acme-prod")
        assert app.session.doc.value_at(project) == "${env.VERTEX_AI_PROJECT:=acme-prod}"
        assert "every required field is set" in str(app.detail.query_one("#required-count").content)


async def test_a_new_secret_is_written_as_a_placeholder_unless_the_literal_is_confirmed(editor) -> None:
    app, _ = editor(text=RUN, name="run.yaml", environ=ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, INFERENCE + (0,), "provider")
        credential = field(app, *INFERENCE, 0, "config", "auth_credential")
        assert credential.password  # masked
        await enter_value(pilot, credential, "sk-live-123")
        dialog = app.screen
        assert dialog.id == "secret-dialog"
        assert dialog.query_one("#secret-variable", Input).value == "OLLAMA_AUTH_CREDENTIAL"
        assert dialog.query_one("#placeholder", Button).has_focus  # the default
        await pilot.press("enter")
        await settle(pilot)
        assert app.session.doc.value_at(INFERENCE + (0, "config", "auth_credential")) == "${env.OLLAMA_AUTH_CREDENTIAL}"
        assert "sk-live-123" not in app.session.doc.text
        # the literal, confirmed (the placeholder is edited as text for that)
        app.detail.query_one(".edit-as-text").press()
        await settle(pilot)
        await enter_value(pilot, field(app, *INFERENCE, 0, "config", "auth_credential"), "sk-live-456")
        await pilot.click("#literal")
        await settle(pilot)
        assert app.session.doc.value_at(INFERENCE + (0, "config", "auth_credential")) == "sk-live-456"


async def test_unknown_key_shows_the_suggestion_and_a_one_key_fix(editor) -> None:
    text = RUN.replace("      base_url: ${env.OLLAMA_URL:=http://localhost:11434/v1}", "      base_url: ${env.OLLAMA_URL:=http://localhost:11434/v1}\n      refresh_model: true")
    app, _ = editor(text=text, name="run.yaml", environ=ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, INFERENCE + (0,), "provider")
        assert "did you mean 'refresh_models'?" in texts(app.detail)
        app.detail.query_one(".fix-key", Button).press()  # (below the fold: a click would miss it)
        await settle(pilot)
        config = app.session.doc.value_at(INFERENCE + (0, "config"))
        assert config.get("refresh_models") is True and "refresh_model" not in config


async def test_provider_keys_work_on_the_tree_only_not_inside_a_form_control(editor) -> None:
    app, _ = editor(text=RUN, name="run.yaml", environ=ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, INFERENCE + (0,), "provider")
        app.tree.focus()
        await settle(pilot)
        shown = {b.binding.id for b in app.screen.active_bindings.values() if b.binding.show}
        assert {"tree.remove_provider", "tree.toggle_provider", "tree.rename_provider", "tree.add_model"} <= shown
        picker = next(iter(app.detail.query(FieldSelect)))
        picker.focus()
        await settle(pilot)
        shown = {b.binding.id for b in app.screen.active_bindings.values() if b.binding.show}
        assert "tree.remove_provider" not in shown
        await pilot.press("d", "e")
        await settle(pilot)
        assert app.screen.id != "remove-provider-dialog" and not app.session.modified
        # on a backend the same letters are the backend's (the app's keys)
        await show(app, pilot, ("storage", "backends", "kv_default"), "backend")
        app.tree.focus()
        await settle(pilot)
        assert app.screen.active_bindings["d"].binding.id == "tree.delete_backend"


async def test_search_matches_values_and_config_keys(editor) -> None:
    from llama_config.tui.screens.search import search_targets

    app, _ = editor(text=RUN, name="run.yaml", environ=ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        labels = [t.label for t in search_targets(app.session)]
        assert "server.port = 8321" in labels
        assert any("kvstore.db" in label for label in labels)
        assert any(label.startswith("providers.inference[1].config.api_key = ") for label in labels)
        assert not any("••••" not in label and "api_key = $" in label for label in labels)  # secret values are not shown
        await pilot.press("slash")
        await settle(pilot)
        app.screen.query_one("#search-input", Input).value = "8321"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.detail.current.kind == "server"
        assert app.focused is field(app, "server", "port")


async def test_a_model_naming_no_provider_is_listed_under_its_api_and_reachable(editor) -> None:
    text = RUN.replace("  models: []", "  models:\n  - model_id: lost\n    provider_id: vllm")
    app, _ = editor(text=text, name="run.yaml", environ=ENV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show(app, pilot, ("registered_resources", "models", 0), "resource")
        assert any(label.startswith("model lost  (no inference provider 'vllm')") for label in tree_labels(app))
        assert app.detail.current.kind == "resource"
        picker = app.detail.query_one("#resource-provider", Select)
        assert picker.value is Select.NULL  # not an enabled provider: choose one
        picker.value = "ollama"
        await settle(pilot)
        assert app.session.data["registered_resources"]["models"][0]["provider_id"] == "ollama"
        assert "model lost" in tree_labels(app)


async def test_the_add_dialog_asks_before_writing_a_plain_secret(editor) -> None:
    app, _ = editor(text=SCRATCH, name="run.yaml", environ=ENV, server="ogx-1.5")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await _to_form(app, pilot, "files", "remote::openai")
        key = field(app, "providers", "files", "_new", "config", "api_key")
        assert key.typed == "${env.OPENAI_API_KEY}"  # upstream's sample: a placeholder already
        app.screen.query_one(".edit-as-text").press()
        await settle(pilot)
        field(app, "providers", "files", "_new", "config", "api_key").value = "sk-plain"
        await pilot.click("#add")
        await settle(pilot)
        assert app.screen.id == "secret-dialog"
        await pilot.press("enter")  # the placeholder, the default
        await settle(pilot)
        config = app.session.data["providers"]["files"][0]["config"]
        assert config["api_key"] == "${env.OPENAI_API_KEY}"
        assert "sk-plain" not in app.session.doc.text


async def test_the_new_provider_form_opens_at_its_top_with_the_id_field_focused_at_80x24(editor) -> None:
    """The form focused its id field by scrolling to it, and at 80x24 that scrolled the field's
    own label out of view, or not, depending on whether the new rows had been laid out yet."""
    app, _ = editor(text=SCRATCH, name="run.yaml", environ=ENV, server="ogx-1.5")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await _to_form(app, pilot, "files", "remote::openai", "openai")
        await steady(pilot)
        form = app.screen.query_one("#provider-form")
        assert app.screen.query_one("#provider-id", Input).has_focus
        assert form.scroll_y == 0 and form.max_scroll_y > 0  # (a form taller than the screen)
