"""Whole lines of a document as blocks: the lines a key or a list item takes (with the comment
lines above it and below it that belong to it), and one edit that replaces many such ranges at
once. A migration moves store settings as text this way, so their comments, quotes and
placeholders come along; upgrade steps and the quota switch comment blocks out or in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable

from .errors import EditError
from .text_positions import TextPositions, lines_with_ends, odd_line_break
from .yamlpath import Path, format_path
from .yamltree import MAP, SCALAR, SEQ, Node


class LineBlocks(TextPositions):
    """Mixed into Document; these use its:"""

    data: Any
    node_at: Callable[[Path], "Node | None"]
    _apply: Callable[..., None]  # the edit, checked by a re-parse
    _pair_removal: Callable[..., tuple[int, int, str]]
    anchor_used_outside: Callable[[list[Node]], "tuple[int, Node, Node] | None"]  # (edit_guards.py)

    def key_block(self, path: Path) -> "KeyBlock":
        """The lines the key at `path` takes in the text, for moving it elsewhere.

        A migration moves store settings from where they were to storage.backends: moved as
        text (not re-rendered from values), their comments, quotes and placeholders come along.
        Only a key of a block mapping that starts its own line has such a block."""
        parent = self.node_at(path[:-1]) if path else None
        pair = parent.resolved.pair(path[-1]) if parent is not None and not isinstance(path[-1], int) else None
        if pair is None or parent.resolved.flow:
            raise EditError(f"{format_path(path)} is not a key of a block mapping")
        key_node, value_node = pair
        line_start = self._line_start(key_node.start)
        if self.text[line_start : key_node.start].strip(" "):
            raise EditError(f"{format_path(path)} does not start its line")
        self.refuse_split_explicit_key(key_node, lambda: f"cannot move {format_path(path)}")
        end = self._block_end(value_node, key_node.column)
        end = len(self.text) if end >= len(self.text) else self._next_line(end)
        inline = value_node.line == key_node.line or (value_node.kind == SCALAR and value_node.style not in ("|", ">"))
        # the end-of-line comment of the key's line (after the value when it is on that line)
        comment = self._trailing_comment(self._last_char(value_node) if inline else self._colon_after(key_node))
        return KeyBlock(self._attached_comment_start(line_start, key_node.column), line_start, end, key_node.column, comment, inline)

    def refuse_split_explicit_key(self, key_node: Node, what: str | Callable[[], str], then: str = "edit") -> None:
        """EditError for a key _split_explicit_key finds, naming it and its line; `what`: the
        edit refused, or a function making that text (key_block is asked for thousands of keys)."""
        split = self._split_explicit_key(key_node)
        if split is not None:
            what = what if isinstance(what, str) else what()
            line = key_node.line + 1 - len(lines_with_ends(self.text, split[0], self._line_start(key_node.start)))
            raise EditError(f"{what}: the key {key_node.raw!r} is written explicitly, its `?` alone on line {line}; "
                            f"write it as `{key_node.raw}:`, then {then}")  # fmt: skip

    def item_block(self, path: Path) -> "KeyBlock":
        """The lines a list item at `path` (`- ...` in a block list) takes, as key_block does for
        a key: from its `-` line (with the comment lines directly above it) to its last line."""
        parent = self.node_at(path[:-1]) if path else None
        node = self.node_at(path)
        if node is None or parent is None or parent.resolved.kind != SEQ or parent.resolved.flow or not isinstance(path[-1], int):
            raise EditError(f"{format_path(path)} is not an item of a block list")
        line_start = self._line_start(node.start)
        marker = self.text[line_start : node.start]
        if not marker.strip(" ").startswith("-"):
            # `-` alone on its line, the item below it
            line_start = self._line_start(line_start - 1) if line_start else 0
            marker = self.text[line_start : self._line_end(line_start)]
            if marker.strip(" ") != "-":
                raise EditError(f"{format_path(path)} does not start its line")
        column = len(marker) - len(marker.lstrip(" "))
        end = self._block_end(node, column)
        end = len(self.text) if end >= len(self.text) else self._next_line(end)
        return KeyBlock(self._attached_comment_start(line_start, column), line_start, end, column, "", False)

    def replace_lines(self, edits: list[tuple[int, int, str]], expected: Any, scalars: list[tuple[int, int, str]] | None = None) -> None:
        """Replace ranges of whole lines in one step; the result must hold `expected`.

        For a change that moves blocks between places (a migration turns inline store configs
        into backends plus references): one edit at a time would pass through configs nobody
        meant, and the caller writes the new lines from the file's own text so comments move
        with their block. Every other line stays as it is; the re-parse checks the data.
        `scalars`: replacements from scalar_replacements, outside the line edits, made in the
        same step (one re-parse for all). An insertion at the end of a file that does not end
        with a line break starts its text with one. Both lists are emptied: on a large file they
        hold as much text as the file, which is not kept through the re-parse."""
        edits.sort()
        size = len(self.text)
        for start, end, new in edits:
            at_end = start == end == size and new.startswith(("\n", "\r"))
            if not at_end and not (self._line_start(start) == start and (end == size or self._line_start(end) == end) and start <= end):
                raise EditError(odd_line_break(self.text, "a line edit must start and end at line boundaries") or "internal error: a line edit must start and end at line boundaries")
        scalars = scalars if scalars is not None else []
        every = sorted(edits + scalars)
        if any(nxt[0] < end for (_, end, _), nxt in zip(every, every[1:])):
            raise EditError(odd_line_break(self.text, "line edits overlap") or "internal error: line edits overlap")
        edits.clear()  # (emptied, see above; `every` is, by _apply)
        scalars.clear()
        self._apply(every, expected, patch=False)

    def drop_repeated_copies(self, paths: Iterable[Path]) -> list[tuple[Path, list[int]]]:
        """Delete the earlier copies of each key at `paths` that is written more than once and
        keep the last, which is the one the server reads; returns (path, the 1-based lines of
        the copies removed) for each path that had some.

        Loading accepts only repeats with the same value, so the data does not change; but
        edits at or under a repeated key are refused, and a migration must edit under it. All
        go in one edit, checked by one re-parse (one per copy made thousands of copies
        quadratic): a copy inside another that goes, goes with it; one whose lines run into
        another's goes in a second edit."""
        by_parent: dict[Path, set] = {}
        for path in paths:
            by_parent.setdefault(tuple(path[:-1]), set()).add(path[-1])
        dropped: dict[Path, list[int]] = {}
        while True:
            removals = []  # (start, end, new text, the path, the (key, value) pair that goes)
            for parent_path, keys in by_parent.items():
                parent = self.node_at(parent_path)
                parent = parent.resolved if parent is not None else None
                if parent is None or parent.kind != MAP:
                    continue
                copies: dict = {}
                for index, pair in enumerate(parent.items):
                    if pair[0].kind == SCALAR and pair[0].value in keys:
                        copies.setdefault(pair[0].value, []).append((index, pair))
                for key, pairs in copies.items():
                    for index, pair in pairs[:-1]:
                        removals.append((*self._pair_removal(parent_path, parent, pair, index), parent_path + (key,), pair))
            if not removals:
                return list(dropped.items())
            edits: list[tuple[int, int, str]] = []
            going = []
            reach = -1
            for start, end, new, path, pair in sorted(removals, key=lambda r: (r[0], -r[1])):
                if start < reach:  # inside one that goes (or running into it: the next edit)
                    continue
                edits.append((start, end, new))
                going.append((path, pair))
                dropped.setdefault(path, []).append(pair[0].line + 1)
                reach = end
            self._refuse_anchors_going(going)
            self._apply(edits, self.data, patch=False)

    def _refuse_anchors_going(self, going: list[tuple[Path, tuple[Node, Node]]]) -> None:
        """An anchor (`&name`) in a copy that goes, used by an alias (`*name`) outside what goes:
        the alias would point at nothing. Refused, with where each stands."""
        found = self.anchor_used_outside([node for _, pair in going for node in pair])
        if found is not None:
            index, node, alias = found
            path, (key, _) = going[index // 2]
            raise EditError(
                f"{format_path(path)} is written twice, and its earlier copy (line {key.line + 1}) holds the YAML anchor "
                f"&{node.anchor}, which *{node.anchor} at line {alias.line + 1} uses; remove that copy by hand "
                "(with the anchor moved to what stays)"
            )


@dataclass(frozen=True)
class KeyBlock:
    """Where a key of a block mapping stands in the text (see LineBlocks.key_block)."""

    comment_start: int  # the comment lines directly above the key start here (== line_start if none)
    line_start: int  # start of the key's own line
    end: int  # just past the line break of its last line (len(text) at the end of a file without one)
    column: int  # the key's column
    key_comment: str  # end-of-line comment of the key's line, with the blanks before it ('' if none)
    value_inline: bool  # the value is written on the key's line: no lines of its own below it
