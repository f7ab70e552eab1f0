"""Cheap textual tests, so a plain run config pays nothing for manifest support."""

from __future__ import annotations

import re

_TOP_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)[ \t]*:(?=[ \t]|$)", re.M)
_KIND = re.compile(r"^kind[ \t]*:[ \t]*\S", re.M)
_API_VERSION = re.compile(r"^apiVersion[ \t]*:[ \t]*\S", re.M)

# Keys only a run config has at its top level; `version` and the names alone say too little.
_STRONG_KEYS = frozenset({"apis", "providers", "storage", "server", "metadata_store"})
_RUN_CONFIG_KEYS = _STRONG_KEYS | {"version", "image_name", "distro_name", "models", "registered_resources", "conversations_store"}


def looks_like_manifest(text: str) -> bool:
    """A Kubernetes manifest: some document has `apiVersion:` and `kind:` at its top level
    (a run config has neither)."""
    # (the words first: one substring search each is a tenth of the pattern's on a large file)
    return "apiVersion" in text and "kind" in text and _KIND.search(text) is not None and _API_VERSION.search(text) is not None


def looks_like_run_config(text: str) -> bool:
    """Text whose top-level keys are a run config's: two of them, one only a run config has.
    Read from the text, not parsed, so a config broken by template syntax still counts."""
    keys = {m.group(1) for m in _TOP_KEY.finditer(text)}
    return len(keys & _RUN_CONFIG_KEYS) >= 2 and bool(keys & _STRONG_KEYS)
