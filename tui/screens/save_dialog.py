"""ctrl+s: the unified diff of what will be written, and the errors it would be saved with."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from llama_config.model.diagnostics import Diagnostic
from llama_config.model.disk_change import DiskChange

from .choice import ChoiceDialog


class SaveDialog(ChoiceDialog):
    """Secrets in the diff are masked as the form masks them; ctrl+r shows them."""

    BINDINGS = [Binding("ctrl+r", "reveal", "Reveal", id="save.reveal", tooltip="Show or hide the secrets in the diff")]
    body_rows = 0  # rows a subclass shows above the diff

    def __init__(self, name: str, diff: str, errors: list[Diagnostic], title: str = "", texts: tuple[str, str] | None = None) -> None:
        super().__init__(
            title or f"Save {name}?",
            "",
            [("cancel", "Cancel", "default"), ("save", "Save anyway" if errors else "Save", "warning" if errors else "success")],
            cancel_id="cancel",
            dialog_id="save-dialog",
        )
        self.diff = diff
        self.errors = errors
        self.revealed = False
        self.texts = texts  # the two texts the diff is between (default: the file as loaded, and with the edits)

    def _masked(self) -> str:
        from llama_config.model.masked_diff import mask_diff

        session = getattr(self.app, "session", None)
        if session is None or not self.diff:
            return self.diff
        before, after = self.texts or session.doc.file_texts()
        return mask_diff(self.diff, before, after, session.secret_fields())

    def _diff_view(self) -> Text:
        diff = self.diff if self.revealed else self._masked()
        return colored_diff(diff) if diff else Text("No changes: the file will be written byte for byte as it is.")

    def action_reveal(self) -> None:
        self.revealed = not self.revealed
        self.query_one("#save-diff", Static).update(self._diff_view())

    def compose_body(self) -> ComposeResult:
        if self.errors:
            lines = [Text(f"The file still has {len(self.errors)} error{'s' if len(self.errors) != 1 else ''}; the server may refuse it:", style="bold red")]
            lines += [Text(f"  {d.line}:{d.column} {d.message} [{d.code}]", style="red") for d in self.errors[:8]]
            if len(self.errors) > 8:
                lines.append(Text(f"  … and {len(self.errors) - 8} more", style="red"))
            with VerticalScroll(classes="dialog-errors"):
                yield Static(Group(*lines))
        with VerticalScroll(classes="dialog-diff"):
            yield Static(self._diff_view(), id="save-diff")

    def on_resize(self) -> None:
        """The errors and the diff share what the screen leaves once the title and the buttons
        have their rows (the errors up to half; each part scrolls): at 80x24 the Save button
        must stay on screen, however many errors wrap over however many lines."""
        fixed = 4 + 2 + 3 + 1 + self.body_rows  # dialog border and padding, title, buttons, margin
        rows = max(6, int(self.size.height * 0.9) - fixed)
        errors = 0
        if self.errors:
            errors = max(3, min(rows // 2, 12))
            self.query_one(".dialog-errors").styles.max_height = errors
        self.query_one(".dialog-diff").styles.max_height = max(3, min(24, rows - errors))


def colored_diff(diff: str) -> Text:
    text = Text(no_wrap=True)
    for line in diff.splitlines():
        style = "bold" if line.startswith(("+++", "---")) else "green" if line.startswith("+") else "red" if line.startswith("-") else "cyan" if line.startswith("@@") else ""
        text.append(line + "\n", style=style)
    return text


class ExternalChangeDialog(SaveDialog):
    """The file changed on disk (asked before the save review): what the other writer changed,
    and the choice to overwrite it, reload it and re-apply the operator's edits, or cancel."""

    body_rows = 4

    def __init__(self, change: DiskChange, edits: int, can_replay: bool) -> None:
        self.change = change
        choices = [("cancel", "Cancel", "default")]
        if change.disk is not None and can_replay:
            choices.append(("reapply", "Reload and re-apply my edits", "primary"))
        choices.append(("overwrite", "Overwrite…", "error"))
        ChoiceDialog.__init__(self, f"{change.name} changed on disk", "", choices, cancel_id="cancel", dialog_id="external-change-dialog")
        self.diff = change.theirs()
        self.errors = []
        self.revealed = False
        self.texts = (change.loaded, change.disk or "")
        mine = f"your {edits} edit{'s' if edits != 1 else ''}"
        if change.disk is None:
            self.note = f"Another program changed it since you loaded it, and it cannot be read now: {change.problem}. Overwrite writes {mine} in its place."
        elif can_replay:
            self.note = f"Another program changed it since you loaded it; below is what it changed. Re-apply loads its version and replays {mine} on it (ctrl+z undoes that); Overwrite first shows what replaces its version."
        else:
            self.note = "Another program changed it since you loaded it; below is what it changed. Your edits cannot be replayed (an undo went past a save); Overwrite first shows what replaces its version."

    def compose_body(self) -> ComposeResult:
        yield Static(self.note, classes="dialog-body", markup=False)
        with VerticalScroll(classes="dialog-diff"):
            if self.diff:
                yield Static(self._diff_view(), id="save-diff")  # masked like the save review (ctrl+r)
            else:
                yield Static(Text("(the file cannot be read)" if self.change.disk is None else "(only its timestamp or bytes outside the text changed)"))
