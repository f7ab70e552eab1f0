"""Lists of what a command changed, for people: a file with thousands of changes gets a report
to read, not thousands of lines (`--dry-run` shows every change, as a diff)."""

from __future__ import annotations

from typing import Callable, Sequence, TypeVar

T = TypeVar("T")

LISTED = 50  # lines of one list at most, the last saying how many more there are


def at_most(items: Sequence[T], line: Callable[[T], str], indent: str) -> list[str]:
    """line(item) for each item; past LISTED, for the first ones, then how many more there are."""
    shown = items if len(items) <= LISTED else items[: LISTED - 1]
    lines = [line(item) for item in shown]
    if len(shown) < len(items):
        lines.append(f"{indent}... and {len(items) - len(shown):,} more (--dry-run shows each change)")
    return lines
