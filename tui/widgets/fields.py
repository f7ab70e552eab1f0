"""Form rows generated from the target release's schema: one labelled input per field, with
its help text.

The rows are built from the same release data the validator uses, so every field a backend,
auth provider or quota has in that release appears with its default and description.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, Select, Static

from llama_config.model.envvars import has_placeholder
from llama_config.model.redaction import redact_text
from llama_config.model.releases.fields import SchemaField
from llama_config.model.yamlpath import Path

from .reconcile import adopt_input, adopt_select, reconcile


def text_of(value: Any) -> str:
    """A value as the operator edits it."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (dict, list)):
        from llama_config.model.render import render_flow
        from llama_config.model.textstyle import TextStyle

        return render_flow(value, TextStyle())
    return str(value)


def value_in(data: Any, key: tuple[str, ...]) -> Any:
    for part in key:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


class FieldInput(Input):
    """An input bound to one field; `spec` and `path` tell the form what to write."""

    def __init__(self, spec: SchemaField, path: Path, value: Any, **kwargs) -> None:
        self.spec = spec
        self.path = path  # the full YAML path of this field
        self.original = text_of(value)
        default = spec.default
        placeholder = f"default: {text_of(default)}" if default not in (None, "", [], {}) else ("required" if spec.required else "not set")
        # masked even while empty, so a password typed into a new form is not shown in clear;
        # a placeholder is not the secret itself (its resolved value is shown masked below it)
        # no select-all on focus: a key typed after focus came back (undo, a click) must not
        # silently replace the whole value
        super().__init__(value=self.original, placeholder=placeholder, password=self.maskable, select_on_focus=False, **kwargs)
        self.tooltip = spec.description

    def adopt(self, new: "FieldInput") -> bool:
        return adopt_input(self, new, "spec", "path")

    @property
    def maskable(self) -> bool:
        return self.spec.secret and not has_placeholder(self.original)

    @property
    def changed(self) -> bool:
        return self.value != self.original


class FieldSelect(Select[Any]):
    """A picker bound to one field that takes a closed set of values (an enum, a boolean);
    blank means unset (the default applies)."""

    def __init__(self, spec: SchemaField, path: Path, value: Any, choices: list[Any], **kwargs) -> None:
        self.spec = spec
        self.path = path
        self.original = value
        default = spec.default
        prompt = f"default: {text_of(default)}" if default not in (None, "", [], {}) else ("required" if spec.required else "not set")
        chosen = next((c for c in choices if c == value and type(c) is type(value)), Select.NULL)
        super().__init__([(text_of(c), c) for c in choices], value=chosen, prompt=prompt, **kwargs)
        self.tooltip = spec.description

    def adopt(self, new: "FieldSelect") -> bool:
        return adopt_select(self, new, "spec", "path", "original")


class FieldRow(Vertical):
    """Label, input, help text and (for placeholders) the resolved value and its source."""

    DEFAULT_CSS = """
    FieldRow { height: auto; margin-bottom: 1; }
    FieldRow .field-label { text-style: bold; }
    FieldRow .field-help { color: $text-muted; }
    FieldRow .field-resolved { color: $accent; }
    """

    def __init__(self, spec: SchemaField, path: Path, value: Any, resolved: str = "", id: str | None = None, choices: list[Any] | None = None) -> None:
        super().__init__(id=id)
        self.spec = spec
        self.field_path = path
        self.value = value
        self.resolved = resolved
        self.choices = choices or []  # a picker instead of an input (not for a placeholder)

    def adopt(self, new: "FieldRow") -> bool:
        """Take a row of the same shape in place (tui/widgets/reconcile.py); one that would
        show the same needs no new widgets built to compare (most rows after an edit)."""
        if self._shows() != new._shows():
            self.spec, self.field_path, self.value, self.resolved, self.choices = new.spec, new.field_path, new.value, new.resolved, new.choices
            reconcile(self, list(new.compose()))
        return True

    def _shows(self) -> tuple:
        """Everything compose() draws from (a value's type too: 1 and True differ)."""
        return (self.spec, self.field_path, type(self.value), text_of(self.value), self.resolved, self.choices)

    def compose(self) -> ComposeResult:
        label = Text(self.spec.name, style="bold")
        if self.spec.required:
            label.append(" *", style="red")
        label.append(f"  {self.spec.expected()}", style="dim")
        if self.spec.secret and self.value not in (None, "") and not has_placeholder(text_of(self.value)):
            label.append("  (hidden: ctrl+r reveals)", style="dim")
        yield Label(label, classes="field-label")
        if self.choices and not has_placeholder(text_of(self.value)):
            yield FieldSelect(self.spec, self.field_path, self.value, self.choices, id=_input_id(self.spec.key))
        else:
            yield FieldInput(self.spec, self.field_path, self.value, id=_input_id(self.spec.key))
        if self.resolved:
            yield Static(f"↳ {redact_text(self.resolved)}", classes="field-resolved", markup=False)  # a URL's password
        if self.spec.description:
            yield Static(self.spec.description, classes="field-help", markup=False)


def _input_id(key: tuple[str, ...]) -> str:
    """`field-network-tls-min-version`: by the key within its form, not the whole path, so the
    same field of the next backend or provider is the same widget (reconcile.py)."""
    return "field-" + "".join(ch if ch.isalnum() else "-" for ch in ".".join(key))


def collect_values(screen: Any, *, partial: bool = False) -> dict[str, Any] | None:
    """The values typed into the form fields of a dialog, nested by their keys and typed by
    their schema; None (and the field focused, the reason shown) when one is missing or wrong.
    Defaults stay implicit, as in upstream's own files; with `partial`, a required field may
    stay empty (the form it lands in counts it as missing)."""
    from llama_config.model.fields import parse_checked

    values: dict[str, Any] = {}
    for field_input in screen.query(FieldInput):
        spec, text = field_input.spec, field_input.value
        if text == "":
            if spec.required and not partial:
                screen.notify(f"{spec.name} is required", severity="error")
                field_input.focus()
                return None
            continue
        try:
            value = parse_checked(text, spec)
        except ValueError as exc:
            screen.notify(f"{spec.name} {exc}", severity="error")
            field_input.focus()
            return None
        if value == spec.default and not spec.required and spec.key[0] != "db_path":
            continue
        target = values
        for part in spec.key[:-1]:
            target = target.setdefault(part, {})
        target[spec.key[-1]] = value
    return values
