"""The editor freezes each tree it parses, out of the garbage collector's reach, and collects
whatever was frozen once the operator pauses (tui/idle_collect.py)."""

from __future__ import annotations

import gc
import weakref

from llama_config.model import gcpause
from llama_config.tui.idle_collect import IDLE

from .helpers import settle


class _Cycle:
    """Garbage only the cyclic collector frees (it refers to itself)."""

    def __init__(self) -> None:
        self.me = self


async def test_what_an_edit_froze_is_collected_once_the_operator_pauses(editor, monkeypatch) -> None:
    monkeypatch.setattr(gcpause, "_freeze", True)  # as `llama-config edit` sets it
    app, _ = editor()
    try:
        async with app.run_test() as pilot:
            await settle(pilot)
            cycle = _Cycle()
            ref = weakref.ref(cycle)
            app.session.set_value(("server", "host"), "0.0.0.0")  # a new key: the file is parsed again, then frozen
            assert gc.get_freeze_count() > 0
            del cycle
            gc.collect()
            assert ref() is not None  # frozen: a collection does not reach it
            collector = app._idle_collector
            collector.last_input -= IDLE
            await pilot.press("down")  # the operator is busy again: nothing is collected
            collector._tick()
            assert ref() is not None
            collector.last_input -= IDLE
            collector._tick()
            assert ref() is None
            assert gc.get_freeze_count() > 0  # what lives is frozen again
            assert not gcpause.collect_frozen()  # nothing was frozen since
    finally:
        gc.unfreeze()
