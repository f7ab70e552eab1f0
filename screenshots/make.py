"""Write the SVG screenshots of the editor (README.md, docs/editor.md): `python screenshots/make.py`.

Each scene opens a copy of an example config (in a temporary directory, under a fixed
relative name so the header reads `run.yaml`), drives the editor with Textual's pilot and
saves one SVG into screenshots/. The environment is fixed, so placeholders resolve the same
way on every machine and the screenshots only change when the editor does.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Awaitable, Callable

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))

from llama_config.model.envvars import Environment  # noqa: E402
from llama_config.tui.app import ConfigEditorApp  # noqa: E402

SIZE = (150, 48)
# what a deployment would have set: the Redis host and an API key (masked in the form)
ENV = {"HOME": "/home/acme", "REDIS_HOST": "redis.internal", "OPENAI_API_KEY": "sk-demo-0123456789"}

Scene = Callable[[ConfigEditorApp, object], Awaitable[None]]


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


async def main_screen(app: ConfigEditorApp, pilot) -> None:
    """The tree (two provider groups open, each reference with its backend), the detail of
    a store, the problems panel."""
    for api in ("vector_io", "responses"):
        app.tree.node_for(("providers", api), kind="api").expand()
    await _settle(pilot)
    app.go_to(("storage", "stores", "metadata"), kind="store")
    await _settle(pilot)
    app.tree.focus()
    await _settle(pilot)


async def backend_form(app: ConfigEditorApp, pilot) -> None:
    app.go_to(("storage", "backends", "sql_default"), kind="backend")
    await _settle(pilot)


async def add_backend(app: ConfigEditorApp, pilot) -> None:
    await pilot.press("a")
    await _settle(pilot)
    option_list = app.screen.query_one("#backend-type")
    option_list.highlighted = [o.id for o in option_list.options].index("kv_postgres")
    await pilot.press("enter")
    await _settle(pilot)


async def provider_form(app: ConfigEditorApp, pilot) -> None:
    """The openai provider: on (OPENAI_API_KEY set), its schema's fields, the key resolved and masked."""
    app.go_to(("providers", "inference", 1), kind="provider")
    await _settle(pilot)
    app.tree.focus()
    await _settle(pilot)


async def add_provider(app: ConfigEditorApp, pilot) -> None:
    """The add flow on the inference group: the searchable type list, each with its description."""
    app.go_to(("providers", "inference"), kind="api")
    await _settle(pilot)
    app.tree.focus()
    await pilot.press("a")
    await _settle(pilot)
    app.screen.query_one("#type-filter").value = "remote"
    await _settle(pilot)


async def quota_form(app: ConfigEditorApp, pilot) -> None:
    app.go_to(("server", "quota"), kind="quota")
    await _settle(pilot)
    app.tree.focus()
    await _settle(pilot)


async def save_diff(app: ConfigEditorApp, pilot) -> None:
    session = app.session
    app.change("", lambda: session.set_value(("server", "port"), 8322))
    app.change("", lambda: session.rename_backend("kv_default", "kv_registry"))
    await _settle(pilot)
    await pilot.press("ctrl+s")
    await _settle(pilot)


async def quit_dialog(app: ConfigEditorApp, pilot) -> None:
    session = app.session
    app.change("", lambda: session.set_value(("server", "port"), 8322))
    await _settle(pilot)
    await pilot.press("q")
    await _settle(pilot)


async def problems(app: ConfigEditorApp, pilot) -> None:
    """examples/broken.yaml: every mistake listed; the wrong-family store selected."""
    app.go_to(("storage", "stores", "metadata"), kind="store")
    await _settle(pilot)
    panel = app.query_one("#problems")
    panel.focus()
    await _settle(pilot)
    panel.highlighted = next(i for i, d in enumerate(panel.diagnostics) if d.code == "wrong-family")
    await _settle(pilot)


RUN = "examples/run.yaml"  # ogx 1.5
# request quotas exist up to llama-stack 0.7 (ogx removed them): shown on a 0.3 file
OLDER = "tests/files/editor/run-llama-stack-0.3.yaml"

SCENES: list[tuple[str, str, Scene]] = [
    ("main", RUN, main_screen),
    ("backend-form", RUN, backend_form),
    ("add-backend", RUN, add_backend),
    ("provider-form", RUN, provider_form),
    ("add-provider", RUN, add_provider),
    ("quota", OLDER, quota_form),
    ("save-diff", RUN, save_diff),
    ("quit-dialog", RUN, quit_dialog),
    ("problems", "examples/broken.yaml", problems),
]


async def shoot(name: str, source: str, scene: Scene, workdir: Path) -> Path:
    example = "broken.yaml" if source.endswith("broken.yaml") else "run.yaml"
    shutil.copyfile(ROOT / source, workdir / example)
    app = ConfigEditorApp(example, Environment(environ=ENV))
    target = OUT / f"{name}.svg"
    async with app.run_test(size=SIZE) as pilot:
        await _settle(pilot)
        await scene(app, pilot)
        app.save_screenshot(filename=target.name, path=str(OUT))
    return target


def main(argv: list[str]) -> int:
    wanted = set(argv)
    previous = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)  # the editor shows the path it was given: keep it relative and fixed
        try:
            for name, example, scene in SCENES:
                if wanted and name not in wanted:
                    continue
                path = asyncio.run(shoot(name, example, scene, Path(tmp)))
                print(f"wrote {path.relative_to(ROOT)}")
        finally:
            os.chdir(previous)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
