"""The footer, redrawn only when what it shows changes.

Textual's Footer mounts its keys anew whenever bindings may have changed: on every tree cursor
move (the keys depend on the node) and every focus change. Mounting them cost more than the
rest of a cursor move; between two backends, or two stores, the keys are the same.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            shown = self._signature(screen)
            if shown == self._shown and self._bindings_ready:
                return
            self._shown = shown
        super().bindings_changed(screen)

    @staticmethod
    def _signature(screen: Screen) -> tuple:
        """What the footer would draw: each shown key, its label, whether it is enabled."""
        return tuple(
            (key, binding.action, binding.description, enabled, tooltip)
            for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
            if binding.show
        )
