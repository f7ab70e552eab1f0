"""The header, whose title changes without laying the screen out again.

The subtitle changes with nearly every edit, undo and redo ("● unsaved changes" / "saved").
Textual's header title updates as a Static does, with a layout of the whole screen; its size
never depends on its text (one line, the header's width), so a repaint is enough.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Header
from textual.widgets._header import HeaderClock, HeaderClockSpace, HeaderIcon, HeaderTitle


class _Title(HeaderTitle):
    def update(self, content="", *, layout: bool = False) -> None:  # noqa: ARG002 (never needed)
        super().update(content, layout=False)


class SteadyHeader(Header):
    def compose(self) -> ComposeResult:
        yield HeaderIcon().data_bind(Header.icon)
        yield _Title()
        yield HeaderClock().data_bind(Header.time_format) if self._show_clock else HeaderClockSpace()
