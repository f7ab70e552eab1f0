"""Pydantic schema of the run config, as far as llama-config understands it.

Every model keeps unknown keys (`extra="allow"`); typed fields also accept `${env...}`
placeholders (see `types`). Models are built lazily (`defer_build=True`) so importing
this package stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

# Names resolve on first use: importing model.schema for one table must not build every model.
_HOME: dict[str, str] = {
    "BACKEND_MODELS": "backends",
    "BACKEND_TYPES": "backends",
    "LATER_UPSTREAM_FIELDS": "backends",
    "BackendConfig": "backends",
    "KVMongoDBBackend": "backends",
    "KVPostgresBackend": "backends",
    "KVRedisBackend": "backends",
    "KVSqliteBackend": "backends",
    "SQLPostgresBackend": "backends",
    "SQLSqliteBackend": "backends",
    "family_of": "backends",
    "required_fields": "backends",
    "LoggingConfig": "config",
    "RegisteredResources": "config",
    "SafetyConfig": "config",
    "StackConfig": "config",
    "StorageConfig": "config",
    "TelemetryConfig": "config",
    "VectorStoresConfig": "config",
    "PROVIDER_REFERENCE_FIELDS": "providers",
    "Provider": "providers",
    "ProviderReferenceField": "providers",
    "reference_fields_for": "providers",
    "REFERENCE_FAMILY": "references",
    "InferenceStoreReference": "references",
    "KVStoreReference": "references",
    "ResponsesStoreReference": "references",
    "SqlStoreReference": "references",
    "AUTH_PROVIDER_MODELS": "server",
    "AUTH_PROVIDER_TYPES": "server",
    "AuthConfig": "server",
    "AuthProviderConfig": "server",
    "CORSConfig": "server",
    "CustomAuthConfig": "server",
    "GitHubTokenAuthConfig": "server",
    "KubernetesAuthConfig": "server",
    "OAuth2IntrospectionConfig": "server",
    "OAuth2JWKSConfig": "server",
    "OAuth2TokenAuthConfig": "server",
    "QuotaConfig": "server",
    "ServerConfig": "server",
    "UpstreamHeaderAuthConfig": "server",
    "looks_like_draft_quota": "server",
    "NEWER_DEFAULT_BACKEND_TYPES": "stores",
    "NEWER_DEFAULT_BACKENDS": "stores",
    "NEWER_DEFAULT_STORES": "stores",
    "STORE_FAMILIES": "stores",
    "STORE_NAMES": "stores",
    "STORE_REFERENCE_MODELS": "stores",
    "UPSTREAM_FAMILY_CHECKED": "stores",
    "StoresConfig": "stores",
    "ChooseByType": "types",
    "Env": "types",
    "EnvBool": "types",
    "EnvFloat": "types",
    "EnvInt": "types",
    "EnvNonNegativeInt": "types",
    "EnvPlaceholder": "types",
    "EnvPort": "types",
    "EnvPositiveInt": "types",
    "EnvStr": "types",
    "describe_type": "types",
    "env_int": "types",
    "expected_type_name": "types",
    "placeholder_hint": "types",
    "type_tag_of": "types",
}

__all__ = list(_HOME)  # every name, each resolved from its module on first use


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'model.schema' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"model.schema.{module}"), name)
    globals()[name] = value
    return value
