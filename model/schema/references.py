"""References to a named backend: what stores and provider configs hold since v0.3.

A KV reference names a `kv_*` backend plus a key prefix (`namespace`); a SQL reference
names a `sql_*` backend plus a table. Upstream requires both keys of each (no defaults);
the inference/responses variants add two write-queue knobs.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from model.schema.types import EnvInt, EnvPositiveInt

__all__ = [
    "REFERENCE_FAMILY",
    "InferenceStoreReference",
    "KVStoreReference",
    "ResponsesStoreReference",
    "SqlStoreReference",
]

SCHEMA_CONFIG = ConfigDict(extra="allow", defer_build=True)

_BACKEND_DESCRIPTION_KV = (
    "Name of a kv_* backend under storage.backends (required). Upstream checks it exists "
    "only for server stores; a bad name in a provider fails when that provider starts."
)
_BACKEND_DESCRIPTION_SQL = (
    "Name of a sql_* backend under storage.backends (required). Upstream checks it exists "
    "only for server stores; a bad name in a provider fails when that provider starts."
)


class KVStoreReference(BaseModel):
    """Points at a key-value backend; every key is stored under `namespace`."""

    model_config = SCHEMA_CONFIG

    backend: str = Field(description=_BACKEND_DESCRIPTION_KV)
    namespace: str = Field(
        description="Key prefix that keeps this store's keys apart from others sharing the "
        "backend (required). Changing it hides the data already stored."
    )


class SqlStoreReference(BaseModel):
    """Points at a SQL backend; the data lives in `table_name`."""

    model_config = SCHEMA_CONFIG

    backend: str = Field(description=_BACKEND_DESCRIPTION_SQL)
    table_name: str = Field(
        description="Table holding this store's rows, created if missing (required). "
        "Changing it hides the rows already stored."
    )


class InferenceStoreReference(SqlStoreReference):
    """SQL reference for the inference log, written by background writers."""

    max_write_queue_size: EnvInt = Field(
        10000,
        description="Most records held in memory waiting for the background writers. "
        "Default: 10000.",
    )
    num_writers: EnvPositiveInt = Field(
        4, description="Background tasks writing queued records to the table; at least 1 "
        "(with 0 nothing would be written). Default: 4."
    )


class ResponsesStoreReference(InferenceStoreReference):
    """SQL reference for stored responses (same knobs as the inference store)."""


REFERENCE_FAMILY: dict[type[BaseModel], Literal["kv", "sql"]] = {
    KVStoreReference: "kv",
    SqlStoreReference: "sql",
    InferenceStoreReference: "sql",
    ResponsesStoreReference: "sql",
}
