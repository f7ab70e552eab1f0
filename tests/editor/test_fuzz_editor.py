"""Seeded fuzz test of the editor: the mutated corpus files of tests/test_fuzz_commands.py, each
opened in the app at 80x24 and walked with the keyboard, as an operator would look around.

For every case: no exception in the app (run_test raises the first one when it ends), the
tree or the "Cannot open this file" screen is shown, looking at any form changes nothing, a
secret planted in a third of the files (tests/fuzz_mutations.plant_secret) is never on the
screen, and quitting leaves the file byte for byte as it was. LLAMA_CONFIG_FUZZ_SEED and LLAMA_CONFIG_EDITOR_FUZZ_CASES override the
seed and the number of cases.
"""

from __future__ import annotations

import os
import random

import pytest

from llama_config.model.envvars import Environment
from llama_config.tui.app import ConfigEditorApp
from tests.fuzz_mutations import mutate, plant_secret
from tests.test_fuzz_commands import SEED, SOURCES, _held_as_a_secret, pyyaml_load

from .helpers import ENV, settle

CASES = int(os.environ.get("LLAMA_CONFIG_EDITOR_FUZZ_CASES", "40"))
# looking around: the detail pane follows the tree's cursor; no enter or space, which would
# press a button or flip a switch (an edit the operator asked for)
KEYS = ["down", "down", "down", "up", "right", "left", "tab", "shift+tab", "escape", "pagedown", "end", "home"]


@pytest.mark.parametrize("index", range(CASES))
async def test_fuzz_editor_case(index, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    rng = random.Random(f"{SEED}-editor-{index}")
    source = rng.choice(SOURCES)
    data, mutations = mutate(source.read_bytes(), rng)
    planting, secret = random.Random(f"{SEED}-editor-{index}-secret"), None
    if planting.random() < 0.35:
        data, secret = plant_secret(data, planting)
        mutations.append("plant_secret")
    path = tmp_path / "run.yaml"
    path.write_bytes(data)
    where = f"seed {SEED}: {source.name} + {', '.join(mutations)}"
    app = ConfigEditorApp(path.name, Environment(environ=dict(ENV)))
    py_status, py_data = pyyaml_load(data)
    watch = secret if py_status == "ok" and _held_as_a_secret(py_data, secret or "") else None

    def no_secret_shown() -> None:
        if watch:
            assert watch not in app.export_screenshot(), f"{where}: a secret is on the screen"

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        no_secret_shown()
        if app.session is None:
            assert app.query_one("#load-error").display, where
        else:
            if app.screen is not app.screen_stack[0]:
                await pilot.press("escape")  # the offer to migrate or upgrade: not now
                await settle(pilot)
            app.tree.focus()
            for key in rng.choices(KEYS, k=12):
                await pilot.press(key)
                await settle(pilot, rounds=1)
                no_secret_shown()
            for _ in range(4):  # and a few nodes anywhere in the tree, each form shown
                app.tree.cursor_line = rng.randrange(app.tree.last_line + 1)
                await settle(pilot, rounds=1)
                no_secret_shown()
            assert not app.session.modified, f"{where}: {[label for _, label, _, _ in app.session._undo]} focus {app.focused}"
        await pilot.press("ctrl+q")
        await settle(pilot)
    assert path.read_bytes() == data, f"{where}: the file changed"
