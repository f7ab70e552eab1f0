"""One run config held in a ConfigMap data key, and where its lines stand in the manifest."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..yamltree import Node

_HEADER_INDENT = re.compile(r"[|>][+-]?([1-9])|[|>]([1-9])[+-]?")


@dataclass(frozen=True)
class EmbeddedConfig:
    """A run config in a manifest: its text, and how its positions map onto the manifest's.

    For a block scalar (`run.yaml: |`) whose lines are the manifest's lines minus the block's
    indentation, the mapping is exact: config line n is manifest line `first_line + n - 1`, its
    columns shifted by `indent`. Anything else (a quoted or plain string, a folded block that
    really folds) maps every position to where the value starts, on the key's line."""

    file: str  # the manifest as named on the command line (messages read FILE:LINE:COL)
    configmap: str
    namespace: str | None
    key: str
    text: str  # the run config itself (the data key's value)
    style: str  # the value's YAML style: "|", ">", "'", '"' or "" (plain)
    exact: bool  # every config line maps one to one onto a manifest line
    first_line: int  # 1-based manifest line of config line 1 (exact), else of the value
    indent: int  # columns added to a config column (exact), else the value's column - 1
    lines: int  # manifest lines the config takes (exact), else 1
    key_line: int  # 1-based line and column of the data key
    key_column: int
    document: int  # which YAML document of the manifest holds the ConfigMap (0-based)

    @property
    def name(self) -> str:
        return f"ConfigMap {self.configmap}, key {self.key}"

    @property
    def label(self) -> str:
        """`cm.yaml: ConfigMap llama-stack-config, key run.yaml`"""
        return f"{self.file}: {self.name}"

    @property
    def selector(self) -> str:
        """What picks this config out of its manifest: `FILE#CONFIGMAP/KEY`."""
        return f"{self.configmap}/{self.key}"

    def position(self, line: int, column: int) -> tuple[int, int]:
        """The manifest's 1-based (line, column) for the config's 1-based (line, column)."""
        if not self.exact:
            return self.first_line, self.indent + 1
        line = min(max(line, 1), max(self.lines, 1))
        return self.first_line + line - 1, column + self.indent


def config_lines(text: str) -> list[str]:
    """The lines of a block scalar's value (its final line break ends the last line)."""
    lines = text.split("\n")
    return lines[:-1] if text.endswith("\n") else lines


def text_lines(text: str) -> list[str]:
    """The manifest's lines, without their line breaks (\\n or \\r\\n)."""
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def embedded_config(
    file: str, configmap: str, namespace: str | None, document: int, key: Node, value: Node, lines: list[str],
) -> EmbeddedConfig:  # fmt: skip
    """Where the config in `value` (a scalar under the ConfigMap's `data`) stands in the manifest
    whose lines are `lines`."""
    text = value.raw
    exact, indent = False, value.column
    first = value.line + 1
    body = config_lines(text)
    if value.style in ("|", ">") and body:
        indent = _block_indent(lines, value, key)
        header = value.line  # 0-based: the line of the `|`; the content starts on the next one
        exact = indent is not None and _lines_match(lines[header + 1 : header + 1 + len(body)], body, indent)
        if exact:
            first = header + 2
        else:
            indent = value.column
    return EmbeddedConfig(
        file=file, configmap=configmap, namespace=namespace, key=key.raw, text=text, style=value.style, exact=exact,
        first_line=first, indent=indent, lines=len(body) if exact else 1, key_line=key.line + 1, key_column=key.column + 1,
        document=document,
    )  # fmt: skip


def _block_indent(lines: list[str], value: Node, key: Node) -> int | None:
    """The block's indentation: an explicit indicator (`|2`) counts from the key's column, else
    YAML takes the first non-blank content line's."""
    header = lines[value.line][value.column :]
    m = _HEADER_INDENT.match(header)
    if m:
        return key.column + int(m.group(1) or m.group(2))
    for line in lines[value.line + 1 :]:
        if line.strip(" "):
            return len(line) - len(line.lstrip(" "))
    return None


def _lines_match(outer: list[str], body: list[str], indent: int) -> bool:
    """Each config line is its manifest line minus `indent` spaces (a blank line may hold fewer)."""
    if len(outer) != len(body):
        return False
    pad = " " * indent
    for line, content in zip(outer, body):
        if content == "":
            if line.strip(" ") or len(line) > indent:
                return False
        elif line != pad + content:
            return False
    return True
