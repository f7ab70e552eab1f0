"""A run.yaml held as its exact text plus a parsed tree that points into it.

Loading and saving with no edit gives back the same bytes, because the text is never
re-emitted: an edit rewrites only the characters of the value, key or lines it concerns, in
the file's own style (see textstyle.py), and everything else stays byte for byte. After every
edit the text is parsed again and compared with what the edit meant to produce, so a bug in
an edit can never reach the disk as a silently different config.
"""

from __future__ import annotations

import weakref
from contextlib import contextmanager
from typing import Any, Iterator

from .errors import ConfigFileError, EditError, ParseError
from .gcpause import gc_paused
from .intended import Intended
from .redaction import shown_repr
from .render import render_block, render_entry, render_flow, render_key, render_scalar, is_collection
from .safefile import Snapshot, atomic_write, read_config_bytes
from .scalar_patch import patch_scalars, value_around
from .templates import explain_parse_error
from .edit_guards import EditGuards
from .key_removal import KeyRemoval
from .line_blocks import LineBlocks
from .text_positions import odd_line_break
from .textstyle import TextStyle, detect_style
from .yamldata import same_data, value_in
from .yamlpath import Path, format_path
from .yamlparse import ParseNotes, check_duplicate_keys, parse
from .yamltree import ALIAS, MAP, SCALAR, SEQ, Node

BOM = "\ufeff"


def explain_load_error(exc: ConfigFileError, text: str, name: str | None) -> None:
    """Make an error loading `text` say what the operator needs: the file, a Helm template for
    what it is (not the parser's puzzle), and no password quoted back."""
    exc.file = exc.file or name
    if isinstance(exc, ParseError) and "{{" in text:
        explain_parse_error(exc, text)
    exc.hide_secret_value(text)  # a message quoting a password's value (model.redaction)


def decode(data: bytes, file: str | None) -> tuple[str, bool]:
    """Bytes to text, refusing binary files and text that is not UTF-8."""
    if b"\x00" in data[:8192] or b"\x00" in data:
        offset = data.index(b"\x00")
        line = data.count(b"\n", 0, offset) + 1
        raise ParseError("this is a binary file, not YAML text (it contains NUL bytes)", file=file, line=line, column=offset - data.rfind(b"\n", 0, offset))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        raise ParseError(
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded)", file=file, line=line, column=column
        ) from None
    bom = text.startswith(BOM)
    return (text[1:] if bom else text), bom


class Document(KeyRemoval, LineBlocks, EditGuards):
    def __init__(self, text: str, *, name: str | None = None, bom: bool = False, snapshot: Snapshot | None = None):
        self.name = name
        self.bom = bom
        self.snapshot = snapshot
        self.original_text = text
        self.repeated_keys: list[tuple[Node, Node]] = []
        self._nodes: dict[Path, Node | None] = {}  # node_at's remembered nodes, of the tree _nodes_of
        self._nodes_of: Node | None = None
        self._states: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # tree -> its state (see parsed)
        notes = ParseNotes()
        self._set_text(text, notes=notes)
        self.style: TextStyle = detect_style(text, notes, bom)

    # -- loading and saving -------------------------------------------------------------

    @classmethod
    def load(cls, path: str) -> "Document":
        data, snapshot = read_config_bytes(path)
        return cls.from_bytes(data, name=path, snapshot=snapshot)

    @classmethod
    def from_bytes(cls, data: bytes, *, name: str | None = None, snapshot: Snapshot | None = None) -> "Document":
        text, bom = decode(data, name)
        return cls.from_text(text, name=name, bom=bom, snapshot=snapshot)

    @classmethod
    def from_text(cls, text: str, *, name: str | None = None, bom: bool = False, snapshot: Snapshot | None = None) -> "Document":
        """The document of `text`; an error names `name` and never quotes a secret's value."""
        try:
            return cls(text, name=name, bom=bom, snapshot=snapshot)
        except ConfigFileError as exc:
            explain_load_error(exc, text, name)
            raise

    def to_bytes(self) -> bytes:
        return ((BOM if self.bom else "") + self.text).encode("utf-8")

    # The file a document is saved to is its text, except for a config a Kubernetes manifest
    # holds (model.manifests.editing.EmbeddedDocument): these say what goes to the file.

    def file_texts(self) -> tuple[str, str]:
        """(the file's text as loaded, the file's text with the edits)."""
        return self.original_text, self.text

    def file_position(self, line: int, column: int) -> tuple[int, int]:
        """The file's 1-based (line, column) for this document's."""
        return line, column

    def reloaded(self) -> "Document":
        """The file as it is on disk now."""
        return Document.load(self.name)

    @property
    def modified(self) -> bool:
        return self.text != self.original_text

    def save(self, path: str | None = None, *, force: bool = False, backup: bool = True) -> Snapshot:
        """Write atomically. Saving over the loaded file refuses if it changed on disk meanwhile."""
        target = path or self.name
        if target is None:
            raise EditError("this document has no file name; give one to save it")
        same_file = self.name is not None and target == self.name
        snapshot = atomic_write(target, self.to_bytes(), snapshot=self.snapshot if same_file else None, backup=backup, force=force)
        if same_file:
            self.snapshot = snapshot
            self.original_text = self.text
        return snapshot

    def diff(self, context: int = 3) -> str:
        """Unified diff between the loaded text and the current text."""
        from .disk_change import unified_diff

        name = self.name or "run.yaml"
        before, after = self.file_texts()
        return unified_diff(before, after, f"{name} (on disk)", f"{name} (edited)", context)

    # -- reading -------------------------------------------------------------------------

    def _set_text(self, text: str, notes: ParseNotes | None = None) -> None:
        notes = notes or ParseNotes()
        with gc_paused():  # a parse tree has no cycles: the collector would only slow it down
            root = parse(text, notes)
            self.repeated_keys = check_duplicate_keys(root, notes.maybe_repeated)
        self.has_aliases = notes.aliases > 0
        if root.resolved.kind != MAP:
            if root.kind == SCALAR and root.style == "" and root.raw == "" and root.tag is None:
                # `---` and nothing else: an empty document, not a value someone wrote
                raise ParseError("the file is empty: it holds no settings", line=root.line + 1, column=root.column + 1)
            what = {SEQ: "a list", SCALAR: "a single value"}.get(root.resolved.kind, "not a mapping")
            raise ParseError(
                f"the top level of a run config must be a mapping of keys (version, providers, storage, ...), but it is {what}",
                line=root.line + 1,
                column=root.column + 1,
            )
        self.text = text
        self.root = root
        self._nodes, self._nodes_of = {}, root

    @contextmanager
    def tree_released(self) -> Iterator[None]:
        """Let go of the parsed tree while the block runs, and parse the text again after it:
        for reading another large document meanwhile (the file as it was loaded, to compare
        diagnostics with), so the two trees are never in memory at once."""
        text = self.text
        self.root = None
        self._nodes, self._nodes_of = {}, None
        try:
            yield
        finally:
            self._set_text(text)

    def parsed(self) -> tuple:
        """The text with what was parsed from it, for `restore` (an undo step keeps it)."""
        state = self._states.setdefault(self.root, object())
        return self.text, self.root, self.repeated_keys, self.has_aliases, state, self.root.value

    def restore(self, text: str, parsed: tuple | None = None) -> None:
        """Put back an earlier text of this document (undo / redo); with what `parsed` gave for
        that text, without parsing it again. Edits build a new tree, except those scalar_patch
        makes to the current one: a tree patched since `parsed` is patched back when it is the
        current one and the texts differ in one value, else the text is parsed."""
        if parsed is not None and parsed[0] is text:
            if self._states.get(parsed[1]) is parsed[4]:
                self.text, self.root, self.repeated_keys, self.has_aliases, _, _ = parsed
                self._nodes, self._nodes_of = {}, self.root
                return
            if parsed[1] is self.root and self._patch_back(text, parsed[5]):
                return
        self._set_text(text)

    def _patch_back(self, text: str, data: Any) -> bool:
        replacement = value_around(self.root, self.text, text) if self.written_once else None
        return replacement is not None and self._patch([replacement], text, data)

    @property
    def written_once(self) -> bool:
        """No value stands at two places (YAML aliases) and no key is written twice: the text
        of each node alone makes its value, so a node can be read, cached or patched by its text."""
        return not self.has_aliases and not self.repeated_keys

    @property
    def data(self) -> dict:
        return self.root.value

    def node_at(self, path: Path) -> Node | None:
        if len(path) <= _SHARED_DEPTH:
            return _descend(self.root, path)
        # a provider's fields (providers.API[i].config...) are looked up by the ten thousand on a
        # large file: the provider's node is remembered for this tree, the rest is a step or two
        if self._nodes_of is not self.root:
            self._nodes, self._nodes_of = {}, self.root
        head = path[:_SHARED_DEPTH]
        node = self._nodes.get(head, _NOT_LOOKED_UP)
        if node is _NOT_LOOKED_UP:
            node = self._nodes[head] = _descend(self.root, head)
        return _descend(node, path[_SHARED_DEPTH:])

    def key_node_at(self, path: Path) -> Node | None:
        parent = self.node_at(path[:-1])
        if parent is None or isinstance(path[-1], int):
            return None
        pair = parent.pair(path[-1])
        return pair[0] if pair else None

    def position(self, path: Path, *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value (or key) at `path`, or of its nearest existing ancestor."""
        for depth in range(len(path), -1, -1):
            sub = path[:depth]
            node = self.key_node_at(sub) if (key and depth == len(path) and sub and isinstance(sub[-1], str)) else None
            node = node or self.node_at(sub)
            if node is not None:
                return node.line + 1, node.column + 1
        return 1, 1

    def value_at(self, path: Path, default: Any = None) -> Any:
        node = self.node_at(path)
        return default if node is None else node.value

    # -- applying edits (where things stand in the text: text_positions.py) ------------------

    def _nl(self) -> str:
        return self.style.newline

    def _join(self, lines: list[str]) -> str:
        return self._nl().join(lines)

    def _replace(self, start: int, end: int, new: str, expected: Any) -> None:
        self._apply([(start, end, new)], expected)

    def _apply(self, replacements: list[tuple[int, int, str]], expected: Any, patch: bool = True) -> None:
        """Make non-overlapping text replacements at once, then check the result. The list is
        sorted in place, then emptied before a re-parse: on a large file its text is as large
        as the file's, and the re-parse is the peak of memory. `patch=False`: whole lines
        change, which only a re-parse can take (the old tree goes before the new text is made)."""
        replacements.sort()
        old_text = self.text
        if patch:
            text = _replaced(old_text, replacements)
            if self._patch(replacements, text, expected):
                return
        # the old tree goes before the new one is built, so a large file is never held twice
        # (`expected` keeps what the check needs of the old data); the rare failure re-reads it
        self.root = None
        self._nodes, self._nodes_of = {}, None  # (they hold nodes of the old tree)
        if not patch:
            text = _replaced(old_text, replacements)
        replacements.clear()
        try:
            self._set_text(text)
        except ParseError as exc:
            self._set_text(old_text)
            failed = f"the edit produced invalid YAML ({exc.message})"
            raise EditError(odd_line_break(old_text, failed) or f"internal error: {failed}; nothing was changed") from None
        if not same_data(self.root.value, expected, aliases=self.has_aliases):
            self._set_text(old_text)
            failed = "the edit did not produce the intended value"
            raise EditError(odd_line_break(old_text, failed) or f"internal error: {failed}; nothing was changed")

    def _patch(self, replacements: list[tuple[int, int, str]], text: str, expected: Any) -> bool:
        """The edit (`replacements` sorted) made to the tree in place when it only rewrites
        single-line values (model/scalar_patch.py), checked against `expected` like a re-parse;
        False: not such an edit, nothing changed."""
        if not self.written_once or not patch_scalars(self.root, self.text, replacements):
            return False
        self._states[self.root] = object()  # what parsed() gave for this tree no longer holds
        self._nodes = {}  # (a renamed key changes paths)
        self.text = text
        if not same_data(self.root.value, expected, aliases=self.has_aliases):
            self._set_text(text)  # (the tree as the text reads, to report from; the caller's check restores)
            return False
        return True

    # -- edits ---------------------------------------------------------------------------

    def set(self, path: Path, value: Any) -> None:
        """Set the value at `path`, creating mappings on the way as needed."""
        if not path:
            raise EditError("cannot replace the whole document")
        current = self.node_at(path)
        if current is not None and same_data(current.value, value):
            return  # already so: the text stays as written (`0x1F`, quotes, a tag, an alias)
        merged = value_in(self.data, path, _NOT_THERE) if current is None else _NOT_THERE
        if merged is not _NOT_THERE and same_data(merged, value):
            return  # already so through a merge key (`<<: *base`): no key of its own is written
        self._refuse_shared(path, replaces=True)
        self._refuse_repeated(path)
        # find the deepest existing container on the path
        depth = len(path) - 1
        while depth > 0 and self.node_at(path[:depth]) is None:
            depth -= 1
        parent_path = path[:depth]
        parent = self.node_at(parent_path).resolved
        key = path[depth]
        if depth + 1 < len(path) and parent.kind == MAP:
            self._refuse_through_merge(parent, path[: depth + 1])
        if parent.kind == SEQ and (parent.tag or "").endswith((":omap", ":pairs")):
            # its items are one-entry mappings in the file but (key, value) pairs to the server
            kind = parent.tag.rsplit(":", 1)[-1]
            raise EditError(f"{format_path(parent_path)} is a !!{kind} list (one-entry mappings read as pairs): edit its items in the file itself")
        new_value: Any = value
        for part in reversed(path[depth + 1 :]):
            new_value = {part: new_value}
        if parent.kind == SEQ and isinstance(key, int) and not -len(parent.items) <= key < len(parent.items):
            raise EditError(f"{format_path(parent_path)} has no item [{key}]")
        if not (parent.kind == MAP or (parent.kind == SEQ and isinstance(key, int)) or (parent.kind == SCALAR and parent.value is None and depth > 0)):
            raise EditError(f"{format_path(parent_path) or 'the document'} is {_describe(parent, parent_path)}, so it cannot hold {key!r}")
        # (only now: a path the checks above refuse would make _set_in fail with a bare IndexError/TypeError)
        intended = self.intended()
        intended.set(path, value)
        expected = intended.data
        if parent.kind == SCALAR:
            # `server:` with no value: give it a mapping
            self._replace_value(parent_path, {key: new_value}, expected)
        elif parent.kind == MAP and parent.get(key) is None:
            self._insert_key(parent, key, new_value, expected, in_flow=bool(parent_path) and self._in_flow(parent_path))
        else:
            self._replace_value(parent_path + (key,), new_value, expected)

    def respell(self, path: Path, text: str) -> None:
        """Write the plain scalar at `path` as `text`, which reads as the same value (`0x10`
        for 16, `1_000`): the operator's own spelling, not the rendered one."""
        node = self.node_at(path)
        if node is None or node.kind != SCALAR or node.style != "" or node.tag or node.anchor:
            raise EditError(f"{format_path(path)} is not a plain value that can be written as {shown_repr(path, text)}")
        if node.raw == text:
            return
        if not same_data(parse(text).value, node.value):
            raise EditError(f"{shown_repr(path, text)} does not read as the value of {format_path(path)}")
        self._replace(node.start, node.end, text, self.data)

    def add_keys(self, path: Path, entries: dict) -> None:
        """Add several new keys to the mapping at `path` in one edit (one re-parse however many:
        on a large file each re-parse costs seconds). A block mapping gets them after its last
        key; a missing mapping is created with all of them; anything else goes key by key."""
        self.add_keys_in([(path, entries)])

    def add_keys_in(self, groups: list[tuple[Path, dict]]) -> None:
        """add_keys for each (path, entries) in turn, in one edit when every mapping is a block
        mapping that has none of its keys yet (the text is then the same as one add_keys after
        the other would write, with one re-parse instead of one each)."""
        groups = [(path, entries) for path, entries in groups if entries]
        merged: dict[Path, dict] = {}  # several groups for one mapping: their keys in that order
        for path, entries in groups:
            merged.setdefault(path, {}).update(entries)
        targets = {path: self._block_mapping_without(path, entries) for path, entries in merged.items()}
        positions = {path: self._block_end(m, self._keys_column(m)) for path, m in targets.items() if m is not None}
        if len(groups) > 1 and (None in targets.values() or len(set(positions.values())) < len(positions)):
            for path, entries in groups:  # (each add_keys finds its mapping in the text as it is by then)
                self.add_keys_in([(path, entries)])
            return
        if not groups:
            return
        if None in targets.values():
            path, entries = groups[0]
            if self.node_at(path) is None:
                self.set(path, dict(entries))
            else:
                for key, value in entries.items():
                    self.set(path + (key,), value)
            return
        for path, entries in merged.items():
            for key in entries:
                self._refuse_shared(path + (key,), replaces=True)
        intended = self.intended()
        replacements = []
        for path, entries in merged.items():
            for key, value in entries.items():
                intended.set(path + (key,), value)
            column = self._keys_column(targets[path])
            lines = [line for key, value in entries.items() for line in render_entry(key, value, column, self.style)]
            replacements.append((positions[path], positions[path], self._nl() + self._join(lines)))
        self._apply(replacements, intended.data)

    def _block_mapping_without(self, path: Path, keys: dict) -> Node | None:
        """The block mapping (with keys) at `path` if it has none of `keys`, else None."""
        node = self.node_at(path)
        mapping = node.resolved if node is not None else None
        if mapping is None or mapping.kind != MAP or mapping.flow or not mapping.items:
            return None
        return mapping if all(mapping.get(k) is None for k in keys) else None

    def set_scalars(self, assignments: list[tuple[Path, Any]], renames: list[tuple[Path, str]] = ()) -> None:
        """Replace many existing scalar values, and rename keys, in one pass (a rename touching
        thousands of references re-parses the file once, not once per reference). The paths
        are the ones before the edit."""
        intended = self.intended()
        replacements = self.scalar_replacements(assignments, intended)
        for path, new_key in renames:
            replacements.append(self._key_renamed(path, new_key, intended))
        if replacements:
            self._apply(replacements, intended.data)

    def intended_with(self, values: list[tuple[Path, Any]]) -> "Intended":
        """The data as it would read with `values` set at their paths, nothing changed: only
        the mappings and lists on those paths are copies."""
        intended = self.intended()
        for path, value in values:
            intended.set(path, value)
        return intended

    def scalar_replacements(self, assignments: list[tuple[Path, Any]], intended: "Intended | None" = None) -> list[tuple[int, int, str]]:
        """The text replacements (start, end, new text) that set_scalars makes for `assignments`,
        after its checks, with nothing changed yet; `intended` (if given) gets the new values.
        A caller that rewrites lines around them too (a migration) makes them in its one edit."""
        replacements = []
        users = self._alias_users() if assignments else {}
        for path, value in assignments:
            self._refuse_shared(path, replaces=True, users=users)  # `backend: &x kv_default` used as *x elsewhere
            # a key written twice on the way (`backend:` repeated with the same value): rewriting
            # the copy the server reads would leave two that disagree; say which lines to clean up
            self._refuse_repeated(path)
            parent = self.node_at(path[:-1])
            node = _descend(parent, path[-1:])
            if node is None or node.kind != SCALAR or node.style in ("|", ">") or node.raw == "" or isinstance(value, (dict, list)):
                raise EditError(f"{format_path(path)} is not a single-line value")
            if intended is not None:
                intended.set(path, value)
            in_flow = parent is not None and parent.resolved.flow  # (as _in_flow, from the parent at hand)
            start, text = self._content_start(node), self._scalar_text(node, value, in_flow)
            if node.tag:  # it may not fit the new value (`!!binary`, `!!int`): it goes, as in set(); the anchor stays
                start, text = node.start, (f"&{node.anchor} " if node.anchor else "") + text
            replacements.append((start, node.end, text))
        return replacements

    def _replace_value(self, path: Path, value: Any, expected: Any) -> None:
        node = self.node_at(path)
        assert node is not None
        key_node = self.key_node_at(path) if isinstance(path[-1], str) else None
        empty = node.kind == SCALAR and node.style == "" and node.raw == ""  # `key:` with nothing after it
        block = (node.kind in (MAP, SEQ) and not node.flow) or (node.kind == SCALAR and node.style in ("|", ">"))
        # The old value's anchor stays (`&a`: an alias that uses it is refused earlier, an unused
        # one is the author's); its tag goes, as it may not fit the new value.
        anchor = f"&{node.anchor} " if node.anchor and node.kind != ALIAS else ""
        if empty and key_node is not None and not self._has_indicator(key_node, node):
            # `? key` with no `:` (null): in {...} the value goes right after the key; in a block
            # mapping on a line of its own below the key's, at the `?`'s column (a collection
            # written {...} / [...])
            text = ": " + anchor + self._scalar_text(node, value, self._in_flow(path))
            if self._in_flow(path):
                self._replace(key_node.end, key_node.end, text, expected)
            else:
                line_start = self._line_start(key_node.start)
                column = self.text.rfind("?", line_start, key_node.start) - line_start  # (not the mapping's: a tag's, if it has one)
                at = self._line_end(self._last_char(key_node))
                self._replace(at, at, self._nl() + " " * column + text, expected)
            return
        if self._in_flow(path) or not is_collection(value) or node.flow:
            text = anchor + self._scalar_text(node, value, self._in_flow(path))
            if empty and key_node is not None:
                colon = self._colon_after(key_node)
                self._replace(colon, max(colon, self._props_end(node)), " " + text, expected)
            elif not block:
                # an empty list item (`-` and the line end): the value goes after a blank
                blank = " " if empty and self.text[node.start - 1 : node.start] == "-" else ""
                self._replace(node.start, node.end, blank + text, expected)
            elif key_node is not None:  # a block mapping, list or block scalar becomes one value
                colon = self._colon_after(key_node)
                self._replace(colon, self._value_end(node), " " + text + self._trailing_comment(colon), expected)
            else:
                self._replace(node.start, self._value_end(node), text, expected)
            return
        if key_node is None:  # a list item becomes a block collection, written from the item's column
            lines = render_block(value, node.column, self.style)
            lines[0] = lines[0][node.column :]
            self._replace(node.start, self._value_end(node), self._join(lines), expected)
            return
        child_column = key_node.column + (self.style.indent if isinstance(value, dict) else self.style.sequence_offset)
        lines = self._nl() + self._join(render_block(value, child_column, self.style))
        colon = self._colon_after(key_node)
        if (empty or (block and node.kind != SCALAR)) and not node.tag:
            # the key line (anchor, end-of-line comment) stays as it is; the block starts below it
            start = self._line_end(colon)
            self._replace(start, start if empty else self._value_end(node), lines, expected)
        else:
            # `key: value  # comment` becomes `key:  # comment` with the block below it
            end = self._value_end(node) if block or empty else node.end
            comment = self._trailing_comment(colon if block or empty else end)
            end = self._line_end(end) if comment else end
            self._replace(colon, end, (" " + anchor.rstrip() if anchor else "") + comment + lines, expected)

    def _in_flow(self, path: Path) -> bool:
        """Whether the value at `path` is written inside a [..] or {..} collection."""
        parent = self.node_at(path[:-1]) if path else None
        return parent is not None and parent.resolved.flow

    def _scalar_text(self, node: Node, value: Any, in_flow: bool) -> str:
        """A new value as text; a string replacing a quoted string keeps its quotes."""
        if isinstance(value, (dict, list)):
            return render_flow(value, self.style)
        keep = node.style if isinstance(value, str) and node.kind == SCALAR and isinstance(node.value, str) else ""
        return render_scalar(value, self.style, in_flow=in_flow, keep_quote=keep if keep in ("'", '"') else "")

    def intended(self) -> "Intended":
        return Intended(self.data, self.has_aliases)

    def _insert_key(self, mapping: Node, key: Any, value: Any, expected: Any, in_flow: bool = False) -> None:
        """Add `key: value` to a mapping; `in_flow`: the mapping is inside a [..] or {..} collection."""
        if mapping.flow:
            entry = f"{render_key(key, self.style, in_flow=True)}: {render_flow(value, self.style)}"
            close = self.text.rfind("}", mapping.start, mapping.end)
            if not mapping.items and in_flow:
                # `[{}]` or `{a: {}}`: a block mapping cannot stand there, the entry goes between the braces
                pad = " " if self.text[close - 1 : close] == " " else ""
                self._replace(self._flow_open(mapping) + 1, close, pad + entry + pad, expected)
                return
            if not mapping.items:
                # `config: {}` gaining a key becomes a block mapping under its owner key; the
                # end-of-line comment stays on the owner's line
                comment = self._trailing_comment(mapping.end)
                end = self._line_end(mapping.end) if comment else mapping.end
                line_start = self._line_start(mapping.start)
                if self.text[line_start : mapping.start].strip(" ") in ("-", "- -") and not (mapping.anchor or mapping.tag):
                    # a list item `- {}` becomes `- key: value`
                    lines = render_entry(key, value, mapping.column, self.style)
                    lines[0] = lines[0][mapping.column :] + comment
                    self._replace(mapping.start, end, self._join(lines), expected)
                    return
                start = self._props_end(mapping)
                if start == mapping.start:
                    while self.text[start - 1] == " ":
                        start -= 1
                lines = render_entry(key, value, self._line_indent(mapping.start) + self.style.indent, self.style)
                self._replace(start, end, comment + self._nl() + self._join(lines), expected)
                return
            before = close
            while self.text[before - 1] in " \t\r\n":
                before -= 1
            last = mapping.items[-1][1] if mapping.items else None
            # (`{a: !!binary}`: a comma against the tag would be read as part of it by PyYAML)
            gap = " " if last is not None and last.kind == SCALAR and last.tag and last.raw == "" and last.style == "" else ""
            self._replace(before, before, gap + ", " + entry, expected)
            return
        column = self._keys_column(mapping)
        lines = render_entry(key, value, column, self.style)
        pos = self._block_end(mapping, column)
        self._replace(pos, pos, self._nl() + self._join(lines), expected)

    def _keys_column(self, mapping: Node) -> int:
        """The column a new key of a block mapping (with keys) starts at: its first key's, or the
        `?` before it when that key is written explicitly (`? name` puts the name two columns in)."""
        key = mapping.items[0][0]
        explicit = self._explicit_key_column(key)
        if explicit is not None:
            return explicit
        split = self._split_explicit_key(key)  # (`?` alone on the line above the key)
        return split[1] if split is not None else key.column

    def rename_key(self, path: Path, new_key: str) -> None:
        self.set_scalars([], [(path, new_key)])

    def _key_renamed(self, path: Path, new_key: str, intended: "Intended") -> tuple[int, int, str]:
        """The replacement that renames the key at `path`, after the checks; `intended` follows."""
        key_node = self.key_node_at(path)
        if key_node is None:
            raise EditError(f"{format_path(path)} does not exist")
        parent = self.node_at(path[:-1]).resolved
        if new_key in parent.value:  # (also a key merged in with `<<:`)
            raise EditError(f"{format_path(path[:-1] + (new_key,))} already exists")
        self._refuse_shared(path, replaces=False)
        self._refuse_repeated(path)
        self._refuse_merged_override(parent, path, "renaming")
        intended.rename(path, new_key)
        text = render_key(new_key, self.style, keep_quote=key_node.style if key_node.style in ("'", '"') else "", in_flow=parent.flow)
        return self._content_start(key_node), key_node.end, text


_SHARED_DEPTH = 3  # Document.node_at remembers the nodes of paths this long
_NOT_LOOKED_UP = object()
_NOT_THERE = object()


def _descend(node: Node | None, path: Path) -> Node | None:
    """The node at `path` below `node` (aliases followed, merge keys not)."""
    for part in path:
        if node is None:
            return None
        node = node.resolved
        if isinstance(part, int):
            node = node.items[part] if node.kind == SEQ and -len(node.items) <= part < len(node.items) else None
        else:
            node = node.get(part)
    return node


def _describe(node: Node, path: Path) -> str:
    node = node.resolved
    if node.kind == SEQ:
        return "a list"
    if node.kind == SCALAR:
        return f"the value {shown_repr(path, node.raw)}"
    return "a mapping"


def _replaced(text: str, replacements: list[tuple[int, int, str]]) -> str:
    """`text` with the sorted, non-overlapping (start, end, new) replacements made."""
    parts: list[str] = []
    cursor = 0
    for start, end, new in replacements:
        parts.append(text[cursor:start])
        parts.append(new)
        cursor = end
    parts.append(text[cursor:])
    return "".join(parts)
