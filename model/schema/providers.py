"""Providers, and the places inside a provider's `config` that hold a storage reference.

Upstream only resolves these when the provider starts (`Unknown KVStore backend 'x'.
Registered backends: [...]`), so the table below is what lets us check them up front.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from model.facts import PROVIDER_REFERENCE_FIELDS, ProviderReferenceField, reference_fields_for  # noqa: F401  (re-exported)

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


