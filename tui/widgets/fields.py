"""Form rows generated from the target release's schema: one labelled input per field, with
its help text.

The rows are built from the same release data the validator uses, so every field a backend,
auth provider or quota has in that release appears with its default and description.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Select, Static

from llama_config.model.envvars import find_placeholders, has_placeholder
from llama_config.model.redaction import redact_text
from llama_config.model.releases.fields import SchemaField
from llama_config.model.yamlpath import Path

from .reconcile import adopt_button, adopt_input, adopt_select, is_typing, reconcile, show_text, update_static
from .steady_input import SteadyInput


PARKED: Path = ("<parked>",)  # the path of a hidden row's fields: no field of a config has it


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


class FieldInput(SteadyInput):
    """An input bound to one field; `spec` and `path` tell the form what to write."""

    def __init__(self, spec: SchemaField, path: Path, value: Any, **kwargs) -> None:
        self.spec = spec
        self.path = path  # the full YAML path of this field
        self.original = text_of(value)  # what this input showed first
        self.written = self.original  # the field's text in the file
        default = spec.default
        placeholder = kwargs.pop("placeholder", None) or (f"default: {text_of(default)}" if default not in (None, "", [], {}) else ("required" if spec.required else "not set"))
        # masked even while empty, so a password typed into a new form is not shown in clear;
        # a placeholder is not the secret itself (its resolved value is shown masked below it)
        # no select-all on focus: a key typed after focus came back (undo, a click) must not
        # silently replace the whole value
        super().__init__(value=self.original, placeholder=placeholder, password=self.maskable, select_on_focus=False, **kwargs)
        self.tooltip = spec.description

    def adopt(self, new: "FieldInput") -> bool:
        return adopt_field(self, new, "spec", "path", "written")

    def refill(self, path: Path, value: Any) -> None:
        """Show `value` of the field at `path` (same spec); what the operator is typing stays."""
        text = text_of(value)
        self._show(path, text, text, typing=is_typing(self, self.original, text))
        self.password = self.maskable

    def _show(self, path: Path, shown: str, written: Any, typing: bool) -> None:
        """Stand for the field at `path`, whose text in the file is `written`, showing `shown`
        unless the operator is `typing`."""
        self.path, self.original, self.written = path, shown, written
        if not typing:
            show_text(self, shown)

    @property
    def maskable(self) -> bool:
        return self.spec.secret and not has_placeholder(self.original)

    @property
    def typed(self) -> str:
        """The field's text as the operator has it now (for a placeholder: its parts joined)."""
        return self.value

    @property
    def changed(self) -> bool:
        return self.typed != self.written

    def show_problem(self, message: str) -> None:
        """Keep what was typed, mark the input invalid and say why under it."""
        self.add_class("-invalid")
        row = next((a for a in self.ancestors if isinstance(a, FieldRow)), None)
        if row is None:
            self.notify(f"{self.spec.name} {message}", severity="error")
            return
        problem = row.query_one(".field-problem", Static)
        problem.update(f"✗ {self.spec.name} {message}")
        problem.display = True

    def clear_problem(self) -> None:
        self.remove_class("-invalid")
        row = next((a for a in self.ancestors if isinstance(a, FieldRow)), None)
        if row is not None:
            row.query_one(".field-problem", Static).display = False


def adopt_field(old: FieldInput, new: FieldInput, *names: str) -> bool:
    """An input takes another field's place (inputs have no ids, so the next provider's form,
    of another type, is the same widgets); what is typed stays only in the same field."""
    same_field = old.path == new.path and getattr(old, "part", None) == getattr(new, "part", None)
    adopt_input(old, new, *names)
    if not same_field:
        show_text(old, new.value)
    return True


def same_looking(a: SchemaField, b: SchemaField) -> bool:
    """Whether two fields' rows look alike: the same field of two backends or providers of a
    type (their specs differ only in the path, which the row does not show)."""
    if a == b:
        return True
    return (
        a.key == b.key
        and a.required == b.required
        and a.marked_secret == b.marked_secret
        and (a.schema is b.schema or a.schema == b.schema)
        and (a.root is b.root or a.root == b.root)
        and a.description == b.description
    )


def _operator(value: Any) -> str | None:
    """A whole placeholder's operator (`=` of `${env.X:=d}`, `+`), which its row writes as a
    label of its own; None for any other value."""
    found = whole_placeholder(value)
    return None if found is None else (found.op or "=")


def whole_placeholder(value: Any) -> Any:
    """The placeholder a value consists of (`${env.NAME:=default}`), or None."""
    found = find_placeholders(value) if isinstance(value, str) else []
    return found[0] if len(found) == 1 and found[0].text == value else None


class PlaceholderPart(FieldInput):
    """The variable name or the default of a placeholder value, edited apart: typing over the
    field can no longer replace the placeholder with a literal by accident."""

    def __init__(self, spec: SchemaField, path: Path, value: str, part: str, **kwargs) -> None:
        self.part = part  # "variable" or "argument" (the default, or the :+ value)
        found = whole_placeholder(value)
        self.operator = found.op or "="
        shown = found.name if part == "variable" else (found.arg or "")
        hint = "variable name" if part == "variable" else ("value when set" if found.op == "+" else "default when unset")
        super().__init__(spec, path, shown, placeholder=hint, **kwargs)
        self.written = value

    @property
    def maskable(self) -> bool:
        return self.part == "argument" and self.spec.secret

    def adopt(self, new: "PlaceholderPart") -> bool:
        return adopt_field(self, new, "spec", "path", "written", "part", "operator")

    def refill(self, path: Path, value: Any) -> None:
        """Show this part of placeholder `value` (same spec, same operator) of the field at
        `path`; what the operator is typing into the same field stays."""
        found = whole_placeholder(value)
        shown = found.name if self.part == "variable" else (found.arg or "")
        self._show(path, shown, value, typing=self.path == path and is_typing(self, self.original, shown))

    def _parts(self) -> tuple[str, str]:
        parts = {p.part: p.value for p in self.parent.query(PlaceholderPart)} if self.parent else {}
        return parts.get("variable", "").strip(), parts.get("argument", "")

    @property
    def typed(self) -> str:
        name, argument = self._parts()
        if argument == "" and self.operator == "=" and ":=" not in self.written:
            return f"${{env.{name}}}"  # it had no default and still has none
        return f"${{env.{name}:{self.operator}{argument}}}"

    def refusal(self) -> str | None:
        """Why the parts make no placeholder, or None."""
        import re

        name, _ = self._parts()
        if not name:
            return "needs a variable name: to write a value instead of the placeholder, press 'Edit as text'"
        if not re.fullmatch(r"[A-Z0-9_]+", name):
            return f"cannot use the variable name {name!r}: the server substitutes only upper-case letters, digits and _"
        return None


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


class EditAsText(Button):
    """Turns a placeholder's two parts back into one input with the whole text."""

    def adopt(self, new: "EditAsText") -> bool:
        return adopt_button(self, new)


class ToPlaceholder(Button):
    """Writes a field's literal value as an `${env.NAME}` placeholder (secrets above all)."""

    def adopt(self, new: "ToPlaceholder") -> bool:
        return adopt_button(self, new)


class FieldRow(Vertical):
    """Label, input, help text and (for placeholders) the resolved value and its source."""

    DEFAULT_CSS = """
    FieldRow { height: auto; margin-bottom: 1; }
    FieldRow .field-label { text-style: bold; }
    FieldRow .field-help { color: $text-muted; }
    FieldRow .field-resolved { color: $accent; }
    FieldRow .field-problem { color: $error; display: none; }
    FieldRow .placeholder-parts { height: 1; }
    FieldRow .placeholder-parts Label { width: auto; color: $text-muted; }
    FieldRow .placeholder-parts PlaceholderPart { width: 1fr; }
    FieldRow .placeholder-parts .edit-as-text { margin-left: 1; }
    FieldRow .field-actions { height: auto; }
    """

    def __init__(self, spec: SchemaField, path: Path, value: Any, resolved: str = "", id: str | None = None, choices: list[Any] | None = None) -> None:
        super().__init__(id=id)
        self.spec = spec
        self.field_path = path
        self.value = value
        self.resolved = resolved
        self.choices = choices or []  # a picker instead of an input (not for a placeholder)
        self.as_text = False  # a placeholder shown as one input ("Edit as text")

    def adopt(self, new: "FieldRow") -> bool:
        """Take a row of the same shape in place (tui/widgets/reconcile.py); one that would
        show the same needs no new widgets built to compare (most rows after an edit), and
        keeps what it shows of its own (a refusal under the field, "Edit as text")."""
        if self._shows() == new._shows():
            return True
        kind = self._kind()
        plain = (
            kind == new._kind()
            and kind in ("input", "secret", "parts")
            and same_looking(self.spec, new.spec)
            and bool(self.resolved) == bool(new.resolved)
            and _operator(self.value) == _operator(new.value)
        )
        self.spec, self.field_path, self.value, self.resolved, self.choices = new.spec, new.field_path, new.value, new.resolved, new.choices
        self.as_text = new.as_text
        if plain:  # the same field of another backend, or a new value: refill, build nothing
            label = self.query_one(".field-label", Label)
            if label.content != (text := self._label()):
                label.update(text)
            for field_input in self.query(FieldInput):  # (a placeholder's two parts)
                field_input.spec = self.spec
                field_input.refill(self.field_path, self.value)
            if self.resolved:
                update_static(self.query_one(".field-resolved", Static), self._resolved())
        else:
            reconcile(self, list(new.compose()))
        return True

    def park(self) -> None:
        """Hidden until a form needs one more row (reconcile.py): it stands for no field, so
        nothing that looks a field up by its path finds it."""
        self.field_path = PARKED
        for widget in self.query(FieldInput):
            widget.path = PARKED
            widget.clear_problem()
        for widget in self.query(FieldSelect):
            widget.path = PARKED

    def _kind(self) -> str:
        """Which control the row has: placeholder parts, a picker, an input (a plain one has no
        'Turn into ${env...}' button)."""
        if whole_placeholder(self.value) is not None and not self.as_text:
            return "parts"
        if self.choices and not has_placeholder(text_of(self.value)):
            return "select"
        if self.spec.secret and isinstance(self.value, str) and self.value and not has_placeholder(self.value):
            return "secret"
        return "input"

    def _shows(self) -> tuple:
        """Everything compose() draws from (a value's type too: 1 and True differ)."""
        return (self.spec, self.field_path, type(self.value), text_of(self.value), self.resolved, self.choices)

    def _label(self) -> Text:
        label = Text(self.spec.name, style="bold")
        if self.spec.required:
            label.append(" *", style="red")
        label.append(f"  {self.spec.expected()}", style="dim")
        if self.spec.secret and self.value not in (None, "") and not has_placeholder(text_of(self.value)):
            label.append("  (hidden: ctrl+r reveals)", style="dim")
        return label

    def _resolved(self) -> str:
        return f"↳ {redact_text(self.resolved)}"  # a URL's password

    def compose(self) -> ComposeResult:
        yield Label(self._label(), classes="field-label")
        kind = self._kind()
        if kind == "parts":
            placeholder = whole_placeholder(self.value)
            yield Horizontal(
                Label("${env."),
                PlaceholderPart(self.spec, self.field_path, self.value, "variable", compact=True),
                Label(f":{placeholder.op or '='}"),
                PlaceholderPart(self.spec, self.field_path, self.value, "argument", compact=True),
                Label("}"),
                EditAsText("Edit as text", compact=True, classes="edit-as-text"),
                classes="placeholder-parts",
            )
        elif kind == "select":
            yield FieldSelect(self.spec, self.field_path, self.value, self.choices)
        else:
            yield FieldInput(self.spec, self.field_path, self.value)
            if kind == "secret":
                yield Horizontal(ToPlaceholder("Turn into ${env.…}", compact=True, classes="to-placeholder"), classes="field-actions")
        yield Static("", classes="field-problem", markup=False)
        if self.resolved:
            yield Static(self._resolved(), classes="field-resolved", markup=False)
        if self.spec.description:
            yield Static(self.spec.description, classes="field-help", markup=False)

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if isinstance(event.button, EditAsText):
            event.stop()
            self.as_text = True
            await self.recompose()
            self.query_one(FieldInput).focus()
        elif isinstance(event.button, ToPlaceholder):
            event.stop()
            from ..field_apply import offer_placeholder

            offer_placeholder(self.app, self.query_one(FieldInput))


def collect_values(screen: Any, *, partial: bool = False) -> dict[str, Any] | None:
    """The values typed into the form fields of a dialog, nested by their keys and typed by
    their schema; None (and the field focused, the reason shown) when one is missing or wrong.
    Defaults stay implicit, as in upstream's own files; with `partial`, a required field may
    stay empty (the form it lands in counts it as missing)."""
    from llama_config.model.fields import parse_checked

    values: dict[str, Any] = {}
    seen: set[Path] = set()
    for field_input in screen.query(FieldInput):
        if field_input.path in seen:  # a placeholder's second part
            continue
        seen.add(field_input.path)
        spec, text = field_input.spec, field_input.typed
        if isinstance(field_input, PlaceholderPart) and (why := field_input.refusal()):
            field_input.show_problem(why)
            field_input.focus()
            return None
        if text == "":
            if spec.required and not partial:
                screen.notify(f"{spec.name} is required", severity="error")
                field_input.focus()
                return None
            continue
        try:
            value = parse_checked(text, spec)
        except ValueError as exc:
            field_input.show_problem(str(exc))
            field_input.focus()
            return None
        if value == spec.default and not spec.required and spec.key[0] != "db_path":
            continue
        target = values
        for part in spec.key[:-1]:
            target = target.setdefault(part, {})
        target[spec.key[-1]] = value
    return values
