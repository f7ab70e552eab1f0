"""A modal question with a few buttons; the base of the quit, save and external-change dialogs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class ChoiceDialog(ModalScreen[str]):
    """Shows `body` and one button per (id, label, variant); dismisses with the chosen id.
    Escape dismisses with `cancel_id`."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, title: str, body: object, choices: list[tuple[str, str, str]], cancel_id: str, dialog_id: str) -> None:
        super().__init__(id=dialog_id)
        self.title_text = title
        self.body = body
        self.choices = choices
        self.cancel_id = cancel_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield from self.compose_body()
            with Horizontal(classes="dialog-buttons"):
                for choice_id, label, variant in self.choices:
                    yield Button(label, id=choice_id, variant=variant)  # type: ignore[arg-type]

    def compose_body(self) -> ComposeResult:
        yield Static(self.body, classes="dialog-body")

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id or self.cancel_id)

    def action_cancel(self) -> None:
        self.dismiss(self.cancel_id)


def quit_dialog(errors: int) -> ChoiceDialog:
    body = "You have unsaved changes." + (f" The file has {errors} error{'s' if errors != 1 else ''}." if errors else "")
    return ChoiceDialog(
        "Quit llama-config?",
        body,
        [("keep", "Keep editing", "primary"), ("discard", "Discard and quit", "error"), ("save", "Save and quit", "success")],
        cancel_id="keep",
        dialog_id="quit-dialog",
    )

