"""The tree of nodes a YAML text parses into (yamlparse.py builds it): each node knows exactly
where it stands in the text, and its value is the one yaml.safe_load (the server's loader)
constructs.

Each node keeps its character span, so an edit can rewrite only the characters it must and
every other byte of the file, comments and all, stays as it was.
"""

from __future__ import annotations

from typing import Any, Iterator

from .errors import ParseError
from .workcount import WORK
from .yaml11 import InvalidScalar, construct_tagged, resolve_plain

MAP, SEQ, SCALAR, ALIAS = "map", "seq", "scalar", "alias"
MERGE_KEY = "<<"
_NO_ITEMS: tuple = ()  # every scalar and alias: they hold no items (a list each would cost 56 bytes)


class Node:
    """One YAML node. `start`/`end` are character offsets into the parsed text.

    A scalar with no tag or anchor is a plain Node; a tagged or anchored one is a _Marked;
    mappings and lists are _Branch, aliases _Alias: each has the slots only it uses (a
    50,000-provider file has half a million scalars: 56 bytes each less). The others read the
    class defaults below."""

    __slots__ = ("kind", "start", "end", "line", "column", "style", "raw", "_value")

    items: list = _NO_ITEMS  # map: [(key, value)], seq: [node] (a list of its own)
    flow = False  # collections written as [..] / {..}
    target: "Node | None" = None  # alias: the anchored node
    _flat: list | None = None  # a mapping's pairs with its merge keys flattened (_flattened)
    _index: dict | None = None  # a large mapping's first pair for each key (pair())
    tag: str | None = None  # as the parser gives it: `!!int` is tag:yaml.org,2002:int
    anchor: str | None = None  # the name of `&name`

    def __init__(self, kind: str, start: int, line: int, column: int) -> None:
        self.kind = kind
        self.start = start
        self.end = start
        self.line = line  # 0-based, like the parser's marks
        self.column = column
        self.style: str = ""  # scalar: "" plain, "'", '"', "|", ">"
        self.raw: str = ""  # scalar text after YAML unescaping
        self._value: Any = _UNSET

    def __repr__(self) -> str:
        return f"<Node {self.kind} {self.line + 1}:{self.column + 1} {self.raw[:20]!r}>"

    @property
    def resolved(self) -> "Node":
        """The node an alias points at (the node itself otherwise)."""
        return self.target if self.kind == ALIAS and self.target is not None else self

    @property
    def value(self) -> Any:
        """The Python value, as yaml.safe_load builds it: an alias gives the very object its
        anchor gives, so shared values stay shared (and walks can tell them by identity)."""
        if self._value is _UNSET:
            _construct(self)
        return self._value

    def content_end(self) -> int:
        """End of the last character that belongs to this node (block scalars lose their trailing newlines)."""
        node = self
        while node.kind in (MAP, SEQ) and not node.flow and node.items:
            last = node.items[-1]
            node = last[1] if node.kind == MAP else last
        return node.end

    def get(self, key: Any) -> "Node | None":
        """The value node for `key` in a mapping (merge keys are not followed)."""
        pair = self.pair(key)
        return pair[1] if pair else None

    def pair(self, key: Any) -> "tuple[Node, Node] | None":
        node = self.target if self.kind == ALIAS and self.target is not None else self
        if node.kind != MAP:
            return None
        items = node.items
        if len(items) > _SCANNED:
            # a key of a large mapping is found by a dict, built on first use: looking up each of
            # its keys in turn (a finding's position each) was quadratic by a scan
            index = node._index
            if index is None:
                index = node._index = _key_index(items)
            if index:
                try:
                    return index.get(key)
                except TypeError:  # (a key that cannot be hashed equals none of them)
                    return None
        # (parse() has given every node its value: read it without the property, as this runs
        # for every step of every path looked up)
        for pair in items:
            k = pair[0]
            if k.kind == SCALAR and (k._value if k._value is not _UNSET else k.value) == key:
                return pair
        return None

    def walk(self) -> Iterator["Node"]:
        """Every node written in the text, in text order; aliases are not followed (iterative:
        nesting as deep as the parser allows must not hit Python's recursion limit)."""
        stack = [self]
        while stack:
            node = stack.pop()
            WORK.visits += 1
            yield node
            if node.kind == MAP:
                for k, v in reversed(node.items):
                    stack.append(v)
                    stack.append(k)
            elif node.kind == SEQ:
                stack.extend(reversed(node.items))


    def walk_paths(self) -> Iterator[tuple[tuple, "Node"]]:
        """(path, node) for every node written in the text, in text order; a key comes with the
        path of the entry it names. Aliases are not followed: each node is met once."""
        stack: list[tuple[tuple, Node]] = [((), self)]
        while stack:
            path, node = stack.pop()
            WORK.visits += 1
            yield path, node
            if node.kind == MAP:
                for k, v in reversed(node.items):
                    sub = path + (k.value,)
                    stack.append((sub, v))
                    stack.append((sub, k))
            elif node.kind == SEQ:
                stack.extend((path + (i,), item) for i, item in reversed(list(enumerate(node.items))))


class _Marked(Node):
    """A node written with a tag (`!!str`) or an anchor (`&name`)."""

    __slots__ = ("tag", "anchor")

    def __init__(self, kind: str, start: int, line: int, column: int) -> None:
        super().__init__(kind, start, line, column)
        self.tag = None
        self.anchor = None


class _Branch(_Marked):
    """A mapping or a list."""

    # (a Document knows which state of a tree an undo step holds, by a weak reference to its root)
    __slots__ = ("items", "flow", "_flat", "_index", "__weakref__")

    def __init__(self, kind: str, start: int, line: int, column: int) -> None:
        # (every slot set here, not through the two classes above: one call per mapping, not three)
        self.kind, self.start, self.end, self.line, self.column = kind, start, start, line, column
        self.style, self.raw, self._value, self.tag, self.anchor = "", "", _UNSET, None, None
        self.items = []
        self.flow = False
        self._flat = None
        self._index = None


class _Alias(Node):
    __slots__ = ("target",)

    def __init__(self, kind: str, start: int, line: int, column: int) -> None:
        super().__init__(kind, start, line, column)
        self.target = None


class _Unset:
    pass


_SCANNED = 16  # a mapping with more keys than this finds them by its _index


def _key_index(items: list) -> dict:
    """{key value: its first (key, value) pair}, as the scan in pair() finds them (a key read as
    equal to the one asked for: 1 and 1.0 and True alike); {} when a key has no value to index
    by, and pair() scans."""
    index: dict = {}
    try:
        for pair in items:
            k = pair[0]
            if k.kind == SCALAR:
                index.setdefault(k._value if k._value is not _UNSET else k.value, pair)
    except Exception:  # noqa: BLE001 - a key that cannot be constructed or hashed: scan instead
        return {}
    return index


_UNSET = _Unset()

_TAG_PREFIX = "tag:yaml.org,2002:"


def _scalar_value(node: Node) -> Any:
    tag = node.tag
    if tag is None or tag == "!":
        # PyYAML resolves the non-specific tag `!` like a plain scalar, even on quoted text
        if tag == "!" or node.style == "":
            return _plain_value(node)
        return node.raw
    try:
        return construct_tagged(tag[len(_TAG_PREFIX) :], node.raw)
    except InvalidScalar as exc:
        raise ParseError(str(exc), line=node.line + 1, column=node.column + 1) from None


def _is_plain(node: Node, text: str) -> bool:
    """A scalar PyYAML resolves by its text (`<<` is then the merge key, `=` the value key)."""
    return node.kind == SCALAR and node.raw == text and (node.tag == "!" or (node.style == "" and node.tag is None))


def _plain_value(node: Node) -> Any:
    """resolve_plain, refusing what yaml.safe_load cannot construct (the server would not start)."""
    try:
        return resolve_plain(node.raw)
    except InvalidScalar as exc:
        problem = str(exc)
    except ValueError:  # `0b_`, `0x_`: PyYAML's int pattern matches but int() fails
        problem = f"{node.raw!r} looks like a number to the server's YAML loader but is not a valid one"
    raise ParseError(f"{problem}; put it in quotes", line=node.line + 1, column=node.column + 1)


_KEY_ONLY = (MERGE_KEY, "=")  # plain, PyYAML reads these as keys only


def _checked_value(node: Node) -> Any:
    # PyYAML tags a plain << (merge) and = (value) itself; only in key position does it know what to do with them
    if node.kind == SCALAR and (node.raw == MERGE_KEY or node.raw == "=") and _is_plain(node, node.raw):
        raise ParseError(f"the server's YAML loader cannot read a plain {node.raw} here; put it in quotes", line=node.line + 1, column=node.column + 1)
    return node.value


def _construct(root: Node) -> None:
    """Give `root` and every node below it its value, children first, without recursion.

    An anchored node comes before its aliases in the text and is not open around them (the
    parser refuses that), so in this order it always has its value when an alias needs it."""
    stack = [root]
    while stack:
        node = stack[-1]
        if node._value is not _UNSET:
            stack.pop()
            continue
        if node.kind == SCALAR:
            node._value = _scalar_value(node)
            stack.pop()
            continue
        children = [node.target] if node.kind == ALIAS else node.items if node.kind == SEQ else [n for pair in node.items for n in pair]
        waiting = [child for child in children if child._value is _UNSET]
        if waiting:
            stack.extend(reversed(waiting))
            continue
        WORK.visits += 1
        node._value = node.target._value if node.kind == ALIAS else _collection_value(node)
        stack.pop()


def _collection_value(node: Node) -> Any:
    return _collection_value_noting_repeats(node)[0]


def _collection_value_noting_repeats(node: Node) -> tuple[Any, bool]:
    """(the value, whether a key may be written twice in it): only mappings where that is True
    need check_duplicate_keys (a merge key counts, as merged keys hide a repeat in the count)."""
    short = node.tag[len(_TAG_PREFIX) :] if node.tag and node.tag.startswith(_TAG_PREFIX) else None
    if node.kind == SEQ:
        if short in ("omap", "pairs"):
            return _pairs(node, short), False
        return [item._value if item._value is not _UNSET and item.raw not in _KEY_ONLY else _checked_value(item) for item in node.items], False
    result: dict = {}
    merges = False
    # (once per pair of a large file: the checks below are only made on the text they are about)
    for k, v in node.items:
        if v.raw in _KEY_ONLY:
            _checked_value(v)
        if k.raw == MERGE_KEY and _is_plain(k, MERGE_KEY):
            merges = True
            continue
        key, value = k._value, v._value  # (children are built first: no property)
        if key is _UNSET:
            key = k.value
        if value is _UNSET:
            value = v.value
        try:
            result[key] = value
        except TypeError:
            raise ParseError("a mapping key must be a single value, not a list or mapping", line=k.line + 1, column=k.column + 1) from None
    repeats = merges or len(result) < len(node.items)
    if merges:
        merged = {key.value: value.value for key, value in _merged_pairs(node)}
        if merged:
            result = {**merged, **result}
    return (set(result) if short == "set" else result), repeats


def _merged_pairs(node: Node) -> list[tuple[Node, Node]]:
    """The (key, value) pairs merge keys (<<) bring into a mapping, in the order PyYAML 6.0.4's
    flatten_mapping lists them: each `<<` in turn, a list's mappings in order, each mapping
    flattened first. A later pair wins, so with `<<: [*a, *b]` a key both have takes b's value.
    PyYAML drops a pair whose key is the same string object as one already taken: the same
    key node reached twice, or a one-character key (CPython shares those strings)."""
    pairs: list[tuple[Node, Node]] = []
    seen: set = set()
    for k, v in node.items:
        if not _is_plain(k, MERGE_KEY):
            continue
        sources = v.resolved.items if v.resolved.kind == SEQ else [v]
        for src in sources:
            if src.resolved.kind != MAP:
                raise ParseError("a merge key (<<) needs a mapping or a list of mappings", line=v.line + 1, column=v.column + 1)
            for pair in _flattened(src.resolved):
                WORK.visits += 1
                identity = _key_identity(pair[0])
                if identity not in seen:
                    seen.add(identity)
                    pairs.append(pair)
    return pairs


def _flattened(node: Node) -> list[tuple[Node, Node]]:
    """A mapping's pairs as PyYAML holds them once its own merge keys are flattened (kept on the
    node: merges of merges through aliases would otherwise repeat the work exponentially)."""
    if node._flat is None:
        node._flat = _merged_pairs(node) + [(k, v) for k, v in node.items if not _is_plain(k, MERGE_KEY)]
    return node._flat


def _key_identity(key: Node) -> Any:
    key = key.resolved
    text = key.raw if key.kind == SCALAR else None
    if isinstance(text, str) and len(text) <= 1 and (not text or ord(text) < 256):
        return ("shared", text)
    return id(key)


def _pairs(node: Node, short: str) -> list:
    """!!omap / !!pairs: a list of one-entry mappings, which PyYAML makes a list of (key, value)."""
    out = []
    for item in node.items:
        entry = item.resolved
        if entry.kind != MAP or len(entry.items) != 1:
            raise ParseError(f"each item of a !!{short} list must be a mapping with exactly one entry", line=item.line + 1, column=item.column + 1)
        k, v = entry.items[0]
        if _is_plain(k, MERGE_KEY):
            raise ParseError(f"a merge key (<<) cannot stand in a !!{short} list", line=k.line + 1, column=k.column + 1)
        out.append((k.value, _checked_value(v)))
    return out
