"""Write new values as YAML text in a file's own style.

Only values we add are rendered here; everything already in the file is left as written.
Strings are written plain when PyYAML (YAML 1.1, what the server uses) and YAML 1.2 tools
both read them back as the same string; otherwise they are quoted.
"""

from __future__ import annotations

import base64
import datetime
import math
import re
from functools import lru_cache
from typing import Any

from .textstyle import TextStyle
from .yaml11 import changes_type_when_plain

_PLAIN_START_FORBIDDEN = set("-?:,[]{}#&*!|>'\"%@`")
# in a flow collection libyaml also refuses `:` inside a plain scalar, and PyYAML ends one at `?`
_FLOW_FORBIDDEN = set(",[]{}:?")
# what PyYAML's reader refuses unescaped (C1 controls, U+FFFE/U+FFFF, ...) or reads as a line break
_NEEDS_DOUBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")


@lru_cache(maxsize=1024)  # (a migration writes the same few keys and backend names 50,000 times; its distinct values are not kept)
def plain_is_safe(text: str, in_flow: bool = False) -> bool:
    if not text or text != text.strip() or changes_type_when_plain(text):
        return False
    if text[0] in _PLAIN_START_FORBIDDEN or "\n" in text or "\t" in text or _NEEDS_DOUBLE.search(text):
        return False
    if ": " in text or " #" in text or text.endswith(":") or text.startswith("..."):  # `... x` ends a document
        return False
    if in_flow and (_FLOW_FORBIDDEN & set(text)):
        return False
    return True


def quote(text: str, preferred: str = "'") -> str:
    if preferred == "'" and not _NEEDS_DOUBLE.search(text) and "\n" not in text:
        return "'" + text.replace("'", "''") + "'"
    escaped = (
        text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    )
    escaped = _NEEDS_DOUBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", escaped)
    return '"' + escaped + '"'


def render_scalar(value: Any, style: TextStyle, *, in_flow: bool = False, keep_quote: str = "") -> str:
    """One scalar as YAML text. `keep_quote` is the quote style of the value being replaced."""
    if isinstance(value, str):  # (most values: asked first)
        if keep_quote in ("'", '"'):
            return quote(value, keep_quote)
        return value if plain_is_safe(value, in_flow) else quote(value, style.quote)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    return _tagged(value, style)


def _tagged(value: Any, style: TextStyle) -> str:
    """The other types PyYAML reads (a value typed as `2024-01-01` or `!!binary ...` on the
    command line), written so they read back as that type, in block and flow context alike."""
    if isinstance(value, datetime.datetime):  # a plain one with its `:` would end a flow key
        return f"!!timestamp '{value.isoformat()}'"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return f'!!binary "{base64.b64encode(value).decode()}"'
    if isinstance(value, (set, frozenset)):
        items = sorted(value, key=repr)
        return "!!set {" + ", ".join(f"{render_scalar(item, style, in_flow=True)}: null" for item in items) + "}"
    raise ValueError(f"cannot write a {type(value).__name__} value ({value!r}) into the file")


def render_key(key: Any, style: TextStyle, keep_quote: str = "", in_flow: bool = False) -> str:
    return render_scalar(key, style, keep_quote=keep_quote, in_flow=in_flow)


def render_flow(value: Any, style: TextStyle) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{render_scalar(k, style, in_flow=True)}: {render_flow(v, style)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(render_flow(v, style) for v in value) + "]"
    return render_scalar(value, style, in_flow=True)


def is_collection(value: Any) -> bool:
    return isinstance(value, (dict, list)) and bool(value)


def render_entry(key: Any, value: Any, column: int, style: TextStyle) -> list[str]:
    """Lines for `key: value` with the key at `column`."""
    head = " " * column + render_key(key, style) + ":"
    if isinstance(value, str):  # (most values)
        return [head + " " + render_scalar(value, style)]
    if not is_collection(value):
        return [head + " " + (render_flow(value, style) if isinstance(value, (dict, list)) else render_scalar(value, style))]
    child_column = column + (style.indent if isinstance(value, dict) else style.sequence_offset)
    return [head] + render_block(value, child_column, style)


def render_block(value: Any, column: int, style: TextStyle) -> list[str]:
    """Lines for a non-empty mapping (keys at `column`) or sequence (dashes at `column`)."""
    lines: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            lines.extend(render_entry(k, v, column, style))
        return lines
    for item in value:
        if is_collection(item):
            # the first line of the item's block goes on the dash line
            inner = render_block(item, column + 2, style)
            lines.append(" " * column + "- " + inner[0][column + 2 :])
            lines.extend(inner[1:])
        else:
            rendered = render_flow(item, style) if isinstance(item, (dict, list)) else render_scalar(item, style)
            lines.append(" " * column + "- " + rendered)
    return lines
