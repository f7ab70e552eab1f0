"""The editor's form: what an edited field, picker or switch in the detail pane writes.

A field applies on Enter or when the focus leaves it; a picker (a store's backend, a field's
choice, a resource's provider, the auth type) and the quota switch apply at once. Each is one
undoable change through the session, said in a notification.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Input, Select, Switch

from llama_config.model.facts import type_tag_of
from llama_config.model.operations import backends_of_family
from llama_config.model.yamlpath import Path, format_path

from .widgets.detail import PartitionInput, ReferenceSelect
from .widgets.fields import FieldInput, FieldSelect
from .widgets.provider_form import ProviderSelect

if TYPE_CHECKING:
    from llama_config.model.session import EditSession


class FormEvents:
    """Mixed into ConfigEditorApp (app.py), whose session, change(), notify_error(), notify(),
    push_screen() and screen_stack these use."""

    session: "EditSession | None"

    # (named handlers, not @on: Textual collects @on handlers only from the bodies of its own
    # classes' subclasses, and this mixin is not one)
    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._apply_input(event.input)

    def on_select_changed(self, event: Select.Changed) -> None:
        select = event.select
        if isinstance(select, ReferenceSelect):
            self.reference_changed(event)
        elif isinstance(select, FieldSelect):
            self.field_chosen(event)
        elif isinstance(select, ProviderSelect):
            self.resource_provider_chosen(event)
        elif select.id == "auth-type":
            self.auth_type_changed(event)

    def on_switch_changed(self, event: Switch.Changed) -> None:
        if event.switch.id == "quota-enabled":
            self.quota_switched(event)

    def on_descendant_blur(self, event: Any) -> None:
        widget = event.widget
        # a field on its way out was redrawn from the file after its own value was written
        # (a secret turned into a placeholder): its text is not the operator's pending edit
        if getattr(widget, "_pruning", False) or not widget.is_attached:
            return
        if isinstance(widget, (FieldInput, PartitionInput)) and widget.value != widget.original and not self._in_modal():
            self._apply_input(widget)

    def _in_modal(self) -> bool:
        return len(self.screen_stack) > 1

    def _apply_pending(self) -> None:
        """Apply what was typed in the focused field without Enter. ctrl+s / ctrl+q must not
        save or quit past it: the blur that would apply it only comes once their dialog is up."""
        widget = self.focused
        if isinstance(widget, (FieldInput, PartitionInput)) and widget.value != widget.original and not self._in_modal():
            self._apply_input(widget)

    def _apply_input(self, widget: Input) -> None:
        session = self.session
        if session is None or self._in_modal():
            return
        if isinstance(widget, FieldInput):
            from .field_apply import apply_field

            apply_field(self, widget)
        elif isinstance(widget, PartitionInput):
            if widget.value == widget.original:
                return
            backend = (session.doc.value_at(widget.ref_path) or {}).get("backend")
            family = "kv" if widget.key == "namespace" else "sql"
            if not isinstance(backend, str):
                self.notify_error("choose the backend first")
                return
            self.change(
                f"Set {format_path(widget.ref_path)}.{widget.key}. {self._data_stays(widget.ref_path)}",
                lambda: session.set_reference(widget.ref_path, family, backend, widget.value),
                timeout=8,
            )

    def _ask_secret(self, widget: Any, literal: str) -> None:
        """A plain secret typed into a provider's field: a placeholder by default, the literal
        only once confirmed."""
        from llama_config.model.provider_ops import id_of

        from .screens.provider_dialogs import SecretDialog, variable_for

        session = self.session
        assert session is not None
        path = widget.path
        provider_id = id_of((session.doc.value_at(path[:3]) or {}).get("provider_id"))

        def done(value: str | None) -> None:
            if value is None:
                widget.value = widget.original
                return
            if value != literal:
                self.notify(f"Set {value[6:-1]} in the server's environment: the value you typed was not written", timeout=6)
            widget.original = widget.written = widget.value  # handled: leaving the field must not ask again
            self.change(f"Set {format_path(path)}", lambda: session.set_value(path, value))

        self.push_screen(SecretDialog(format_path(path[4:]), variable_for(provider_id, ".".join(map(str, path[4:]))), literal), done)

    def reference_changed(self, event: Select.Changed) -> None:
        select = event.select
        assert isinstance(select, ReferenceSelect)
        session = self.session
        if session is None or event.value is Select.NULL or not isinstance(event.value, str):
            return
        current = session.doc.value_at(select.ref_path)
        if isinstance(current, dict) and current.get("backend") == event.value:
            return
        partition = current.get("namespace" if select.family == "kv" else "table_name") if isinstance(current, dict) else None
        if partition is None:
            partition = select.ref_path[-1] if select.ref_path[:2] == ("storage", "stores") else "quota" if select.ref_path[:2] == ("server", "quota") else str(select.ref_path[1])
        self.change(
            f"{format_path(select.ref_path)} now uses {event.value}. {self._data_stays(select.ref_path)}",
            lambda: session.set_reference(select.ref_path, select.family, event.value, partition),
            timeout=8,
        )

    def _data_stays(self, ref_path: Path) -> str:
        """Said when a store moves to another backend or namespace: its old data does not follow."""
        from llama_config.model.data_location import data_stays, reference_data

        assert self.session is not None
        where = reference_data(self.session.doc, ref_path, self.session.env)
        return data_stays(where) if where else ""

    def field_chosen(self, event: Select.Changed) -> None:
        select = event.select
        session = self.session
        if session is None or self._in_modal():
            return
        path = select.path  # type: ignore[attr-defined]
        present = session.doc.node_at(path) is not None
        if event.value is Select.NULL:
            if present:
                self.change(f"Removed {format_path(path)}", lambda: session.unset(path))
            return
        if present and session.doc.value_at(path) == event.value and type(session.doc.value_at(path)) is type(event.value):
            return
        self.change(f"Set {format_path(path)}", lambda: session.set_value(path, event.value))

    def resource_provider_chosen(self, event: Select.Changed) -> None:
        from llama_config.model.provider_ops import edit_resource

        session = self.session
        path = event.select.resource_path  # type: ignore[attr-defined]
        if session is None or self._in_modal() or not isinstance(event.value, str) or session.doc.value_at(path + ("provider_id",)) == event.value:
            return
        kind, index = str(path[1]), int(path[2])
        self.change(
            f"{format_path(path)} is now served by {event.value}",
            lambda: session.run(f"serve {format_path(path)} by {event.value}", lambda: edit_resource(session.doc, kind, index, {"provider_id": event.value}, session.release(), session.env)),
        )

    def auth_type_changed(self, event: Select.Changed) -> None:
        session = self.session
        if session is None:
            return
        # the picker shows the type a placeholder selects (`${env.AUTH:+oauth2_token}`): compared
        # with the written text, mounting the form replaced the whole provider config
        current_type = type_tag_of(session.doc.value_at(("server", "auth", "provider_config")))
        if event.value is Select.NULL:
            if session.doc.node_at(("server", "auth")) is not None:
                self.change("Authentication removed", lambda: session.unset(("server", "auth")))
            return
        if event.value == current_type:
            return
        self.change(f"Authentication: {event.value}", lambda: session.set_value(("server", "auth", "provider_config"), {"type": event.value}))

    def quota_switched(self, event: Switch.Changed) -> None:
        session = self.session
        if session is None:
            return
        enabled = session.doc.node_at(("server", "quota")) is not None
        if event.value == enabled:
            return
        if not event.value:
            from .quota_off import ask_quota_off

            ask_quota_off(self, event.switch)
            return
        kv = backends_of_family(session.doc, "kv")
        if not kv:
            self.notify_error("quotas need a kv_* backend for their counters: create one first")
            event.switch.value = False
            return
        self.change("Quotas turned on", lambda: session.enable_quota(kv[0], "quota", 100, 1000))
