"""`storage.stores`: the server's own stores and the backend family each needs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from model.schema.references import (
    InferenceStoreReference,
    KVStoreReference,
    ResponsesStoreReference,
    SqlStoreReference,
)

__all__ = [
    "NEWER_DEFAULT_BACKENDS",
    "NEWER_DEFAULT_BACKEND_TYPES",
    "NEWER_DEFAULT_STORES",
    "STORE_FAMILIES",
    "STORE_NAMES",
    "STORE_REFERENCE_MODELS",
    "StoresConfig",
    "UPSTREAM_FAMILY_CHECKED",
]

SCHEMA_CONFIG = ConfigDict(extra="allow", defer_build=True)


class StoresConfig(BaseModel):
    """Which backend (and namespace or table) each server store uses.

    v0.3 has no defaults: a store left out is simply not configured. Newer upstream fills
    unset stores in with references to backends named kv_default / sql_default
    (see NEWER_DEFAULT_STORES).
    """

    model_config = SCHEMA_CONFIG

    metadata: KVStoreReference | None = Field(
        None,
        description="Registry of models, shields, vector stores and other resources; needs a "
        "kv_* backend. Always needed. Newer default: kv_default, namespace registry.",
    )
    inference: InferenceStoreReference | None = Field(
        None,
        description="Log of chat completions; needs a sql_* backend. Newer default: "
        "sql_default, table inference_store.",
    )
    conversations: SqlStoreReference | None = Field(
        None,
        description="Conversations API data; needs a sql_* backend. Always needed. Newer "
        "default: sql_default, table openai_conversations.",
    )
    responses: ResponsesStoreReference | None = Field(
        None,
        description="Responses store; needs a sql_* backend. Validated upstream but not used "
        "by the server (the responses provider has its own persistence). Default: none.",
    )
    prompts: KVStoreReference | None = Field(
        None,
        description="Saved prompts; needs a kv_* backend (newer upstream). Newer default: "
        "kv_default, namespace prompts.",
        json_schema_extra={"since": "newer"},
    )
    connectors: KVStoreReference | None = Field(
        None,
        description="Registered connectors; needs a kv_* backend (newer upstream, which does "
        "not check the backend type). Newer default: kv_default, namespace connectors.",
        json_schema_extra={"since": "newer"},
    )


STORE_NAMES: tuple[str, ...] = ("metadata", "inference", "conversations", "responses", "prompts", "connectors")

STORE_FAMILIES: dict[str, Literal["kv", "sql"]] = {
    "metadata": "kv",
    "inference": "sql",
    "conversations": "sql",
    "responses": "sql",
    "prompts": "kv",
    "connectors": "kv",
}

STORE_REFERENCE_MODELS: dict[str, type[BaseModel]] = {
    "metadata": KVStoreReference,
    "inference": InferenceStoreReference,
    "conversations": SqlStoreReference,
    "responses": ResponsesStoreReference,
    "prompts": KVStoreReference,
    "connectors": KVStoreReference,
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
