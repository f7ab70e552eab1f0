"""Errors that stop the tool from reading or writing a file.

Every one carries the file and, where the problem has one, a 1-based line and column, so
the command line can print `FILE:LINE:COL: error: message` and exit 2 without a traceback.
"""

from __future__ import annotations

import re

from .control_chars import one_line
from .redaction import is_secret_key, mask_quoted, redact_text

# `key:` in a YAML line (block or flow), the last one before a given column
_LONGEST_LOOKED_AT = 2000  # characters of a line searched for its key
_KEY = re.compile(r"""(?:^|[\s{,\-?])(?P<key>[^\s:#,{}\[\]'"]+|'[^']*'|"[^"]*")\s*:(?=\s|$)""")


def location(file: str, line: int | None, column: int | None) -> str:
    """`FILE:LINE:COL`, or as much of it as is known (a file that cannot be read has no line)."""
    parts = [file]
    if line is not None:
        parts.append(str(line))
        if column is not None:
            parts.append(str(column))
    return ":".join(parts)


class ConfigFileError(Exception):
    """The file cannot be read, parsed or written."""

    def __init__(
        self,
        message: str,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        message = redact_text(message)  # URL passwords are never printed
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column

    def location(self) -> str:
        return location(self.file or "<input>", self.line, self.column)

    def __str__(self) -> str:
        return f"{self.location()}: error: {one_line(self.message)}"

    def hide_secret_value(self, text: str) -> None:
        """Mask the values this message quotes when they belong to a secret-named key: the key
        written on the error's line before its column, or on the line above when the value
        starts its own line (`password: !!int s3cret` must not be echoed back)."""
        if self.line is None:
            return
        lines = text.splitlines()
        if not 0 < self.line <= len(lines):
            return
        before = lines[self.line - 1][: (self.column or 1) - 1]
        if len(before) > _LONGEST_LOOKED_AT or (self.line > 1 and len(lines[self.line - 2]) > _LONGEST_LOOKED_AT):
            # the key search takes time quadratic in a line's length (a 40,000-character line of
            # dashes took 14 s): on such a line the quoted values are masked, whatever the key
            self.message = mask_quoted(self.message)
            self.args = (self.message,)
            return
        keys = _KEY.findall(before)
        if not keys and not before.strip(" -") and self.line > 1:
            keys = _KEY.findall(lines[self.line - 2])
        from .release_secrets import secret_names_of_every_release  # the release is not known yet

        if keys and is_secret_key(keys[-1].strip("'\""), secret_names_of_every_release()):
            self.message = mask_quoted(self.message)
            self.args = (self.message,)


class ParseError(ConfigFileError):
    """The bytes are not a YAML document llama-config can edit."""


class SaveError(ConfigFileError):
    """Writing failed; the file on disk is unchanged."""


class ExternalChangeError(SaveError):
    """The file changed on disk since it was loaded; saving would lose those changes."""


class EditError(ValueError):
    """An edit that cannot be made (for example a path through a scalar)."""
