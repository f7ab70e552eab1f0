"""Parse YAML text into a tree of nodes that know exactly where they stand in the text.

We parse with ruamel.yaml's event parser (its libyaml-based C parser when installed, which is
ten times faster than the pure-Python round-trip loader on large files) and build our own
nodes. Each node keeps its character span, so an edit can rewrite only the characters it
must and every other byte of the file, comments and all, stays as it was.
"""

from __future__ import annotations

import bisect
from typing import Any, Iterator

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from .errors import ParseError
from .yaml11 import _to_float, _to_int, resolve_plain, timestamp_error

MAP, SEQ, SCALAR, ALIAS = "map", "seq", "scalar", "alias"
MERGE_KEY = "<<"

_parser = YAML(typ="safe", pure=False)


class Node:
    """One YAML node. `start`/`end` are character offsets into the parsed text."""

    __slots__ = (
        "kind", "start", "end", "line", "column", "tag", "style", "flow",
        "anchor", "raw", "items", "target", "_value",
    )  # fmt: skip

    def __init__(self, kind: str, start: int, line: int, column: int) -> None:
        self.kind = kind
        self.start = start
        self.end = start
        self.line = line  # 0-based, like the parser's marks
        self.column = column
        self.tag: str | None = None
        self.style: str = ""  # scalar: "" plain, "'", '"', "|", ">"
        self.flow = False  # collections written as [..] / {..}
        self.anchor: str | None = None
        self.raw: str = ""  # scalar text after YAML unescaping
        self.items: list = []  # map: [(key, value)], seq: [node]
        self.target: Node | None = None  # alias: the anchored node
        self._value: Any = _UNSET

    def __repr__(self) -> str:
        return f"<Node {self.kind} {self.line + 1}:{self.column + 1} {self.raw[:20]!r}>"

    @property
    def resolved(self) -> "Node":
        """The node an alias points at (the node itself otherwise)."""
        return self.target if self.kind == ALIAS and self.target is not None else self

    @property
    def value(self) -> Any:
        if self._value is _UNSET:
            self._value = _construct(self)
        return self._value

    def content_end(self) -> int:
        """End of the last character that belongs to this node (block scalars lose their trailing newlines)."""
        if self.kind in (MAP, SEQ) and not self.flow:
            if not self.items:
                return self.end
            last = self.items[-1]
            return (last[1] if self.kind == MAP else last).content_end()
        return self.end

    def get(self, key: Any) -> "Node | None":
        """The value node for `key` in a mapping (merge keys are not followed)."""
        pair = self.pair(key)
        return pair[1] if pair else None

    def pair(self, key: Any) -> "tuple[Node, Node] | None":
        node = self.resolved
        if node.kind != MAP:
            return None
        for k, v in node.items:
            if k.kind == SCALAR and k.value == key:
                return k, v
        return None

    def walk(self) -> Iterator["Node"]:
        yield self
        if self.kind == MAP:
            for k, v in self.items:
                yield from k.walk()
                yield from v.walk()
        elif self.kind == SEQ:
            for item in self.items:
                yield from item.walk()


class _Unset:
    pass


_UNSET = _Unset()

_TAG_PREFIX = "tag:yaml.org,2002:"
_TAG_KIND = {"map": "a mapping", "set": "a mapping", "seq": "a list", "omap": "a list"}
_STANDARD_TAGS = {"str", "int", "float", "bool", "null", "map", "seq", "omap", "set", "timestamp", "binary"}


def _scalar_value(node: Node) -> Any:
    tag = node.tag
    if tag is None or tag == "!":
        # PyYAML resolves the non-specific tag `!` like a plain scalar, even on quoted text
        if tag == "!" or node.style == "":
            return _plain_value(node)
        return node.raw
    short = tag[len(_TAG_PREFIX) :] if tag.startswith(_TAG_PREFIX) else None
    try:
        if short == "int":
            return _to_int(node.raw)
        if short == "float":
            return _to_float(node.raw)
        if short == "bool":
            return {"true": True, "false": False, "yes": True, "no": False, "on": True, "off": False}[
                node.raw.lower()
            ]
        if short == "null":
            return None
    except (ValueError, KeyError, IndexError):
        raise ParseError(f"{node.raw!r} is not a valid !!{short}", line=node.line + 1, column=node.column + 1)
    return node.raw


def _plain_value(node: Node) -> Any:
    """resolve_plain, refusing what yaml.safe_load cannot construct (the server would not start)."""
    problem = None
    try:
        value = resolve_plain(node.raw)
    except ValueError:  # `0b_`, `0x_`: PyYAML's int pattern matches but int() fails
        problem = f"{node.raw!r} looks like a number to the server's YAML loader but is not a valid one"
    else:
        if node.raw == "=":  # PyYAML tags it !!value and has no constructor for that
            problem = "the server's YAML loader cannot read a plain ="
        elif isinstance(value, str):
            problem = timestamp_error(node.raw)
        if problem is None:
            return value
    raise ParseError(f"{problem}; put it in quotes", line=node.line + 1, column=node.column + 1)


def _checked_value(node: Node) -> Any:
    # a plain << is a merge key; anywhere but in key position PyYAML has no constructor for it
    if node.kind == SCALAR and node.raw == MERGE_KEY and node.style == "" and node.tag is None:
        raise ParseError("the server's YAML loader cannot read a plain << here; put it in quotes", line=node.line + 1, column=node.column + 1)
    return node.value


def _construct(node: Node) -> Any:
    node = node.resolved
    if node.kind == SCALAR:
        return _scalar_value(node)
    if node.kind == SEQ:
        return [_checked_value(item) for item in node.items]
    result: dict = {}
    merged: dict = {}
    for k, v in node.items:
        _checked_value(v)
        if k.kind == SCALAR and k.style == "" and k.raw == MERGE_KEY and k.tag is None:
            sources = v.resolved.items if v.resolved.kind == SEQ else [v]
            for src in reversed(sources):
                if src.resolved.kind != MAP:
                    raise ParseError("a merge key (<<) needs a mapping or a list of mappings", line=v.line + 1, column=v.column + 1)
                merged.update(src.value)
            continue
        try:
            result[k.value] = v.value
        except TypeError:
            raise ParseError("a mapping key must be a single value, not a list or mapping", line=k.line + 1, column=k.column + 1) from None
    if merged:
        return {**merged, **result}
    return result


def _check_tag(event: Any, mark: Any) -> str | None:
    tag = getattr(event, "tag", None)
    if tag is None or tag == "!":
        return tag
    if tag.startswith(_TAG_PREFIX) and tag[len(_TAG_PREFIX) :] in _STANDARD_TAGS:
        short = tag[len(_TAG_PREFIX) :]
        kind = "a mapping" if isinstance(event, MappingStartEvent) else "a list" if isinstance(event, SequenceStartEvent) else "a single value"
        if kind != _TAG_KIND.get(short, "a single value"):
            # PyYAML's constructor for the tag fails on the other kinds of node
            raise ParseError(f"the tag !!{short} cannot be used on {kind}", line=mark.line + 1, column=mark.column + 1)
        return tag
    raise ParseError(
        f"tag {tag} is not understood by the server's YAML loader (yaml.safe_load)",
        line=mark.line + 1,
        column=mark.column + 1,
    )


_TAB_MESSAGE = "a tab character where YAML needs spaces (tabs may only appear in quoted values, block scalars and comments)"


def parse(text: str) -> Node:
    """Parse one YAML document into a Node tree; raises ParseError with line and column.

    Every value is constructed here, so a file whose values the server's loader cannot read
    fails now, with its position, and never later when `.value` is first asked for.
    """
    try:
        root = _build(_parser.parse(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if mark is not None and text[mark.index : mark.index + 1] == "\t":
            problem = _TAB_MESSAGE  # libyaml's own words ("cannot start any token") do not say it is a tab
        elif exc.context and exc.problem and exc.context_mark and mark is not exc.context_mark:
            problem = f"{problem} ({exc.context} at line {exc.context_mark.line + 1})"
        if mark is None:
            raise ParseError(problem) from None
        line, column = mark.line, mark.column
        if mark.index >= len(text) and not text.endswith("\n"):
            # libyaml puts the end of a stream without a final newline on a line that does not exist
            line, column = text.count("\n"), len(text) - (text.rfind("\n") + 1)
        raise ParseError(problem, line=line + 1, column=column + 1) from None
    except YAMLError as exc:  # the reader's errors (control characters, bad encoding) carry no mark
        message = (str(exc).splitlines() or ["invalid YAML"])[0]
        position = getattr(exc, "position", None)
        if isinstance(position, int) and 0 <= position <= len(text):
            line = text.count("\n", 0, position)
            column = position - (text.rfind("\n", 0, position) + 1)
            raise ParseError(message, line=line + 1, column=column + 1) from None
        raise ParseError(message) from None
    _check_tabs(text, root)
    root.value  # noqa: B018 - construct now (see the docstring)
    return root


def _check_tabs(text: str, root: Node) -> None:
    """Refuse the tabs PyYAML (the server's loader) refuses although libyaml accepts them.

    PyYAML skips only spaces between tokens, so a tab is fine inside a quoted or block scalar
    and inside a comment, and an error anywhere else (after a colon, before a comment, inside
    a plain scalar, at the end of a line).
    """
    if "\t" not in text:
        return
    scalars = sorted((n.start, n.end, n.style in ("'", '"', "|", ">")) for n in root.walk() if n.kind == SCALAR)
    starts = [s[0] for s in scalars]

    def scalar_at(pos: int) -> tuple[int, int, bool] | None:
        i = bisect.bisect_right(starts, pos) - 1
        return scalars[i] if i >= 0 and pos < scalars[i][1] else None

    pos = text.find("\t")
    while pos != -1:
        inside = scalar_at(pos)
        if not (inside and inside[2]):
            line_start = text.rfind("\n", 0, pos) + 1
            in_comment = any(
                text[q] == "#" and (q == line_start or text[q - 1] in " \t") and scalar_at(q) is None
                for q in range(line_start, pos)
            )
            if not in_comment:
                line = text.count("\n", 0, pos)
                raise ParseError(_TAB_MESSAGE, line=line + 1, column=pos - line_start + 1)
        pos = text.find("\t", pos + 1)


def _build(events: Iterator[Any]) -> Node:
    anchors: dict[str, Node] = {}
    stack: list[Node] = []
    pending_key: list[Node | None] = []
    root: Node | None = None
    documents = 0

    def add_anchor(name: str, node: Node, mark: Any) -> None:
        # libyaml lets a later &name replace an earlier one; PyYAML refuses the file
        first = anchors.get(name)
        if first is not None:
            raise ParseError(
                f"the anchor &{name} is already defined at line {first.line + 1}; the server's YAML loader refuses a repeated anchor",
                line=mark.line + 1,
                column=mark.column + 1,
            )
        anchors[name] = node

    def attach(node: Node) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent = stack[-1]
        if parent.kind == SEQ:
            parent.items.append(node)
        elif pending_key[-1] is None:
            pending_key[-1] = node
        else:
            parent.items.append((pending_key[-1], node))
            pending_key[-1] = None

    for event in events:
        cls = type(event)
        if cls is ScalarEvent:
            mark = event.start_mark
            node = Node(SCALAR, mark.index, mark.line, mark.column)
            node.end = event.end_mark.index
            node.raw = event.value
            node.style = event.style or ""
            node.tag = _check_tag(event, mark)
            node.anchor = event.anchor
            if event.anchor:
                add_anchor(event.anchor, node, mark)
            attach(node)
        elif cls is MappingStartEvent or cls is SequenceStartEvent:
            mark = event.start_mark
            node = Node(MAP if cls is MappingStartEvent else SEQ, mark.index, mark.line, mark.column)
            node.flow = bool(event.flow_style)
            node.tag = _check_tag(event, mark)
            node.anchor = event.anchor
            if event.anchor:
                add_anchor(event.anchor, node, mark)
            attach(node)
            stack.append(node)
            pending_key.append(None)
        elif cls is AliasEvent:
            mark = event.start_mark
            target = anchors.get(event.anchor)
            if target is None:
                raise ParseError(f"found undefined alias *{event.anchor}", line=mark.line + 1, column=mark.column + 1)
            if any(open_node is target for open_node in stack):
                # `x: &a [*a]` would be a value that contains itself; the server cannot load it either
                raise ParseError(f"alias *{event.anchor} refers to the collection it is inside", line=mark.line + 1, column=mark.column + 1)
            node = Node(ALIAS, mark.index, mark.line, mark.column)
            node.end = event.end_mark.index
            node.target = target
            node.raw = event.anchor
            attach(node)
        elif cls is DocumentStartEvent:
            documents += 1
            if documents > 1:
                mark = event.start_mark
                raise ParseError(
                    "the file holds more than one YAML document; a run config is exactly one",
                    line=mark.line + 1,
                    column=mark.column + 1,
                )
        elif cls is StreamEndEvent:
            break
        elif stack and (cls.__name__ in ("MappingEndEvent", "SequenceEndEvent")):
            node = stack.pop()
            pending_key.pop()
            node.end = event.end_mark.index if node.flow else node.content_end()
    if root is None:
        raise ParseError("the file is empty: it holds no YAML document")
    return root


def check_duplicate_keys(root: Node) -> list[tuple[Node, Node]]:
    """Find keys written twice in one mapping.

    PyYAML quietly keeps the last of two equal keys. When the two values differ one of them is
    lost, so we refuse the file; identical repeats (upstream ships one) are returned as
    (first, repeat) key pairs so validation can warn about them.
    """
    repeats: list[tuple[Node, Node]] = []
    for node in root.walk():
        if node.kind != MAP:
            continue
        seen: dict[Any, tuple[Node, Node]] = {}
        for k, v in node.items:
            if k.kind != SCALAR or (k.raw == MERGE_KEY and k.style == ""):
                continue
            try:
                first = seen.get(k.value)
            except TypeError:
                continue
            if first is None:
                seen[k.value] = (k, v)
            elif first[1].value == v.value:
                repeats.append((first[0], k))
            else:
                raise ParseError(
                    f"duplicate key {k.raw!r} with a different value than at line {first[0].line + 1}; "
                    "the server would silently drop the first one",
                    line=k.line + 1,
                    column=k.column + 1,
                )
    return repeats
