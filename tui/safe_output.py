"""The one-shot commands' stdout and stderr, with model.control_chars applied to every write:
each command's messages, reports and tables quote values from the file, and none of them can
drive the terminal. Output that must reach it as it is goes to `raw(stream)`: the text of a
config file (its bytes are the file's), and rich's colours in `show`."""

from __future__ import annotations

from typing import Any, TextIO

from llama_config.model.control_chars import escape_controls


class ControlSafe:
    """A text stream that writes every text with its control characters escaped."""

    def __init__(self, stream: TextIO) -> None:
        self.raw = stream

    @classmethod
    def around(cls, stream: TextIO | None) -> "ControlSafe | None":
        """The stream wrapped; None (a closed descriptor: `2>&-`) stays None, which print() skips."""
        return cls(stream) if stream is not None else None

    def write(self, text: str) -> int:
        self.raw.write(escape_controls(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:  # flush, fileno, isatty, encoding, buffer, ...
        return getattr(self.raw, name)


def raw(stream: TextIO) -> TextIO:
    """The stream under a ControlSafe one (the stream itself when it is not wrapped)."""
    return stream.raw if isinstance(stream, ControlSafe) else stream
