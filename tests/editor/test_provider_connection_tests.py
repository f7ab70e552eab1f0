"""t / T on providers in the editor: what the provider's config points at is probed with the
same runner as the backends (tests/live/api_server.py stands in for an OpenAI-compatible server)."""

from __future__ import annotations

import pytest

from llama_config.model.envvars import Environment
from llama_config.tui.app import ConfigEditorApp

from ..live.api_server import ApiServer
from .helpers import notes, record_notifications, settle

KEY = "sk-editor-pr0be"


@pytest.fixture
def api():
    server = ApiServer(key=KEY, models=("llama3.2:3b",))
    yield server
    server.stop()


def _config(tmp_path, api: ApiServer) -> str:
    path = tmp_path / "run.yaml"
    path.write_text(
        "version: 2\n"
        "image_name: providers\n"
        "apis: [inference]\n"
        "providers:\n"
        "  inference:\n"
        "  - provider_id: vllm\n"
        "    provider_type: remote::vllm\n"
        "    config:\n"
        f"      base_url: {api.url('/v1')}\n"
        "      api_token: ${env.VLLM_API_TOKEN}\n"
        "  - provider_id: sentence-transformers\n"
        "    provider_type: inline::sentence-transformers\n"
        "storage:\n"
        "  backends:\n"
        "    kv_default:\n"
        "      type: kv_sqlite\n"
        f"      db_path: {tmp_path}/kv.db\n"
        "registered_resources:\n"
        "  models:\n"
        "  - model_id: llama3.2:3b\n"
        "    provider_id: vllm\n"
        "  - model_id: missing-model\n"
        "    provider_id: vllm\n"
    )
    return str(path)


async def _open(app, pilot, index: int) -> None:
    app.go_to(("providers", "inference", index), kind="provider")
    await settle(pilot)
    app.tree.focus()
    await settle(pilot)


async def test_t_on_a_provider_probes_its_endpoint_and_shows_the_result(tmp_path, api):
    app = ConfigEditorApp(_config(tmp_path, api), Environment(environ={"VLLM_API_TOKEN": KEY}))
    async with app.run_test(size=(150, 48)) as pilot:
        await settle(pilot)
        await _open(app, pilot, 0)
        assert "not tested yet" in str(app.detail.query_one(".detail-probe").render())
        await pilot.press("t")
        await settle(pilot)
        result = app.tree.probe_state["providers.inference[vllm]"]
        assert result.category == "model_not_served"
        assert "missing-model" in result.message
        status = str(app.detail.query_one(".detail-probe").render())
        assert "missing-model" in status and KEY not in status
        label = str(app.tree.cursor_node.label)
        assert label.startswith("vllm") and "●" in label
        assert [path for _, path, _ in api.requests] == ["/v1/models"]


async def test_a_wrong_key_reads_as_auth_and_an_edit_makes_it_stale(tmp_path, api):
    app = ConfigEditorApp(_config(tmp_path, api), Environment(environ={"VLLM_API_TOKEN": "wrong"}))
    async with app.run_test(size=(150, 48)) as pilot:
        await settle(pilot)
        await _open(app, pilot, 0)
        await pilot.press("t")
        await settle(pilot)
        assert app.tree.probe_state["providers.inference[vllm]"].category == "auth_failed"
        assert "(stale)" not in str(app.tree.cursor_node.label)
        app.session.set_value(("providers", "inference", 0, "config", "base_url"), api.url("/v2"))
        app.refresh_views()
        await settle(pilot)
        assert "(stale)" in str(app.tree.cursor_node.label)
        assert "stale" in str(app.detail.query_one(".detail-probe").render())


async def test_T_tests_backends_and_probed_providers_and_t_explains_a_provider_without_a_probe(tmp_path, api):
    app = ConfigEditorApp(_config(tmp_path, api), Environment(environ={"VLLM_API_TOKEN": KEY}))
    record_notifications(app)
    async with app.run_test(size=(150, 48)) as pilot:
        await settle(pilot)
        await pilot.press("T")
        await settle(pilot)
        assert sorted(app.tree.probe_state) == ["kv_default", "providers.inference[vllm]"]
        await _open(app, pilot, 1)
        assert not app.detail.query(".detail-probe") and not app.detail.query("#test-provider")
        await pilot.press("t")
        await settle(pilot)
        assert any("No live check for inline::sentence-transformers" in n for n in notes(app))
        assert "providers.inference[sentence-transformers]" not in app.tree.probe_state
