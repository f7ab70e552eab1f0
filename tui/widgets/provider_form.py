"""The provider form: every field of the provider's config in the target release's schema,
nested objects (`network.tls`, `proxy`) as sections, enums as pickers, storage references with
the family-filtered backend picker, and the file's unknown keys with a one-key fix."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Select, Static

from llama_config.model.provider_ops import provider_state, resource_kinds
from llama_config.model.releases.fields import SchemaField, choices_of, nested_fields, provider_spec, section_of
from llama_config.model.yamlpath import Path, format_path

from .config_tree import NodeRef, resource_title
from .fields import FieldRow, value_in
from .reconcile import is_parked, reconcile

if TYPE_CHECKING:
    from .detail import DetailPane



def first_paragraph(text: str, limit: int = 300) -> str:
    """A type's description up to its first blank line (some run to pages of Markdown)."""
    head = text.strip().split("\n\n", 1)[0].strip()
    return head if len(head) <= limit else head[: limit - 1].rstrip() + "…"


def missing_required(fields: list[SchemaField], config: Any) -> list[SchemaField]:
    """The required fields of the form with no value in the file, or a placeholder that gives
    nothing while its variable is unset (`${env.VERTEX_AI_PROJECT:=}`, upstream's samples)."""
    from llama_config.model.provider_ops.adding import _empty as gives_nothing

    return [f for f in fields if f.required and gives_nothing(value_in(config, f.key))]


def resource_kind_for(release: Any, api: str) -> str | None:
    """The registered_resources kind served by providers of `api` (models for inference)."""
    return next((kind for kind, kind_api in resource_kinds(release).items() if kind_api == api), None)


def provider_form(pane: "DetailPane", path: Path) -> list:
    from .detail import ActionButton, _heading

    session = pane.session
    release = session.release()
    provider = session.doc.value_at(path)
    provider = provider if isinstance(provider, dict) else {}
    api = str(path[1])
    state = provider_state(provider, session.env)
    widgets: list = [_heading(f"Provider {state.provider_id}", f"{api} · {state.provider_type} · {'on' if state.on else 'off'}" + (f" ({state.why})" if state.why else ""))]
    spec = provider_spec(release, session.data, path)
    config_path = path + ("config",)
    unknown = [d for d in session.diagnostics if d.code == "unknown-key" and d.path[: len(config_path)] == config_path]
    widgets += pane._diagnostics_for(path, skip=set(unknown))
    kind = resource_kind_for(release, api)
    # compact: one line, so the four fit an 80-column terminal
    actions = [
        ActionButton("Rename", "rename_provider", id="rename-provider", compact=True),
        ActionButton("Disable" if state.on else "Enable", "toggle_provider", id="toggle-provider", compact=True),
        ActionButton("Remove", "remove_provider", variant="error", id="remove-provider", compact=True),
    ]
    widgets.append(Horizontal(*actions, classes="detail-actions compact-actions"))
    # a second row: five buttons do not fit an 80-column terminal
    from llama_config.model.probes.provider_target import PROBED_TYPES

    probed = state.provider_type in PROBED_TYPES
    second = [ActionButton("Test connection", "test_backend", id="test-provider", compact=True)] if probed else []
    if kind:
        second.append(ActionButton(f"Add {kind[:-1].replace('_', ' ')}", "add_resource", id="add-resource", compact=True))
    if second:
        widgets.append(Horizontal(*second, classes="detail-actions compact-actions"))
    if probed:
        widgets += pane.connection_status(NodeRef("provider", path))
    if spec is None or not spec.get("config_schema"):
        why = f"{release.name} has no {api} provider type '{state.provider_type}'" if spec is None else f"{release.name} publishes no schema for {state.provider_type}"
        widgets.append(Static(Text(f"{why}: its config is shown as written.", style="yellow"), classes="detail-problem"))
        return widgets + _written_config(pane, path, provider)
    if spec.get("description"):
        widgets.append(Static(first_paragraph(spec["description"]), classes="field-help detail-description", markup=False))
    if spec.get("deprecation_warning"):
        widgets.append(Static(Text(f"deprecated: {spec['deprecation_warning']}", style="yellow"), classes="detail-problem"))
    config = provider.get("config")
    fields = nested_fields(release, session.data, config_path)
    refs = [(tuple(r["path"].split(".")), r["family"]) for r in spec.get("storage_refs") or ()]
    fields = [f for f in fields if not any(f.key[: len(parts)] == parts for parts, _ in refs)]
    missing = missing_required(fields, config)
    if missing:
        widgets.append(Static(Text.assemble((f"{len(missing)} required field{'s' if len(missing) != 1 else ''} missing: ", "bold red"), ", ".join(f.name for f in missing)), id="required-count", classes="detail-problem"))
    else:
        widgets.append(Static(Text("✓ every required field is set", style="green"), id="required-count", classes="detail-problem"))
    for diagnostic in unknown:
        widgets += _unknown_key(diagnostic, session.doc)
    widgets += _rows(pane, release, config_path, config, fields)
    for parts, family in refs:
        heading = Text(".".join(parts), style="bold")
        heading.append(f"  storage: a {family}_* backend", style="dim")
        widgets.append(Static(heading, classes="form-section"))
        widgets.append(Vertical(*pane._reference_rows(config_path + parts, family), classes="form-reference"))
    return widgets


def _rows(pane: "DetailPane", release: Any, config_path: Path, config: Any, fields: list[SchemaField]) -> list:
    """One row per field of the mapping itself, then one FormSection per nested object
    (`network`), closed unless the file sets something in it or it misses a required field:
    its rows are built when it opens (a form of every field cost 250 ms to mount)."""
    out: list = []
    sections: dict[str, list[SchemaField]] = {}
    for spec in fields:
        if len(spec.key) == 1:
            out.append(_row(pane, config_path, config, spec))
        else:
            sections.setdefault(spec.key[0], []).append(spec)
    missing = set(id(f) for f in missing_required(fields, config))
    for name, specs in sections.items():
        written = value_in(config, (name,)) not in (None, {}, "")
        needed = any(id(f) in missing for f in specs)
        out.append(FormSection(pane, release, config_path, config, name, specs, opened=written or needed))
    return out


def _row(pane: "DetailPane", config_path: Path, config: Any, spec: SchemaField) -> FieldRow:
    value = value_in(config, spec.key)
    return FieldRow(spec, config_path + spec.key, value, pane.session.resolved(value, secret=spec.secret), choices=choices_of(spec))


class FormSection(Vertical):
    """A nested object of the form (`network`): a one-line toggle, then (open) a heading per
    inner object (`network.tls`) and a row per field."""

    DEFAULT_CSS = "FormSection { height: auto; } FormSection > .section-toggle { margin-top: 1; }"

    def __init__(self, pane: "DetailPane", release: Any, config_path: Path, config: Any, name: str, specs: list[SchemaField], opened: bool) -> None:
        super().__init__(classes="form-section-group")
        self.pane, self.release, self.config_path, self.config = pane, release, config_path, config
        self.key = (name,)
        self.specs = specs
        self.opened = opened
        self._built = False

    @property
    def paths(self) -> list[Path]:
        return [self.config_path + spec.key for spec in self.specs]

    def compose(self):
        yield Button(self._label(), classes="section-toggle", compact=True)
        section = section_of(self.release, self.pane.session.data, self.config_path + self.key)
        if section is not None and section.description:
            yield Static(section.description, classes="field-help", markup=False)
        if self.opened:
            self._built = True
            yield from self._contents()

    def _contents(self) -> list:
        out: list = []
        current: tuple[str, ...] = self.key
        for spec in self.specs:
            here = spec.key[:-1]
            if here != current and len(here) > 1:
                out.append(_section_heading(self.release, self.pane.session.data, self.config_path + here))
            current = here
            out.append(_row(self.pane, self.config_path, self.config, spec))
        return out

    def _label(self) -> str:
        return f"{'▼' if self.opened else '▶'} {self.key[0]}  ({len(self.specs)} field{'s' if len(self.specs) != 1 else ''})"

    def adopt(self, new: "FormSection") -> bool:
        """Become the next form's section (`network` of the next remote provider) in place:
        its rows take the new rows' places (reconcile.py), none is mounted for a closed one."""
        self.pane, self.release, self.config_path, self.config = new.pane, new.release, new.config_path, new.config
        self.key, self.specs, self.opened = new.key, new.specs, new.opened
        reconcile(self, list(new.compose()))
        self._built = new._built
        if self.opened:  # rows this section hid when it was closed show again
            for child in self.children:
                child.display = not is_parked(child)
        return True

    def open(self) -> None:
        if self.opened:
            return
        self.opened = True
        if not self._built:
            reconcile(self, list(self.compose()))  # (sets _built)
            return
        self.query_one(".section-toggle", Button).label = self._label()
        for child in self.children[1:]:
            if not is_parked(child):
                child.display = True

    def close(self) -> None:
        self.opened = False
        self.query_one(".section-toggle", Button).label = self._label()
        for child in self.children:
            if not child.has_class("section-toggle") and not child.has_class("field-help"):
                child.display = False

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.has_class("section-toggle"):
            event.stop()
            self.close() if self.opened else self.open()


def _section_heading(release: Any, data: Any, path: Path) -> Static:
    section = section_of(release, data, path)
    text = Text(format_path(path[4:] if path[0] == "providers" else path[3:]), style="bold underline")
    if section is not None and section.description:
        text.append(f"\n{section.description}", style="dim")
    return Static(text, classes="form-section")


def _unknown_key(diagnostic: Any, doc: Any) -> list:
    from .detail import ActionButton, fix_button

    key = diagnostic.path[-1]
    out: list = [Static(Text.assemble(("unknown: ", "yellow"), diagnostic.message), classes="detail-problem")]
    if (button := fix_button(diagnostic, doc)) is not None:
        out.append(button)
    else:
        out.append(ActionButton(f"Remove {key}", f"remove_key({list(diagnostic.path)!r})", variant="warning", classes="fix-key"))
    return [Vertical(*out, classes="unknown-key")]


def _written_config(pane: "DetailPane", path: Path, provider: dict) -> list:
    config = provider.get("config")
    if not isinstance(config, dict) or not config:
        return []
    from llama_config.model.redaction import masked_data
    from llama_config.model.render import render_block
    from llama_config.model.textstyle import TextStyle

    # secret-named fields and the ones the target release marks (model.release_secrets)
    shown = masked_data(config, path + ("config",), pane.session.secret_fields())
    lines = render_block(shown, 2, TextStyle())
    return [Static("config (edit it in the file):\n" + "\n".join(lines), classes="detail-config", markup=False)]


class ProviderSelect(Select[str]):
    """A registered resource's provider_id: one of the enabled providers of the kind's API."""

    def __init__(self, path: Path, api: str, options: list[str], value: Any, **kwargs) -> None:
        self.resource_path = path  # registered_resources.<kind>[i]
        self.api = api
        super().__init__([(o, o) for o in options], value=value if value in options else Select.NULL, prompt=f"choose an enabled {api} provider", **kwargs)

    def adopt(self, new: "ProviderSelect") -> bool:
        from .reconcile import adopt_select

        return adopt_select(self, new, "resource_path", "api")


def resource_form(pane: "DetailPane", path: Path) -> list:
    from llama_config.model.provider_ops import enabled_provider_ids

    from .detail import ActionButton, _heading

    session = pane.session
    release = session.release()
    kind = str(path[1])
    api = resource_kinds(release).get(kind, "")
    entry = session.doc.value_at(path)
    current = entry.get("provider_id") if isinstance(entry, dict) else None
    widgets: list = [_heading(resource_title(kind, entry).capitalize(), f"{format_path(path)} · served by {current} ({api})")]
    widgets += pane._diagnostics_for(path)
    widgets.append(Horizontal(ActionButton("Remove", "remove_resource", variant="error", id="remove-resource", compact=True), classes="detail-actions compact-actions"))
    options = enabled_provider_ids(session.doc, api, session.env)
    widgets.append(Label(Text.assemble(("provider_id", "bold"), (" *", "red"), (f"  an enabled {api} provider", "dim"))))
    widgets.append(ProviderSelect(path, api, options, current, id="resource-provider"))
    if current is not None and current not in options:
        widgets.append(Static(Text(f"'{current}' is not an enabled {api} provider here", style="yellow"), classes="detail-problem"))
    fields = [f for f in nested_fields(release, session.data, path, depth=2) if f.key != ("provider_id",)]
    widgets += _rows(pane, release, path, entry, fields)
    return widgets
