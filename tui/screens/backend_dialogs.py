"""Adding, renaming and deleting a backend."""

from __future__ import annotations


from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from llama_config.model.releases import Release
from llama_config.model.releases.fields import backend_fields
from llama_config.model.data_location import data_stays
from llama_config.model.operations import BACKEND_NAME

from ..widgets.fields import FieldRow, collect_values

_TYPE_HELP = {
    "kv_sqlite": "key-value store in a local SQLite file: no server needed",
    "kv_redis": "key-value store in Redis",
    "kv_postgres": "key-value store in a PostgreSQL table",
    "kv_mongodb": "key-value store in a MongoDB collection",
    "sql_sqlite": "SQL store in a local SQLite file: no server needed",
    "sql_postgres": "SQL store in PostgreSQL",
}


class AddBackendDialog(ModalScreen[tuple[str, str, dict] | None]):
    """Pick one of the six types, then fill the form (defaults shown, help for every field)."""

    # a modal screen hides the app's own bindings: the form's password and help keys are
    # forwarded to the app's actions
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("ctrl+r", "app.reveal", "Reveal", show=False),
        Binding("f1", "app.help", "Help"),
    ]

    def __init__(self, release: Release, existing: list[str], family: str | None = None, suggested_name: str = "") -> None:
        super().__init__(id="add-backend-dialog")
        self.release = release  # its backend types and their fields are offered
        self.existing = existing
        self.types = [t for t in release.backend_types if family is None or t.startswith(family + "_")]
        self.suggested_name = suggested_name
        self.type_name: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-tall"):
            yield Static("Add a backend: choose its type", classes="dialog-title", id="add-title")
            yield OptionList(*[Option(Text.assemble((t, "bold"), f"  {_TYPE_HELP.get(t, '')}"), id=t) for t in self.types], id="backend-type")
            yield VerticalScroll(id="backend-form")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Add", id="add", variant="success", disabled=True)

    def on_mount(self) -> None:
        self.query_one("#backend-form").display = False
        self.query_one("#backend-type").focus()

    @on(OptionList.OptionSelected, "#backend-type")
    def choose_type(self, event: OptionList.OptionSelected) -> None:
        self.type_name = event.option_id
        self.query_one("#add-title", Static).update(f"Add a {self.type_name} backend")
        self.query_one("#backend-type").display = False
        form = self.query_one("#backend-form", VerticalScroll)
        form.display = True
        name = self.suggested_name or self._free_name(self.type_name)
        rows: list = [Label(Text.assemble(("name", "bold"), (" *", "red"), ("  how stores and providers refer to it", "dim"))), Input(value=name, id="backend-name")]
        for spec in backend_fields(self.release, self.type_name):
            rows.append(FieldRow(spec, ("storage", "backends", name) + spec.key, spec.default if spec.default not in ([], {}) else None))
        form.mount_all(rows)
        self.query_one("#add", Button).disabled = False
        self.call_after_refresh(self.query_one("#backend-name").focus)

    def _free_name(self, type_name: str) -> str:
        base = type_name
        name, n = base, 2
        while name in self.existing:
            name, n = f"{base}_{n}", n + 1
        return name

    def _collect(self) -> tuple[str, str, dict] | None:
        name = self.query_one("#backend-name", Input).value.strip()
        if not BACKEND_NAME.match(name) or name in self.existing:
            self.notify(f"'{name}' is taken or not a usable name (letters, digits, _ . -)", severity="error", title="Backend name")
            return None
        fields = collect_values(self)
        if fields is None:
            return None
        return name, self.type_name or "", fields

    @on(Input.Submitted)  # enter in any field of the form adds, as the Add button does
    @on(Button.Pressed, "#add")
    def add(self, event: Input.Submitted | Button.Pressed) -> None:
        event.stop()  # (the app applies a submitted field of its own form: not this one)
        if self.type_name is None:
            return
        result = self._collect()
        if result is not None:
            self.dismiss(result)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class RenameDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, name: str, users: int, what: str = "backend", followers: str = "reference", data: str = "") -> None:
        super().__init__(id="rename-dialog")
        self.data = data  # where the backend's data lives: it stays there
        self.old = name
        self.users = users
        self.what = what  # backend, provider
        self.followers = followers  # what names it and follows the rename

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Rename {self.what} {self.old}", classes="dialog-title")
            yield Static(f"Every {self.followers} follows ({self.users} now {'point at' if self.what == 'backend' else 'name'} it).", classes="dialog-body")
            if self.data:
                yield Static(data_stays(self.data), classes="dialog-body data-stays", markup=False)
            yield Input(value=self.old, id="new-name")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Rename", id="rename", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#new-name").focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#rename")
    def rename(self) -> None:
        self.dismiss(self.query_one("#new-name", Input).value.strip())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class DeleteDialog(ModalScreen[tuple[bool, str | None]]):
    """Delete a backend; while something uses it, offer to move those users to another
    backend of the same family first."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, name: str, users: list[str], alternatives: list[str], data: str = "") -> None:
        super().__init__(id="delete-dialog")
        self.data = data  # where the backend's data lives: deleting it from the config leaves that
        self.backend = name
        self.users = users
        self.alternatives = alternatives

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Delete backend {self.backend}?", classes="dialog-title")
            if self.data:
                yield Static(data_stays(self.data), classes="dialog-body data-stays", markup=False)
            if self.users:
                lines = "\n".join(f"  • {u}" for u in self.users[:10]) + (f"\n  … and {len(self.users) - 10} more" if len(self.users) > 10 else "")
                yield Static(f"It is still used by {len(self.users)}:\n{lines}", classes="dialog-body", markup=False)
                if self.alternatives:
                    yield Static("Point them at:", classes="dialog-body")
                    yield Select([(a, a) for a in self.alternatives], value=self.alternatives[0], allow_blank=False, id="repoint")
                else:
                    yield Static(Text("No other backend of the same family exists: add one first, or change those references.", style="red"))
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button(
                    "Move them and delete" if self.users else "Delete",
                    id="delete",
                    variant="error",
                    disabled=bool(self.users) and not self.alternatives,
                )

    def on_mount(self) -> None:
        self.query_one("#cancel").focus()

    @on(Button.Pressed, "#delete")
    def delete(self) -> None:
        repoint = self.query_one("#repoint", Select).value if self.users else None
        self.dismiss((True, repoint if isinstance(repoint, str) else None))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss((False, None))

