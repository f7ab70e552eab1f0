"""`llama-config edit`: the Textual editor.

The app holds no rules of its own: it shows the session (model/session.py), asks it to make
each change, and redraws the tree, the form and the problems list from it afterwards.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.dom import DOMNode
from textual.widgets import Static, Tree

from llama_config.model.document import EditError
from llama_config.model.envvars import Environment
from llama_config.model.errors import ConfigFileError
from llama_config.model.session import EditSession
from llama_config.model.yamlpath import Path, format_path

from .idle_collect import IdleCollector
from .backend_actions import BackendActions
from .form_events import FormEvents
from .palette import EditorCommands
from .probe_actions import ProbeActions
from .provider_actions import ProviderActions
from .widgets.config_tree import ConfigTree, NodeRef
from .widgets.detail import DetailPane
from .widgets.diagnostics_panel import DiagnosticsPanel
from .widgets.footer import SteadyFooter
from .widgets.header import SteadyHeader


class ConfigEditorApp(FormEvents, BackendActions, ProviderActions, ProbeActions, App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "llama-config"
    COMMANDS = App.COMMANDS | {EditorCommands}
    # Only keys that no form control types go here: a single letter on the app also fires while a
    # Select or button has the focus. The letters live on the tree and the problems list
    # (widgets/config_tree.py, widgets/diagnostics_panel.py); F1 lists all of them from these
    # tables (screens/help.py).
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="app.save", tooltip="Show the diff of what will be written, then save"),
        Binding("ctrl+z", "undo", "Undo", id="app.undo", tooltip="Undo the last change"),
        Binding("ctrl+y", "redo", "Redo", id="app.redo", show=False, tooltip="Redo what was undone"),
        Binding("ctrl+r", "reveal", "Reveal", id="app.reveal", show=False, tooltip="Show or hide passwords"),
        Binding("escape", "leave_field", "Back to the tree", id="app.leave_field", show=False, tooltip="Leave the field for the tree"),
        Binding("ctrl+o", "reload_from_disk", "Reload", id="app.reload", show=False, tooltip="Read the file from disk again; asks first when there are unsaved changes"),
        Binding("f1", "help", "Help", id="app.help", tooltip="Keys, or help for the focused field"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, tooltip="Quit; asks first when there are unsaved changes"),
    ]

    def __init__(self, path: str, env: Environment | None = None, *, server: str | None = None) -> None:
        super().__init__()
        self.path = path
        self.env = env
        self.server = server  # --server: the release to judge against (None: detected)
        self.session: EditSession | None = None
        self.load_error: ConfigFileError | None = None
        self._flash_timer: Any = None
        self._idle_collector: IdleCollector | None = None
        self._open()

    def _open(self) -> None:
        try:
            # validation runs after the first frame (see on_mount): the tree shows at once
            self.session = EditSession.open(self.path, self.env, validate_now=False, server=self.server)
            self.load_error = None
        except ConfigFileError as exc:
            self.session = None
            self.load_error = exc

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SteadyHeader()
        if self.session is None:
            yield Static(self._error_text(), id="load-error")
        else:
            with Horizontal(id="main"):
                yield ConfigTree(self.session, id="tree")
                with Vertical(id="right"):
                    yield DetailPane(self.session, id="detail")
                    yield DiagnosticsPanel(id="problems")
        # compact, without the palette key (F1 and the README name ctrl+p): the keys fit 80 columns
        yield SteadyFooter(compact=True, show_command_palette=False)

    def _error_text(self) -> Text:
        exc = self.load_error
        text = Text("Cannot open this file\n\n", style="bold red")
        text.append(str(exc) + "\n\n")
        text.append("Fix the file in a text editor, then press ", style="dim")
        text.append("ctrl+o", style="bold")
        text.append(" to load it again, or ", style="dim")
        text.append("ctrl+q", style="bold")
        text.append(" to quit. Nothing was written.", style="dim")
        return text

    async def on_event(self, event: events.Event) -> None:
        if self._idle_collector is not None:
            self._idle_collector.saw(event)
        await super().on_event(event)

    def on_mount(self) -> None:
        import gc

        self._idle_collector = IdleCollector(self)
        # the edit command turns garbage collection off for start-up (tui/commands/edit.py)
        self.call_after_refresh(gc.enable)
        self.title = f"llama-config  {self.path}"
        if self.session is None:
            from .screens.init_dialog import offer_init  # no such file: offer to create one

            offer_init(self)
            return
        self.refresh_views()
        tree = self.query_one(ConfigTree)
        # a Tree starts with no cursor: put it on Storage, the node the detail pane shows, so
        # the first arrow key moves from there and the highlight matches the form
        tree.cursor_line = 0
        tree.focus()
        self.call_after_refresh(self._first_validation)
        from .screens.migrate_dialog import offer_migration  # a pre-0.3 file, or one older than --server

        offer_migration(self)

    def _first_validation(self) -> None:
        if self.session is None or not self.detail.is_attached:  # quitting before it ran
            return
        self.session.revalidate()
        self.refresh_views()

    # -- redrawing -----------------------------------------------------------------------

    @property
    def tree(self) -> ConfigTree:
        return self.query_one(ConfigTree)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    def update_styles(self, node: DOMNode, animate: bool = True) -> None:
        # A widget not yet in the DOM gets its styles when it is mounted. Styling it before
        # (a Button styles itself for its variant in __init__) was most of the cost of building
        # a form, and wasted on the widgets a redraw adopts into those on screen.
        if node is self or node.is_attached:
            super().update_styles(node, animate)

    def refresh_views(self, select: NodeRef | None = None) -> None:
        """Redraw everything from the session; keep (or move) the selection and the focus."""
        session = self.session
        assert session is not None
        focused = _focus_key(self.focused)
        tree = self.tree
        tree.rebuild()
        current = select or self.detail.current or NodeRef("storage", ("storage",))
        if select is not None:
            tree.select_path(select.path, kind=select.kind, focus=False)
        if current.path and session.doc.node_at(current.path) is None and current.kind in ("backend", "provider", "resource"):
            current = NodeRef("backends", ("storage", "backends")) if current.kind == "backend" else NodeRef("providers", ("providers",))
        self.detail.show(current)
        self.query_one(DiagnosticsPanel).update_diagnostics(session.diagnostics if session.validated else None)
        state = "● unsaved changes" if session.modified else "saved"
        self.sub_title = f"{state}  ·  checked against {session.target}" if session.target else state
        if focused is not None:
            self.call_after_refresh(self._refocus, focused)
        self.refresh_bindings()

    def _refocus(self, key: tuple) -> None:
        """Focus the widget that had the focus before a redraw (`_focus_key`), if it is there."""
        if key[0] == "id":
            found = list(self.query(f"#{key[1]}"))
        else:
            found = [w for w in self.query(key[0]) if w.path == key[1] and getattr(w, "part", None) == key[2]]
        if found and not found[0].has_focus:
            found[0].focus()

    def choose_release(self, server: str | None) -> None:
        """Judge the file against another release (palette); every check reruns."""
        assert self.session is not None
        self.server = server
        self.session.choose_release(server)
        self.refresh_views()
        self.notify(f"Checked against {self.session.target}", title="Server release", timeout=4)
        from .screens.migrate_dialog import offer_upgrade  # a release newer than the file's: offer to carry it there

        offer_upgrade(self)

    def notify_error(self, message: str) -> None:
        self.notify(message, title="Not changed", severity="error", timeout=8)

    def change(self, label: str, edit: Any, select: NodeRef | None = None, timeout: float | None = None) -> Any:
        """Run one session step; report a refusal instead of crashing; redraw. `label` says
        what was done in the form's border (`flash`), or in a toast that stays `timeout`
        seconds when given (what the operator must read: a step to take next, data left)."""
        try:
            result = edit()
        except (EditError, ValueError) as exc:
            self.notify_error(str(exc))
            self.refresh_views()
            return None
        self.refresh_views(select)
        if label and timeout is not None:
            self.notify(label, timeout=timeout)
        elif label:
            self.flash(label)
        return result

    # -- the tree and the problems list --------------------------------------------------

    @on(Tree.NodeHighlighted, "#tree")
    def node_highlighted(self, event: Tree.NodeHighlighted[NodeRef]) -> None:
        if event.node.data is not None and event.node.data.kind != "root" and event.node.data != self.detail.current:
            self.detail.show_soon(event.node.data)
            self.refresh_bindings()

    @on(DiagnosticsPanel.Jump)
    def jump(self, event: DiagnosticsPanel.Jump) -> None:
        self.go_to(event.diagnostic.path)

    def go_to(self, path: Path, kind: str | None = None, field: Path = ()) -> None:
        node = self.tree.select_path(path, kind=kind, focus=True)
        if node is not None and node.data is not None:
            self.detail.show(node.data)
            self.refresh_bindings()
            target = field or path
            self.call_after_refresh(self._focus_field, target)

    def _focus_field(self, path: Path) -> None:
        from .widgets.fields import FieldInput, FieldSelect  # forms load on first use, after the first frame

        for field_input in [*self.query(FieldInput), *self.query(FieldSelect)]:
            if field_input.path == path[: len(field_input.path)] or field_input.path[: len(path)] == path:
                field_input.focus()
                return
        from .widgets.provider_form import FormSection  # a field in a closed section: open it, then focus

        for section in self.query(FormSection):
            if not section.opened and path in section.paths:
                section.open()
                self.call_after_refresh(self._focus_field, path)
                return

    # -- actions -------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.session is None and action not in ("quit", "help", "reload_from_disk", "command_palette", "focus_next", "focus_previous"):
            return False  # (tab moves through the create-file dialog shown then)
        if action == "leave_field":
            return self._in_form()
        if action in ("rename_backend", "delete_backend"):
            return True if self._selected_backend() else None
        if action == "test_backend":
            return True if self._selected_backend() or self._selected("provider") else None
        if action == "undo":
            # in the footer once there is a history, dimmed when at its start: a key that comes
            # and goes would make the footer compose its keys again on every undo and redo
            if self.session.can_undo:
                return True
            return None if self.session.can_redo else False
        if action == "redo":
            return bool(self.session and self.session.can_redo)
        return True

    def _in_form(self) -> bool:
        focused = self.focused
        return focused is not None and not self._in_modal() and any(node.id == "detail" for node in focused.ancestors)

    def action_leave_field(self) -> None:
        """escape in a form field: back to the tree (a field being typed in applies on blur)."""
        self.tree.focus()

    # -- the selection, and keys on problems' fixes (backends: backend_actions.py, providers: provider_actions.py) --

    def _selected(self, *kinds: str) -> NodeRef | None:
        current = self.detail.current if self.session is not None else None
        return current if current is not None and current.kind in kinds else None

    def action_rename_key(self, path: list, new_key: str) -> None:
        session = self.session
        if session is not None:
            at = tuple(path)
            self.change(f"Renamed {format_path(at)} to {new_key}", lambda: session.run(f"rename {format_path(at)} to {new_key}", lambda: session.doc.rename_key(at, new_key)))

    def action_remove_key(self, path: list) -> None:
        session = self.session
        if session is not None:
            at = tuple(path)
            notice = self._data_stays(at)  # a store removed: its data stays where it was
            self.change(f"Removed {format_path(at)}" + (f". {notice}" if notice else ""), lambda: session.unset(at), timeout=8 if notice else None)

    def action_quick_fix(self, path: list, new: str, rename_key: bool) -> None:
        """The repair a finding suggests (problems list: f; the form: its Fix button); undoable."""
        from llama_config.model.quick_fixes import QuickFix, apply_fix

        session = self.session
        if session is not None:
            fix = QuickFix(tuple(path), new, rename_key)
            self.change(f"Fixed: {fix.label}", lambda: session.run(fix.label, lambda: apply_fix(fix, session.doc)))

    def action_fix_reference(self, path: list, family: str, backend: str) -> None:
        session = self.session
        if session is not None:
            ref_path = tuple(path)
            self.change(f"{format_path(ref_path)} now uses {backend}", lambda: session.set_reference(ref_path, family, backend, None))

    def action_configure_auth(self) -> None:
        self.go_to(("server", "auth"), kind="auth")
        self.call_after_refresh(lambda: self.query("#auth-type").first().focus() if self.query("#auth-type") else None)

    def action_remove_auth(self) -> None:
        session = self.session
        if session is not None:
            self.change("Authentication removed", lambda: session.unset(("server", "auth")))

    def action_reveal(self) -> None:
        from .widgets.fields import FieldInput

        secrets = [w for w in self.screen.query(FieldInput) if w.maskable]  # the add dialog's form too
        if not secrets:
            return
        hide = not secrets[0].password
        for widget in secrets:
            widget.password = hide

    def action_undo(self) -> None:
        if self.session is not None and (label := self.session.undo()):
            self.refresh_views()
            self.flash(f"Undid: {label}")

    def action_redo(self) -> None:
        if self.session is not None and (label := self.session.redo()):
            self.refresh_views()
            self.flash(f"Redid: {label}")

    def flash(self, message: str, seconds: float = 4) -> None:
        """Say what a key just did (undo, redo) in the form's bottom border for a few seconds.
        A toast mounts widgets and lays the whole screen out again: it doubled an undo's time."""
        if self._flash_timer is not None:
            self._flash_timer.stop()
        self.detail.border_subtitle = message
        self._flash_timer = self.set_timer(seconds, lambda: setattr(self.detail, "border_subtitle", None))

    def action_search(self) -> None:
        from .screens.search import SearchDialog

        if self.session is None:
            return

        def done(target: Any) -> None:
            if target is not None:
                self.go_to(target.path, kind=target.kind, field=target.field)

        self.push_screen(SearchDialog(self.session), done)

    def action_help(self) -> None:
        from .widgets.fields import FieldInput, FieldSelect

        from .screens.help import field_help, keys_help

        focused = self.focused
        if isinstance(focused, (FieldInput, FieldSelect)):
            spec = focused.spec
            self.push_screen(field_help(spec.name, spec.expected(), spec.default, spec.description, format_path(focused.path)))
        else:
            self.push_screen(keys_help(self))

    def action_reload_from_disk(self) -> None:
        """ctrl+o: read the file again; unsaved edits are dropped only once confirmed."""
        from .screens.choice import ChoiceDialog

        if self.session is None or not self.session.modified:
            self.action_reload_file()
            return
        choices = [("keep", "Keep editing", "primary"), ("reload", "Drop them and reload", "error")]
        dialog = ChoiceDialog("Reload from disk?", f"Your unsaved changes to {self.path} would be dropped.", choices, cancel_id="keep", dialog_id="reload-dialog")
        self.push_screen(dialog, lambda answer: self.action_reload_file() if answer == "reload" else None)

    async def action_fix_problem(self) -> None:
        """The palette's quick fix: the one the problems list has highlighted."""
        panel = self.query_one(DiagnosticsPanel)
        if panel.highlighted_fix() is None:
            self.notify("Highlight a problem that suggests a fix in the problems list first", timeout=4)
            return
        await panel.action_fix()

    def action_reload_file(self) -> None:
        self._open()
        if self.session is not None:
            self.notify("Loaded")
        self.refresh(recompose=True)
        self.call_after_refresh(self.on_mount)

    # -- saving and quitting ---------------------------------------------------------------

    def action_save(self) -> None:
        from .save_flow import save

        session = self.session
        if session is None:
            return
        self._apply_pending()
        if not session.modified:
            self.notify("No changes to save", timeout=3)
            return
        save(self)

    async def action_quit(self) -> None:
        from .screens.choice import quit_dialog

        session = self.session
        if session is not None:
            self._apply_pending()
        if session is None or not session.modified:
            self.exit()
            return

        def done(answer: str) -> None:
            if answer == "discard":
                self.exit()
            elif answer == "save":
                from .save_flow import save

                save(self, then_quit=True)  # the same review as ctrl+s

        self.push_screen(quit_dialog(len(session.errors())), done)


def _focus_key(widget: Any) -> tuple | None:
    """How to find a focused widget again after a redraw: a form field by its path (fields
    have no ids: the next form's fields take their places), anything else by its id."""
    from .widgets.fields import FieldInput, FieldSelect

    if isinstance(widget, (FieldInput, FieldSelect)):
        return (type(widget), widget.path, getattr(widget, "part", None))
    if widget is not None and widget.id:
        return ("id", widget.id)
    return None
