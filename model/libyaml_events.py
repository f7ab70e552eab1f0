"""The parser events yamlparse builds its nodes from: libyaml's where PyYAML has it (a tenth of
the time yaml.safe_load takes), PyYAML's pure-Python parser's otherwise.

Each event reaches the builder as a tuple: 7 fields a scalar (anchor, tag, implicit, value,
start_mark, end_mark, style), 6 a mapping's start (anchor, tag, implicit, start_mark, end_mark,
flow_style), 8 a list's (the same, then two more), 2 an end (start_mark, end_mark); the rarer
kinds (aliases, documents, the stream) stay PyYAML's objects. libyaml's parser makes the
tuples itself: it looks its event classes up in its module for every event, and while events()
lasts the frequent ones are stand-ins that return their arguments. An event object, its
__init__ and its dict cost about half the time libyaml takes (50,000 providers: 0.98 s, 0.58 s
with the stand-ins). PyYAML's pure parser's objects are read into the same tuples (as_tuple).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Iterator

import yaml as pyyaml
import yaml.events as pyyaml_events
from yaml.events import MappingEndEvent, MappingStartEvent, ScalarEvent, SequenceEndEvent, SequenceStartEvent

try:
    from yaml import _yaml as libyaml
except ImportError:  # PyYAML built without libyaml: its pure-Python parser does it all, slower
    libyaml = None


def _fields(*event: Any) -> tuple:
    """A scalar, a mapping's start or an end, as libyaml makes it while events() lasts."""
    return event


_LIST = ("list", "start")  # (what makes a list's start 8 fields long: told from a mapping's 6)


def _list_start(*event: Any) -> tuple:
    return event + _LIST


_STAND_INS = {
    "ScalarEvent": _fields, "MappingStartEvent": _fields, "SequenceStartEvent": _list_start,
    "MappingEndEvent": _fields, "SequenceEndEvent": _fields,
}  # fmt: skip
_LOCK = threading.RLock()


@contextmanager
def events(text: str) -> Iterator[Iterator[Any]]:
    """The events of `text`, to be read before this ends: libyaml's (tuples, see the module) or,
    without libyaml, PyYAML's pure parser's (objects: as_tuple).

    One libyaml parse at a time (another thread's waits), and PyYAML's own classes are put back
    whatever ends it, an interrupt while they are being swapped too. Meanwhile a thread that
    read libyaml's events itself (yaml.parse or yaml.emit with the C loader or dumper; yaml.load
    and yaml.dump do not use these classes) would get tuples: nothing in this program does."""
    if libyaml is None:
        yield pyyaml.parse(text, Loader=pyyaml.SafeLoader)
        return
    with _LOCK:
        try:
            for name, stand_in in _STAND_INS.items():
                setattr(libyaml, name, stand_in)
            # (libyaml gives None after the end of the stream; an iterator made of the call, with
            # no generator between, costs nothing per event of the million a large file has)
            yield iter(libyaml.CParser(text).get_event, None)
        finally:
            for name in _STAND_INS:
                setattr(libyaml, name, getattr(pyyaml_events, name))


def as_tuple(event: Any) -> Any:
    """An event object (PyYAML's pure parser's) as the tuple libyaml's stand-ins make; an event
    of another kind as it is."""
    cls = event.__class__
    if cls is ScalarEvent:
        return (event.anchor, event.tag, event.implicit, event.value, event.start_mark, event.end_mark, event.style)
    if cls is MappingStartEvent or cls is SequenceStartEvent:
        fields = (event.anchor, event.tag, event.implicit, event.start_mark, event.end_mark, event.flow_style)
        return fields if cls is MappingStartEvent else fields + _LIST
    if cls is MappingEndEvent or cls is SequenceEndEvent:
        return (event.start_mark, event.end_mark)
    return event
