"""A counter of the work done walking and comparing YAML data.

Alias-heavy files (`a: &a [*b, *b, ...]`) expand exponentially; every walk over the data must
cost in proportion to the file, not to its expansion. Tests hold the walks to a budget of
counted visits (timing-free), so the walks that matter add to WORK.visits as they go.
"""

from __future__ import annotations


class WorkCount:
    __slots__ = ("visits",)

    def __init__(self) -> None:
        self.visits = 0


WORK = WorkCount()
