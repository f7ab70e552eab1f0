"""Facts about the run config that hold for every release: a backend's family from its type
name, how a `type:` is chosen (also through a placeholder), and the shapes of the old formats.

What differs between releases (backend types and fields, stores, providers, auth types) is
in the release data, model/releases.
"""

from __future__ import annotations

from typing import Any, Literal

from llama_config.model.envvars import PLACEHOLDER_RE, has_placeholder

Family = Literal["kv", "sql"]


def declared_backends(data: Any) -> dict:
    """`storage.backends`, or {} where the file has none (or not a mapping)."""
    storage = data.get("storage") if isinstance(data, dict) else None
    backends = storage.get("backends") if isinstance(storage, dict) else None
    return backends if isinstance(backends, dict) else {}


def family_of(type_name: str) -> Literal["kv", "sql"] | None:
    """"kv" for `kv_*`, "sql" for `sql_*`, None otherwise (decided by prefix only)."""
    if not isinstance(type_name, str):
        return None
    if type_name.startswith("kv_"):
        return "kv"
    if type_name.startswith("sql_"):
        return "sql"
    return None


_DRAFT_QUOTA_KEYS = frozenset({"type", "config", "limit"})


def looks_like_draft_quota(value: Any) -> bool:
    """True for the quota PR's unshipped draft shape `{type, config, limit: {max_requests}}`.

    Such a file must be offered an upgrade to the shipped shape, not silently accepted.
    """
    return isinstance(value, dict) and "kvstore" not in value and bool(_DRAFT_QUOTA_KEYS & value.keys())


def placeholder_hint(value: str) -> str | None:
    """The text a lone placeholder offers when its variable is unset or set.

    `${env.X:=kv_sqlite}` -> "kv_sqlite", `${env.X:+oauth2_token}` -> "oauth2_token".
    None for a bare `${env.X}`, an empty default, or a string that is not exactly one
    placeholder. Used to pick the model for a `type:` written as a placeholder.
    """
    match = PLACEHOLDER_RE.fullmatch(value.strip())
    if match is None or not match.group(3):
        return None
    return match.group(3)


def type_tag_of(value: Any) -> str | None:
    """The `type` a mapping (or model) selects, looking through a placeholder.

    `{type: kv_sqlite}` -> "kv_sqlite"; `{type: "${env.KV:=kv_redis}"}` -> "kv_redis";
    `{type: "${env.AUTH:+oauth2_token}"}` -> "oauth2_token"; no usable `type` -> None.
    Unknown names are returned as written.
    """
    raw = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    if isinstance(raw, str) and has_placeholder(raw):
        return placeholder_hint(raw)
    return raw if isinstance(raw, str) else None


OLD_FORMAT_KEYS = ("metadata_store", "inference_store", "conversations_store")


def is_old_format(data: dict) -> bool:
    return "storage" not in data and any(key in data for key in OLD_FORMAT_KEYS)


def is_newer_format(data: dict) -> bool:
    """config.yaml generation (after v0.3): distro_name / registered_resources."""
    return "distro_name" in data or "registered_resources" in data
