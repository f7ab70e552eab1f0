"""What a probe reports: one `ProbeResult` per backend, with a `Category` a program can act on."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Iterable

from llama_config.model.redaction import redact_text


class Category(StrEnum):
    """Why a backend is (not) reachable. Decided from exception classes and error codes only."""

    OK = "ok"
    CONFIG_INCOMPLETE = "config_incomplete"  # a required ${env.X} is unset, or a required field is missing
    DNS = "dns"  # the host name does not resolve
    REFUSED = "refused"  # nothing listens on host:port
    TIMEOUT = "timeout"  # no connection or no answer within the timeout
    TLS = "tls"  # TLS required but not offered, or the certificate does not verify
    AUTH_FAILED = "auth_failed"  # wrong user or password
    DATABASE_MISSING = "database_missing"  # the database (PostgreSQL) or the SQLite file's directory does not exist
    PERMISSION_DENIED = "permission_denied"  # connected, but may not create the table / write the file
    PROTOCOL_MISMATCH = "protocol_mismatch"  # something else answers on host:port (an HTTP answer that is not JSON)
    NOT_FOUND = "not_found"  # a provider's URL path does not exist (HTTP 404): a wrong base URL, /v1 missing
    MODEL_NOT_SERVED = "model_not_served"  # reachable, but a model registered to the provider is not in its list
    EXTENSION_MISSING = "extension_missing"  # pgvector: the PostgreSQL server has no `vector` extension
    OTHER = "other"


JSON_KEYS = ("backend", "type", "ok", "category", "latency_ms", "server_version", "message", "hint")
PROVIDER_JSON_KEYS = ("provider", "api", "type", "ok", "category", "latency_ms", "server_version", "message", "hint")


def redact(text: str | None, secrets: Iterable[str]) -> str | None:
    """`text` with every secret value and URL password masked (the one rule, model.redaction)."""
    return redact_text(text, secrets) if text else text


@dataclass(frozen=True)
class ProbeResult:
    backend: str  # the name under storage.backends
    type: str  # kv_postgres, sql_sqlite, ... ("?" when it cannot be told)
    category: Category
    message: str  # one line: what happened
    hint: str | None = None  # one line: what to check ("is the server running on host:port?")
    latency_ms: float | None = None  # from start to result; None when nothing was attempted
    server_version: str | None = None  # "PostgreSQL 15.18 (Debian ...)", "Redis 7.0.15", "SQLite 3.40.1"
    address: str | None = None  # where it went: "db.internal:5432", a file path (never a password)
    cancelled: bool = False  # the caller cancelled the probe before it finished (category OTHER)
    fingerprint: str = field(default="", compare=False)  # of the backend's settings when tested (see ProbeTarget)
    api: str | None = None  # set for a provider: `backend` is then its provider_id

    @property
    def ok(self) -> bool:
        return self.category is Category.OK

    def to_json(self) -> dict[str, Any]:
        """The keys of `llama-config test-connections --json`, in that order (PROVIDER_JSON_KEYS for a provider)."""
        named = {"backend": self.backend} if self.api is None else {"provider": self.backend, "api": self.api}
        return {
            **named,
            "type": self.type,
            "ok": self.ok,
            "category": self.category.value,
            "latency_ms": self.latency_ms,
            "server_version": self.server_version,
            "message": self.message,
            "hint": self.hint,
        }
