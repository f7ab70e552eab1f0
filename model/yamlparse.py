"""Parse YAML text into the node tree of yamltree.py, reading it as the server's loader does.

We parse with PyYAML's event parser (its libyaml-based C parser when installed, read as
libyaml_events.py says: on a large file it reads the events in a tenth of the time
yaml.safe_load takes) and build our own nodes, each with its value. PyYAML is also the
server's own loader: where libyaml and it disagree, its pure-Python parser has the last word.
Keys written twice are found here too (check_duplicate_keys).
"""

from __future__ import annotations

import bisect
import re
from sys import intern
from typing import Any, Iterator

import yaml as pyyaml
from yaml.error import MarkedYAMLError, YAMLError
from yaml.events import AliasEvent, DocumentEndEvent, DocumentStartEvent, StreamEndEvent

from . import libyaml_events
from .errors import ParseError
from .text_positions import YAML_BREAKS, line_start_in
from .workcount import WORK
from .yamldata import same_data
from .yaml11 import resolve_plain
from .yamltree import (  # (the builder fills in the tree's own slots: it is that module's other half)
    ALIAS, MAP, MERGE_KEY, SCALAR, SEQ, _TAG_PREFIX, Node, _Alias, _Branch, _Marked,
    _UNSET, _collection_value_noting_repeats, _scalar_value,
)  # fmt: skip

# the tags yaml.safe_load constructs, and the kind of node each takes
_STANDARD_TAGS = {"str", "int", "float", "bool", "null", "map", "seq", "omap", "pairs", "set", "timestamp", "binary"}
_TAG_KIND = {"map": "a mapping", "set": "a mapping", "seq": "a list", "omap": "a list", "pairs": "a list"}


def _check_tag(tag: str | None, kind: str, mark: Any) -> str | None:
    """`tag` of a node of `kind` (MAP, SEQ, SCALAR), refused when yaml.safe_load cannot construct it."""
    if tag is None or tag == "!":
        return tag
    if tag.startswith(_TAG_PREFIX) and tag[len(_TAG_PREFIX) :] in _STANDARD_TAGS:
        short = tag[len(_TAG_PREFIX) :]
        written = {MAP: "a mapping", SEQ: "a list"}.get(kind, "a single value")
        if written != _TAG_KIND.get(short, "a single value"):
            # PyYAML's constructor for the tag fails on the other kinds of node
            raise ParseError(f"the tag !!{short} cannot be used on {written}", line=mark.line + 1, column=mark.column + 1)
        return tag
    raise ParseError(
        f"tag {tag} is not understood by the server's YAML loader (yaml.safe_load)",
        line=mark.line + 1,
        column=mark.column + 1,
    )


_TAB_MESSAGE = "a tab character where YAML needs spaces (tabs may only appear in quoted values, block scalars and comments)"


# Nesting levels. PyYAML (the server's loader) recurses per level and stops near 490 from an
# empty stack, earlier from the server's own call stack: everything read here, the server reads.
MAX_DEPTH = 450


# A tag written straight against `,`, `[` or `]`: libyaml ends the tag there, PyYAML reads the
# character as part of it (`{a: !!binary, b: 1}` is an error to the server). Such a text is read
# by PyYAML's own parser, whose verdict is the server's.
_TAG_THEN_FLOW = re.compile(r"![^\s,\[\]{}]*[,\[\]]")


def _tag_against_flow(text: str) -> bool:
    """Whether a tag token stands against `,` `[` or `]` (each `!` looked at where it is: a regex
    over the whole of a 10 MB file costs a fifth of a second, and most files hold no `!`)."""
    pos = text.find("!")
    while pos != -1:
        if (pos == 0 or text[pos - 1] in " \t\r\n[]{},") and _TAG_THEN_FLOW.match(text, pos):
            return True
        pos = text.find("!", pos + 1)
    return False


# A directive (`%YAML 1.1`, `%TAG ...`): libyaml reads its line more loosely than PyYAML
# (`%YAML 1.1#x` passes libyaml; PyYAML refuses it). Config files rarely hold one: such a text is
# read by PyYAML's own parser. A directive stands before the document, after blank and comment
# lines only, or after a `...` that ends one; a `%` starting a line inside a quoted value is text.
_DIRECTIVE_FIRST = re.compile(f"(?:[ \t]*(?:#[^{YAML_BREAKS}]*)?(?:\r\n|[{YAML_BREAKS}]))*%")


def _has_directive(text: str) -> bool:
    if _DIRECTIVE_FIRST.match(text):
        return True
    return _starts_a_line(text, "%", "") and _starts_a_line(text, "...", f" \t{YAML_BREAKS}")


def _starts_a_line(text: str, what: str, followed_by: str) -> bool:
    """Whether `what` starts a line, then ends it or is followed by one of `followed_by` (each
    occurrence looked at where str.find puts it: a regex search over a 10 MB file took a
    quarter of a second, twice for each edit)."""
    pos = text.find(what)
    while pos != -1:
        end = pos + len(what)
        if (pos == 0 or text[pos - 1] in YAML_BREAKS) and (not followed_by or end == len(text) or text[end] in followed_by):
            return True
        pos = text.find(what, pos + 1)
    return False


def parse(text: str, notes: ParseNotes | None = None) -> Node:
    """Parse one YAML document into a Node tree; raises ParseError with line and column.

    `text` is the file after its first BOM. Every value is constructed here, so a file whose
    values the server's loader cannot read fails now, with its position, and never later
    when `.value` is first asked for. `notes`, when given, is filled in (see ParseNotes).
    """
    stand_in = _bom_stand_in(text)
    scanned = text.replace(BOM, stand_in) if stand_in else text
    pure = libyaml_events.libyaml is None or _tag_against_flow(scanned) or _has_directive(scanned)
    try:
        if pure:
            root = _build(pyyaml.parse(scanned, Loader=pyyaml.SafeLoader), stand_in, notes)
        else:
            with libyaml_events.events(scanned) as events:
                root = _build(events, stand_in, notes)
    except YAMLError as exc:
        # libyaml refuses a few things PyYAML reads (`{a: vector_io::faiss}`); the server's
        # verdict is PyYAML's, so it gets the last word (slower, but only on such files)
        if pure:
            raise _parse_error(exc, text, stand_in) from None
        if notes is not None:
            notes.__init__()  # what the failed pass counted goes
        try:
            root = _build(pyyaml.parse(scanned, Loader=pyyaml.SafeLoader), stand_in, notes)
        except YAMLError:
            raise _parse_error(exc, text, stand_in) from None
    _check_tabs(text, root)
    root.value  # noqa: B018 - construct now (see the docstring)
    return root


def parse_stream(text: str) -> list[Node]:
    """Every document of a YAML stream (a Kubernetes manifest holds several), each its own
    tree; anchors do not reach from one document into the next, as in every YAML loader."""
    try:
        with libyaml_events.events(text) as stream:
            events = list(stream)
    except YAMLError as exc:
        raise _parse_error(exc, text, "") from None
    roots: list[Node] = []
    document: list[Any] = []
    for event in events:
        if isinstance(event, DocumentStartEvent):
            document = [event]
        elif isinstance(event, DocumentEndEvent):
            root = _build(iter(document))
            root.value  # noqa: B018 - construct now: a value the loader cannot read fails here, with its place
            roots.append(root)
        elif document:
            document.append(event)
    return roots


BOM = "\ufeff"


def _bom_stand_in(text: str) -> str:
    """A character to parse in place of each BOM left in the text, or '' if there is none.

    PyYAML skips one BOM at the very start of the file (decode() already took it off) and
    reads any other as an ordinary character: a second BOM makes the first key
    '\\ufeffversion', one at the start of an indented line breaks the file. libyaml skips a BOM
    at the start of any line instead. A private-use character the text does not hold is read
    by both like any other letter, so parsing it and putting the BOM back gives PyYAML's view."""
    if BOM not in text:
        return ""
    return next(chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text)


def _parse_error(exc: YAMLError, text: str, stand_in: str) -> ParseError:
    def words(message: str) -> str:
        return message.replace(stand_in, BOM) if stand_in else message

    if isinstance(exc, MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if mark is not None and text[mark.index : mark.index + 1] == "\t":
            problem = _TAB_MESSAGE  # libyaml's own words ("cannot start any token") do not say it is a tab
        elif exc.context and exc.problem and exc.context_mark and mark is not exc.context_mark:
            problem = f"{problem} ({exc.context} at line {exc.context_mark.line + 1})"
        if mark is None:
            return ParseError(words(problem))
        line, column = mark.line, mark.column
        if mark.index >= len(text) and not text.endswith("\n"):
            # libyaml puts the end of a stream without a final newline on a line that does not exist
            line, column = _line_and_column(text, len(text))
        return ParseError(words(problem), line=line + 1, column=column + 1)
    # the reader's errors (control characters, bad encoding) carry no mark
    message = words((str(exc).splitlines() or ["invalid YAML"])[0])
    position = getattr(exc, "position", None)
    if isinstance(position, int) and 0 <= position <= len(text):
        line, column = _line_and_column(text, position)
        return ParseError(message, line=line + 1, column=column + 1)
    return ParseError(message)


_BREAK = re.compile(r"\r\n|\r|\n")


def _line_and_column(text: str, pos: int) -> tuple[int, int]:
    """0-based line and column of `pos`; a line ends with \n, \r\n or a bare \r, as YAML reads it."""
    breaks = _BREAK.findall(text, 0, pos)
    return len(breaks), pos - line_start_in(text, pos)


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
            line_start = line_start_in(text, pos)
            in_comment = any(
                text[q] == "#" and (q == line_start or text[q - 1] in " \t") and scalar_at(q) is None
                for q in range(line_start, pos)
            )
            if not in_comment:
                line, column = _line_and_column(text, pos)
                raise ParseError(_TAB_MESSAGE, line=line + 1, column=column + 1)
        pos = text.find("\t", pos + 1)


class ParseNotes:
    """What the one pass over the parser's events learns for the steps after it, so that none
    of them walks the whole tree again (on a 50,000-provider file each walk costs a second):
    the layout counts textstyle.detect_style needs, and the mappings where a key may be
    written twice (the only ones check_duplicate_keys must look at)."""

    __slots__ = ("quotes", "indents", "offsets", "maybe_repeated", "aliases")

    def __init__(self) -> None:
        self.quotes = {"'": 0, '"': 0}  # scalars written in each quote style
        # columns from a key to the keys of its block mapping value / to the `-` of its block
        # list value: {columns: [times, where first seen]}, where = (the mapping's start, its
        # depth, the key's index): the order a walk of the tree meets them, which breaks ties
        self.indents: dict[int, list] = {}
        self.offsets: dict[int, list] = {}
        self.maybe_repeated: list[Node] = []  # in the order they were completed (children first)
        self.aliases = 0  # alias nodes (*name): one value may then stand at several places


def _build(events: Iterator[Any], stand_in: str = "", notes: ParseNotes | None = None) -> Node:
    """Nodes from parser events (libyaml's or PyYAML's pure parser: the events are alike).

    Each node gets its value as soon as it is complete (children come first, as in yamltree._construct).
    PyYAML composes the whole document before it constructs a value, so a syntax error later
    in the text wins over a value it cannot construct earlier: after the first value that
    fails, construction stops, and parse()'s `root.value` meets that failure again (_construct
    goes in the same order) once every event has been read."""
    anchors: dict[str, Node] = {}
    stack: list[Node] = []
    pending_key: list[Node | None] = []
    root: Node | None = None
    documents = 0
    constructing = True
    last_line = last_start = -1
    notes = notes if notes is not None else ParseNotes()
    quotes, indents, offsets, maybe_repeated = notes.quotes, notes.indents, notes.offsets, notes.maybe_repeated
    new = object.__new__

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

    def count_layout(value: Node) -> None:
        """`value` (complete) was just given to the last key of the open mapping: count its
        indentation as detect_style wants it (block mappings' values on lines of their own)."""
        parent = stack[-1]
        if parent.kind != MAP or parent.flow or pending_key[-1] is not None:
            return
        key = parent.items[-1][0]
        if value.flow or value.line == key.line or not value.items:
            return
        counts = indents if value.kind == MAP else offsets
        columns = value.column - key.column
        where = (parent.start, len(stack), len(parent.items))
        seen = counts.get(columns)
        if seen is None:
            counts[columns] = [1, where]
        else:
            seen[0] += 1
            if where < seen[1]:
                seen[1] = where

    for event in events:
        if event.__class__ is not tuple:
            event = libyaml_events.as_tuple(event)  # (PyYAML's pure parser's; libyaml's come as tuples, see libyaml_events)
        cls = event.__class__
        size = len(event) if cls is tuple else 0
        if size == 7:  # a scalar
            anchor, tag, _, raw, mark, end_mark, style = event
            # (a key shares the int object of its line with its value, and of its start with the
            # mapping it opens: on a large file these ints are a tenth of the tree's memory)
            line, start = mark.line, mark.index
            if line == last_line:
                line = last_line
            if start == last_start:
                start = last_start
            # (every slot set here rather than by __init__: one call less for each of half a million)
            if tag is None and not anchor:
                node = new(Node)
            else:
                node = new(_Marked)
                node.tag = node.anchor = None
            node.kind, node.start, node.line, node.column, node.end = SCALAR, start, line, mark.column, end_mark.index
            last_line = line
            if stand_in:
                raw = raw.replace(stand_in, BOM)
            style = node.style = style or ""
            if style in quotes:
                quotes[style] += 1
            if tag is not None:
                node.tag = _check_tag(tag, SCALAR, mark)
            if anchor:
                node.anchor = anchor
                add_anchor(anchor, node, mark)
            # attach(node), written out: most events are scalars
            if not stack:
                root = node
            elif stack[-1].kind == SEQ:
                stack[-1].items.append(node)
            elif pending_key[-1] is None:
                # a key is one of a few names written again and again (provider_id, config, ...):
                # one string object each, not one per line (a tenth of a large file's tree)
                raw = intern(raw)
                pending_key[-1] = node
            else:
                stack[-1].items.append((pending_key[-1], node))
                pending_key[-1] = None
            node.raw = raw
            if not constructing:
                node._value = _UNSET
            elif tag is None and style:  # quoted or block: the text itself
                node._value = raw
            else:
                try:
                    node._value = resolve_plain(raw) if tag is None else _scalar_value(node)
                except Exception:  # noqa: BLE001 - raised again, in its turn, by _construct
                    node._value = _UNSET
                    constructing = False
        elif size == 6 or size == 8:  # a mapping's or a list's start
            anchor, tag, _, mark, _, flow_style = event[:6]
            if len(stack) >= MAX_DEPTH:
                raise ParseError(
                    f"the values are nested more than {MAX_DEPTH} levels deep here; the server's YAML loader "
                    "cannot read a file nested this deep either",
                    line=mark.line + 1,
                    column=mark.column + 1,
                )
            line, start = mark.line, mark.index
            if line == last_line:
                line = last_line
            if start == last_start:
                start = last_start
            node = _Branch(MAP if size == 6 else SEQ, start, line, mark.column)
            last_line, last_start = line, start
            node.flow = bool(flow_style)
            if tag is not None:
                node.tag = _check_tag(tag, node.kind, mark)
            if anchor:
                node.anchor = anchor
                add_anchor(anchor, node, mark)
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
            node = _Alias(ALIAS, mark.index, mark.line, mark.column)
            node.end = event.end_mark.index
            node.target = target
            node.raw = event.anchor
            notes.aliases += 1
            attach(node)
            if constructing:
                WORK.visits += 1
                node._value = target._value
            if stack and target.kind != SCALAR:
                count_layout(target)
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
        elif size == 2 and stack:  # a mapping's or a list's end
            node = stack.pop()
            pending_key.pop()
            if node.flow:
                node.end = event[1].index
            elif node.items:  # content_end(): the last item is complete, its end is its content's
                last = node.items[-1]
                node.end = (last[1] if node.kind == MAP else last).end
            if constructing:
                WORK.visits += 1
                try:
                    node._value, repeats = _collection_value_noting_repeats(node)
                except Exception:  # noqa: BLE001 - raised again, in its turn, by _construct
                    constructing = False
                else:
                    if repeats:
                        maybe_repeated.append(node)
            if stack:
                count_layout(node)
    if root is None:
        raise ParseError("the file is empty: it holds no YAML document")
    return root


def check_duplicate_keys(root: Node, candidates: list[Node] | None = None) -> list[tuple[Node, Node]]:
    """Find keys written twice in one mapping.

    PyYAML quietly keeps the last of two equal keys. When the two values differ one of them is
    lost, so we refuse the file; identical repeats (upstream ships one) are returned as
    (first, repeat) key pairs so validation can warn about them.

    `candidates`: ParseNotes.maybe_repeated of the parse that built `root` (every mapping where
    a key may repeat): only these are looked at, in the order a walk of the whole tree meets
    them (text order; a mapping before the ones inside it, which start where it starts).
    """
    repeats: list[tuple[Node, Node]] = []
    if candidates is None:
        mappings: Iterator[Node] | list[Node] = (node for node in root.walk() if node.kind == MAP)
    else:  # completed children first: at one start, the later one encloses the earlier
        order = sorted(range(len(candidates)), key=lambda i: (candidates[i].start, -i))
        mappings = [candidates[i] for i in order]
    for node in mappings:
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
            elif same_data(first[1].value, v.value):  # (aliases: shared values compared once)
                repeats.append((first[0], k))
            else:
                raise ParseError(
                    f"duplicate key {k.raw!r} with a different value than at line {first[0].line + 1}; "
                    "the server would silently drop the first one",
                    line=k.line + 1,
                    column=k.column + 1,
                )
    return repeats
