"""How the server reads a plain scalar.

Llama Stack loads its config with PyYAML, which follows YAML 1.1: `on`, `yes`, `0777` and
`1:20` are not strings there. We resolve plain scalars the same way so validation sees what
the server sees, and quote new strings that would otherwise change type.
"""

from __future__ import annotations

import datetime
import re
from functools import lru_cache
from typing import Any

_BOOL = {
    "yes": True, "Yes": True, "YES": True, "true": True, "True": True, "TRUE": True,
    "on": True, "On": True, "ON": True,
    "no": False, "No": False, "NO": False, "false": False, "False": False, "FALSE": False,
    "off": False, "Off": False, "OFF": False,
}  # fmt: skip
_NULL = {"", "~", "null", "Null", "NULL"}
_INT_RE = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0[0-7_]+
    |[-+]?(?:0|[1-9][0-9_]*)
    |[-+]?0x[0-9a-fA-F_]+
    |[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$""",
    re.X,
)
_FLOAT_RE = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
    |\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
    |[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
# YAML 1.2 (what most other tools, and ruamel.yaml, use) also reads these as non-strings.
_YAML12_NUMBER_RE = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$|^0o[0-7]+$")
_TIMESTAMP_RE = re.compile(r"^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ]|$)")


def _sexagesimal(digits: str, base_type: type) -> Any:
    value = base_type(0)
    for part in digits.split(":"):
        value = value * 60 + base_type(part)
    return value


def _to_int(text: str) -> int:
    s = text.replace("_", "")
    sign = -1 if s[0] == "-" else 1
    if s[0] in "+-":
        s = s[1:]
    if s == "0":
        return 0
    if s.startswith("0b"):
        return sign * int(s[2:], 2)
    if s.startswith("0x"):
        return sign * int(s[2:], 16)
    if s[0] == "0":
        return sign * int(s, 8)
    if ":" in s:
        return sign * _sexagesimal(s, int)
    return sign * int(s)


def _to_float(text: str) -> float:
    s = text.replace("_", "").lower()
    sign = -1.0 if s[0] == "-" else 1.0
    if s[0] in "+-":
        s = s[1:]
    if s == ".inf":
        return sign * float("inf")
    if s == ".nan":
        return float("nan")
    if ":" in s:
        return sign * _sexagesimal(s, float)
    return sign * float(s)


class InvalidScalar(ValueError):
    """A scalar the server's loader takes for a typed value it then fails to construct."""


_TAG_PREFIX = "tag:yaml.org,2002:"


@lru_cache(maxsize=1)
def _constructor() -> Any:
    # PyYAML is imported only for a file with tagged scalars: its import costs every command ~15 ms
    from yaml.constructor import SafeConstructor

    return SafeConstructor()


def construct_tagged(short_tag: str, text: str) -> Any:
    """What PyYAML's SafeConstructor makes of a scalar with the tag !!`short_tag` (its own code,
    so dates, base64 and numbers come out exactly as the server sees them)."""
    from yaml.nodes import ScalarNode

    constructor = _constructor()
    construct = type(constructor).yaml_constructors[_TAG_PREFIX + short_tag]
    try:
        return construct(constructor, ScalarNode(_TAG_PREFIX + short_tag, text))
    except Exception as exc:  # PyYAML fails with KeyError, AttributeError ... on bad text
        reason = getattr(exc, "problem", None) or str(exc)
        raise InvalidScalar(f"{text!r} is not a valid !!{short_tag} ({reason})" if reason else f"{text!r} is not a valid !!{short_tag}") from None


def resolve_plain(text: str) -> Any:
    """The Python value PyYAML's SafeLoader gives a plain (unquoted) scalar.

    Raises InvalidScalar for text PyYAML reads as a date that does not exist (`2024-02-30`)."""
    if text in _NULL:
        return None
    first = text[0]
    if first in "yYnNtTfFoO":
        b = _BOOL.get(text)
        if b is not None:
            return b
        return text
    if first in "-+0123456789.":
        if _INT_RE.match(text):
            return _to_int(text)
        if _FLOAT_RE.match(text):
            return _to_float(text)
        if _PYYAML_TIMESTAMP_RE.match(text):
            return _timestamp(text)
    return text


def _timestamp(text: str) -> Any:
    try:
        return construct_tagged("timestamp", text)
    except InvalidScalar:
        problem = timestamp_error(text) or f"the server's YAML loader reads {text!r} as a date, and it is not a valid one"
        raise InvalidScalar(problem) from None


# PyYAML's implicit timestamp pattern and the one its constructor reads the parts with.
_PYYAML_TIMESTAMP_RE = re.compile(
    r"""^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
    |[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?
    (?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?
    (?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
    re.X,
)
_TIMESTAMP_PARTS_RE = re.compile(
    r"""^(?P<year>[0-9]{4})-(?P<month>[0-9]{1,2})-(?P<day>[0-9]{1,2})
    (?:(?:[Tt]|[ \t]+)(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2}):(?P<second>[0-9]{2})
    (?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+](?P<tz_hour>[0-9]{1,2})(?::(?P<tz_minute>[0-9]{2}))?))?)?$""",
    re.X,
)


def timestamp_error(text: str) -> str | None:
    """Why PyYAML fails on this plain scalar it takes for a date (`2024-02-30`), or None."""
    if not _PYYAML_TIMESTAMP_RE.match(text):
        return None
    parts = {k: int(v) for k, v in _TIMESTAMP_PARTS_RE.match(text).groupdict().items() if v is not None}
    try:
        datetime.datetime(parts["year"], parts["month"], parts["day"], parts.get("hour", 0), parts.get("minute", 0), parts.get("second", 0))
        if parts.get("tz_hour", 0) * 60 + parts.get("tz_minute", 0) >= 24 * 60:
            raise ValueError("the time zone offset must be less than a day")
    except ValueError as exc:
        return f"the server's YAML loader reads {text!r} as a date, and it is not a valid one ({exc})"
    return None


def is_timestamp(text: str) -> bool:
    """Text that YAML readers take for a date (PyYAML's own pattern is stricter): new strings
    that look like this are quoted."""
    return bool(_TIMESTAMP_RE.match(text))


def changes_type_when_plain(text: str) -> bool:
    """True when writing `text` unquoted would make YAML 1.1 or 1.2 read something else."""
    if not text or is_timestamp(text):
        return True
    try:
        if resolve_plain(text) != text:
            return True
    except InvalidScalar:
        return True
    return bool(_YAML12_NUMBER_RE.match(text)) or is_timestamp(text) or text in ("=", "<<")
