"""Facts about the run config that need no schema machinery: backend families, store
families, where providers hold references, and how a `type:` is chosen.

Everything here is plain Python, so the validation path can use it without importing
pydantic (which alone costs more than the whole `validate` command may take).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from model.envvars import PLACEHOLDER_RE, has_placeholder

Family = Literal["kv", "sql"]

BACKEND_TYPES: tuple[str, ...] = (
    "kv_sqlite",
    "kv_redis",
    "kv_postgres",
    "kv_mongodb",
    "sql_sqlite",
    "sql_postgres",
)


# Model names in the schema (pydantic models, and `$defs` of the generated JSON schema).
BACKEND_MODEL_NAMES: dict[str, str] = {
    "kv_sqlite": "KVSqliteBackend",
    "kv_redis": "KVRedisBackend",
    "kv_postgres": "KVPostgresBackend",
    "kv_mongodb": "KVMongoDBBackend",
    "sql_sqlite": "SQLSqliteBackend",
    "sql_postgres": "SQLPostgresBackend",
}
AUTH_MODEL_NAMES: dict[str, str] = {
    "oauth2_token": "OAuth2TokenAuthConfig",
    "github_token": "GitHubTokenAuthConfig",
    "custom": "CustomAuthConfig",
    "kubernetes": "KubernetesAuthConfig",
    "upstream_header": "UpstreamHeaderAuthConfig",
}
AUTH_PROVIDER_TYPES: tuple[str, ...] = tuple(AUTH_MODEL_NAMES)
STORE_MODEL_NAMES: dict[str, str] = {
    "metadata": "KVStoreReference",
    "inference": "InferenceStoreReference",
    "conversations": "SqlStoreReference",
    "responses": "ResponsesStoreReference",
    "prompts": "KVStoreReference",
    "connectors": "KVStoreReference",
}

# Keys that upstream main gained after the newest snapshot we follow (d1b663294, 2026-05-07).
# Not modelled: in the files we target they are unknown keys. Listed so the validator can say
# "this key needs a newer server" rather than "unknown key".
LATER_UPSTREAM_FIELDS: dict[str, tuple[str, ...]] = {
    "kv_postgres": ("pool_size", "max_overflow", "command_timeout"),
    "sql_postgres": ("ssl_mode", "ca_cert_path"),
}


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



STORE_NAMES: tuple[str, ...] = ("metadata", "inference", "conversations", "responses", "prompts", "connectors")

STORE_FAMILIES: dict[str, Literal["kv", "sql"]] = {
    "metadata": "kv",
    "inference": "sql",
    "conversations": "sql",
    "responses": "sql",
    "prompts": "kv",
    "connectors": "kv",
}


# What newer upstream (d1b663294) puts in a store left unset: (backend, namespace-or-table).
# So renaming the kv_default / sql_default backends breaks every store left unset.
NEWER_DEFAULT_STORES: dict[str, tuple[str, str]] = {
    "metadata": ("kv_default", "registry"),
    "inference": ("sql_default", "inference_store"),
    "conversations": ("sql_default", "openai_conversations"),
    "prompts": ("kv_default", "prompts"),
    "connectors": ("kv_default", "connectors"),
}

# Store -> backend name newer upstream falls back to when the store is unset
# (responses has no default: unset means not configured).
NEWER_DEFAULT_BACKENDS: dict[str, str] = {name: ref[0] for name, ref in NEWER_DEFAULT_STORES.items()}

# Backends newer upstream creates when `storage.backends` is left out entirely
# (SQLite files under $SQLITE_STORE_DIR or the distribution directory).
NEWER_DEFAULT_BACKEND_TYPES: dict[str, str] = {"kv_default": "kv_sqlite", "sql_default": "sql_sqlite"}

# Stores whose backend upstream checks at startup (exists, right family). connectors is not
# checked upstream; we check it anyway, like every store.
UPSTREAM_FAMILY_CHECKED: frozenset[str] = frozenset(
    {"metadata", "inference", "conversations", "responses", "prompts"}
)


@dataclass(frozen=True, slots=True)
class ProviderReferenceField:
    """A field inside `providers.<api>[].config` that holds a KV or SQL reference."""

    api: str
    provider_types: tuple[str, ...] | None  # None: any provider of this api
    path: tuple[str, ...]  # keys inside `config`
    family: Literal["kv", "sql"]
    note: str

    def applies_to(self, api: str, provider_type: str) -> bool:
        return api == self.api and (self.provider_types is None or provider_type in self.provider_types)


_AGENT_TYPES = ("inline::meta-reference", "inline::builtin")

PROVIDER_REFERENCE_FIELDS: tuple[ProviderReferenceField, ...] = (
    ProviderReferenceField(
        "agents", _AGENT_TYPES, ("persistence", "agent_state"), "kv",
        "Agent and session state (v0.3: inline::meta-reference; later inline::builtin). "
        "Before v0.3: persistence_store.",
    ),
    ProviderReferenceField(
        "agents", _AGENT_TYPES, ("persistence", "responses"), "sql",
        "Stored OpenAI-style responses (v0.3 agents API). Before v0.3: responses_store.",
    ),
    ProviderReferenceField(
        "responses", ("inline::builtin",), ("persistence", "agent_state"), "kv",
        "Agent and session state (newer: the responses API replaced agents).",
    ),
    ProviderReferenceField(
        "responses", ("inline::builtin",), ("persistence", "responses"), "sql",
        "Stored responses (newer: the responses API replaced agents).",
    ),
    ProviderReferenceField(
        "batches", ("inline::reference",), ("kvstore",), "kv",
        "Batch jobs and their state.",
    ),
    ProviderReferenceField(
        "datasetio", ("inline::localfs", "remote::huggingface"), ("kvstore",), "kv",
        "Registered datasets (v0.3).",
    ),
    ProviderReferenceField(
        "eval", ("inline::meta-reference",), ("kvstore",), "kv",
        "Registered benchmarks and eval jobs (v0.3).",
    ),
    ProviderReferenceField(
        "files", ("inline::localfs", "remote::s3", "remote::openai"), ("metadata_store",), "sql",
        "File metadata table (the file bytes live elsewhere: local directory or bucket).",
    ),
    ProviderReferenceField(
        "vector_io", None, ("persistence",), "kv",
        "Vector store registry of every vector_io provider (inline::faiss, inline::sqlite-vec, "
        "inline::chromadb, inline::milvus, inline::qdrant, remote::chromadb, remote::milvus, "
        "remote::qdrant, remote::pgvector, remote::weaviate, remote::elasticsearch, ...). "
        "Before v0.3: kvstore, a full config; migrated namespace vector_io::<name>.",
    ),
)


def reference_fields_for(api: str, provider_type: str) -> tuple[ProviderReferenceField, ...]:
    """The reference fields a provider of this api and type may hold."""
    return tuple(f for f in PROVIDER_REFERENCE_FIELDS if f.applies_to(api, provider_type))


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
