"""An input whose new value repaints the input, not the whole screen.

Textual's Input keeps its virtual size (for scrolling within a long value) in a reactive that
lays the screen out again, and a layout repaints every line of it: on an undo or redo, which
changes one value in the form, that was a third of the time. A form's inputs are as big
whatever their value (width 100%, height 3 or 1), so the new virtual size is set the way
Textual sets it after a layout.
"""

from __future__ import annotations

from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Input


class SteadyInput(Input):
    def _watch_value(self, value: str) -> None:
        if self.styles.auto_dimensions or self.suggester is not None:
            super()._watch_value(value)  # (its size or a suggestion depends on the value)
            return
        size = Size(self.content_width, 1)
        if size != self.virtual_size:
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)
        self._suggestion = ""
        self.refresh()
        result = self.validate(value) if "changed" in self.validate_on else None
        self.post_message(self.Changed(self, value, result))
        if self._initial_value:  # (as Input: a first value puts the cursor at its end)
            self.cursor_position = len(self.value)
            self._initial_value = False
        else:
            self.selection = self.selection  # (re-clamped to the new value)
