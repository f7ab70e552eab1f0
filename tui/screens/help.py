"""F1: help for the focused field, or the keys of the editor."""

from __future__ import annotations

from rich.text import Text

from .choice import ChoiceDialog

KEYS = """\
Keys
  tab / shift+tab   move between the tree, the form and the problems list
  enter             open a tree node; apply a field; jump to a problem
  /                 search names, fields, keys and values
  a                 add a backend            r   rename the selected backend
  d                 delete the selected backend (moving its users first)
  on a provider     a add  m add a model  r rename  e on/off  d remove
                    shift+up / shift+down: reorder within its API
  ctrl+s            save (shows the diff first)
  ctrl+z / ctrl+y   undo / redo
  ctrl+r            reveal or hide passwords in the form
  ctrl+p            command palette: every action
  f1                help for the focused field
  q / ctrl+q        quit (asks when there are unsaved changes)"""


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


def keys_help() -> ChoiceDialog:
    return ChoiceDialog("llama-config editor", KEYS, [("close", "Close", "primary")], cancel_id="close", dialog_id="help-dialog")
