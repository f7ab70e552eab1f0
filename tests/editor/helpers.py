"""Helpers shared by the editor tests: driving the pilot and reading what the UI shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Group
from rich.text import Text
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Button, Input, Select, Static, Tree

from llama_config.tui.widgets.fields import PARKED, FieldInput

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
# The editor tests were written on the bundled example for llama-stack 0.3 (agents, safety, a
# quota with its own kv backend); examples/run.yaml is an ogx 1.5 file now, which has no quota.
RUN_V03 = ROOT / "tests" / "files" / "editor" / "run-llama-stack-0.3.yaml"
SIZE = (150, 48)
# a fixed environment: HOME for `~` in paths, one variable set, everything else unset
ENV = {"HOME": "/home/op", "REDIS_HOST": "redis.internal"}


def record_notifications(app) -> None:
    """Keep every notification in `app.recorded` as (severity, title, message)."""
    app.recorded = []
    original = app.notify

    def notify(message: str, *, title: str = "", severity: str = "information", **kwargs: Any):
        app.recorded.append((severity, title, message))
        return original(message, title=title, severity=severity, **kwargs)

    app.notify = notify
    flash = app.flash

    def flashed(message: str, **kwargs: Any) -> None:
        app.recorded.append(("information", "", message))
        flash(message, **kwargs)

    app.flash = flashed


def notes(app, severity: str | None = None) -> list[str]:
    return [m for s, _, m in app.recorded if severity is None or s == severity]


async def settle(pilot, rounds: int = 3) -> None:
    """Let messages, call_after_refresh callbacks and remounts run.

    `pause(0)` processes every pending message of the screen's widgets and refreshes without
    `pause()`'s wait for an idle CPU (20 ms at least, much more on a busy machine)."""
    for _ in range(rounds):
        await pilot.pause(0)
    await pilot.app.workers.wait_for_complete()
    await pilot.pause(0)


async def steady(pilot) -> None:
    """settle(), with the inputs' cursors not blinking and scrolling done: what a snapshot sees.
    (A field's focus scrolls its form; under load a snapshot once caught it a line short.)"""
    await settle(pilot)
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.wait_for_scheduled_animations()
    await settle(pilot)


def plain(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, (Text, Content)):
        return content.plain
    if isinstance(content, Group):
        return "\n".join(plain(r) for r in content.renderables)
    return str(content)


def texts(root: Widget) -> str:
    """Everything the widgets under `root` show as text: statics, labels, buttons, inputs
    (their value, or `••••` when masked), selects (the chosen value) and tree labels."""
    out: list[str] = []
    for widget in [root, *root.walk_children()]:
        if not shown(widget, root):
            continue  # hidden, or inside something hidden (a closed section, a parked row)
        if isinstance(widget, Button):
            out.append(plain(widget.label))
        elif isinstance(widget, Static):
            out.append(plain(widget.content))
        elif isinstance(widget, Input):
            out.append("••••" if widget.password else widget.value)
        elif isinstance(widget, Select):
            out.append("" if widget.value is Select.NULL else str(widget.value))
        elif isinstance(widget, Tree):
            out.extend(node.label.plain for node in _walk(widget.root))
    return "\n".join(out)


def shown(widget: Widget, root: Widget) -> bool:
    """`widget` is displayed and not in a row parked for later (tui/widgets/reconcile.py); a
    folded Collapsible's text counts as shown, as its title says what it holds."""
    from llama_config.tui.widgets.reconcile import is_parked

    if not widget.display:
        return False
    node = widget
    while node is not None and node is not root:
        if is_parked(node):
            return False
        node = node.parent
    return True


def _walk(node):
    yield node
    for child in node.children:
        yield from _walk(child)


def tree_labels(app) -> list[str]:
    return [node.label.plain for node in _walk(app.tree.root) if node is not app.tree.root]


def field(app, *path: Any) -> FieldInput:
    """The form input of the field at `path` in the detail pane (or the active dialog)."""
    for widget in app.screen.query(FieldInput):
        if widget.path == tuple(path):
            return widget
    raise AssertionError(f"no field {path} in {[w.path for w in app.screen.query(FieldInput)]}")


def fields_named(app, key: str, part: str | None = None) -> list:
    """The form inputs and pickers on screen for the field `key` (`network.tls.min_version`),
    of whichever backend or provider the form shows; `part` picks a placeholder's part
    (`variable` or `argument`). Fields have no ids: the next form's fields take their places."""
    from llama_config.tui.widgets.fields import FieldSelect

    return [
        w for w in app.screen.query(FieldInput).results() if ".".join(w.spec.key) == key and getattr(w, "part", None) == part and w.path != PARKED
    ] + [w for w in app.screen.query(FieldSelect).results() if ".".join(w.spec.key) == key and part is None and w.path != PARKED]


async def show(app, pilot, path: tuple, kind: str) -> None:
    """Select the tree node of `path` (as search and the problems list do) and wait."""
    app.go_to(path, kind=kind)
    await settle(pilot)


async def enter_value(pilot, widget: Input, value: str) -> None:
    """Focus an input, replace its text with `value` (as a paste would) and press Enter.
    (Typing key by key costs two idle-waits a key; tests that type say so themselves.)"""
    widget.focus()
    await pilot.pause()
    widget.value = value
    await pilot.press("enter")
    await settle(pilot)


def added_lines_only(before: str, after: str) -> list[str]:
    """The lines `after` adds to `before`, asserting it removes or changes none."""
    import difflib

    added, removed = [], []
    for line in difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)):
        if line.startswith("+ "):
            added.append(line[2:])
        elif line.startswith("- "):
            removed.append(line[2:])
    assert not removed, f"lines removed or changed: {removed}"
    return added
