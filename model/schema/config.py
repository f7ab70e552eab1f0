"""The whole run config: `storage:` and the top-level `StackConfig`.

One model covers both formats we edit: v0.3 `run.yaml` (`StackRunConfig` upstream:
`image_name`, top-level `models`, `shields`, `vector_dbs`, ...) and newer `config.yaml`
(`StackConfig`: `distro_name`, `registered_resources`, `vector_stores`, `safety`,
`connectors`). Sections we do not model in detail are plain mappings or lists; unknown keys
are kept everywhere (`extra="allow"`), since upstream ignores them too.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from model.schema.backends import BackendConfig
from model.schema.providers import Provider
from model.schema.server import ServerConfig
from model.schema.stores import StoresConfig
from model.schema.types import EnvBool, EnvInt

__all__ = [
    "LoggingConfig",
    "RegisteredResources",
    "SafetyConfig",
    "StackConfig",
    "StorageConfig",
    "TelemetryConfig",
    "VectorStoresConfig",
]

SCHEMA_CONFIG = ConfigDict(extra="allow", defer_build=True)
NEWER = {"since": "newer"}

_RESOURCE_LIST = "Entries registered at startup, each a mapping; see upstream for the fields."


class StorageConfig(BaseModel):
    """`storage:` named backends, and which of them the server's stores use."""

    model_config = SCHEMA_CONFIG

    backends: dict[str, BackendConfig] = Field(
        default_factory=dict,
        description="Named backends (name -> settings, `type` picks kv_* or sql_*). Stores and "
        "providers refer to them by name. Required in v0.3; newer upstream creates SQLite "
        "kv_default and sql_default when left out.",
    )
    stores: StoresConfig = Field(
        default_factory=StoresConfig,
        description="Which backend each server store (metadata, inference, conversations, ...) "
        "uses. Default: none set (newer upstream falls back to kv_default / sql_default).",
    )


class LoggingConfig(BaseModel):
    """`logging:` log levels per component."""

    model_config = SCHEMA_CONFIG

    category_levels: dict[str, str] = Field(
        default_factory=dict,
        description="Component (core, server, providers, ...) -> log level (debug, info, warning, "
        "error). Default: info everywhere.",
    )


class TelemetryConfig(BaseModel):
    """`telemetry:` (v0.3; removed in newer upstream)."""

    model_config = SCHEMA_CONFIG

    enabled: EnvBool = Field(False, description="Collect traces and metrics. Default: false.")


class QualifiedModel(BaseModel):
    """A model served by a given provider."""

    model_config = SCHEMA_CONFIG

    provider_id: str = Field(description="provider_id of the inference provider serving the model.")
    model_id: str = Field(description="Model id at that provider.")
    embedding_dimensions: EnvInt | None = Field(
        None, description="Vector size the embedding model produces. Default: taken from the model's metadata."
    )


class VectorStoresConfig(BaseModel):
    """`vector_stores:` defaults for the vector store APIs (newer upstream)."""

    model_config = SCHEMA_CONFIG

    default_provider_id: str | None = Field(
        None,
        description="vector_io provider used when a request names none and several exist. "
        "Default: none.",
    )
    default_embedding_model: QualifiedModel | None = Field(
        None, description="Embedding model used when a request names none. Default: none."
    )
    default_reranker_model: QualifiedModel | None = Field(
        None, description="Reranker model used for hybrid search when a request names none. Default: none."
    )
    rewrite_query_params: dict[str, Any] | None = Field(
        None, description="Query rewriting before search (model, prompt, max_tokens, temperature). Default: off."
    )
    file_search_params: dict[str, Any] | None = Field(
        None, description="Header and footer text around file_search tool results. Default: upstream's templates."
    )
    context_prompt_params: dict[str, Any] | None = Field(
        None, description="Templates that present retrieved chunks to the model. Default: upstream's templates."
    )
    annotation_prompt_params: dict[str, Any] | None = Field(
        None, description="Source citation switch and templates. Default: citations on, upstream's templates."
    )
    file_ingestion_params: dict[str, Any] | None = Field(
        None, description="Chunk size and overlap (tokens) when files are ingested. Default: 512 / 128."
    )
    chunk_retrieval_params: dict[str, Any] | None = Field(
        None, description="Search tuning: over-retrieval, context token limit, reranking, search mode. "
        "Default: upstream's values."
    )
    file_batch_params: dict[str, Any] | None = Field(
        None, description="Concurrency and cleanup of file batches. Default: upstream's values."
    )
    contextual_retrieval_params: dict[str, Any] | None = Field(
        None, description="LLM-written context for chunks at ingestion (timeouts, concurrency, size). "
        "Default: upstream's values."
    )


class SafetyConfig(BaseModel):
    """`safety:` defaults for the moderations API (newer upstream)."""

    model_config = SCHEMA_CONFIG

    default_shield_id: str | None = Field(
        None, description="Shield used when a moderations request names no model. Default: none."
    )


class RegisteredResources(BaseModel):
    """`registered_resources:` (newer upstream; v0.3 has these lists at the top level)."""

    model_config = SCHEMA_CONFIG

    models: list[dict[str, Any]] = Field(default_factory=list, description="Models. " + _RESOURCE_LIST)
    shields: list[dict[str, Any]] = Field(default_factory=list, description="Shields. " + _RESOURCE_LIST)
    vector_stores: list[dict[str, Any]] = Field(
        default_factory=list, description="Vector stores (v0.3: vector_dbs). " + _RESOURCE_LIST
    )
    vector_dbs: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Older name of vector_stores, still written (empty) by upstream's generated "
        "configs. " + _RESOURCE_LIST,
    )
    datasets: list[dict[str, Any]] = Field(default_factory=list, description="Datasets. " + _RESOURCE_LIST)
    scoring_fns: list[dict[str, Any]] = Field(
        default_factory=list, description="Scoring functions. " + _RESOURCE_LIST
    )
    benchmarks: list[dict[str, Any]] = Field(default_factory=list, description="Benchmarks. " + _RESOURCE_LIST)
    tool_groups: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Tool groups (deprecated upstream: built-in ones are registered automatically). "
        + _RESOURCE_LIST,
    )


class StackConfig(BaseModel):
    """A Llama Stack / OGX run config (`run.yaml` in v0.3, `config.yaml` newer)."""

    model_config = SCHEMA_CONFIG

    version: int | str = Field(
        2, description="Config format version; 2 in every format (older files write the string '2')."
    )
    image_name: str | None = Field(
        None,
        description="Name of the distribution (v0.3, required there). Newer upstream accepts it "
        "but prefers distro_name.",
    )
    distro_name: str | None = Field(
        None,
        description="Name of the distribution (newer upstream; replaces image_name).",
        json_schema_extra=NEWER,
    )
    container_image: str | None = Field(
        None, description="Container image this config belongs to, if any. Default: none."
    )
    apis: list[str] = Field(
        default_factory=list,
        description="APIs to serve. Default: every API that has providers.",
    )
    providers: dict[str, list[Provider]] = Field(
        description="API name -> the providers implementing it (required)."
    )
    storage: StorageConfig | None = Field(
        None,
        description="Storage backends and the server's stores. Required in v0.3; newer upstream "
        "defaults it to SQLite kv_default / sql_default.",
    )
    server: ServerConfig = Field(
        default_factory=ServerConfig, description="HTTP server: port, TLS, auth, quotas."
    )
    logging: LoggingConfig | None = Field(None, description="Log levels per component. Default: info.")
    logging_config: dict[str, Any] | None = Field(
        None, description="Older logging settings, kept as written. Default: none."
    )
    telemetry: TelemetryConfig | None = Field(
        None, description="Telemetry switch (v0.3; removed in newer upstream). Default: off."
    )
    external_providers_dir: str | None = Field(
        None, description="Directory of external provider specs to load. Default: none."
    )
    external_apis_dir: str | None = Field(
        None, description="Directory of external API specs to load. Default: none."
    )
    registered_resources: RegisteredResources | None = Field(
        None,
        description="Resources registered at startup (newer upstream; v0.3 keeps these lists at "
        "the top level).",
        json_schema_extra=NEWER,
    )
    vector_stores: VectorStoresConfig | None = Field(
        None, description="Defaults for vector stores (newer upstream).", json_schema_extra=NEWER
    )
    safety: SafetyConfig | None = Field(
        None, description="Defaults for the moderations API (newer upstream).", json_schema_extra=NEWER
    )
    connectors: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Connectors (e.g. MCP servers) registered at startup (newer upstream).",
        json_schema_extra=NEWER,
    )
    # v0.3 top-level resource lists (newer upstream: under registered_resources).
    models: list[dict[str, Any]] | None = Field(None, description="Models (v0.3). " + _RESOURCE_LIST)
    shields: list[dict[str, Any]] | None = Field(None, description="Shields (v0.3). " + _RESOURCE_LIST)
    vector_dbs: list[dict[str, Any]] | None = Field(
        None, description="Vector databases (v0.3; newer: registered_resources.vector_stores). " + _RESOURCE_LIST
    )
    datasets: list[dict[str, Any]] | None = Field(None, description="Datasets (v0.3). " + _RESOURCE_LIST)
    scoring_fns: list[dict[str, Any]] | None = Field(
        None, description="Scoring functions (v0.3). " + _RESOURCE_LIST
    )
    benchmarks: list[dict[str, Any]] | None = Field(None, description="Benchmarks (v0.3). " + _RESOURCE_LIST)
    tool_groups: list[dict[str, Any]] | None = Field(None, description="Tool groups (v0.3). " + _RESOURCE_LIST)

    @model_validator(mode="after")
    def _named(self) -> StackConfig:
        if not self.image_name and not self.distro_name:
            raise ValueError("the config needs a name: set distro_name (newer) or image_name (v0.3)")
        return self
