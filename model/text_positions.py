r"""Where things stand in a document's text: line starts and ends (a line ends with \n, \r\n or
a bare \r, as YAML reads it), a node's last character and block of lines, the comment lines
above a key and after a value. Document's edits find what to replace with these."""

from __future__ import annotations

import re
from bisect import bisect_left

from .yamltree import ALIAS, MAP, SEQ, Node

TRAILING_COMMENT = re.compile(r"[ \t]+#[^\r\n]*")  # an end-of-line comment with the blanks before it
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
YAML_BREAKS = "\n\r\x85\u2028\u2029"  # what PyYAML reads as a line break (and so as a comment's end)
# a `?` that marks an explicit key: a blank or a line break follows it (`?x` is a plain scalar)
_KEY_MARK = re.compile(r"\?(?:[ \t\r\n\x85\u2028\u2029]|$)")
# a line holding nothing but the `?` of an explicit key (after list markers; a comment may follow)
_LONE_KEY_MARK = re.compile(r"[ \t]*(?:-[ \t]+)*(\?)[ \t]*(?:#.*)?")


def lines_with_ends(text: str, start: int = 0, end: int | None = None) -> list[str]:
    """The lines of text[start:end], each with its own line break (\n, \r\n or a bare \r: a
    file may mix them); the last has none when the text does not end with one."""
    return _LINE.findall(text, start, len(text) if end is None else end)


def comment_start(text: str, pos: int, end: int) -> int:
    """Where TRAILING_COMMENT.search(text, pos, end) would match (the blanks before the first
    `#` that has a blank before it), or -1; found from each `#`, as the regex took time
    quadratic in a long run of blanks (each start in the run scanned the rest of it)."""
    hash_at = text.find("#", pos, end)
    while hash_at != -1:
        if hash_at > pos and text[hash_at - 1] in " \t":
            start = hash_at - 1
            while start > pos and text[start - 1] in " \t":
                start -= 1
            return start
        hash_at = text.find("#", hash_at + 1, end)
    return -1


def without_break(line: str) -> str:
    return line.rstrip("\r\n")


def line_start_in(text: str, index: int) -> int:
    """Start of the line holding `index` in a text (\n, \r\n or a bare \r end a line)."""
    return max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1


class WordsAt:
    """Where `words` stand in `text`, and a backslash (an escape in double quotes can write any
    of them), found once: `may_hold(node)` then says whether a scalar written inside `node`
    (aliases not followed) may read as holding one of the words. A walk that looks for them
    inside a node is skipped when it says no; asked for each of 50,000 providers, one bisect
    each rather than a search of its text per word."""

    def __init__(self, text: str, words: tuple[str, ...]) -> None:
        at: list[int] = []
        for word in (*words, "\\"):
            i = text.find(word)
            while i != -1:  # (every start, overlapping ones too: `{{{` holds `{{` at two places)
                at.append(i)
                i = text.find(word, i + 1)
        self._at = sorted(at)

    def __bool__(self) -> bool:
        return bool(self._at)

    def may_hold(self, node: Node) -> bool:
        """A word starts inside the node's text (one that runs past its end counts: a "may")."""
        i = bisect_left(self._at, node.start)
        return i < len(self._at) and self._at[i] < node.end


class TextPositions:
    r"""Positions in `text` (Document sets it); most files hold no \r at all, and for them one
    find() each way is enough."""

    text: str
    _cr_checked: str | None = None  # the text _cr was found for
    _cr = False  # whether it holds a \r

    _key_marks_checked: str | None = None  # the text _key_marks was found for
    _key_marks = False  # whether it holds a `?` that marks a key

    def _has_cr(self) -> bool:
        if self._cr_checked is not self.text:  # (asked once per text, not once per line)
            self._cr_checked, self._cr = self.text, "\r" in self.text
        return self._cr

    def may_hold_explicit_keys(self) -> bool:
        """Whether the text holds a `?` that marks a key (asked for each of thousands of keys
        a migration moves: looked for once per text)."""
        if self._key_marks_checked is not self.text:
            self._key_marks_checked, self._key_marks = self.text, _KEY_MARK.search(self.text) is not None
        return self._key_marks

    def _line_start(self, index: int) -> int:
        text = self.text
        start = text.rfind("\n", 0, index) + 1
        # (the two below are asked for each line a large migration moves: _has_cr, written out)
        if self._cr if self._cr_checked is text else self._has_cr():
            cr = text.rfind("\r", start, index)
            if cr != -1:
                if cr == index - 1 and text.startswith("\n", index):  # `index` is the \n of a \r\n
                    return self._line_start(cr)
                start = cr + 1
        return start

    def _line_end(self, index: int) -> int:
        """Index of the line break ending the line that holds `index` (or len(text))."""
        text = self.text
        end = text.find("\n", index)
        end = len(text) if end == -1 else end
        if self._cr if self._cr_checked is text else self._has_cr():
            cr = text.find("\r", index, end)
            end = cr if cr != -1 else end
        return end

    def _next_line(self, index: int) -> int:
        """Start of the line after the one holding `index`, or -1 on the last line."""
        end = self._line_end(index)
        if end >= len(self.text):
            return -1
        return end + 2 if self.text.startswith("\r\n", end) else end + 1

    def _last_char(self, node: Node) -> int:
        """Index just past the last non-blank character of a node."""
        end = node.content_end()
        while end > node.start and self.text[end - 1] in " \t\r\n":
            end -= 1
        return end

    def _block_end(self, node: Node, column: int) -> int:
        """End of the line holding the node's last character, plus following comment lines indented
        deeper than `column` (they belong to the node's body, not to the next key)."""
        pos = self._line_end(self._last_char(node))
        while pos < len(self.text):
            nxt = self._next_line(pos)
            if nxt == -1:
                break
            end = self._line_end(nxt)
            stripped = self.text[nxt:end]
            body = stripped.lstrip(" ")
            if body.startswith("#") and len(stripped) - len(body) > column:
                pos = end
                continue
            break
        return pos

    def _value_end(self, node: Node) -> int:
        """End of the text a replaced value takes with it: a block collection's last line ends
        with its last entry's comment, which goes with that entry."""
        end = self._last_char(node)
        return self._line_end(end) if node.kind in (MAP, SEQ) and not node.flow else end

    def _props_end(self, node: Node) -> int:
        """End of the anchor (`&a`) and tag (`!t`) written before a node's content."""
        pos = node.start
        if node.kind == ALIAS or not (node.anchor or node.tag):
            return pos
        while self.text[pos : pos + 1] in ("&", "!"):
            if self.text.startswith("!<", pos):
                pos = self.text.index(">", pos) + 1
            else:
                while pos < len(self.text) and self.text[pos] not in " \t\r\n,[]{}":
                    pos += 1
            after = pos
            while self.text[after : after + 1] in (" ", "\t", "\r", "\n"):
                after += 1
            if self.text[after : after + 1] not in ("&", "!"):
                break
            pos = after
        return pos

    def _flow_open(self, node: Node) -> int:
        """Where a flow collection's `{` or `[` is: after its anchor and tag, and any blanks and
        comments between them."""
        pos = self._props_end(node)
        while self.text[pos] not in "{[":
            if self.text[pos] == "#":
                while self.text[pos] not in YAML_BREAKS:
                    pos += 1
            pos += 1
        return pos

    def _content_start(self, node: Node) -> int:
        """Where a scalar's own text starts, after any anchor and tag."""
        pos = self._props_end(node)
        if pos == node.start:
            return pos
        while pos < node.end and self.text[pos] in " \t\r\n":
            pos += 1
        return pos

    def _trailing_comment(self, pos: int) -> str:
        """The end-of-line comment after `pos` on its line, with the blanks before it ('' if none).

        `pos` must be past any scalar text on the line (a `#` inside a value is no comment)."""
        end = self._line_end(pos)
        start = comment_start(self.text, pos, end)
        return self.text[start:end] if start != -1 else ""

    def _has_indicator(self, key_node: Node, value_node: Node) -> bool:
        """Whether a `:` stands between a key and its value outside comments: not so for an
        explicit key with no value line (`? key` alone), which holds null."""
        text, at = self.text, key_node.end
        while at < value_node.start:
            char = text[at]
            if char == ":":
                return True
            if char == "#" and text[at - 1] in " \t\r\n":  # a comment runs to its line's end
                at = self._line_end(at)
                continue
            at += 1
        return False

    def _colon_after(self, key_node: Node) -> int:
        """Index just after the `:` that follows a key."""
        colon = self.text.find(":", key_node.end)
        return colon + 1

    def _line_indent(self, index: int) -> int:
        start = self._line_start(index)
        line = self.text[start:index]
        stripped = line.lstrip(" ")
        if stripped.startswith("- "):
            return len(line) - len(stripped) + 2
        return len(line) - len(stripped)

    def _attached_comment_start(self, line_start: int, column: int) -> int:
        """Start of the comment lines directly above a key, at the key's own indentation."""
        start = line_start
        while start > 0:
            prev_start = self._line_start(start - 1)
            line = self.text[prev_start : self._line_end(prev_start)]
            body = line.lstrip(" ")
            if body.startswith("#") and len(line) - len(body) == column:
                start = prev_start
                continue
            break
        if start < line_start and self._only_directives_before(start):
            # comments at the very top of the file are its header, not the first key's
            return line_start
        return start

    def _explicit_key_column(self, key_node: Node) -> int | None:
        """The column of the `?` of a key written `? name`, or None for a key written plainly."""
        before = self.text[self._line_start(key_node.start) : key_node.start].rstrip(" ")
        return len(before) - 1 if before.endswith("?") else None

    def _split_explicit_key(self, key_node: Node) -> tuple[int, int] | None:
        """(line start, column) of the `?` of a key written explicitly with the `?` on a line of
        its own above it (`?` or `? # note`, the name below it, more indented), or None. No
        line edit takes such a key: the `?` would be left behind."""
        if not self.may_hold_explicit_keys():
            return None
        start = self._line_start(key_node.start)
        if self.text[start : key_node.start].strip(" "):
            return None
        while start > 0:
            above = self._line_start(start - 1)
            line = without_break(self.text[above:start])
            if line.strip() and not line.lstrip().startswith("#"):
                mark = _LONE_KEY_MARK.fullmatch(line)
                column = mark.end(1) - 1 if mark else -1
                return (above, column) if 0 <= column < key_node.column else None
            start = above
        return None

    def _only_directives_before(self, index: int) -> bool:
        """Whether every line before `index` is `---` or a `%` directive (or there is none).
        The lines are read one at a time up to the first that is not: a migration asks this
        for each of thousands of keys, and splitting all the text before each cost seconds."""
        for match in _LINE.finditer(self.text, 0, index):
            line = match.group()
            if line.strip() != "---" and not line.startswith("%"):
                return False
        return True


_ODD_BREAKS = {"\x85": "NEXT LINE (U+0085)", "\u2028": "LINE SEPARATOR (U+2028)", "\u2029": "PARAGRAPH SEPARATOR (U+2029)"}


def odd_line_break(text: str, failed: str) -> str | None:
    """Why an edit of whole lines failed (`failed`: the check that did) in a text holding a line
    break only YAML sees (NEL, LS, PS: the lines we cut are \n, \r\n and \r ones, as an editor
    shows them); None without one."""
    found = [(at, char) for char in _ODD_BREAKS if (at := text.find(char)) != -1]
    if not found:
        return None
    at, char = min(found)
    line = text.count("\n", 0, at) + text.count("\r", 0, at) - text.count("\r\n", 0, at) + 1
    return (
        f"line {line} holds a {_ODD_BREAKS[char]} character, which YAML reads as a line break and most editors do not, "
        f"so this edit cannot tell where its lines end; replace it with a newline (or delete it), then edit again; "
        f"nothing was changed (the check that failed: {failed})"
    )
