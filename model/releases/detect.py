"""Which release a config was written for, from what it uses, and why.

Each thing a file uses that not every release knows (a top-level key, an API, a provider type,
a server or backend field, a store of one family) narrows the candidates to the releases that
know it. The newest release that knows everything the file uses is the target; where no
release knows all of it, the one that knows the most. The reasons name the things that ruled
releases out, so an operator can see why (`from: distro_name, SQL prompts store`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator

from . import Release, available_lines, display_name, load_release
from .shapes import Shape, shapes


@dataclass(frozen=True)
class Detection:
    line: str
    reasons: tuple[str, ...]  # what narrowed it down, most telling first
    exact: bool  # some release knows everything the file uses

    def describe(self) -> str:
        """`ogx 1.5 (from: distro_name, SQL prompts store)`."""
        if not self.reasons:
            return f"{display_name(self.line)} (the newest release: nothing in the file tells which it was written for)"
        why = ", ".join(self.reasons)
        if not self.exact:
            return f"{display_name(self.line)} (closest: no release knows everything the file uses; from: {why})"
        return f"{display_name(self.line)} (from: {why})"


def _features(data: dict) -> Iterator[tuple[str, Callable[[Shape], bool], bool]]:
    """(what the file uses, in words; whether a release knows it; whether it only counts when
    some release knows it)."""
    for key in data:
        if isinstance(key, str):
            yield key, lambda r, k=key: k in r.top, False
    apis: set[str] = set()
    providers = data.get("providers")
    if isinstance(providers, dict):
        for api, entries in providers.items():
            if not isinstance(api, str):
                continue
            apis.add(api)
            for entry in entries if isinstance(entries, list) else ():
                ptype = entry.get("provider_type") if isinstance(entry, dict) else None
                if isinstance(ptype, str) and not entry.get("module"):
                    yield ptype, lambda r, a=api, t=ptype: r.knows_provider(a, t), False
                    config = entry.get("config")
                    for key in config if isinstance(config, dict) else ():
                        if isinstance(key, str):
                            yield f"{ptype} {key}", lambda r, a=api, t=ptype, k=key: r.knows_config_key(a, t, k), True
    listed = data.get("apis")
    if isinstance(listed, list):
        apis |= {a for a in listed if isinstance(a, str)}
    for api in sorted(apis):
        yield f"API {api}", lambda r, a=api: a in r.apis, False
    server = data.get("server")
    if isinstance(server, dict):
        for key in server:
            if isinstance(key, str):
                yield f"server.{key}", lambda r, k=key: k in r.server, False
    storage = data.get("storage")
    if isinstance(storage, dict):
        yield from _storage_features(storage)


def _storage_features(storage: dict) -> Iterator[tuple[str, Callable[[Shape], bool], bool]]:
    backends = storage.get("backends")
    if isinstance(backends, dict):
        for backend in backends.values():
            if not isinstance(backend, dict) or not isinstance(backend.get("type"), str):
                continue
            type_name = backend["type"]
            yield type_name, lambda r, t=type_name: t in r.backends, False
            for key in backend:
                if key != "type" and isinstance(key, str):
                    yield f"{type_name} {key}", lambda r, t=type_name, k=key: r.knows_backend_key(t, k), False
    stores = storage.get("stores")
    if isinstance(stores, dict):
        for name, ref in stores.items():
            if not isinstance(ref, dict) or not isinstance(name, str):
                continue
            family = "sql" if "table_name" in ref else "kv" if "namespace" in ref else None
            if family:
                yield f"{family.upper()} {name} store", lambda r, n=name, f=family: r.stores.get(n) == f, False
            else:
                yield f"{name} store", lambda r, n=name: n in r.stores, False


def detect(data: Any, oldest: bool = False) -> Detection:
    """The release `data` was written for: the newest of those that know most of what it uses
    (`oldest`: the oldest of them, where an upgrade starts so that no step is skipped)."""
    lines = available_lines()
    if not isinstance(data, dict):
        return Detection(lines[-1], (), True)
    releases = shapes()
    known: dict[str, list[bool]] = {}
    tells_nothing: set[str] = set()  # (asked again for each of thousands of providers alike)
    for words, test, telling_only in _features(data):
        if words in known or words in tells_nothing:
            continue
        flags = [test(r) for r in releases]
        if telling_only and not any(flags):
            tells_nothing.add(words)  # a config key no release reads (upstream ships some): it tells nothing
            continue
        known[words] = flags
    scores = [sum(flags[i] for flags in known.values()) for i in range(len(releases))]
    best = max(scores) if scores else 0
    exact = best == len(known)
    best_ones = [i for i, s in enumerate(scores) if s == best]
    index = best_ones[0] if oldest else best_ones[-1]  # newest among the best, unless asked
    # what rules other releases out: known by the chosen one but not by all, rarest first
    telling = [(sum(flags), words) for words, flags in known.items() if flags[index] and not all(flags)]
    reasons = tuple(words for _, words in sorted(telling)[:3])
    return Detection(lines[index], reasons, exact)


def release_of(data: Any, release: Release | None = None) -> Release:
    """`release`, or the release `data` was written for (what every command judges it by when
    no --server is given)."""
    return release or load_release(detect(data).line)
