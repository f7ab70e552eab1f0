"""Garbage collection in the editor, at moments the operator is not typing.

The editor freezes each tree it parses (model/gcpause.py): otherwise the collector walks the
tree's objects again at each full collection, and on 5,000 providers that was half of an edit's
model time. Frozen objects are never collected, so whatever was frozen and has become cyclic
garbage since (widgets of a form no longer shown) is collected here, once the operator has left
the keyboard and mouse alone for IDLE seconds after something was frozen.
"""

from __future__ import annotations

from time import monotonic

from textual import events
from textual.app import App

from llama_config.model.gcpause import collect_frozen

IDLE = 2.0


class IdleCollector:
    def __init__(self, app: App) -> None:
        self.last_input = monotonic()
        app.set_interval(1.0, self._tick)

    def saw(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.last_input = monotonic()

    def _tick(self) -> None:
        if monotonic() - self.last_input >= IDLE:
            collect_frozen()
