"""Removing a key with its value, and the comment lines that belong to it, from block and flow
mappings: `Document.delete`, and the one replacement each removal is (also used by the line
edits that remove several keys at once, line_blocks.py). Mixed into Document (document.py)."""

from __future__ import annotations

from typing import Any

from .errors import EditError
from .text_positions import odd_line_break
from .yamlpath import Path, format_path
from .yamltree import MAP, SCALAR, Node


class KeyRemoval:
    """Document's removals; they read its text and tree and edit through its _replace."""

    text: str
    root: Node
    has_aliases: bool

    def delete(self, path: Path) -> None:
        """Remove the key at `path` with its value and the comment lines directly above it."""
        parent_path = path[:-1]
        parent = self.node_at(parent_path)
        if parent is None or parent.resolved.kind != MAP or isinstance(path[-1], int):
            raise EditError(f"{format_path(path)} is not a key of a mapping")
        parent = parent.resolved
        pair = parent.pair(path[-1])
        if pair is None:
            raise EditError(f"{format_path(path)} does not exist")
        self._refuse_shared(path, replaces=True)
        self._refuse_repeated(path, last_ok=True)
        self._refuse_merged_override(parent, path, "deleting")
        intended = self.intended()
        intended.delete(path)
        expected = intended.data
        old_text, old_root, old_aliases = self.text, self.root, self.has_aliases
        try:
            # a key written twice with the same value (check_duplicate_keys lets that load): the
            # extra copies go first, each leaving the data as it is, then the last one
            while len(copies := [p for p in parent.items if p[0].kind == SCALAR and p[0].value == path[-1]]) > 1:
                self._delete_pair(parent_path, parent, copies[0], self.data)
                parent = self.node_at(parent_path).resolved
            self._delete_pair(parent_path, parent, copies[0], expected)
        except EditError:
            self.text, self.root, self.has_aliases = old_text, old_root, old_aliases
            raise

    def _delete_pair(self, parent_path: Path, parent: Node, pair: tuple[Node, Node], expected: Any) -> None:
        if len(parent.items) == 1 and parent_path:
            self._replace_value(parent_path, {}, expected)
            return
        self._replace(*self._pair_removal(parent_path, parent, pair), expected)

    def _pair_removal(self, parent_path: Path, parent: Node, pair: tuple[Node, Node], index: int | None = None) -> tuple[int, int, str]:
        """The replacement that deletes `pair` (at `index` in `parent`, if known) from `parent`,
        which holds more than it (or is the file's root mapping)."""
        key_node, value_node = pair
        if index is None:
            index = parent.items.index(pair)
        if parent.flow:
            if len(parent.items) == 1:  # the only entry of a whole-file {..}: the braces stay
                return (self._flow_open(parent) + 1, self.text.rfind("}", parent.start, parent.end), "")
            if index + 1 < len(parent.items):
                start, end = key_node.start, parent.items[index + 1][0].start
            else:
                start = self.text.rfind(",", parent.start, key_node.start)
                end = value_node.end if value_node.kind != SCALAR or value_node.raw else key_node.end + 1
            return (start, end, "")
        line_start = self._line_start(key_node.start)
        self.refuse_split_explicit_key(key_node, "cannot remove it")
        explicit = self._explicit_key_column(key_node)
        column = key_node.column
        if explicit is not None and not self.text[line_start : line_start + explicit].strip():
            column = explicit  # an explicit `? key`: its lines start at the `?`
        elif self.text[line_start : key_node.start].strip():
            # the key shares its line with a "- " item marker: the next key moves up to that line
            if not self.text[line_start : key_node.start].lstrip(" ").startswith("-") or index + 1 >= len(parent.items):
                failed = f"the key {key_node.raw!r} does not start its line"
                raise EditError(odd_line_break(self.text, failed) or f"cannot remove it: {failed}")
            next_key = parent.items[index + 1][0]
            end = self._block_end(value_node, key_node.column)
            if "#" in self.text[end : next_key.start]:
                # unless comment lines stand above it: they belong to it and stay there (`-` alone
                # on its line, the mapping below it, is the same list item)
                start = key_node.start
                while self.text[start - 1] == " ":
                    start -= 1
                return (start, end, "")
            return (key_node.start, next_key.start, "")
        start = self._attached_comment_start(line_start, column)
        end = self._block_end(value_node, column)
        if not parent_path and len(parent.items) == 1:
            # the last key of the file: what is left is an empty mapping, not an empty file
            return (start, end, "{}")
        if end < len(self.text):
            end = self._next_line(end)
        elif start > 0 and not self.text[start:end].endswith(("\n", "\r")):
            start -= 2 if self.text.startswith("\r\n", start - 2) else 1  # the line break before it
        return (start, end, "")
