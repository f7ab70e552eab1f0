"""`llama-config edit PATH` on a file that does not exist: offer to create it as
`llama-config init` would (distribution name, SQL stores in SQLite or PostgreSQL, provider,
quotas with their authentication where the release has them), for the editor's target release
(--server, else the newest), then open it."""

from __future__ import annotations

import os
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, Switch

from llama_config.model.releases import Release, release_for
from llama_config.model.starter import AUTH_TYPES, DEFAULT_NAME, PROVIDERS, StarterOptions, check_name, create_file, starter_config


class InitDialog(ModalScreen[StarterOptions | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]
    DEFAULT_CSS = """
    #init-dialog Input, #init-dialog Select { margin-bottom: 1; }
    #init-dialog .init-switch { height: auto; margin-bottom: 1; }
    #init-dialog .init-switch Label { padding: 1 1 0 1; }
    """

    def __init__(self, path: str, release: Release) -> None:
        super().__init__(id="init-dialog")
        self.path = path
        self.release = release

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"{self.path} does not exist: create it?", classes="dialog-title")
            yield Static(
                f"A minimal {self.release.name} config that validates: SQLite backends (no database server "
                "needed), one inference provider, the stores pointing at the backends.",
                classes="dialog-body",
            )
            yield Label("Distribution name")
            yield Input(value=DEFAULT_NAME, id="init-name")
            yield Label("SQL stores in")
            yield Select([("SQLite (no server)", "sqlite"), ("PostgreSQL", "postgres")], value="sqlite", allow_blank=False, id="init-sql")
            yield Label("Inference provider")
            yield Select([(name, name) for name in PROVIDERS], value="ollama", allow_blank=False, id="init-provider")
            with Horizontal(classes="init-switch"):
                yield Switch(value=False, id="init-quota", disabled=not self.release.has_quota)
                yield Label("Request quotas (they need authentication)" if self.release.has_quota else f"Request quotas: none in {self.release.name}")
            yield Select([(name, name) for name in AUTH_TYPES], value="oauth2_token", allow_blank=False, id="init-auth", disabled=True)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Create", id="create", variant="success")

    def on_mount(self) -> None:
        self.query_one("#init-name", Input).focus()

    @on(Switch.Changed, "#init-quota")
    def quota_switched(self, event: Switch.Changed) -> None:
        self.query_one("#init-auth", Select).disabled = not event.value

    @on(Input.Submitted, "#init-name")
    @on(Button.Pressed, "#create")
    def create(self) -> None:
        name = self.query_one("#init-name", Input).value.strip()
        try:
            check_name(name)
        except ValueError as exc:
            self.notify(str(exc), title="Distribution name", severity="error")
            return
        quota = self.query_one("#init-quota", Switch).value
        self.dismiss(
            StarterOptions(
                name=name,
                postgres=self.query_one("#init-sql", Select).value == "postgres",
                provider=str(self.query_one("#init-provider", Select).value),
                quota=quota,
                auth=str(self.query_one("#init-auth", Select).value),
            )
        )

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def offer_init(app: Any) -> None:
    """The editor could not open its file because there is none: offer to create it."""
    if app.session is not None or os.path.lexists(app.path):
        return

    def done(options: StarterOptions | None) -> None:
        if options is None:
            return
        try:
            create_file(app.path, starter_config(options, file_name=app.path, release=release))
        except OSError as exc:
            app.notify(f"Cannot create {app.path}: {exc.strerror or exc}", title="Not created", severity="error", timeout=10)
            return
        app.notify(f"Created {app.path}", timeout=4)
        app.call_later(app.action_reload_file)  # once the dialog is gone: the editor opens the new file

    release = release_for(app.server)
    app.push_screen(InitDialog(app.path, release), done)
