"""What to probe: each backend with its `${env...}` placeholders resolved and defaults applied.

Planning does no I/O beyond reading env files (already loaded into the `Environment`) and
the packaged JSON schema, whose defaults, required fields and `secret` marks are the single
source for what a backend's fields mean.
"""

from __future__ import annotations

import hashlib
import json
import secrets as _secrets
from dataclasses import dataclass, field, replace
from pathlib import PurePath
from typing import Any, Mapping, Sequence
from urllib.parse import quote, quote_plus, unquote, urlsplit

from llama_config.model.envvars import Environment, has_placeholder, resolve
from llama_config.model.facts import declared_backends, type_tag_of
from llama_config.model.references import find_references
from llama_config.model.releases import Release, release_for
from llama_config.model.releases.detect import release_of
from llama_config.model.schema_check import is_secret_schema

_FINGERPRINT_KEY = _secrets.token_bytes(16)  # per process: a fingerprint says nothing about a password


@dataclass(frozen=True)
class ProbeTarget:
    """One backend, ready to probe. `settings` holds resolved values (passwords too): never show it."""

    name: str
    type: str  # resolved `type`, "?" when it cannot be told
    settings: Mapping[str, Any] = field(repr=False)
    secrets: tuple[str, ...] = field(default=(), repr=False)  # every form a secret may be printed in
    missing_variables: tuple[str, ...] = ()  # required ${env.X} that are unset or empty
    missing_fields: tuple[str, ...] = ()  # required fields absent from the config
    problem: str | None = None  # a value the probe cannot use (not a mapping, unknown type, bad port)
    tables: tuple[str, ...] = ()  # sql_postgres: tables the stores and providers keep on this backend
    created_by: tuple[str, ...] = ()  # sql_sqlite: used kv_sqlite backends whose startup creates its directory
    origins: Mapping[str, str] = field(default_factory=dict)  # field -> "PG_PASSWORD from env-file .env:3"
    fingerprint: str = ""  # changes whenever anything the probe uses changes (for stale results)
    api: str | None = None  # a provider's API ("inference"); None for a storage backend
    index: int = 0  # a provider's position under providers.<api>
    url: str | None = None  # a provider's endpoint as requested, without credentials ("http://gpu-1:8000/v1")
    models: tuple[str, ...] = ()  # inference: the provider_model_ids registered to this provider

    @property
    def key(self) -> str:
        """Unique within one run: the backend name, or `providers.<api>[<index>]` for a provider."""
        return self.name if self.api is None else f"providers.{self.api}[{self.index}]"

    @property
    def config_path(self) -> str:
        """Where the settings live in the file, for hints ("storage.backends.kv_pg")."""
        return f"storage.backends.{self.name}" if self.api is None else f"providers.{self.api}[{self.name}].config"

    @property
    def family(self) -> str:
        return self.type.split("_", 1)[0] if "_" in self.type else "?"

    @property
    def address(self) -> str | None:
        """Where the probe goes, for people: host:port, or the SQLite path. Never a password."""
        if self.type.endswith("_sqlite"):
            path = self.settings.get("db_path")
            return str(path) if path is not None else None
        host = self.settings.get("host")
        if host is None:
            return None
        host = _strip_userinfo(str(host))
        if "://" in host:
            return host
        return f"{host}:{self.settings.get('port')}"


def _strip_userinfo(host: str) -> str:
    """`mongodb://user:pw@h:1/db` -> `mongodb://h:1/db` (pymongo accepts a URI in `host`)."""
    if "://" not in host or "@" not in host:
        return host
    scheme, rest = host.split("://", 1)
    return f"{scheme}://{rest.rsplit('@', 1)[1]}"


def secret_forms(value: str) -> set[str]:
    """A secret as it may appear in text: as is, URL-encoded (either way) and URL-decoded."""
    forms = {value, quote(value, safe=""), quote_plus(value, safe=""), quote(value), unquote(value)}
    return {f for f in forms if f}


def plan(data: Any, env: Environment, names: Sequence[str] | None = None, release: Release | None = None) -> list[ProbeTarget]:
    """A target per backend in `storage.backends` (file order), or per name in `names` (that order),
    resolved as `release` (default: the one the file was written for) reads them.

    A name that is not declared raises KeyError (the command line reports it, exit 2).
    """
    backends = declared_backends(data)
    chosen = list(backends) if names is None else list(dict.fromkeys(names))
    unknown = [n for n in chosen if n not in backends]
    if unknown:
        raise KeyError(", ".join(map(str, unknown)))
    release = release_of(data, release)
    uses = _uses(data if isinstance(data, dict) else {}, env, release)
    targets = {name: target_for(str(name), backends[name], env, release, tables=tuple(dict.fromkeys(t for t in uses.get(name, ()) if t)))
               for name in backends}
    return [_with_creators(targets[name], targets, uses) for name in chosen]


def _uses(data: dict, env: Environment, release: Release) -> dict[Any, list[str | None]]:
    """backend name -> what references it: the SQL table names (None for a KV reference).

    Unset stores count too where the release gives them a default backend (kv_default/sql_default).
    """
    found: dict[Any, list[str | None]] = {}
    for ref in find_references(data, release=release):
        if isinstance(ref.backend, str):
            table = resolve(ref.partition, env).value if ref.family == "sql" else None
            found.setdefault(ref.backend, []).append(table if isinstance(table, str) else None)
    storage = data.get("storage") if isinstance(data.get("storage"), dict) else {}
    stores = storage.get("stores") if isinstance(storage.get("stores"), dict) else {}
    for store, spec in release.stores.items():
        default = spec.get("default")
        if store not in stores and isinstance(default, dict) and isinstance(default.get("backend"), str):
            found.setdefault(default["backend"], []).append(default.get("table_name") if spec.get("family") == "sql" else None)
    return found


def _with_creators(target: ProbeTarget, targets: Mapping[Any, ProbeTarget], uses: Mapping[Any, list]) -> ProbeTarget:
    """A sql_sqlite target with the used kv_sqlite backends whose startup creates its directory.

    kv_sqlite runs os.makedirs(dirname(db_path)) when the server opens it; SQLAlchemy does not,
    so a sql_sqlite file in a missing directory works only if such a kv_sqlite backend makes it.
    """
    if target.type != "sql_sqlite" or not isinstance(target.settings.get("db_path"), str):
        return target
    directory = PurePath(target.settings["db_path"]).parent
    creators = tuple(
        str(name) for name, other in targets.items()
        if other.type == "kv_sqlite" and name in uses and isinstance(other.settings.get("db_path"), str)
        and not other.missing_variables and PurePath(other.settings["db_path"]).parent.is_relative_to(directory)
    )
    return replace(target, created_by=creators) if creators else target


def _fingerprint(type_name: str, raw: Any, settings: Mapping[str, Any], missing: Sequence[str]) -> str:
    payload = json.dumps([type_name, raw, dict(settings), list(missing)], sort_keys=True, default=repr)
    return hashlib.blake2b(payload.encode(), key=_FINGERPRINT_KEY, digest_size=12).hexdigest()


def target_for(name: str, backend: Any, env: Environment, release: Release | None = None, *, tables: Sequence[str] = ()) -> ProbeTarget:
    """Resolve one `storage.backends` entry the way `release` (default: the newest) will."""
    release = release or release_for(None)  # the newest
    if not isinstance(backend, dict):
        return ProbeTarget(name, "?", {}, problem=f"backend '{name}' is not a mapping", fingerprint=_fingerprint("?", repr(backend), {}, ()))
    type_resolution = resolve(backend.get("type"), env)
    type_name = type_resolution.value if isinstance(type_resolution.value, str) else None
    if type_name not in release.backend_types:
        type_name = type_tag_of(backend) if type_resolution.missing else type_name
    definition = release.backend_def(type_name)
    schema = release.definition(definition) if definition else None
    secret_fields = set(release.backend_secret_fields(type_name))  # also masked in every text

    settings: dict[str, Any] = {}
    secrets: set[str] = set()
    missing: list[str] = []
    origins: dict[str, str] = {}
    properties = schema.get("properties", {}) if schema else {}
    for key, raw in backend.items():
        r = resolve(raw, env)
        for var in r.missing:
            if var not in missing:
                missing.append(var)
        settings[str(key)] = r.value
        if r.variables:
            origins[str(key)] = ", ".join(f"{v.name} from {v.origin}" if v.value is not None else f"{v.name} (unset)" for v in r.variables)
        if key in secret_fields or is_secret_schema(properties.get(key, {})):  # as written, as substituted, as re-typed (12345 -> int)
            literal = None if has_placeholder(raw) else raw
            for value in (literal, r.text, r.value, *(v.value for v in r.variables)):
                if value is not None and not isinstance(value, bool):
                    secrets |= secret_forms(str(value))
    for key, spec in properties.items():
        if key not in backend and "default" in spec:
            settings[key] = spec["default"]
    host = settings.get("host")
    if isinstance(host, str) and "://" in host:  # a MongoDB URI may carry user:password@
        password = urlsplit(host).password if "@" in host else None
        if password:
            secrets |= secret_forms(password)
    missing_fields = tuple(k for k in (schema or {}).get("required", ()) if settings.get(k) in (None, "") and not _field_unresolved(backend, k, env))
    fingerprint = _fingerprint(type_name or "?", backend, settings, missing)
    common = dict(secrets=tuple(sorted(secrets)), missing_variables=tuple(missing), missing_fields=missing_fields,
                  tables=tuple(tables), origins=origins, fingerprint=fingerprint)
    if type_name is None:
        problem = None if missing else f"backend '{name}' has no type"
        return ProbeTarget(name, "?", settings, problem=problem, **common)
    if schema is None:
        return ProbeTarget(name, type_name, settings, problem=f"backend '{name}' has unknown type '{type_name}'", **common)
    problem = None
    if "port" in properties and not missing:
        port = settings.get("port")
        if isinstance(port, str) and port.strip().isdigit():
            port = int(port)
        if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
            problem = f"port must be a number from 1 to 65535, not {port!r}"
        else:
            settings["port"] = port
    if type_name == "sql_sqlite" and isinstance(settings.get("db_path"), str):
        settings["db_path"] = env.expanduser(settings["db_path"])  # SQLAlchemy's Path(db_path).expanduser()
    for key in ("host", "db", "user", "password", "db_path", "table_name", "collection_name"):
        value = settings.get(key)
        if value is not None and not isinstance(value, str) and not missing and problem is None:
            kind = "a boolean" if isinstance(value, bool) else "a number" if isinstance(value, (int, float)) else f"a {type(value).__name__}"
            shown = kind if key in secret_fields or is_secret_schema(properties.get(key, {})) else repr(value)
            problem = f"{key} must be a string, not {shown}"
    return ProbeTarget(name, type_name, settings, problem=problem, **common)


def _field_unresolved(backend: dict, key: str, env: Environment) -> bool:
    return bool(resolve(backend.get(key), env).missing)
