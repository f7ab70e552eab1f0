"""Adding and removing a provider, adding a registered resource (a model, a vector store...),
and the question a plain secret asks before it is written into the file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, Static, Switch
from textual.widgets.option_list import Option

from llama_config.model.document import Document, EditError
from llama_config.model.releases import Release

from ..widgets.fields import FieldRow, collect_values
from ..widgets.provider_form import first_paragraph


@dataclass
class NewProvider:
    api: str
    provider_type: str
    provider_id: str
    values: dict[str, Any] = field(default_factory=dict)  # dotted config key -> value
    add_dependencies: bool = False


class AddProviderDialog(ModalScreen[NewProvider | None]):
    """Choose the API, then the provider type (type to filter; each with its description,
    deprecated ones marked), then its id and the fields upstream's sample leaves to fill."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel"),
        Binding("ctrl+r", "app.reveal", "Reveal", show=False),
        Binding("f1", "app.help", "Help"),
        Binding("down", "types", "Types", show=False),
    ]

    def __init__(self, release: Release, doc: Document, api: str | None = None) -> None:
        super().__init__(id="add-provider-dialog")
        self.release = release
        self.doc = doc  # read only: what ids are taken, which dependencies are missing
        self.api = api
        self.provider_type: str | None = None
        self.shown_types: list[str] = []
        self.confirmed: dict = {}  # field path -> the plain secret the operator chose to write

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-tall"):
            yield Static("Add a provider: choose its API", classes="dialog-title", id="add-title")
            yield OptionList(*[Option(Text.assemble((a, "bold"), f"  {len(self.release.provider_types(a))} provider types"), id=a) for a in self.release.providable_apis], id="provider-api")
            yield Input(placeholder="type to filter the provider types", id="type-filter")
            yield OptionList(id="provider-type")
            yield VerticalScroll(id="provider-form")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Add", id="add", variant="success", disabled=True)

    def on_mount(self) -> None:
        for part in ("#type-filter", "#provider-type", "#provider-form"):
            self.query_one(part).display = False
        if self.api in self.release.providable_apis:
            self._choose_api(self.api)
        else:
            self.query_one("#provider-api").focus()

    @on(OptionList.OptionSelected, "#provider-api")
    def api_chosen(self, event: OptionList.OptionSelected) -> None:
        self._choose_api(str(event.option_id))

    def _choose_api(self, api: str) -> None:
        self.api = api
        self.query_one("#add-title", Static).update(f"Add a provider for {api}: choose its type")
        self.query_one("#provider-api").display = False
        self.query_one("#type-filter").display = True
        self.query_one("#provider-type").display = True
        self._fill_types("")
        self.query_one("#type-filter").focus()

    @on(Input.Changed, "#type-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self._fill_types(event.value)

    def _fill_types(self, query: str) -> None:
        words = query.lower().split()
        types = self.query_one("#provider-type", OptionList)
        types.clear_options()
        self.shown_types = []
        for ptype in self.release.provider_types(self.api or ""):
            spec = self.release.provider(self.api or "", ptype) or {}
            description = first_paragraph(spec.get("description") or "", 90).replace("\n", " ")
            if not all(w in f"{ptype} {description}".lower() for w in words):
                continue
            label = Text(ptype, style="bold")
            if spec.get("deprecation_error"):
                label.append("  removed", style="red")
            elif spec.get("deprecation_warning"):
                label.append("  deprecated", style="yellow")
            label.append(f"  {description}", style="dim")
            types.add_option(Option(label, id=ptype, disabled=bool(spec.get("deprecation_error"))))
            self.shown_types.append(ptype)
        if self.shown_types:
            types.highlighted = 0

    @on(Input.Submitted, "#type-filter")
    def filter_submitted(self) -> None:
        types = self.query_one("#provider-type", OptionList)
        if types.highlighted is not None and types.option_count:
            option = types.get_option_at_index(types.highlighted)
            if not option.disabled:
                self._choose_type(str(option.id))

    @on(OptionList.OptionSelected, "#provider-type")
    def type_chosen(self, event: OptionList.OptionSelected) -> None:
        self._choose_type(str(event.option_id))

    def action_types(self) -> None:
        self.query_one("#provider-type").focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.query_one("#type-filter").has_focus if action == "types" else True

    def _choose_type(self, ptype: str) -> None:
        from llama_config.model.provider_ops import config_field
        from llama_config.model.provider_ops.adding import free_id, missing_dependencies, new_provider, short_name

        api = self.api or ""
        self.provider_type = ptype
        try:
            entry, to_fill = new_provider(self.doc, api, ptype, self.release)
        except EditError as exc:
            self.notify(str(exc), severity="error", title="Cannot add it")
            return
        self.query_one("#add-title", Static).update(f"Add a {ptype} provider ({api})")
        for part in ("#type-filter", "#provider-type"):
            self.query_one(part).display = False
        form = self.query_one("#provider-form", VerticalScroll)
        form.display = True
        provider_id = free_id(self.doc, api, short_name(ptype))
        rows: list = [
            Label(Text.assemble(("provider_id", "bold"), (" *", "red"), ("  how registered resources name it", "dim"))),
            Input(value=provider_id, id="provider-id"),
        ]
        if to_fill:
            rows.append(Static(Text("Upstream's sample leaves these to fill in:", style="bold"), classes="form-section"))
        for item in to_fill:
            spec = config_field(self.release, api, ptype, entry["config"], item.key)
            if spec is None:
                continue
            current = _dotted(entry["config"], item.key)
            if spec.secret and current in (None, ""):
                current = f"${{env.{variable_for(provider_id, item.key)}}}"  # a secret stays out of the file
            rows.append(Static(Text(f"{item.key}: {item.why}", style="yellow")))
            rows.append(FieldRow(spec, ("providers", api, "_new", "config", *item.key.split(".")), current))
        missing = missing_dependencies(self.doc.data, self.release, self.release.provider(api, ptype) or {}, {api})
        if missing:
            rows.append(Static(Text(f"{ptype} needs the {', '.join(missing)} API, which nothing here serves.", style="yellow"), classes="form-section"))
            rows.append(Horizontal(Label(f"Add a provider for {', '.join(missing)} too  "), Switch(value=True, id="add-dependencies"), classes="detail-switch"))
        form.mount_all(rows)
        self.query_one("#add", Button).disabled = False
        self.call_after_refresh(self._focus_provider_id, form)

    def _focus_provider_id(self, form: VerticalScroll) -> None:
        # the field is the form's first: focused without scrolling to it, the form opens at its
        # top with the field's label in view (scrolling to it could hide the label at 80x24,
        # depending on whether the new rows had been laid out yet)
        self.query_one("#provider-id").focus(scroll_visible=False)
        form.scroll_home(animate=False)

    def _collect(self) -> NewProvider | None:
        provider_id = self.query_one("#provider-id", Input).value.strip()
        values = collect_values(self, partial=True)
        if values is None:
            return None
        switch = self.query("#add-dependencies")
        return NewProvider(self.api or "", self.provider_type or "", provider_id, _flatten(values), bool(switch and switch.first(Switch).value))

    @on(Input.Submitted, "#provider-form Input")  # enter in a field adds, as the Add button does
    @on(Button.Pressed, "#add")
    def add(self) -> None:
        if self._ask_secret():
            return
        result = self._collect()
        if result is not None:
            self.dismiss(result)

    def _ask_secret(self) -> bool:
        """A plain secret typed here asks first, as in the provider form: a placeholder by
        default, the literal once confirmed. True while the question is up."""
        from llama_config.model.envvars import has_placeholder

        from ..widgets.fields import FieldInput

        for widget in self.query(FieldInput):
            text = widget.value
            if widget.spec.secret and text and not has_placeholder(text) and self.confirmed.get(widget.path) != text:
                key = ".".join(map(str, widget.path[4:]))
                provider_id = self.query_one("#provider-id", Input).value.strip() or "provider"

                def done(value: str | None, widget: FieldInput = widget, literal: str = text) -> None:
                    if value is None:
                        return
                    widget.value = value
                    if value == literal:
                        self.confirmed[widget.path] = value
                    self.add()

                self.app.push_screen(SecretDialog(key, variable_for(provider_id, key), text), done)
                return True
        return False

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def _dotted(config: dict, key: str) -> Any:
    value: Any = config
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _flatten(values: dict, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, dict) and value:
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def variable_for(provider_id: str, key: str) -> str:
    """`OPENAI_API_KEY` for the api_key of provider openai."""
    import re

    return re.sub(r"[^A-Z0-9]+", "_", f"{provider_id}_{key.rsplit('.', 1)[-1]}".upper()).strip("_")


class RemoveProviderDialog(ModalScreen[tuple[bool, bool, str | None]]):
    """Remove a provider; the registered resources it serves are removed with it or moved to
    another provider of the same API. Dismisses with (confirmed, remove_resources, move_to)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, api: str, provider_id: str, uses: list[str], others: list[str]) -> None:
        super().__init__(id="remove-provider-dialog")
        self.api = api
        self.provider_id = provider_id
        self.uses = uses
        self.others = others

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Remove the {self.api} provider {self.provider_id}?", classes="dialog-title")
            if self.uses:
                lines = "\n".join(f"  • {u}" for u in self.uses[:10]) + (f"\n  … and {len(self.uses) - 10} more" if len(self.uses) > 10 else "")
                yield Static(f"It serves {len(self.uses)} registered resource{'s' if len(self.uses) != 1 else ''}:\n{lines}", classes="dialog-body", markup=False)
                choices = [("Remove them too", "")] + [(f"Move them to {o}", o) for o in self.others]
                yield Select(choices, value="" if not self.others else self.others[0], allow_blank=False, id="resources-choice")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Remove", id="remove", variant="error")

    def on_mount(self) -> None:
        self.query_one("#cancel").focus()

    @on(Button.Pressed, "#remove")
    def confirm(self) -> None:  # (not `remove`: that is how a screen is taken off the stack)
        choice = self.query_one("#resources-choice", Select).value if self.uses else ""
        move_to = choice if isinstance(choice, str) and choice else None
        self.dismiss((True, bool(self.uses) and move_to is None, move_to))

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss((False, False, None))


class AddResourceDialog(ModalScreen[dict | None]):
    """A new registered resource (`models`, ...): its id, the enabled provider that serves it
    (a picker), and the other fields of the release's schema."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel"), Binding("f1", "app.help", "Help")]

    def __init__(self, release: Release, kind: str, providers: list[str], provider_id: str | None) -> None:
        super().__init__(id="add-resource-dialog")
        self.release = release
        self.kind = kind
        self.providers = providers
        self.provider_id = provider_id

    def compose(self) -> ComposeResult:
        from llama_config.model.releases.fields import nested_fields

        from ..widgets.config_tree import resource_title

        path = ("registered_resources", self.kind, 0)
        fields = [f for f in nested_fields(self.release, {"registered_resources": {self.kind: [{}]}}, path, depth=2) if f.key != ("provider_id",)]
        with Vertical(classes="dialog dialog-tall"):
            yield Static(f"Add a {resource_title(self.kind, {}).rsplit(' ', 1)[0]} (registered_resources.{self.kind})", classes="dialog-title")
            with VerticalScroll(id="resource-form"):
                yield Label(Text.assemble(("provider_id", "bold"), (" *", "red"), ("  the enabled provider that serves it", "dim")))
                yield Select([(p, p) for p in self.providers], value=self.provider_id if self.provider_id in self.providers else Select.NULL, id="new-resource-provider")
                for spec in fields:
                    yield FieldRow(spec, path + spec.key, None)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Add", id="add", variant="success")

    def on_mount(self) -> None:
        from ..widgets.fields import FieldInput

        self.query(FieldInput).first().focus()

    @on(Button.Pressed, "#add")
    def add(self) -> None:
        provider = self.query_one("#new-resource-provider", Select).value
        if not isinstance(provider, str):
            self.notify(f"choose the {self.kind} provider first", severity="error")
            return
        values = collect_values(self)
        if values is not None:
            self.dismiss({**values, "provider_id": provider})

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class SecretDialog(ModalScreen[str | None]):
    """A plain secret typed into a provider's field: write an `${env.NAME}` placeholder (the
    default; the value is then set in the server's environment) or, confirmed, the literal.
    Dismisses with what to write, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel")]

    def __init__(self, field_name: str, variable: str, literal: str) -> None:
        super().__init__(id="secret-dialog")
        self.field_name = field_name
        self.variable = variable
        self.literal = literal

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"{self.field_name} is a secret", classes="dialog-title")
            yield Static(
                "Secrets stay out of the file by default: it is written as a placeholder and the server reads the value "
                "from this environment variable. Writing the value puts it in the file in plain text (asked here, so it is on purpose).",
                classes="dialog-body",
            )
            yield Input(value=self.variable, id="secret-variable")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Write the value", id="literal", variant="warning")
                yield Button("Use placeholder", id="placeholder", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#placeholder").focus()

    @on(Input.Submitted, "#secret-variable")
    @on(Button.Pressed, "#placeholder")
    def placeholder(self) -> None:
        import re

        name = self.query_one("#secret-variable", Input).value.strip()
        if not re.fullmatch(r"[A-Z_][A-Z0-9_]*", name):
            self.notify(f"'{name}' is not a variable name the server substitutes (upper-case letters, digits, _)", severity="error")
            return
        self.dismiss(f"${{env.{name}}}")

    @on(Button.Pressed, "#literal")
    def literal_value(self) -> None:
        self.dismiss(self.literal)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
