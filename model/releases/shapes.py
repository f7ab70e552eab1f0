"""What each release accepts, reduced to what `detect` asks: key names, API names, provider
types and their config fields, backend fields, store families. One small file for every line
(`shapes.json.gz`), so detection does not load eleven full data files (~140 ms).

It is derived from the data files: `python -m model.releases.shapes --write` (the release-data
generator runs it), and a test keeps it equal to what the data files give.
"""

from __future__ import annotations

import gzip
import json
import sys
from functools import lru_cache

from . import DATA_DIR, Release, available_lines, load_release

SHAPES_PATH = DATA_DIR / "shapes.json.gz"
ANY = "*"  # a config class that takes any key


def _properties(release: Release, def_name: str | None) -> list[str]:
    return sorted(release.definition(def_name).get("properties", {})) if def_name and release.has_definition(def_name) else []


def shape_of(release: Release) -> dict:
    providers: dict[str, dict[str, object]] = {}
    for api, types in release.providers.items():
        for ptype, spec in types.items():
            schema = spec.get("config_schema") or {}
            takes_any = schema.get("additionalProperties") not in (None, False)
            providers.setdefault(api, {})[ptype] = ANY if takes_any else sorted(schema.get("properties", {}))
    return {
        "top": sorted(release.top_level_keys | set(release.ignored_top_level)),
        "apis": sorted(release.apis),
        "providers": providers,
        "server": _properties(release, release.server.get("def")),
        "backends": {t: _properties(release, release.backend_def(t)) for t in release.backend_types},
        "stores": {name: spec.get("family") for name, spec in release.stores.items()},
    }


def build() -> dict:
    return {line: shape_of(load_release(line)) for line in available_lines()}


def encode(shapes: dict) -> bytes:
    return gzip.compress(json.dumps(shapes, sort_keys=True, separators=(",", ":")).encode(), compresslevel=9, mtime=0)


class Shape:
    """One release line's shape, with the questions detection asks."""

    def __init__(self, line: str, data: dict) -> None:
        self.line = line
        self.top = frozenset(data["top"])
        self.apis = frozenset(data["apis"])
        self.providers = {api: {t: (ANY if f == ANY else frozenset(f)) for t, f in types.items()} for api, types in data["providers"].items()}
        self.server = frozenset(data["server"])
        self.backends = {t: frozenset(f) for t, f in data["backends"].items()}
        self.stores = data["stores"]

    def knows_provider(self, api: str, ptype: str) -> bool:
        return ptype in self.providers.get(api, {})

    def knows_config_key(self, api: str, ptype: str, key: str) -> bool:
        fields = self.providers.get(api, {}).get(ptype)
        return fields is not None and (fields == ANY or key in fields)

    def knows_backend_key(self, type_name: str, key: str) -> bool:
        return key in self.backends.get(type_name, ())


@lru_cache(maxsize=1)
def shapes() -> tuple[Shape, ...]:
    """Every line with data, oldest first."""
    data = json.loads(gzip.decompress(SHAPES_PATH.read_bytes()))
    return tuple(Shape(line, data[line]) for line in available_lines())


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        SHAPES_PATH.write_bytes(encode(build()))
        print(f"wrote {SHAPES_PATH}")
    else:
        sys.exit("usage: python -m model.releases.shapes --write")
