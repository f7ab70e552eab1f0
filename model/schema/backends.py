"""`storage.backends`: the six backend types a run config can name.

One model per `type:`. Defaults are the v0.3 ones; where newer upstream (OGX) changed a
default, the newer value is in `json_schema_extra["newer_default"]`. Fields that first
appeared after v0.3 carry `json_schema_extra["since"] = "newer"`. Password-like fields carry
`json_schema_extra["secret"] = True` (upstream stores them as plain strings).
Unknown keys are kept (`extra="allow"`); upstream ignores them silently, our validator
reports them.
"""

from __future__ import annotations

from typing import Annotated, Literal

import annotated_types as at
from pydantic import BaseModel, ConfigDict, Field

from model.facts import BACKEND_TYPES, LATER_UPSTREAM_FIELDS, family_of  # noqa: F401  (re-exported)

from model.schema.types import ChooseByType, Env, EnvBool, EnvPlaceholder, EnvPort, env_int

__all__ = [
    "BACKEND_MODELS",
    "BACKEND_TYPES",
    "BackendConfig",
    "KVMongoDBBackend",
    "KVPostgresBackend",
    "KVRedisBackend",
    "KVSqliteBackend",
    "LATER_UPSTREAM_FIELDS",
    "SQLPostgresBackend",
    "SQLSqliteBackend",
    "family_of",
    "required_fields",
]

SCHEMA_CONFIG = ConfigDict(extra="allow", defer_build=True)

NEWER = {"since": "newer"}

# PostgreSQL identifier, as upstream's (never applied) table_name check intended:
# the KV table name is pasted into SQL unquoted.
PgIdentifier = Annotated[
    Annotated[str, at.MaxLen(63), Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")],
    EnvPlaceholder("PostgreSQL table name (letters, digits and _, not starting with a digit, at most 63)"),
]

_NAMESPACE_DESCRIPTION = (
    "Key prefix for this backend. Ignored in practice: every store and provider "
    "reference sets its own namespace."
)


class KVSqliteBackend(BaseModel):
    """Key-value store in a local SQLite file."""

    model_config = SCHEMA_CONFIG

    type: Env[Literal["kv_sqlite"]] = Field(
        "kv_sqlite", description="Backend type: key-value store in a SQLite file."
    )
    db_path: str = Field(
        description="Path of the SQLite database file (required). Created on first use; "
        "its directory must be writable by the server."
    )
    namespace: str | None = Field(None, description=_NAMESPACE_DESCRIPTION)


class KVRedisBackend(BaseModel):
    """Key-value store in Redis. Upstream has no password, database index, TLS or url field."""

    model_config = SCHEMA_CONFIG

    type: Env[Literal["kv_redis"]] = Field("kv_redis", description="Backend type: key-value store in Redis.")
    host: str = Field("localhost", description="Redis host name. Default: localhost.")
    port: EnvPort = Field(6379, description="Redis TCP port. Default: 6379.")
    namespace: str | None = Field(None, description=_NAMESPACE_DESCRIPTION)


class _PostgresConnection(BaseModel):
    """Where a PostgreSQL backend connects: the same fields for its KV and SQL kinds."""

    model_config = SCHEMA_CONFIG

    host: str = Field("localhost", description="PostgreSQL host name. Default: localhost.")
    port: EnvPort = Field(5432, description="PostgreSQL TCP port. Default: 5432.")
    db: str = Field(
        "llamastack",
        description="Database name. Default: llamastack (newer upstream: ogx).",
        json_schema_extra={"newer_default": "ogx"},
    )
    user: str = Field(description="Database user to connect as (required).")
    password: str | None = Field(
        None,
        description="Password for the user. Default: none (passwordless or trust authentication).",
        json_schema_extra={"secret": True},
    )


class KVPostgresBackend(_PostgresConnection):
    """Key-value store in one PostgreSQL table."""

    model_config = SCHEMA_CONFIG

    type: Env[Literal["kv_postgres"]] = Field(
        "kv_postgres", description="Backend type: key-value store in a PostgreSQL table."
    )
    ssl_mode: str | None = Field(
        None,
        description="libpq-style SSL mode such as disable, require or verify-full. "
        "Default: not set, the driver's default applies.",
    )
    ca_cert_path: str | None = Field(
        None,
        description="CA certificate file to verify the server with. Used only when "
        "ssl_mode is verify-full; ignored otherwise.",
    )
    table_name: PgIdentifier = Field(
        "llamastack_kvstore",
        description="Table holding the key-value pairs; created if missing. Letters, digits "
        "and underscores, at most 63. Default: llamastack_kvstore (newer upstream: ogx_kvstore).",
        json_schema_extra={"newer_default": "ogx_kvstore"},
    )
    namespace: str | None = Field(None, description=_NAMESPACE_DESCRIPTION)


class KVMongoDBBackend(BaseModel):
    """Key-value store in one MongoDB collection."""

    model_config = SCHEMA_CONFIG

    type: Env[Literal["kv_mongodb"]] = Field(
        "kv_mongodb", description="Backend type: key-value store in a MongoDB collection."
    )
    host: str = Field(
        "localhost",
        description="MongoDB host name, or a full mongodb:// URI (pymongo accepts either). "
        "Default: localhost.",
    )
    port: EnvPort = Field(27017, description="MongoDB TCP port. Default: 27017.")
    db: str = Field(
        "llamastack",
        description="Database name. Default: llamastack (newer upstream: ogx).",
        json_schema_extra={"newer_default": "ogx"},
    )
    user: str | None = Field(None, description="User to authenticate as. Default: none (no authentication).")
    password: str | None = Field(
        None, description="Password for the user. Default: none.", json_schema_extra={"secret": True}
    )
    collection_name: str = Field(
        "llamastack_kvstore",
        description="Collection holding the key-value pairs. Default: llamastack_kvstore "
        "(newer upstream: ogx_kvstore).",
        json_schema_extra={"newer_default": "ogx_kvstore"},
    )
    namespace: str | None = Field(None, description=_NAMESPACE_DESCRIPTION)


_POOL_PRE_PING_DESCRIPTION = (
    "Check each pooled connection with a round trip before using it (newer upstream). "
    "Default: true; set false to save the extra query per checkout."
)


class SQLSqliteBackend(BaseModel):
    """SQL store (SQLAlchemy) in a local SQLite file."""

    model_config = SCHEMA_CONFIG

    type: Env[Literal["sql_sqlite"]] = Field(
        "sql_sqlite", description="Backend type: SQL tables in a SQLite file."
    )
    db_path: str = Field(
        description="Path of the SQLite database file (required). Created on first use; "
        "its directory must be writable by the server."
    )
    pool_pre_ping: EnvBool = Field(True, description=_POOL_PRE_PING_DESCRIPTION, json_schema_extra=NEWER)


class SQLPostgresBackend(_PostgresConnection):
    """SQL store (SQLAlchemy + asyncpg) in PostgreSQL. Upstream has no SSL fields here."""

    model_config = SCHEMA_CONFIG

    type: Env[Literal["sql_postgres"]] = Field(
        "sql_postgres", description="Backend type: SQL tables in PostgreSQL."
    )
    pool_pre_ping: EnvBool = Field(True, description=_POOL_PRE_PING_DESCRIPTION, json_schema_extra=NEWER)
    pool_size: env_int(ge=1) = Field(
        10,
        description="Connections kept open in the pool, at least 1 (newer upstream). Default: 10.",
        json_schema_extra=NEWER,
    )
    max_overflow: env_int(ge=0) = Field(
        20,
        description="Extra connections allowed beyond pool_size under load, 0 or more "
        "(newer upstream). Default: 20.",
        json_schema_extra=NEWER,
    )
    pool_recycle: env_int(ge=-1) = Field(
        -1,
        description="Seconds after which a pooled connection is replaced; -1 never "
        "(newer upstream). Default: -1.",
        json_schema_extra=NEWER,
    )


BACKEND_MODELS: dict[str, type[BaseModel]] = {
    "kv_sqlite": KVSqliteBackend,
    "kv_redis": KVRedisBackend,
    "kv_postgres": KVPostgresBackend,
    "kv_mongodb": KVMongoDBBackend,
    "sql_sqlite": SQLSqliteBackend,
    "sql_postgres": SQLPostgresBackend,
}

def required_fields(model: type[BaseModel]) -> list[str]:
    """Names of the fields a mapping must spell out (no default), in declaration order."""
    return [name for name, info in model.model_fields.items() if info.is_required()]


BackendConfig = Annotated[
    KVSqliteBackend | KVRedisBackend | KVPostgresBackend | KVMongoDBBackend | SQLSqliteBackend | SQLPostgresBackend,
    ChooseByType(BACKEND_MODELS, "backend"),
]
"""One `storage.backends` entry, validated with the model its `type:` names."""
