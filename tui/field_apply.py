"""Applying what was typed into a form field, so that the file only ever gets what the operator
meant: a refused value stays in the field, marked, with the reason under it; a placeholder is
replaced by a literal only once confirmed; a number keeps the spelling it was typed in."""

from __future__ import annotations

from typing import Any

from llama_config.model.envvars import has_placeholder
from llama_config.model.fields import parse_checked, set_typed
from llama_config.model.yamlpath import Path, format_path

from .screens.choice import ChoiceDialog


def apply_field(app: Any, widget: Any) -> None:
    """Write the field `widget` (a FieldInput) holds, or say inline why not."""
    from .widgets.fields import PlaceholderPart

    session = app.session
    if not widget.changed:
        widget.clear_problem()
        return
    text = widget.typed
    if isinstance(widget, PlaceholderPart) and (why := widget.refusal()):
        widget.show_problem(why)
        return
    if text == "":
        widget.clear_problem()
        if session.doc.node_at(widget.path) is not None:
            app.change(f"Removed {format_path(widget.path)}", lambda: session.unset(widget.path))
        return
    try:
        value = parse_checked(text, widget.spec)
    except ValueError as exc:
        widget.show_problem(str(exc))
        return
    widget.clear_problem()
    if widget.spec.secret and widget.path[:1] == ("providers",) and isinstance(value, str) and not has_placeholder(value):
        app._ask_secret(widget, value)  # its dialog asks before a literal secret is written
        return
    if has_placeholder(widget.written) and not has_placeholder(value):
        _confirm_literal(app, widget, value, text)
        return
    write(app, widget.path, value, text)


def write(app: Any, path: Path, value: Any, text: str) -> None:
    session = app.session
    app.change(f"Set {format_path(path)}", lambda: session.run(f"set {format_path(path)}", lambda: set_typed(session.doc, path, value, text)))


def _confirm_literal(app: Any, widget: Any, value: Any, text: str) -> None:
    """The field held a placeholder (the server reads the value from its environment); a
    literal replaces that for good: ask first. Enter replaces, Escape keeps the placeholder."""
    from llama_config.model.redaction import MASK

    shown = MASK if widget.spec.secret else text
    dialog = ChoiceDialog(
        f"Replace the placeholder of {format_path(widget.path)}?",
        f"The file has {widget.written}: the server reads the value from its environment. "
        f"Writing {shown} puts a fixed value in the file instead.",
        [("replace", "Replace with the value", "warning"), ("keep", "Keep the placeholder", "primary")],
        cancel_id="keep",
        dialog_id="literal-dialog",
    )

    def done(answer: str) -> None:
        if answer == "replace":
            write(app, widget.path, value, text)
        else:
            widget.value = widget.original
            widget.clear_problem()

    app.push_screen(dialog, done)


def suggested_variable(session: Any, path: Path) -> str:
    """OPENAI_API_KEY for a provider openai's api_key; KV_DEFAULT_PASSWORD for a backend's."""
    from llama_config.model.provider_ops import id_of

    from .screens.provider_dialogs import variable_for

    if path[:1] == ("providers",) and len(path) > 4:
        owner, key = id_of((session.doc.value_at(path[:3]) or {}).get("provider_id")), ".".join(map(str, path[4:]))
    else:
        owner, key = str(path[-2]) if len(path) > 1 else "", str(path[-1])
    return variable_for(owner, key)


def offer_placeholder(app: Any, widget: Any) -> None:
    """"Turn into ${env.NAME}": the value leaves the file; the server reads it from NAME."""
    from .screens.provider_dialogs import SecretDialog

    session = app.session
    path, literal = widget.path, widget.written

    def done(value: str | None) -> None:
        if value is None or value == literal:
            return
        app.notify(f"Set {value[6:-1]} in the server's environment to the value the file had", timeout=6)
        app.change(f"Set {format_path(path)}", lambda: session.set_value(path, value))

    app.push_screen(SecretDialog(format_path(path), suggested_variable(session, path), literal), done)
