"""Edits of list items, in one Document edit each: append an item, delete items, move one.

Providers and registered resources are list items (`providers.inference[0]`); Document edits
mappings by key, and these add what a list needs. A block list keeps every other item's text,
comments included: an item is taken or placed as whole lines (the comment lines directly above
its dash go with it). A flow list (`[a, b]`) is written again as a flow list.
"""

from __future__ import annotations

from typing import Any

from .document import Document, EditError
from .render import render_block
from .yamldata import copy_data
from .yamlpath import Path, format_path
from .yamltree import SEQ, Node


def _sequence(doc: Document, path: Path) -> Node:
    node = doc.node_at(path)
    if node is None or node.resolved.kind != SEQ:
        raise EditError(f"{format_path(path)} is not a list")
    if node.kind != SEQ or node.anchor or node.tag:
        # an alias, an anchored list (others may repeat it) or a tagged one (!!omap): by hand
        raise EditError(f"{format_path(path)} is a shared or tagged list; edit it in the file itself")
    return node


def _item_span(doc: Document, seq: Node, index: int) -> tuple[int, int]:
    """(start, end) of the whole lines of a block list's item: from the comment lines directly
    above its dash to just past its last line's break (or the end of the text)."""
    item = seq.items[index]
    dash = item.start - 1
    while dash > 0 and doc.text[dash] in " \t\r\n":
        dash -= 1
    if doc.text[dash] != "-" or doc._line_start(dash) + seq.column != dash:
        raise EditError(f"item [{index}] does not start its own line; edit it in the file itself")
    start = doc._attached_comment_start(doc._line_start(dash), seq.column)
    end = doc._block_end(item, seq.column)
    end = len(doc.text) if end >= len(doc.text) else doc._next_line(end)
    return start, end


def _rewrite_flow(doc: Document, path: Path, items: list) -> None:
    doc.set(path, items)


def append_item(doc: Document, path: Path, value: Any) -> None:
    """Add `value` at the end of the list at `path` (created when the key is missing)."""
    node = doc.node_at(path)
    if node is None or (node.kind != SEQ and node.value is None):
        doc.set(path, [value])
        return
    seq = _sequence(doc, path)
    if seq.flow and seq.items:
        _rewrite_flow(doc, path, copy_data(seq.value) + [value])
        return
    doc._refuse_shared(path, replaces=False)
    doc._refuse_repeated(path)
    expected = copy_data(doc.data)
    _container(expected, path).append(value)
    if seq.flow:  # `key: []`: the item goes below the key as a block list (the comment stays)
        key_node = doc.key_node_at(path)
        if key_node is None or doc._in_flow(path):
            _rewrite_flow(doc, path, [value])
            return
        column = key_node.column + doc.style.sequence_offset
        lines = render_block([value], column, doc.style)
        line_end = doc._line_end(seq.end)
        colon = doc._colon_after(key_node)
        doc._apply([(colon, seq.end, ""), (line_end, line_end, doc._nl() + doc._join(lines))], expected)
        return
    lines = render_block([value], seq.column, doc.style)
    pos = doc._block_end(seq.items[-1], seq.column)
    doc._apply([(pos, pos, doc._nl() + doc._join(lines))], expected)


def delete_items(doc: Document, path: Path, indexes: list[int]) -> None:
    """Remove the items at `indexes` of the list at `path`, with their comment lines."""
    seq = _sequence(doc, path)
    drop = sorted(set(i % len(seq.items) for i in indexes if -len(seq.items) <= i < len(seq.items)))
    if len(drop) != len(set(indexes)):
        raise EditError(f"{format_path(path)} has no item {sorted(set(indexes))}")
    if not drop:
        return
    kept = [v for i, v in enumerate(copy_data(seq.value)) if i not in drop]
    if seq.flow or not kept:
        for i in drop:
            doc._refuse_shared(path + (i,), replaces=True)
        _rewrite_flow(doc, path, kept)
        return
    for i in drop:
        doc._refuse_shared(path + (i,), replaces=True)
    expected = copy_data(doc.data)
    _container(expected, path)[:] = kept
    edits = []
    for i in drop:
        start, end = _item_span(doc, seq, i)
        if end == len(doc.text) and not doc.text.endswith(("\n", "\r")):
            start = start - 2 if doc.text.startswith("\r\n", start - 2) else start - 1  # the break before it goes instead
        edits.append((start, end, ""))
    doc._apply(edits, expected)


def move_item(doc: Document, path: Path, index: int, to: int) -> None:
    """Move the item at `index` of the list at `path` so that it ends up at `to`."""
    seq = _sequence(doc, path)
    count = len(seq.items)
    if not (0 <= index < count and 0 <= to < count):
        raise EditError(f"{format_path(path)} has {count} items; cannot move [{index}] to [{to}]")
    if index == to:
        return
    items = copy_data(seq.value)
    items.insert(to, items.pop(index))
    doc._refuse_shared(path + (index,), replaces=True)
    if seq.flow:
        _rewrite_flow(doc, path, items)
        return
    expected = copy_data(doc.data)
    _container(expected, path)[:] = items
    start, end = _item_span(doc, seq, index)
    block = doc.text[start:end]
    if not block.endswith(("\n", "\r")):
        block += doc._nl()
    if to < index:
        target = _item_span(doc, seq, to)[0]
        edits = [(target, target, block), (start, end, "")]
    else:
        target = _item_span(doc, seq, to)[1]
        if target == len(doc.text) and not doc.text.endswith(("\n", "\r")):
            edits = [(start, end, ""), (target, target, doc._nl() + block.rstrip("\r\n"))]
        else:
            edits = [(start, end, ""), (target, target, block)]
    doc._apply(edits, expected)


def _container(data: Any, path: Path) -> Any:
    for part in path:
        data = data[part]
    return data
