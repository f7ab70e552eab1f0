"""What a release gives a store or backend that a file does not spell out, from its data: the
store references its startup needs (with its default backend and namespace / table) and a
backend type's sample config. `init` writes them; `migrate` adds the stores a file lacks."""

from __future__ import annotations

import re
from typing import Any

from . import Release, latest_line, lines_between, load_release

_FIELD_ORDER = ("type", "db_path", "host", "port", "db", "user", "password")


def needs_store(release: Release, name: str, apis: set[str]) -> bool:
    """Whether the release's startup needs store `name` when the APIs in `apis` are served."""
    startup = release.stores[name].get("startup") or ""
    return startup == "required" or (startup.startswith("when-api:") and startup.removeprefix("when-api:") in apis)


def startup_stores(release: Release, apis: set[str]) -> dict[str, dict]:
    """The reference of every store the release needs at startup with `apis` served, as its
    default has it; key-value stores first."""
    names = sorted((n for n in release.stores if needs_store(release, n, apis)), key=lambda n: (release.stores[n]["family"] != "kv", n))
    return {name: store_reference(release, name) for name in names}


def store_reference(release: Release, name: str) -> dict:
    """A reference for store `name` as the release's default has it: backend and namespace (KV)
    or table_name (SQL). 0.3 has no defaults: the first later release's names are taken (they
    are the names upstream's 0.3 configs use)."""
    family = release.stores[name]["family"]
    key = partition_key(family)
    default = release.stores[name].get("default")
    for line in lines_between(release.line, latest_line()):
        if default:
            break
        later = load_release(line).stores.get(name) or {}
        if later.get("family") == family:
            default = later.get("default")
    if not default:
        return {"backend": f"{family}_default", key: name}
    return {"backend": default["backend"], key: default[key]}


def partition_key(family: str) -> str:
    return "namespace" if family == "kv" else "table_name"


def backend_config(release: Release, type_name: str, distro: str) -> dict:
    """The release's sample config of a backend type for distribution `distro` (its `{name}`);
    a password is written without a default, so a deployment has to set it."""
    sample = release.data["backends"][type_name].get("sample_config") or {"type": type_name}
    secrets = set(release.backend_secret_fields(type_name))
    config: dict[str, Any] = {}
    for key in sorted(sample, key=lambda k: (_FIELD_ORDER.index(k) if k in _FIELD_ORDER else len(_FIELD_ORDER), k)):
        value = sample[key]
        if isinstance(value, str):
            value = value.replace("{name}", distro)
            if key in secrets:
                value = re.sub(r"^\$\{env\.(\w+):=[^}]*\}$", r"${env.\1}", value)
        config[key] = value
    return config
