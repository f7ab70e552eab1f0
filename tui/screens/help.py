"""F1: help for the focused field, or the keys of the editor."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.binding import Binding

from .choice import ChoiceDialog

# what the binding tables cannot say: keys of the widgets themselves
_GENERAL = [
    ("tab / shift+tab", "move between the tree, the form and the problems list"),
    ("enter", "tree: open a group, or go to the form's first field; field: apply it; problems: jump"),
    ("escape", "leave a field for the tree; close a dialog"),
    ("ctrl+p", "command palette: every action"),
]


def key_lines(app: Any) -> list[tuple[str, str]]:
    """(key, what it does) for every binding of the app, the tree and the problems list, from
    their BINDINGS: F1 cannot drift from the keys that work."""
    from ..widgets.config_tree import ConfigTree
    from ..widgets.diagnostics_panel import DiagnosticsPanel

    lines = list(_GENERAL)
    for where, bindings in (("", app.BINDINGS), ("tree: ", ConfigTree.BINDINGS), ("problems: ", DiagnosticsPanel.BINDINGS)):
        for binding in bindings:
            description = binding.tooltip or binding.description
            if isinstance(binding, Binding) and binding.id and description:
                key = binding.key.replace("slash", "/")
                if (key, where + description) not in lines:
                    lines.append((key, where + description))
    return lines


class KeysDialog(ChoiceDialog):
    """The keys scroll: at 80x24 they are taller than the screen, and Close must stay on it."""

    DEFAULT_CSS = """
    #help-dialog #keys { height: auto; max-height: 1fr; }
    """

    def compose_body(self):
        from textual.containers import VerticalScroll
        from textual.widgets import Static

        with VerticalScroll(id="keys"):
            yield Static(self.body, classes="dialog-body")


def field_help(name: str, expected: str, default: object, description: str, path: str) -> ChoiceDialog:
    body = Text()
    body.append(f"{path}\n\n", style="dim")
    body.append("Type: ", style="bold")
    body.append(f"{expected}\n")
    if default not in (None, "", [], {}):
        body.append("Default: ", style="bold")
        body.append(f"{default}\n")
    body.append("\n" + (description or "No description."))
    body.append("\n\nAny value may also be an environment placeholder: ${env.NAME}, ${env.NAME:=default} or ${env.NAME:+value}.", style="dim")
    return ChoiceDialog(f"Help: {name}", body, [("close", "Close", "primary")], cancel_id="close", dialog_id="help-dialog")


def keys_help(app: Any) -> ChoiceDialog:
    body = Text("Keys\n", style="bold")
    for key, description in key_lines(app):
        body.append(f"  {key:<17} ", style="bold")
        body.append(f"{description}\n")
    return KeysDialog("llama-config editor", body, [("close", "Close", "primary")], cancel_id="close", dialog_id="help-dialog")
