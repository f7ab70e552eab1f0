"""Start-up: garbage collection is off while the editor starts (tui/commands/edit.py) and must
be back on once the first frame is up, whether the file opened or not."""

from __future__ import annotations

import gc
from pathlib import Path

from llama_config.tui.app import ConfigEditorApp

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "run.yaml"


async def _enabled_after_start(path: str) -> bool:
    gc.disable()
    try:
        app = ConfigEditorApp(path)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            return gc.isenabled()
    finally:
        gc.enable()


async def test_gc_is_back_on_after_the_first_frame():
    assert await _enabled_after_start(str(EXAMPLE))


async def test_gc_is_back_on_when_the_file_cannot_be_opened(tmp_path):
    broken = tmp_path / "run.yaml"
    broken.write_text("version: 2\nstorage: [unclosed\n")
    assert await _enabled_after_start(str(broken))
