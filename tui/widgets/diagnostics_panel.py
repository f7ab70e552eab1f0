"""The diagnostics panel: every finding of the last validation; choosing one jumps to it."""

from __future__ import annotations

from rich.text import Text
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from llama_config.model.diagnostics import Diagnostic

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


class DiagnosticsPanel(OptionList):
    class Jump(Message):
        def __init__(self, diagnostic: Diagnostic) -> None:
            super().__init__()
            self.diagnostic = diagnostic

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.diagnostics: list[Diagnostic] = []

    def update_diagnostics(self, diagnostics: list[Diagnostic] | None) -> None:
        """Show the findings; None while the first validation has not run yet."""
        self.clear_options()
        if diagnostics is None:
            self.border_title = "Problems"
            self.add_option(Option(Text("Checking the file…", style="dim"), disabled=True))
            return
        self.diagnostics = diagnostics
        counts = {s: sum(1 for d in diagnostics if d.severity == s) for s in ("error", "warning", "info")}
        self.border_title = f"Problems: {counts['error']} errors, {counts['warning']} warnings, {counts['info']} info"
        if not diagnostics:
            self.add_option(Option(Text("No problems found.", style="green"), disabled=True))
            return
        for index, d in enumerate(diagnostics):
            text = Text.assemble((f"{d.severity:<7} ", _STYLE[d.severity]), (f"{d.line}:{d.column}  ", "dim"), d.message, (f"  [{d.code}]", "dim"))
            self.add_option(Option(text, id=f"diag-{index}"))

    def on_focus(self) -> None:
        # highlight the first finding on entry, so enter jumps at once (an OptionList starts
        # with nothing highlighted, and enter on nothing does nothing)
        if self.highlighted is None and self.diagnostics and self.option_count:
            self.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id and event.option_id.startswith("diag-"):
            self.post_message(self.Jump(self.diagnostics[int(event.option_id[5:])]))
