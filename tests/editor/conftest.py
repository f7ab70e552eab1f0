"""Fixtures for the editor tests: every test edits a copy of a config in tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from llama_config.model.envvars import Environment
from llama_config.tui.app import ConfigEditorApp

from .helpers import ENV, EXAMPLES, RUN_V03, record_notifications


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path as the working directory, so the editor is given a short relative path
    (the header shows it) and relative paths such as ./quotas.db stay inside the test."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def editor(workdir: Path):
    """editor(example="run.yaml", text=None, name=None, environ=None, server=None) -> (app, path).

    The app edits `name` (default: the example's name) in tmp_path: a copy of
    examples/<example> (for run.yaml: its llama-stack 0.3 version, RUN_V03), or `text` when given. The environment is fixed (`ENV` unless
    `environ` is given) so resolved placeholders do not depend on the machine. `server` is
    `--server` (the release to judge against; None: detected from the file).
    Notifications are recorded in `app.recorded` as (severity, title, message).
    """

    def make(
        example: str = "run.yaml", *, text: str | None = None, name: str | None = None, environ: dict | None = None, server: str | None = None,
    ):  # fmt: skip
        path = workdir / (name or example)
        if text is not None:
            path.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(RUN_V03 if example == "run.yaml" else EXAMPLES / example, path)
        app = ConfigEditorApp(path.name, Environment(environ=dict(ENV if environ is None else environ)), server=server)
        record_notifications(app)
        return app, path

    return make
