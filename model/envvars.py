"""Environment placeholders: `${env.NAME}`, `${env.NAME:=default}`, `${env.NAME:+value}`."""

from __future__ import annotations

import re

# Upstream's grammar, character for character: only upper-case names are substituted.
PLACEHOLDER_RE = re.compile(r"\$\{env\.([A-Z0-9_]+)(?::([=+])([^}]*))?\}")


def has_placeholder(value: object) -> bool:
    """True when `value` is a string the server will substitute at least once."""
    return isinstance(value, str) and "${env." in value and PLACEHOLDER_RE.search(value) is not None
