"""What validation reports: one finding with a severity, a stable code and a place in the file."""

from __future__ import annotations

import dataclasses

from dataclasses import dataclass
from typing import Literal

from .control_chars import one_line
from .errors import location
from .redaction import is_secret_path, mask_quoted, redact_text
from .yamlpath import Path, format_path

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

# Stable codes, each with the one line the README and `validate --help` show. Tests check that
# every code validation emits is listed here.
CODES: dict[str, str] = {
    "old-format": "the file uses the pre-0.3 storage format (top-level metadata_store etc.)",
    "legacy-inline-store": "a full pre-0.3 store config where a backend reference belongs",
    "storage-missing": "no storage section",
    "unknown-backend": "a reference names a backend that storage.backends does not declare",
    "wrong-family": "a KV reference names a sql_* backend, or a SQL reference a kv_* backend",
    "unknown-backend-type": "a backend's type is not one of the six backend types",
    "backend-unused": "a backend nothing references",
    "shared-namespace": "two references use the same namespace or table on one backend",
    "missing-field": "a required field is missing",
    "wrong-type": "a value has the wrong type",
    "out-of-range": "a number outside its allowed range, or a value outside its allowed set",
    "invalid-value": "a value the server rejects for another reason",
    "unknown-key": "a key the server ignores (usually a typo)",
    "repeated-key": "a key written twice with the same value",
    "quota-without-auth": "server.quota without server.auth",
    "quota-period": "a quota period other than day",
    "quota-draft-shape": "server.quota in the quota PR's draft shape that never shipped",
    "store-default-missing": "an unset store falls back to a kv_default/sql_default backend that does not exist",
    "env-unset": "a required ${env.X} variable is unset",
    "env-resolved-invalid": "a placeholder resolves to a value of the wrong type",
    "env-lowercase-name": "a placeholder with a lower-case name, which the server never substitutes",
    "env-old-default-syntax": "old ${env.X:default} syntax",
    "env-old-conditional-syntax": "old ${env.X+value} syntax",
    "env-unsupported-operator": "shell-style ${env.X:-default}",
    "env-unclosed": "${env. with no closing brace",
    "env-bad-name": "a placeholder name with characters the server does not accept",
    "env-nested": "a placeholder inside a placeholder's default",
    "template-syntax": "Helm/Go template syntax ({{ ... }}, ${.Values.x}) the server never substitutes: validate the rendered output",
    "placeholder-not-env": "a ${...} that is not ${env.NAME}, which the server never substitutes",
    "config-reference": "a LlamaStackDistribution/OGXServer runs a ConfigMap key this input defines (info)",
    "configmap-not-in-input": "a LlamaStackDistribution/OGXServer runs a ConfigMap that is not in this input, so it was not checked",
    "config-key-missing": "the ConfigMap a resource runs has no such data key",
    "config-key-not-run-config": "the ConfigMap key a resource runs does not hold a run config",
    "configmap-not-watched": "an OGXServer's ConfigMap lacks the label ogx.io/watch: \"true\", so the operator does not see it",
    "ignored-section": "a section the target release ignores without a word (top-level models:, server.quota on ogx)",
    "deprecated-field": "a field the target release deprecates (image_name on 0.4 and later)",
    "unknown-api": "an API the target release does not have",
    "routing-table-api": "providers under an API that a routing table serves (models, shields, ...)",
    "unknown-provider-type": "a provider_type the target release does not have",
    "deprecated-provider": "a provider type the target release deprecates or has removed",
    "missing-dependency": "a provider needs an API that has no enabled provider",
    "api-without-provider": "apis lists an API that no enabled provider serves",
    "unknown-provider": "a registered resource names a provider that does not exist or is disabled",
    "store-null": "a store set to null, which the target release refuses",
    "store-missing": "a store the target release needs at startup is not set",
    "file-unreadable": "a TLS file that does not exist or cannot be read",
    "tls-required": "ogx refuses to start without TLS unless told it may",
}


_NAMES_ONLY = {"unknown-key"}  # codes whose messages quote no value


def message_line(file: str, line: int | None, column: int | None, severity: str, message: str, code: str) -> str:
    """`FILE:LINE:COL: severity: message [code]`, one line whatever the message quotes (one_line)."""
    return f"{location(file, line, column)}: {severity}: {one_line(message)} [{code}]"


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    code: str
    path: Path
    line: int
    column: int
    message: str

    def __post_init__(self) -> None:
        # The one redaction rule (model.redaction): URL passwords never, and nothing quoted in
        # a message about a secret field.
        message = redact_text(self.message)
        object.__setattr__(self, "message", mask_quoted(message) if self._quotes_values() and is_secret_path(self.path) else message)

    def masked(self) -> "Diagnostic":
        """This diagnostic with every value its message quotes masked (a field the target
        release marks secret, which its name does not tell)."""
        return dataclasses.replace(self, message=mask_quoted(self.message)) if self._quotes_values() else self

    def _quotes_values(self) -> bool:
        # an unknown key's message quotes names only (the key, a close match): masked, "has no
        # field '••••••'" would tell the operator nothing
        return self.code not in _NAMES_ONLY

    @property
    def path_text(self) -> str:
        return format_path(self.path)

    def to_json(self) -> dict:
        return {
            "severity": self.severity,
            "code": self.code,
            "path": self.path_text,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }

    def format(self, file: str) -> str:
        return message_line(file, self.line, self.column, self.severity, self.message, self.code)

    def sort_key(self) -> tuple:
        return (self.line, self.column, SEVERITY_ORDER[self.severity], self.code)
