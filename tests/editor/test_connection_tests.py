"""Connection tests from the editor: t / T, progress badges, details, stale after an edit."""

from __future__ import annotations

import socket

from llama_config.model.envvars import Environment
from llama_config.tui.app import ConfigEditorApp


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(tmp_path) -> str:
    path = tmp_path / "run.yaml"
    path.write_text(
        "version: 2\n"
        "image_name: probes\n"
        "storage:\n"
        "  backends:\n"
        "    kv_default:\n"
        "      type: kv_sqlite\n"
        f"      db_path: {tmp_path}/kv.db\n"
        "    kv_cache:\n"
        "      type: kv_redis\n"
        "      host: 127.0.0.1\n"
        f"      port: {_closed_port()}\n"
        "  stores:\n"
        "    metadata:\n"
        "      backend: kv_default\n"
        "      namespace: registry\n"
        "server:\n"
        "  port: 8321\n"
    )
    return str(path)


async def _settle(app, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_test_all_badges_every_backend_and_the_ui_keeps_working(tmp_path):
    app = ConfigEditorApp(_config(tmp_path), Environment(environ={}))
    async with app.run_test(size=(150, 48)) as pilot:
        await pilot.pause()
        await pilot.press("T")
        await _settle(app, pilot)
        state = app.tree.probe_state
        assert state["kv_default"].ok and state["kv_default"].category == "ok"
        assert not state["kv_cache"].ok and state["kv_cache"].category == "refused"
        labels = {name: str(node.label) for name, node in app.tree._backend_nodes.items()}
        assert "● ok" in labels["kv_default"]
        assert "● refused" in labels["kv_cache"]


async def test_t_tests_the_selected_backend_and_shows_details(tmp_path):
    app = ConfigEditorApp(_config(tmp_path), Environment(environ={}))
    async with app.run_test(size=(150, 48)) as pilot:
        await pilot.pause()
        app.go_to(("storage", "backends", "kv_cache"), "backend")
        await pilot.pause()
        app.tree.focus()
        await pilot.press("t")
        await _settle(app, pilot)
        assert list(app.tree.probe_state) == ["kv_cache"]
        status = str(app.query_one(".detail-probe").render())
        assert "refused" in status and "hint:" in status


async def test_results_go_stale_when_the_backend_is_edited(tmp_path):
    app = ConfigEditorApp(_config(tmp_path), Environment(environ={}))
    async with app.run_test(size=(150, 48)) as pilot:
        await pilot.pause()
        await pilot.press("T")
        await _settle(app, pilot)
        assert "(stale)" not in str(app.tree._backend_nodes["kv_default"].label)
        app.session.set_value(("storage", "backends", "kv_default", "db_path"), f"{tmp_path}/other.db")
        app.refresh_views()
        await pilot.pause()
        assert "(stale)" in str(app.tree._backend_nodes["kv_default"].label)
        assert "(stale)" not in str(app.tree._backend_nodes["kv_cache"].label)
        app.go_to(("storage", "backends", "kv_default"), "backend")
        await pilot.pause()
        assert "stale" in str(app.query_one(".detail-probe").render())
