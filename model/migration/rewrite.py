"""The one line edit of a migration: every store config's settings block moves as written (with
its comments) under `storage.backends`, its reference is written where it was, and the values
rewritten with them (placeholders, store types) and the stores a new storage section needs go
into the same edit, checked by parsing the result once. Every other line stays byte for byte.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from ..document import Document, EditError
from ..line_blocks import KeyBlock
from ..intended import Intended
from ..render import render_block, render_entry, render_key, render_scalar
from ..releases import Release
from ..second_core import on_both_cores
from ..text_positions import TRAILING_COMMENT, lines_with_ends, without_break
from ..variables import scalar_values
from ..yamlpath import Path, format_path
from ..yamltree import MAP, Node
from .plan import TOP_LEVEL_STORES, Backend, MigrationError, Place, Plan
from .stores import AddedStore, startup_stores, store_groups

# the quota draft's limit.max_requests is the shipped authenticated_max_requests
_RENAMED_KNOBS = {"max_requests": "authenticated_max_requests"}
_STORE_ORDER = [store for store, _, _ in TOP_LEVEL_STORES.values()]
_COMMENT_LINE = re.compile(r"^[ \t]*#", re.MULTILINE)  # (not one after a value: those stay with it)


@dataclass
class _Body:
    lines: list[str]  # the settings' own lines, as written
    column: int  # the column of their keys
    has_type: bool


class Rewrite:
    """The line edit that moves every store config. `values`: the single values rewritten with
    it (placeholders, store types), as (path, new value), made in the same edit; `release`: the
    target release, whose missing startup stores a new storage section is written with.
    `planned`: (the text, the data the plan was made on: the document's with `values` set), the
    start of the data the edit must give while the text is still that one."""

    def __init__(
        self, doc: Document, plan: Plan, values: list[tuple[Path, Any]], release: Release | None, planned: tuple[str, Intended] | None = None,
    ) -> None:  # fmt: skip
        self.doc = doc
        self.plan = plan
        self.values = values
        self.release = release
        self.planned = planned
        self.style = doc.style
        self.indent = doc.style.indent
        self.nl = doc.style.newline
        self.bodies: dict[int, _Body] = {}
        self.extra_comments: dict[int, list[str]] = {}
        self.scalars: list[tuple[int, int, str]] = []  # the values' replacements, in text order
        self._blocks: dict[Path, KeyBlock] = {}
        self._blocks_of: str | None = None

    def _key_block(self, path: Path) -> KeyBlock:
        """doc.key_block, remembered while the text stays the same: each place's block is
        asked for by several steps (on 50,000 providers, a second each)."""
        if self._blocks_of is not self.doc.text:
            self._blocks, self._blocks_of = {}, self.doc.text
        block = self._blocks.get(path)
        if block is None:
            block = self._blocks[path] = self.doc.key_block(path)
        return block

    def run(self) -> list[AddedStore] | None:
        """Make the edit; the startup stores written with it (None: not written, see __init__)."""
        if self._needs_tree_edits():
            # places the line edit cannot take are edited first, each re-parsed: the values go first
            self.doc.set_scalars(self.values)
            self.values = []
            self._delete_loose_namespaces()
        # a store config's text goes, but for the first of each new backend's, which moves: the
        # values rewritten in the others need no replacement (their backend has them)
        moves = {id(backend.places[0]) for backend in self.plan.new_backends}
        dropped = _Below(place.path for place in self.plan.places if id(place) not in moves)
        self.values = [(path, value) for path, value in self.values if path not in dropped]
        self.scalars = sorted(self.doc.scalar_replacements(self.values))
        self._capture_settings()
        line_places = self._edit_flow_places()
        edits: list[tuple[int, int, str]] = []
        top = [p for p in line_places if p.target[:2] == ("storage", "stores")]
        others = [p for p in line_places if p.target[:2] != ("storage", "stores")]
        groups: dict[tuple, list[Place]] = {}
        for place in others:
            parent = place.path[:-1]
            groups.setdefault((parent, place.target[len(parent)]), []).append(place)
        ours, theirs = self._halves(list(groups.items()), self._edits_of_groups)
        edits += ours + theirs
        expected = self._expected(line_places)
        added = None
        if self.plan.fresh_storage and self.release is not None:
            storage = expected.data["storage"]
            added = startup_stores(expected.data, storage.get("backends") or {}, storage.get("stores") or {}, self.release, self.plan.partitions)
            for path, entries in store_groups(added):
                expected.container(path, create=True).update(entries)
        edits += self._storage_edits(top, added or [])
        edits = _merge_removals(edits, self.doc.text)
        scalars, expected = _outside(self.scalars, edits), expected.data
        # (what only led up to the edit goes before the re-parse, which is the peak of memory)
        self.scalars, self.values, self._blocks, self.bodies, groups = [], [], {}, {}, {}
        self.doc.replace_lines(edits, expected, scalars)
        return added

    def _needs_tree_edits(self) -> bool:
        """Some place is inside a {..} mapping (or does not start its line), or keeps a KV
        namespace that is not on lines of its own: those are edited before the line edit. The
        key blocks found on the way are kept; on a large file each core finds half of them."""

        def needs(places: list[Place]) -> tuple[bool, dict[Path, KeyBlock]]:
            return any(self._needs_tree_edit(place) for place in places), self._blocks

        # (each half is looked through to its end, also when the other has the answer)
        (ours, _), (theirs, found) = self._halves(self.plan.places, needs)
        if found is not self._blocks:  # (found on the second core)
            self._blocks.update(found)
        return ours or theirs

    def _needs_tree_edit(self, place: Place) -> bool:
        try:
            self._key_block(place.path)
        except EditError:
            return True
        return self._loose_namespace(place)

    def _halves(self, items: list, work: Callable[[list], Any]) -> tuple[Any, Any]:
        """(work(first half of items), work(second half)), on both cores for a large file."""
        half = len(items) // 2
        size = len(self.doc.text) if half else 0  # (nothing to share: no fork)
        return on_both_cores(lambda: work(items[:half]), lambda: work(items[half:]), size)

    def _edits_of_groups(self, groups: list[tuple[tuple[Path, str], list[Place]]]) -> list[tuple[int, int, str]]:
        return [edit for (parent, new_key), places in groups for edit in self._group_edits(parent, new_key, places)]

    def _loose_namespace(self, place: Place) -> bool:
        """A KV store's namespace (now the reference's) that cannot be cut from the moved lines."""
        return _moves_namespace(place) and self._namespace_block(place) is None

    def _delete_loose_namespaces(self) -> None:
        for place in self.plan.places:
            if self._loose_namespace(place):
                self.doc.delete(place.settings_path + ("namespace",))

    def _text(self, start: int, end: int) -> str:
        """The text from `start` to `end` as the edit leaves it: with the rewritten values."""
        text, scalars = self.doc.text, self.scalars
        i = bisect_left(scalars, (start,))
        parts, cursor = [], start
        while i < len(scalars) and scalars[i][1] <= end:
            at, until, new = scalars[i]
            parts += [text[cursor:at], new]
            cursor, i = until, i + 1
        parts.append(text[cursor:end])
        return "".join(parts)

    def _namespace_block(self, place: Place) -> KeyBlock | None:
        """The lines of a KV store's `namespace` key inside its block settings, which stay behind
        when the settings move (the namespace is now the reference's); None when not on lines of
        their own. Cutting them from the moved text, rather than deleting each with its own
        verified edit, keeps a migration of thousands of stores to one re-parse."""
        node = self.doc.node_at(place.settings_path)
        if node is None or node.kind != MAP or node.flow:
            return None
        try:
            self._key_block(place.settings_path)
            block = self._key_block(place.settings_path + ("namespace",))
        except EditError:
            return None
        return block

    def _capture_settings(self) -> None:
        for backend in self.plan.new_backends:
            first, *rest = backend.places
            body = self._settings_body(first)
            if body is not None:
                self.bodies[id(backend)] = body
            seen = {line.strip() for line in (body.lines if body else [])}
            comments = []
            for place in rest:  # identical settings written again elsewhere: keep their comments
                for line in self._settings_comments(place):
                    if line not in seen:
                        seen.add(line)
                        comments.append(line)
            self.extra_comments[id(backend)] = comments

    def _settings_ranges(self, place: Place) -> tuple[Node, list[tuple[int, int]]] | None:
        """The settings' mapping and the text ranges of their lines (without the namespace that
        stays behind), if they are a block mapping with keys."""
        node = self.doc.node_at(place.settings_path)
        if node is None or node.kind != MAP or node.flow or not node.items:
            return None
        try:
            block = self._key_block(place.settings_path)
        except EditError:
            return None
        first = self.doc.text.find("\n", block.line_start) + 1
        namespace = self._namespace_block(place) if _moves_namespace(place) else None
        if namespace is None:
            return node, [(first, block.end)]
        return node, [(first, namespace.comment_start), (namespace.end, block.end)]

    def _settings_body(self, place: Place) -> _Body | None:
        found = self._settings_ranges(place)
        if found is None:
            return None
        node, ranges = found
        lines = _split("".join(self._text(start, end) for start, end in ranges))
        # (the indentation of the first key's line: `? type` puts the key two columns right of
        # it, and a tag (`kvstore: !!map`) gives the mapping the tag's column)
        first_key = node.items[0][0].start
        indent = self.doc.text[self.doc._line_start(first_key) : first_key]
        return _Body(lines, len(indent) - len(indent.lstrip(" ")), node.get("type") is not None)

    def _settings_comments(self, place: Place) -> list[str]:
        """The comment lines of a place's settings, stripped (the values do not matter here)."""
        text = self.doc.text
        try:
            block = self._key_block(place.path)
        except EditError:
            pass
        else:
            if not _COMMENT_LINE.search(text, block.line_start, block.end):  # (no such line in all its text)
                return []
        found = self._settings_ranges(place)
        regions = [text[start:end] for start, end in found[1]] if found is not None else []
        return [line.strip() for region in regions if "#" in region for line in _split(region) if line.strip().startswith("#")]

    def _edit_flow_places(self) -> list[Place]:
        """Places inside a {..} mapping (or not starting their line) cannot move as lines: write
        their references with the document's ordinary edits. Returns the other places."""
        line_places = []
        for place in self.plan.places:
            try:
                self._key_block(place.path)
            except EditError:
                if place.target[:2] == ("storage", "stores") or place.is_draft_quota:
                    raise MigrationError(f"{format_path(place.path)} is written inside a {{...}} mapping; migrate it by hand") from None
                self.doc.set(place.target, place.value())
                if place.path != place.target:
                    self.doc.delete(place.path)
                continue
            line_places.append(place)
        return line_places

    # -- the references where the old configs were

    def _group_edits(self, parent: Path, new_key: str, places: list[Place]) -> list[tuple[int, int, str]]:
        """The old keys of one mapping that become one new key (agents' persistence_store and
        responses_store become persistence: {agent_state, responses}): the new key is written
        where the first of them was; the comments above the others come along."""
        blocks = sorted(((self._key_block(p.path), p) for p in places), key=lambda b: b[0].line_start)
        first = blocks[0][0]
        column, child = first.column, first.column + self.indent
        lines = [" " * column + render_key(new_key, self.style) + ":" + first.key_comment]
        for block, place in blocks:
            rest = place.target[len(parent) + 1 :]
            if not rest:
                lines += self._reference_lines(place, block, child)
                continue
            if block is not first:
                lines += _reindent(_split(self.doc.text[block.comment_start : block.line_start]), block.column, child)
            lines.append(" " * child + render_key(rest[0], self.style) + ":" + (block.key_comment if block is not first else ""))
            lines += self._reference_lines(place, block, child + self.indent)
        edits = [(first.line_start, first.end, self._lines_text(lines, first.end))]
        edits += [_removal(self.doc.text, block) for block, _ in blocks[1:]]
        return edits

    def _reference_lines(self, place: Place, block: KeyBlock, column: int) -> list[str]:
        """The reference's lines. Comments of the old value that are not in its moved settings
        (around the knobs of `{sql_store_config: ..., max_write_queue_size: 500  # small}`)
        come along: at the end of the line of the same key, else as comment lines above."""
        lines = render_block(place.value(), column, self.style)
        if place.settings_path == place.path or block.value_inline:
            return lines
        text = self.doc.text
        start = text.find("\n", block.line_start) + 1
        region = text[start : block.end]
        try:
            inner = self._key_block(place.settings_path)
            region = text[start : inner.line_start] + text[inner.end : block.end]
        except EditError:
            pass
        above = [line.strip() for line in _split(region) if line.strip().startswith("#")]
        node = self.doc.node_at(place.path)
        for path, value in scalar_values(node, place.path) if node is not None else ():
            if path[: len(place.settings_path)] == place.settings_path:
                continue
            line_end = text.find("\n", value.end)
            comment = TRAILING_COMMENT.match(text, value.end, len(text) if line_end == -1 else line_end)
            if not comment:
                continue
            key = _RENAMED_KNOBS.get(path[-1], path[-1])
            at = next((i for i, line in enumerate(lines) if line.startswith(" " * column + f"{key}:")), None)
            if at is None:
                above.append(comment.group().strip())
            else:
                lines[at] += comment.group().rstrip("\r")
        return [" " * column + c for c in above] + lines

    # -- storage.backends and storage.stores

    def _storage_edits(self, top: list[Place], added: list[AddedStore]) -> list[tuple[int, int, str]]:
        backends = [self._backend_lines(b, 0) for b in self.plan.new_backends]
        stores = [self._store_lines(p, 0) for p in sorted(top, key=lambda p: _STORE_ORDER.index(p.target[2]))]
        for path, entries in store_groups(added):
            for key, value in entries.items():
                (backends if path[-1] == "backends" else stores).append(render_entry(key, value, 0, self.style))
        blocks = sorted((self._key_block(p.path) for p in top), key=lambda b: b.line_start)
        edits = [_removal(self.doc.text, block) for block in blocks]
        if self.plan.fresh_storage:
            root = self.doc.root.items[0][0].column if self.doc.root.items else 0
            lines = [" " * root + "storage:"]
            lines += self._section("backends", backends, root + self.indent, empty="{}")
            lines += self._section("stores", stores, root + self.indent, empty="{}")
            if blocks:  # where the first of the old stores was
                edits[0] = (blocks[0].comment_start, blocks[0].end, self._lines_text(lines, blocks[0].end))
            else:  # after the providers
                edits.append(self._insertion(self._after_providers(), lines))
            return edits
        for key, entries in (("backends", backends), ("stores", stores)):
            if entries:
                edits.append(self._insert_into_storage(key, entries))
        return edits

    def _section(self, key: str, entries: list, column: int, empty: str) -> list[str]:
        if not entries:
            return [" " * column + key + ": " + empty]
        return [" " * column + key + ":"] + [line for entry in entries for line in _shift(entry, column + self.indent)]

    def _backend_lines(self, backend: Backend, column: int) -> list[str]:
        lines = [" " * column + c for c in self.extra_comments.get(id(backend), [])]
        lines.append(" " * column + render_key(backend.name, self.style) + ":")
        body = self.bodies.get(id(backend))
        child = column + self.indent
        if body is None:
            return lines + render_block({"type": backend.type, **backend.fields}, child, self.style)
        if not body.has_type:  # the draft quota kept its type outside its config
            lines.append(" " * child + "type: " + render_scalar(backend.type, self.style))
        return lines + _reindent(body.lines, body.column, child)

    def _store_lines(self, place: Place, column: int) -> list[str]:
        block = self._key_block(place.path)
        lines = _reindent(_split(self.doc.text[block.comment_start : block.line_start]), block.column, column)
        lines.append(" " * column + render_key(place.target[2], self.style) + ":" + block.key_comment)
        return lines + self._reference_lines(place, block, column + self.indent)

    def _insert_into_storage(self, key: str, entries: list[list[str]]) -> tuple[int, int, str]:
        storage = self.doc.node_at(("storage",))
        section = self.doc.node_at(("storage", key))
        if storage is None or storage.kind != MAP or storage.flow or not storage.items:
            raise MigrationError("storage is written as a {...} mapping or is empty; add the backends by hand")
        if section is None:
            column = storage.items[0][0].column
            lines = self._section(key, entries, column, empty="{}")
            return self._insertion(self._key_block(("storage",)).end, lines)
        if section.kind != MAP or section.flow or not section.items:
            raise MigrationError(f"storage.{key} is written as a {{...}} mapping or is empty; add the entries by hand")
        column = section.items[0][0].column
        return self._insertion(self._key_block(("storage", key)).end, [line for e in entries for line in _shift(e, column)])

    def _after_providers(self) -> int:
        if self.doc.root.get("providers") is not None:
            return self._key_block(("providers",)).end
        return len(self.doc.text)

    # -- text

    def _lines_text(self, lines: list[str], end: int) -> str:
        """Lines replacing a range that ended at `end` (with its line break, unless the file ends there without one)."""
        text = self.nl.join(lines)
        return text + self.nl if self.doc.text[end - 1 : end] == "\n" else text

    def _insertion(self, pos: int, lines: list[str]) -> tuple[int, int, str]:
        text = self.doc.text
        if pos < len(text) and text[pos : text.find("\n", pos) + 1].strip() == "":
            lines = [""] + lines  # the next section is a blank line away: so is this one
        if pos == len(text) and text and not text.endswith("\n"):
            # the file ends without a line break: the new lines go after one, and the file still
            # ends without (the last line itself may be another edit's: a moved block's)
            return (pos, pos, self.nl + self.nl.join(lines))
        return (pos, pos, self.nl.join(lines) + self.nl)

    def _expected(self, line_places: list[Place]) -> Intended:
        """The data the file must hold after the line edit (copies of only what it changes)."""
        text, data = self.planned or (None, None)
        self.planned = None  # (it is changed here)
        if text is not self.doc.text:  # edited since it was planned: from the data as it is now
            data = self.doc.intended()
        moved = _Below(place.path for place in line_places)
        for path, value in self.values:
            if path not in moved:  # (a moved value is its backend's)
                data.set(path, value)
        parents = []  # (a reference mostly goes where its old key was: one look-up of the mapping for both)
        for place in line_places:
            parent = data.container(place.path[:-1])
            del parent[place.path[-1]]
            parents.append(parent)
        for place, parent in zip(line_places, parents):
            if place.target[:2] == ("storage", "stores"):
                continue
            if len(place.target) == len(place.path) and place.target[:-1] == place.path[:-1]:
                parent[place.target[-1]] = place.value()
            else:
                data.set(place.target, place.value())
        data.container(("storage",), create=True)
        if self.plan.new_backends or self.plan.fresh_storage:
            backends = data.container(("storage", "backends"), create=True)
            for backend in self.plan.new_backends:
                backends[backend.name] = {"type": backend.type, **backend.fields}
        top = [p for p in line_places if p.target[:2] == ("storage", "stores")]
        if top or self.plan.fresh_storage:
            stores = data.container(("storage", "stores"), create=True)
            for place in top:
                stores[place.target[2]] = place.value()
        return data


class _Below:
    """`path in below`: whether `path` is below one of `paths` (asked for every value rewritten)."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self.paths = set(paths)
        self.lengths = sorted({len(path) for path in self.paths})

    def __contains__(self, path: Path) -> bool:
        return any(path[:n] in self.paths for n in self.lengths if n < len(path))


def _moves_namespace(place: Place) -> bool:
    return place.family == "kv" and not place.is_draft_quota and "namespace" in place.settings


def _removal(text: str, block: KeyBlock) -> tuple[int, int, str]:
    """Delete a key's lines with the comments above it; when blank lines stood on both sides,
    one of them goes too, so sections stay one blank line apart (and the file does not end
    in blank lines)."""
    start, end = block.comment_start, block.end
    before_blank = start == 0 or text.endswith(("\n\n", "\n\r\n"), 0, start)  # (no copy of all the text before)
    next_end = text.find("\n", end)
    if before_blank and end < len(text) and next_end != -1 and text[end:next_end].strip() == "":
        end = next_end + 1
    return (start, end, "")


def _merge_removals(edits: list[tuple[int, int, str]], text: str) -> list[tuple[int, int, str]]:
    """Removals that reach into each other (over the blank lines between them) become one; a
    removal up to the end of the file takes the blank lines before it along."""
    merged: list[tuple[int, int, str]] = []
    for start, end, new in sorted(edits):
        if merged and start <= merged[-1][1] and new == "" and merged[-1][2] == "":
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]), "")
        else:
            merged.append((start, end, new))
    if merged and merged[-1][1] == len(text) and merged[-1][2] == "":
        start, floor = merged[-1][0], merged[-2][1] if len(merged) > 1 else 0
        while start > floor and text[text.rfind("\n", 0, start - 1) + 1 : start].strip() == "":
            start = text.rfind("\n", 0, start - 1) + 1
        merged[-1] = (start, len(text), "")
    return merged


def _outside(scalars: list[tuple[int, int, str]], edits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The replacements in `scalars` that no line edit of `edits` (sorted) takes in: those
    inside one are in its new lines already (moved settings), or go with the lines removed."""
    starts = [start for start, _, _ in edits]
    out = []
    for scalar in scalars:
        i = bisect_right(starts, scalar[0]) - 1
        if i < 0 or edits[i][1] < scalar[1] or edits[i][0] == edits[i][1]:
            out.append(scalar)
    return out


def _split(text: str) -> list[str]:
    """Lines of `text` without their line breaks (a final break ends the last line)."""
    return [without_break(line) for line in lines_with_ends(text)]


def _reindent(lines: list[str], old_column: int, new_column: int) -> list[str]:
    """Move lines from `old_column` to `new_column`, keeping their indentation relative to it."""
    shift = new_column - old_column
    out = []
    for line in lines:
        if not line.strip():
            out.append("")
            continue
        indent = len(line) - len(line.lstrip(" "))
        out.append(" " * max(0, indent + shift) + line.lstrip(" "))
    return out


def _shift(lines: list[str], column: int) -> list[str]:
    """Lines written from column 0, moved to `column`."""
    return _reindent(lines, 0, column)
