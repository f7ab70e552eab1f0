"""Pause Python's cyclic garbage collector while building large acyclic structures.

Parsing a 50,000-provider config allocates millions of nodes, and the collector walks all of
them again and again while they are being built (a third to a half of the parse time), though
a parse tree has no reference cycles to find. Reference counting still frees everything as
usual; the collector resumes, in the state it was in, when the block ends.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator, TypeVar

T = TypeVar("T")


_freeze = False
_frozen_since_collect = False
_one_command = False
_kept: list = []  # see keep_until_exit


def freeze_what_is_built() -> None:
    """From now on, what a paused block built is moved out of the collector's reach when the
    block ends (gc.freeze). The collector would otherwise walk the tree's millions of objects
    again at each full collection (a quarter of validate's time on a 50,000-provider file; in
    the editor, half of an edit's model time on 5,000 providers). They are still freed by
    reference counting. gc.freeze moves every object there is, so cyclic garbage among the
    others (the editor's removed widgets) stays until collect_frozen: a one-shot command
    (validate, set, ...) never needs it; the editor calls it when the operator pauses."""
    global _freeze
    _freeze = True


def no_collector_for_one_command() -> None:
    """Turn the cyclic collector off for the rest of the process: a one-shot command (validate,
    set, migrate, ...) builds millions of objects with no reference cycles among them and then
    exits. Reference counting frees them as usual. With the collector on, its full collections
    still walked every object created since the last freeze, 9 to 18 times in one command on
    50,000 providers (a second of `migrate`), and collected nothing: bench/scale.py's peak
    memory is the same either way, and it guards that. What is built is frozen too, so the one
    collection Python still makes at exit passes over it."""
    global _one_command
    _one_command = True
    freeze_what_is_built()
    gc.disable()


def keep_until_exit(obj: T) -> T:
    """In a one-shot command, hold `obj` (its document) until the process ends, which the
    command line then ends without freeing anything (os._exit): handing a 50,000-provider tree
    back object by object costs every command a tenth of a second, and the system takes the
    memory back at once. The last object only: a command over many files holds one at a time."""
    if _one_command:
        _kept[:] = [obj]
    return obj


def collect_frozen() -> bool:
    """If anything was frozen since the last call: give every frozen object back to the
    collector, collect the garbage among them, and freeze the rest again. A full collection
    (about 0.1 s on 5,000 providers, 0.5 s on 50,000), for a moment nobody is typing.
    Returns whether it ran."""
    global _frozen_since_collect
    if not _frozen_since_collect:
        return False
    _frozen_since_collect = False
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    return True


@contextmanager
def gc_paused() -> Iterator[None]:
    global _frozen_since_collect
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _freeze:
            gc.freeze()
            _frozen_since_collect = True
        if was_enabled:
            gc.enable()
