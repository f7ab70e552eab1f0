"""Edits that only rewrite single-line scalar values, made to the parsed tree in place.

An edit otherwise parses the whole file again: about 100 ms on 5,000 providers and over a
second on 50,000, for a value that moved nothing else. When every replacement is exactly one
plain or quoted value on one line (or a key with its value on the lines below: a renamed
backend), in block context, in a file with no anchors or aliases and no key written twice
(nor a renamed key made one that is), each new text is parsed on its own and must read as one scalar that spans
all of it (so it reads the same in place: a `: `, ` #`, leading indicator or `---` would make it
something else on its own too). The nodes after it move by the change in length (lines and
columns stay: nothing follows a block value on its line but a comment), and the mappings and
lists above it get new values, built as the parser builds them. Those are new objects: the data
as it was stays as it was, since nothing changes data in place. The caller still compares the
result with the data the edit meant (Document._apply).
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate

from .errors import ParseError
from .workcount import WORK
from .yamlparse import BOM, parse
from .yamltree import MAP, MERGE_KEY, SCALAR, SEQ, Node, _collection_value

_QUOTED_OR_PLAIN = ("", "'", '"')


def patch_scalars(root: Node, text: str, replacements: list[tuple[int, int, str]]) -> bool:
    """Make `replacements` (sorted, not overlapping) to `root`, the tree of `text`; False, and
    the tree untouched, when one of them is not a value this can patch."""
    if not replacements:
        return False
    chains, news = [], []
    parsed: dict[str, Node | None] = {}  # (a rename writes one new text at thousands of places)
    for start, end, new in replacements:
        if text.find("\n", start, end) != -1 or text.find("\r", start, end) != -1:
            return False
        chain = _chain_to(root, start, end)
        if chain is None:
            return False
        scalar = parsed[new] if new in parsed else parsed.setdefault(new, _standalone(new))
        if scalar is None or (chain[-2].kind == MAP and _key_taken(chain[-2], chain[-1], scalar)):
            return False
        chains.append(chain)
        news.append(scalar)
    old_ends = [end for _, end, _ in replacements]
    shifts = [0, *accumulate(len(new) - (end - start) for start, end, new in replacements)]
    _move(root, old_ends, shifts)
    dirty: dict[int, tuple[int, Node]] = {}
    for chain, scalar in zip(chains, news):
        target = chain[-1]
        target.raw, target.style, target._value = scalar.raw, scalar.style, scalar._value  # (a renamed key too)
        for depth, node in enumerate(chain[:-1]):
            dirty[id(node)] = (depth, node)
    for _, node in sorted(dirty.values(), key=lambda item: -item[0]):  # children before parents
        node._value = _collection_value(node)
        node._index = None  # (a key renamed in it: pair() indexes it again)
    return True


def _chain_to(root: Node, start: int, end: int) -> list[Node] | None:
    """The nodes from `root` down to the scalar spanning exactly start..end (a value, or a key:
    rename-backend renames one), if it is one this can patch: untagged, unanchored, plain or
    quoted, under block collections that have no tag."""
    chain = _descend(root, start, keys=True)
    node = chain[-1] if chain else None
    if node is None or not _plain_or_quoted(node) or (node.start, node.end) != (start, end) or end <= start:
        return None
    return chain


def _plain_or_quoted(node: Node) -> bool:
    """A scalar with no tag and no anchor, plain or in quotes (not a block scalar)."""
    return node.kind == SCALAR and node.tag is None and node.anchor is None and node.style in _QUOTED_OR_PLAIN


def _descend(root: Node, offset: int, keys: bool = False) -> list[Node] | None:
    """The nodes from `root` down to the value (with `keys`, or key) that starts at or before
    `offset`, through block collections with no tag; None where that meets anything else."""
    chain = [root]
    node = root
    while node.kind in (MAP, SEQ):
        if node.flow or node.tag is not None or node.anchor is not None or not node.items:
            return None
        if node.kind == MAP:
            i = bisect_right(node.items, offset, key=lambda pair: pair[0].start) - 1
            if i < 0:
                return None
            key, node = node.items[i]
            if key.end > offset:
                # a key whose value is on the lines below it (a value after it on its line would change column)
                return chain + [key] if keys and key.start == offset and node.line > key.line else None
        else:
            i = bisect_right(node.items, offset, key=lambda item: item.start) - 1
            if i < 0:
                return None
            node = node.items[i]
        chain.append(node)
    return chain


def value_around(root: Node, text: str, new_text: str) -> tuple[int, int, str] | None:
    """Where `text` (the tree's) and `new_text` differ, as one replacement of a whole value
    that patch_scalars may take (undo and redo of a patched edit); None if they differ
    elsewhere or more widely."""
    shorter = min(len(text), len(new_text))
    prefix = _common(text, new_text, shorter)
    end = len(text) - _common(text, new_text, shorter - prefix, at_end=True)
    chain = _descend(root, prefix)
    node = chain[-1] if chain else None
    if node is None or node.kind != SCALAR or not node.start <= prefix <= end <= node.end:
        return None
    return node.start, node.end, new_text[node.start : node.end + len(new_text) - len(text)]


def _common(a: str, b: str, limit: int, at_end: bool = False) -> int:
    """The length of the longest common start (`at_end`: end) of `a` and `b`, `limit` at
    most, found by halving (slices compare in C)."""
    low, high = 0, limit
    while low < high:
        mid = (low + high + 1) // 2
        if (a[len(a) - mid :] == b[len(b) - mid :]) if at_end else (a[:mid] == b[:mid]):
            low = mid
        else:
            high = mid - 1
    return low


def _key_taken(mapping: Node, node: Node, scalar: Node) -> bool:
    """`node` is a key of `mapping` and another key there reads as the new one (or the new
    one cannot be a key): a rename must not write a key twice."""
    if not any(key is node for key, _ in mapping.items):
        return False
    try:
        hash(scalar.value)
    except TypeError:
        return True
    return any(key is not node and key.kind == SCALAR and key.value == scalar.value for key, _ in mapping.items)


def _standalone(text: str) -> Node | None:
    """`text` parsed on its own, if it is one plain or quoted scalar that spans all of it."""
    if not text or any(c in text for c in ("\n", "\r", "\t", BOM)):
        return None
    try:
        node = parse(text)
    except ParseError:
        return None
    if not _plain_or_quoted(node) or (node.start, node.end) != (0, len(text)):
        return None
    if node.style == "" and node.raw in (MERGE_KEY, "="):
        return None  # (a plain << or = as a value is refused by the loader, see yamltree._checked_value)
    return node


def _move(root: Node, old_ends: list[int], shifts: list[int]) -> None:
    """Move every node by the length the replacements before it changed; a node that holds one
    grows by it. Subtrees that end before the first replacement are not visited. Nodes come in
    text order, so the count of replacements before a node's start only grows: it is carried
    along rather than searched for at each of the file's nodes."""
    first, count = old_ends[0], len(old_ends)
    stack = [root]
    before = visits = 0  # replacements that end at or before the current node's start
    while stack:
        node = stack.pop()
        if node.end < first:
            continue
        visits += 1
        start = node.start
        if before and old_ends[before - 1] > start:  # (not in text order after all: search)
            before = bisect_right(old_ends, start)
        while before < count and old_ends[before] <= start:
            before += 1
        node.start = start + shifts[before]
        kind = node.kind
        if kind == SCALAR:  # (it holds no replacement's end but, if replaced, its own)
            node.end += shifts[before + 1 if before < count and old_ends[before] <= node.end else before]
            continue
        node.end += shifts[bisect_right(old_ends, node.end, before)]
        if kind == MAP:
            for pair in reversed(node.items):
                stack.append(pair[1])
                stack.append(pair[0])
        elif kind == SEQ:
            stack.extend(reversed(node.items))
    WORK.visits += visits
