"""The diagnostics panel: every finding of the last validation; choosing one jumps to it."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from llama_config.model.diagnostics import Diagnostic

_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


class DiagnosticsPanel(OptionList):
    # letters here, not on the app: see ConfigTree.BINDINGS
    BINDINGS = [
        Binding("f", "fix", "Fix", id="problems.fix", tooltip="Apply the fix the highlighted problem suggests (undo: ctrl+z)"),
        Binding("slash", "app.search", "Search", id="problems.search", tooltip="Search backends, stores, providers and fields"),
        Binding("q", "app.quit", "Quit", id="problems.quit", show=False),
    ]

    class Jump(Message):
        def __init__(self, diagnostic: Diagnostic) -> None:
            super().__init__()
            self.diagnostic = diagnostic

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.diagnostics: list[Diagnostic] = []
        self._shown: list[Diagnostic] | None = None  # what the options show (None: nothing yet)

    def update_diagnostics(self, diagnostics: list[Diagnostic] | None) -> None:
        """Show the findings; None while the first validation has not run yet.

        Most edits leave the findings as they were: the list is then left alone (rebuilding
        it lays the screen out again, a large part of an undo's time), and a changed list is
        put in with one layout, not one per finding."""
        if diagnostics is not None and self._shown is not None and diagnostics == self._shown:
            return
        self._shown = None if diagnostics is None else list(diagnostics)
        highlighted = self.highlighted
        self.clear_options()
        if diagnostics is None:
            self.border_title = "Problems"
            self.add_option(Option(Text("Checking the file…", style="dim"), disabled=True))
            return
        self.diagnostics = diagnostics
        counts = {s: sum(1 for d in diagnostics if d.severity == s) for s in ("error", "warning", "info")}
        self.border_title = "Problems: " + ", ".join(count_of(counts[s], s) for s in ("error", "warning", "info"))
        if not diagnostics:
            self.add_option(Option(Text("No problems found.", style="green"), disabled=True))
            return
        self.add_options([Option(_line(d), id=f"diag-{index}") for index, d in enumerate(diagnostics)])
        if highlighted is not None:  # the operator's place in the list stays, as near as it can
            self.highlighted = min(highlighted, len(diagnostics) - 1)

    def highlighted_fix(self):
        from llama_config.model.quick_fixes import quick_fix

        session = getattr(self.app, "session", None)
        if session is None or self.highlighted is None or not 0 <= self.highlighted < len(self.diagnostics):
            return None
        return quick_fix(self.diagnostics[self.highlighted], session.doc)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "fix":
            return self.highlighted_fix() is not None
        return True

    def watch_highlighted(self, highlighted: int | None) -> None:
        super().watch_highlighted(highlighted)
        self.refresh_bindings()  # f shows only on a problem it can fix

    async def action_fix(self) -> None:
        from .detail import fix_action

        fix = self.highlighted_fix()
        if fix is not None:
            await self.app.run_action(fix_action(fix))

    def on_focus(self) -> None:
        # highlight the first finding on entry, so enter jumps at once (an OptionList starts
        # with nothing highlighted, and enter on nothing does nothing)
        if self.highlighted is None and self.diagnostics and self.option_count:
            self.highlighted = 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_id and event.option_id.startswith("diag-"):
            self.post_message(self.Jump(self.diagnostics[int(event.option_id[5:])]))


def _line(d: Diagnostic) -> Text:
    return Text.assemble((f"{d.severity:<7} ", _STYLE[d.severity]), (f"{d.line}:{d.column}  ", "dim"), d.message, (f"  [{d.code}]", "dim"))


def count_of(n: int, severity: str) -> str:
    """`1 error`, `2 warnings`, `0 info`."""
    return f"{n} {severity}" + ("s" if n != 1 and severity != "info" else "")
