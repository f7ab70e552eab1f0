"""The footer, redrawn only when what it shows changes.

Textual's Footer mounts its keys anew whenever bindings may have changed: on every tree cursor
move (the keys depend on the node), every focus change and every undo (redo becomes possible).
Mounting them cost more than the rest of a cursor move. Between two backends, or two stores,
the keys are the same; where only whether a key can be used now changes, the keys on screen
are dimmed or lit in place.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class SteadyFooter(Footer):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            shown = self._signature(screen)
            before, self._shown = self._shown, shown
            if self._bindings_ready and before is not None and self._relit(before, shown):
                return
        super().bindings_changed(screen)

    def _relit(self, before: tuple, shown: tuple) -> bool:
        """Show `shown` by dimming or lighting the keys on screen, if they are the same keys
        (False: they are not, the footer must be composed again)."""
        if [entry[:2] + entry[3:] for entry in before] != [entry[:2] + entry[3:] for entry in shown]:
            return False
        keys = list(self.query_children(FooterKey))
        if len(keys) != len(shown) or any(key.key != entry[0][0] for key, entry in zip(keys, shown)):
            return False
        for key, (_, _, enabled, _) in zip(keys, shown):
            key._disabled = not enabled
            key.set_class(not enabled, "-disabled")
        return True

    @staticmethod
    def _signature(screen: Screen) -> tuple:
        """What the footer would draw: each shown key (with its action and label), whether it
        is enabled, and its tooltip."""
        return tuple(
            ((key, binding.action, binding.description), binding.action, enabled, tooltip)
            for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
            if binding.show
        )
