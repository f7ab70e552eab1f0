"""Turn a mounted view into a newly built one in place.

Each view (tui/widgets/detail.py) is built as a fresh list of widgets. Mounting a Textual
widget costs about five times updating one (a 20-field form: ~110 ms of CPU against ~25 ms on
a small machine), and moving the tree cursor from one backend, store or provider to the next
builds a form of the same shape. So a widget already on screen that has the same type, id and
classes as the new one at its place takes over the new one's state; only what is new is
mounted and only what is gone is removed, in one batch, so no blank pane is ever drawn.

A focused input keeps what the operator is typing when the value it was opened with has not
changed underneath it.

Forms of different provider types have different numbers of rows. A row the next form does
not need is parked (hidden, its field forgotten) instead of removed, and the next form that
needs one more row takes it: a move between two providers then mounts nothing, where removing
and mounting rows was most of its time.
"""

from __future__ import annotations

from typing import Any, Iterable

from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.visual import visualize
from textual.widgets import Button, Input, Select, Static

LOOKAHEAD = 4  # how far to look past a widget that has no counterpart (a problem line more or less)
_PLAIN_CONTAINERS = (Vertical, Horizontal)  # no state of their own but their children


def reconcile(parent: Widget, new: list[Widget]) -> None:
    """Make `parent`'s children equal to `new`: adopt in place where possible, mount and
    remove the rest."""
    old = list(parent.children)
    placed: list[Widget | None] = []  # per new widget: the old one that took its place, or None
    stale: list[Widget] = []
    at = 0
    for widget in new:
        match = _match(old, at, widget)
        if match is None:
            placed.append(None)
            continue
        stale += old[at:match]
        placed.append(old[match])
        at = match + 1
    stale += old[at:]
    focused = parent.screen.focused if parent.is_attached else None
    for widget in [w for w in stale if _parkable(w, focused)]:
        park(widget)
    stale = [w for w in stale if not is_parked(w)]
    if not stale:
        _mount_new(parent, new, placed)
        return
    removed = parent.remove_children(stale)
    ids = {w.id for w in stale if w.id}
    if not any(w.id in ids for w, kept in zip(new, placed) if kept is None and w.id):
        _mount_new(parent, new, placed)
        return

    async def mount_after_removal() -> None:  # a new widget takes the id of one still being removed
        await removed
        _mount_new(parent, new, placed)

    parent.call_next(mount_after_removal)


def _match(old: list[Widget], at: int, widget: Widget) -> int | None:
    """The index of the first widget from `at` on that takes `widget`'s place, looking past
    LOOKAHEAD widgets on screen at most (parked ones are passed over without counting)."""
    passed = 0
    for j in range(at, len(old)):
        candidate = old[j]
        parked = is_parked(candidate)
        if adopt(candidate, widget):
            if parked:
                candidate._parked = False  # noqa: SLF001
                candidate.display = True
            return j
        if not parked:
            passed += 1
            if passed >= LOOKAHEAD:
                return None
    return None


def _parkable(widget: Widget, focused: Widget | None) -> bool:
    """A row (a widget with a `park` hook) can wait hidden for the next form, unless it has an
    id (the next form may mount one with that id) or holds the focus."""
    if is_parked(widget):
        return True
    if widget.id or getattr(widget, "park", None) is None:
        return False
    return focused is None or (focused is not widget and widget not in focused.ancestors)


def park(widget: Widget) -> None:
    widget.park()
    widget._parked = True  # noqa: SLF001
    widget.display = False


def is_parked(widget: Widget) -> bool:
    return getattr(widget, "_parked", False)


def _mount_new(parent: Widget, new: list[Widget], placed: list[Widget | None]) -> None:
    """Mount each run of new widgets right after the kept widget before it (or first)."""
    previous: Widget | None = None
    run: list[Widget] = []

    def flush() -> None:
        if not run:
            return
        if previous is not None:
            parent.mount_all(list(run), after=previous)
        elif parent.children:
            parent.mount_all(list(run), before=0)
        else:
            parent.mount_all(list(run))
        run.clear()

    for widget, kept in zip(new, placed):
        if kept is None:
            run.append(widget)
            continue
        flush()
        previous = kept
    flush()


def adopt(old: Widget, new: Widget) -> bool:
    """Make `old` (mounted) show what `new` (never mounted) would; False when it cannot, and
    then `old` is untouched."""
    if type(old) is not type(new) or old.id != new.id or _own_classes(old) != _own_classes(new):
        return False
    hook = getattr(old, "adopt", None)
    if hook is not None:
        return bool(hook(new))
    if isinstance(old, Static):  # Label too
        if old._render_markup != new._render_markup:  # noqa: SLF001 (set only through __init__)
            return False
        if old.content != new.content:
            update_static(old, new.content)
        old.tooltip = new.tooltip
        return True
    if type(old) is Button:  # (a subclass that can be adopted says how itself)
        return adopt_button(old, new)
    if isinstance(old, _PLAIN_CONTAINERS) and type(old) in _PLAIN_CONTAINERS:
        reconcile(old, list(pending_children(new)))
        return True
    return False


def update_static(widget: Static, content: Any) -> None:
    """Show `content`, laying the screen out again only if the widget's size may change:
    a value's resolved line after an edit or undo is as long as before, and a layout of the
    whole screen was a third of the time an undo took."""
    widget.update(content, layout=not _same_size(widget, content))


def _same_size(widget: Static, content: Any) -> bool:
    """`content` takes exactly the lines the widget has now, at its width (which its content
    does not set: no `width: auto`)."""
    width = widget.styles.width
    size = widget.content_size
    if not widget.is_mounted or not widget.display or (width is not None and width.is_auto) or size.width <= 0:
        return False
    visual = visualize(widget, content, markup=widget._render_markup)  # noqa: SLF001 (as Static.update does)
    return visual.get_height(widget.styles, size.width) == size.height


def _own_classes(widget: Widget) -> set[str]:
    """The classes a view gave the widget; Textual's own state classes (`-valid`) start with -."""
    return {name for name in widget.classes if not name.startswith("-")}


def pending_children(widget: Widget) -> Iterable[Widget]:
    """The children a never-mounted widget was given (`Vertical(a, b)`)."""
    return list(widget._pending_children)  # noqa: SLF001 (Textual keeps them there until mount)


def adopt_button(old: Button, new: Button, *extra: str) -> bool:
    if old.compact != new.compact:
        return False
    old.label = new.label
    old.variant = new.variant
    old.disabled = new.disabled
    old.tooltip = new.tooltip
    for name in extra:
        setattr(old, name, getattr(new, name))
    return True


def is_typing(widget: Input, started_from: str | None, new_start: str | None) -> bool:
    """The operator is typing into `widget` (focused, changed from what it started from), and
    the value it started from is still the one the redraw brings: keep what is typed."""
    return widget.has_focus and widget.value != started_from and started_from == new_start


def adopt_input(old: Input, new: Input, *extra: str, original: str = "original") -> bool:
    """An input takes the new value, unless the operator is typing into it and the value it
    started from is still the file's."""
    typing = is_typing(old, getattr(old, original, old.value), getattr(new, original, None))
    for name in (original, *extra):
        setattr(old, name, getattr(new, name))
    old.placeholder = new.placeholder
    old.password = new.password
    old.tooltip = new.tooltip
    if not typing:
        show_text(old, new.value)
    return True


def show_text(widget: Input, text: str) -> None:
    """Put `text` in the input (if it is not there already) with the cursor at its end."""
    if widget.value != text:
        widget.value = text
        widget.cursor_position = len(text)


def adopt_select(old: Select, new: Select, *extra: str) -> bool:
    """A picker takes the new options and value without posting Changed (that would read as
    the operator choosing)."""
    if old._allow_blank != new._allow_blank or old.expanded:  # noqa: SLF001 (an open overlay: leave it)
        return False
    with old.prevent(Select.Changed):
        options = [(prompt, value) for prompt, value in new._options if value is not Select.NULL]  # noqa: SLF001
        if [(str(p), v) for p, v in old._options] != [(str(p), v) for p, v in new._options]:  # noqa: SLF001
            old.set_options(options)
        old.prompt = new.prompt
        wanted = new._value  # noqa: SLF001 (a Select takes its value only once mounted)
        if wanted is Select.NULL and not old._allow_blank:  # noqa: SLF001
            wanted = old._options[0][1]  # noqa: SLF001 (what mounting would choose)
        if old.value != wanted or type(old.value) is not type(wanted):
            old.value = wanted
    old.disabled = new.disabled
    old.tooltip = new.tooltip
    for name in extra:
        setattr(old, name, getattr(new, name))
    return True


__all__ = ["reconcile", "adopt", "is_parked", "park", "adopt_button", "adopt_input", "adopt_select", "is_typing", "pending_children", "show_text", "update_static"]
