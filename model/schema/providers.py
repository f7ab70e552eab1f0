"""Providers, and the places inside a provider's `config` that hold a storage reference.

Upstream only resolves these when the provider starts (`Unknown KVStore backend 'x'.
Registered backends: [...]`), so the table below is what lets us check them up front.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "PROVIDER_REFERENCE_FIELDS",
    "Provider",
    "ProviderReferenceField",
    "reference_fields_for",
]


class Provider(BaseModel):
    """One entry of `providers.<api>`: an implementation and its settings."""

    model_config = ConfigDict(extra="allow", defer_build=True)

    provider_id: str | None = Field(
        description="Name of this provider instance, unique within its API (required key). "
        "A value that resolves to empty or __disabled__ turns the provider off."
    )
    provider_type: str = Field(
        description="Implementation to run, e.g. inline::faiss or remote::vllm (required)."
    )
    config: dict[str, Any] | None = Field(
        None, description="Settings for this provider type; their shape depends on provider_type."
    )
    module: str | None = Field(
        None,
        description="Python module of an external provider to import (e.g. ramalama_stack). "
        "Default: none, a built-in provider.",
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
