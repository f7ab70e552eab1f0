"""What each server release accepts, read from the data files generated from its own package.

    release = load_release("ogx-1.5")
    release.provider("inference", "remote::ollama")["config_schema"]

The files (`<line>.json.gz`, see FORMAT.md) are written by `python -m tools.releases.generate`;
llama-config never imports upstream at run time. Loading one takes a few milliseconds and is
cached per process.
"""

from __future__ import annotations

import gzip
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).parent

# Oldest first. The one list of lines llama-config knows; a line without a data file is skipped.
LINES: tuple[str, ...] = (
    "0.3", "0.4", "0.5", "0.6", "0.7",
    "ogx-1.0", "ogx-1.1", "ogx-1.2", "ogx-1.3", "ogx-1.4", "ogx-1.5",
)  # fmt: skip


class UnknownRelease(ValueError):
    """A --server value that names no release line llama-config has data for."""


def available_lines() -> tuple[str, ...]:
    return tuple(line for line in LINES if (DATA_DIR / f"{line}.json.gz").exists())


def latest_line() -> str:
    return available_lines()[-1]


_SPEC = re.compile(
    r"^(?:(?P<dist>llama[-_]?stack|ogx)[-_ =v]*)?v?(?P<major>\d+)\.(?P<minor>\d+)(?:\.(?P<patch>\d+))?$",
    re.IGNORECASE,
)


def parse_server(text: str) -> str:
    """The release line a `--server` value names: `0.3`, `0.7.3`, `ogx-1.5`, `ogx 1.5.0`, `1.5`,
    `llama-stack==0.7.3`, `latest`. A patch number is accepted (each line is judged by its
    newest patch release); an unknown line raises UnknownRelease with the known ones."""
    known = available_lines()
    spec = text.strip()
    if spec.lower() in ("latest", "newest"):
        return known[-1]
    m = _SPEC.match(spec.replace("==", "-"))
    if m:
        major, minor = int(m["major"]), int(m["minor"])
        dist = (m["dist"] or "").lower()
        # ogx numbering restarted at 1.0; llama-stack never reached 1.0
        is_ogx = dist == "ogx" or (not dist and major >= 1)
        line = f"ogx-{major}.{minor}" if is_ogx else f"{major}.{minor}"
        if line in known:
            return line
    raise UnknownRelease(
        f"unknown server release {text!r}; llama-config knows "
        + ", ".join(display_name(line) for line in known)
        + " (write e.g. 0.7, 0.7.3, ogx-1.5 or latest)"
    )


def display_name(line: str) -> str:
    """`0.7` -> "llama-stack 0.7", `ogx-1.5` -> "ogx 1.5"."""
    return f"ogx {line[4:]}" if line.startswith("ogx-") else f"llama-stack {line}"


def display_span(lines: list[str]) -> str:
    """["0.3", "0.4", "0.5"] -> "llama-stack 0.3 to llama-stack 0.5" (consecutive lines, oldest first)."""
    return display_name(lines[0]) if len(lines) == 1 else f"{display_name(lines[0])} to {display_name(lines[-1])}"


def is_ogx(line: str) -> bool:
    return line.startswith("ogx-")


def line_index(line: str) -> int:
    return LINES.index(line)


class Release:
    """One release line's data, with lookups the validator and the editor share."""

    def __init__(self, data: dict) -> None:
        self.data = data
        self.line: str = data["line"]
        self.version: str = data["version"]
        self.distribution: str = data["distribution"]
        self.schema: dict = data["config_schema"]  # the top-level model's JSON schema (root of $refs)

    def __repr__(self) -> str:
        return f"Release({self.line!r}, {self.version!r})"

    @property
    def name(self) -> str:
        """"ogx 1.5" (the line), for messages."""
        return display_name(self.line)

    @property
    def full_name(self) -> str:
        return f"{self.distribution} {self.version}"

    @property
    def is_ogx(self) -> bool:
        return is_ogx(self.line)

    def at_least(self, line: str) -> bool:
        return line_index(self.line) >= line_index(line)

    # -- the config model --------------------------------------------------------------------

    def definition(self, name: str) -> dict:
        return self.schema["$defs"][name]

    def has_definition(self, name: str | None) -> bool:
        return bool(name) and name in self.schema.get("$defs", {})

    @property
    def top_level_keys(self) -> set[str]:
        return set(self.schema.get("properties", {}))

    @property
    def ignored_top_level(self) -> dict[str, str]:
        """Top-level keys the loader drops without a word -> why (the upstream change)."""
        return self.data.get("ignored_top_level") or {}

    @property
    def name_fields(self) -> dict:
        return self.data.get("name_fields") or {}

    # -- storage -----------------------------------------------------------------------------

    @property
    def storage(self) -> dict:
        return self.data.get("storage") or {}

    @property
    def stores(self) -> dict[str, dict]:
        return self.storage.get("stores") or {}

    def store_family(self, name: str) -> str | None:
        store = self.stores.get(name)
        return store.get("family") if store else None

    @property
    def default_backends(self) -> dict[str, dict]:
        return self.storage.get("default_backends") or {}

    @property
    def backend_types(self) -> tuple[str, ...]:
        """KV types first, each family from the simplest (SQLite: no server) on."""
        return tuple(sorted(self.data.get("backends") or {}, key=_backend_order))

    def backend_def(self, type_name: str | None) -> str | None:
        spec = (self.data.get("backends") or {}).get(type_name or "")
        return spec.get("def") if spec else None

    def backend_secret_fields(self, type_name: str | None) -> tuple[str, ...]:
        spec = (self.data.get("backends") or {}).get(type_name or "")
        return tuple(spec.get("secret_fields") or ()) if spec else ()

    # -- server --------------------------------------------------------------------------------

    @property
    def server(self) -> dict:
        return self.data.get("server") or {}

    @property
    def has_quota(self) -> bool:
        return bool(self.server.get("quota"))

    @property
    def has_cors(self) -> bool:
        return bool(self.server.get("cors"))

    @property
    def auth_types(self) -> dict[str, str]:
        return self.server.get("auth_types") or {}

    # -- APIs and providers ------------------------------------------------------------------

    @property
    def apis(self) -> tuple[str, ...]:
        return tuple(self.data.get("apis") or ())

    @property
    def providable_apis(self) -> tuple[str, ...]:
        """APIs that take providers under `providers:`."""
        return tuple(self.data.get("providable_apis") or self.apis)

    @property
    def internal_apis(self) -> tuple[str, ...]:
        """APIs the stack serves itself (inspect, providers, conversations, ...)."""
        return tuple(self.data.get("internal_apis") or ())

    @property
    def routing_table_apis(self) -> tuple[str, ...]:
        return tuple(self.data.get("routing_table_apis") or ())

    @property
    def conditional_apis(self) -> dict[str, str]:
        """Internal APIs built only when a config value is true: api -> its dotted path."""
        return self.data.get("conditional_apis") or {}

    def available_with(self, api: str, served: set[str]) -> bool:
        """Whether `api` exists at run time when the APIs in `served` are served: internal APIs
        always (a conditional one only when served), a routing table when its router API is."""
        if api in served or (api in self.internal_apis and api not in self.conditional_apis):
            return True
        routed = self.data.get("routed_apis") or {}
        return any(table == api and router in served for router, table in routed.items())

    @property
    def api_without_provider(self) -> str:
        """"error" or "warning": what the release does for an `apis:` entry no provider serves."""
        value = self.data.get("api_without_provider") or "error"
        return value.get("outcome", "error") if isinstance(value, dict) else value

    @property
    def providers(self) -> dict[str, dict[str, dict]]:
        return self.data.get("providers") or {}

    def provider(self, api: str, provider_type: str) -> dict | None:
        return self.providers.get(api, {}).get(provider_type)

    def provider_types(self, api: str) -> tuple[str, ...]:
        return tuple(self.providers.get(api, {}))


@lru_cache(maxsize=None)
def load_release(line: str) -> Release:
    path = DATA_DIR / f"{line}.json.gz"
    if not path.exists():
        raise UnknownRelease(f"no data for server release {line!r}")
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return Release(json.load(f))


def release_for(spec: str | None) -> Release:
    """The release a `--server` value (or LLAMA_CONFIG_SERVER) names; the newest for None."""
    return load_release(parse_server(spec) if spec else latest_line())


def lines_between(old: str, new: str) -> list[str]:
    """Lines after `old` up to and including `new`, oldest first."""
    return list(LINES[line_index(old) + 1 : line_index(new) + 1])


_BACKEND_ORDER = ("kv_sqlite", "kv_redis", "kv_postgres", "kv_mongodb", "sql_sqlite", "sql_postgres")


def _backend_order(type_name: str) -> tuple[int, str]:
    return (_BACKEND_ORDER.index(type_name) if type_name in _BACKEND_ORDER else len(_BACKEND_ORDER), type_name)


# the order stores are shown in: the server's own core stores first, then the rest by name
_STORE_ORDER = ("metadata", "inference", "conversations", "responses", "prompts", "connectors")


def store_order(name: str) -> tuple[int, str]:
    return (_STORE_ORDER.index(name) if name in _STORE_ORDER else len(_STORE_ORDER), name)


def schema_value(schema: dict, root: dict) -> Any:
    """Follow `$ref`s to the schema they name."""
    while isinstance(schema, dict) and "$ref" in schema:
        schema = root["$defs"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema
