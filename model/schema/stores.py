"""`storage.stores`: the server's own stores and the backend family each needs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from model.facts import (  # noqa: F401  (re-exported)
    NEWER_DEFAULT_BACKEND_TYPES,
    NEWER_DEFAULT_BACKENDS,
    NEWER_DEFAULT_STORES,
    STORE_FAMILIES,
    STORE_NAMES,
    UPSTREAM_FAMILY_CHECKED,
)

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


STORE_REFERENCE_MODELS: dict[str, type[BaseModel]] = {
    "metadata": KVStoreReference,
    "inference": InferenceStoreReference,
    "conversations": SqlStoreReference,
    "responses": ResponsesStoreReference,
    "prompts": KVStoreReference,
    "connectors": KVStoreReference,
}
