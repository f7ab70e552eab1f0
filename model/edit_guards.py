"""What an edit must not do, refused before it is made with where each thing stands: change a
value YAML anchors repeat elsewhere (`&name` / `*name` / `<<: *name`), drop an anchor an alias
still uses, edit one copy of a key written twice, or write over what a merge key brings in.
Mixed into Document (document.py), whose tree these read."""

from __future__ import annotations

from typing import Any

from .errors import EditError
from .yamlpath import Path, format_path
from .yamltree import ALIAS, MAP, SCALAR, SEQ, Node


class EditGuards:
    """The refusals of Document's edits; they read its tree (root, has_aliases, repeated_keys)."""

    root: Node
    has_aliases: bool
    repeated_keys: list[tuple[Node, Node]]
    _repeated_firsts: tuple[list | None, set[int]] = (None, set())  # (repeated_keys, the ids of their first copies)

    def _alias_users(self) -> dict[int, list[Node]]:
        """id of an anchored node -> the aliases that repeat it."""
        users: dict[int, list[Node]] = {}
        if not self.has_aliases:  # (the parse counted them: no walk of the whole tree per edit)
            return users
        for n in self.root.walk():
            if n.kind == ALIAS and n.target is not None:
                users.setdefault(id(n.target), []).append(n)
        return users

    def anchor_used_outside(self, going: list[Node], users: dict[int, list[Node]] | None = None) -> tuple[int, Node, Node] | None:
        """(the index in `going`, an anchored node written in that one, an alias outside all of
        `going` that repeats it): what would point at nothing once `going` is removed or
        replaced; None when nothing would. `users`: `_alias_users()`, if at hand."""
        users = self._alias_users() if users is None else users
        if not users:
            return None
        inside = {id(n) for root in going for n in root.walk()}
        for index, root in enumerate(going):
            for node in root.walk():
                for alias in users.get(id(node), ()):
                    if id(alias) not in inside:
                        return index, node, alias
        return None

    def _refuse_shared(self, path: Path, *, replaces: bool, users: dict[int, list[Node]] | None = None) -> None:
        """Refuse an edit that YAML anchors would carry to other places.

        After an edit the data must equal the data with only `path` changed; a change inside an
        anchored value shows up wherever an alias (`*name`, `<<: *name`) repeats it, and
        replacing a value drops the anchors inside it that aliases elsewhere still use.
        `users`: `_alias_users()`, when one edit checks many paths."""
        users = self._alias_users() if users is None else users
        if not users:
            return
        chain = [self.root]
        for part in path:
            node = chain[-1]
            if node.kind == ALIAS:
                raise EditError(
                    f"{format_path(path)} is inside *{node.raw} (line {node.line + 1}), which repeats the value anchored "
                    f"&{node.raw} at line {node.target.line + 1}; give {format_path(path[: len(chain) - 1])} a value of its own first"
                )
            child = (node.items[part] if -len(node.items) <= part < len(node.items) else None) if node.kind == SEQ and isinstance(part, int) else node.get(part)
            if child is None:
                break
            chain.append(child)
        found = len(chain) == len(path) + 1
        shared = list(chain[:-1] if found else chain)
        if found and replaces:
            dropped = self.anchor_used_outside([chain[-1]], users)  # (an anchor the new value drops)
            shared += [dropped[1]] if dropped is not None else []
        for n in shared:
            if id(n) in users:
                alias = users[id(n)][0]
                raise EditError(
                    f"{format_path(path)} would also change *{alias.raw} at line {alias.line + 1}, which repeats the value "
                    f"anchored &{n.anchor} at line {n.line + 1}; edit the file by hand to change shared values"
                )

    def _refuse_repeated(self, path: Path, *, last_ok: bool = False) -> None:
        """Refuse to edit at or under a key written more than once in its mapping: the server
        reads the last copy, and changing one copy would leave two that disagree."""
        if not self.repeated_keys:  # (the parse found every key written twice: none)
            return
        if self._repeated_firsts[0] is not self.repeated_keys:  # (asked once per path of a large rename)
            self._repeated_firsts = (self.repeated_keys, {id(first) for first, _ in self.repeated_keys})
        firsts = self._repeated_firsts[1]
        node: Node | None = self.root
        for depth, part in enumerate(path):
            node = node.resolved
            if node.kind == MAP:
                pair = node.pair(part)
                if pair is not None and id(pair[0]) in firsts and not (last_ok and depth == len(path) - 1):
                    keys = [k for k, _ in node.items if k.kind == SCALAR and k.value == part]
                    lines = " and ".join(str(k.line + 1) for k in keys)
                    raise EditError(f"{format_path(path[: depth + 1])} is written {len(keys)} times (lines {lines}); remove the extra copies by hand first")
                node = pair[1] if pair is not None else None
            elif node.kind == SEQ and isinstance(part, int) and -len(node.items) <= part < len(node.items):
                node = node.items[part]
            else:
                return
            if node is None:
                return

    def _refuse_merged_override(self, parent: Node, path: Path, doing: str) -> None:
        """A key that overrides one merged in with `<<:` cannot go away: the merged value would
        come back in its place instead."""
        merged = _merged_from(parent, path[-1])
        if merged is not None:
            raise EditError(
                f"{format_path(path)} overrides the value merged in from line {merged[1].resolved.line + 1}; "
                f"{doing} it would bring that value back, so edit the file by hand"
            )

    def _refuse_through_merge(self, parent: Node, path: Path) -> None:
        """A value below a key that only a merge key (`<<: *base`) brings in: a key of its own
        written here would replace the whole merged value, not change the one value in it."""
        merged = _merged_from(parent, path[-1])
        if merged is not None:
            merge_key, source = merged
            raise EditError(
                f"{format_path(path)} is merged in with `<<:` (line {merge_key.line + 1}) from line {source.resolved.line + 1}; "
                f"set the value there (every mapping that merges it changes too), or write {format_path(path)} out in full here first"
            )


def _merged_from(mapping: Node, key: Any) -> tuple[Node, Node] | None:
    """(the `<<` key, the mapping it merges in) that brings `key` into `mapping`, if one does."""
    for k, v in mapping.items:
        if k.kind == SCALAR and k.raw == "<<" and k.style == "" and k.tag is None:
            for source in v.resolved.items if v.resolved.kind == SEQ else [v]:
                if isinstance(source.value, dict) and key in source.value:
                    return k, source
    return None
