"""Errors that stop the tool from reading or writing a file.

Every one carries the file and, where the problem has one, a 1-based line and column, so
the command line can print `FILE:LINE:COL: error: message` and exit 2 without a traceback.
"""

from __future__ import annotations


class ConfigFileError(Exception):
    """The file cannot be read, parsed or written."""

    def __init__(
        self,
        message: str,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column

    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}: error: {self.message}"


class ParseError(ConfigFileError):
    """The bytes are not a YAML document llama-config can edit."""


class SaveError(ConfigFileError):
    """Writing failed; the file on disk is unchanged."""


class ExternalChangeError(SaveError):
    """The file changed on disk since it was loaded; saving would lose those changes."""
