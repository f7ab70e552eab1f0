"""Every place in a config that points at a storage backend by name.

Three kinds: the server's stores (`storage.stores.*`), fields inside provider configs (known
ones from the release data, and any other mapping shaped like a reference), and the quota
counter store (`server.quota.kvstore`). Validation, `show` and `rename-backend` all start here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Literal

from .redaction import shown_value
from .text_positions import WordsAt
from .workcount import WORK
from .yamlpath import Path

Family = Literal["kv", "sql"]


@dataclass(frozen=True)
class Reference:
    path: Path  # the reference mapping itself
    family: Family
    owner: str  # who holds it, for people: "store metadata", "vector_io provider faiss", "server quota"
    backend: Any  # the `backend` value as written (may be missing or not a string)
    partition: Any  # namespace (kv) or table_name (sql), None when unset
    known: bool  # declared by the schema (False: recognised by its shape only)
    value: Any = field(default=None, compare=False, repr=False)  # the mapping (or what is written instead)

    @property
    def partition_key(self) -> str:
        return "namespace" if self.family == "kv" else "table_name"


def is_inline_store_config(value: Any) -> bool:
    """A pre-0.3 full store config (`{type: sqlite, db_path: ...}`) where a reference belongs."""
    return isinstance(value, dict) and "backend" not in value and isinstance(value.get("type"), str)


def _shape_family(value: Any) -> Family | None:
    if not isinstance(value, dict) or "backend" not in value:
        return None
    if "table_name" in value:
        return "sql"
    if "namespace" in value:
        return "kv"
    return None


def _reference(path: Path, value: Any, family: Family, owner: str, known: bool) -> Reference:
    partition = value.get("namespace" if family == "kv" else "table_name") if isinstance(value, dict) else None
    backend = value.get("backend") if isinstance(value, dict) else None
    return Reference(path, family, owner, backend, partition, known, value)


def provider_label(api: str, provider: dict) -> str:
    pid = provider.get("provider_id")
    key, value = ("provider_id", pid) if pid not in (None, "") else ("provider_type", provider.get("provider_type", "?"))
    return f"{api} provider {shown_value(('providers', api, key), value)}"  # (a mapping written there: short, secrets masked)


def iter_providers(data: dict) -> Iterator[tuple[str, int, dict]]:
    providers = data.get("providers")
    if not isinstance(providers, dict):
        return
    for api, entries in providers.items():
        if not isinstance(entries, list):
            continue
        for index, provider in enumerate(entries):
            if isinstance(provider, dict):
                yield str(api), index, provider


_DONE = object()  # stack marker: every value below a container has been looked at


def _shaped_references(value: Any, path: Path, skip: set[Path], reference_free: set[int]) -> Iterator[tuple[Path, Any, Family]]:
    """Mappings anywhere below `value` that look like references, in file order.

    A value repeated by aliases is one shared object: it is looked into once per provider,
    and `reference_free` (kept by the caller across providers) holds the containers known to
    hold no reference, which are not looked into again. So the work follows the size of the
    file, not of its expansion."""
    seen: set[int] = set()
    holding = 0  # goes up whenever a reference is met: a container it did not move under holds none
    stack: list[tuple[Any, Any, Any]] = [(value, path, None)]
    while stack:
        item, where, marker = stack.pop()
        if marker is _DONE:
            if holding == where:
                reference_free.add(id(item))
            continue
        WORK.visits += 1
        if not isinstance(item, (dict, list)) or id(item) in reference_free:
            continue
        if id(item) in seen:  # met before under this provider: it holds a reference (or it would be reference-free)
            holding += 1
            continue
        seen.add(id(item))
        family = _shape_family(item)
        if family and where not in skip:
            holding += 1
            yield where, item, family
            continue
        if family is None:  # (a reference at a known path is no reference-free container elsewhere)
            stack.append((item, holding, _DONE))
        children = item.items() if isinstance(item, dict) else enumerate(item)
        stack.extend((v, where + (k,), None) for k, v in reversed(list(children)))


def provider_reference_fields(release: Any, api: str, provider_type: str) -> list[tuple[tuple[str, ...], Family]]:
    """(path inside config, family) of a provider's storage references, as the release's data
    has them (none where the release does not know the provider)."""
    # asked once per provider (50,000 on a large file) for a handful of provider types
    known = release.__dict__.setdefault("_reference_fields", {})
    fields = known.get((api, provider_type))
    if fields is None:
        spec = release.provider(api, provider_type)
        fields = known[(api, provider_type)] = tuple((tuple(r["path"].split(".")), r["family"]) for r in (spec or {}).get("storage_refs") or ())
    return list(fields)


def find_references(
    data: dict, *, include_inline: bool = False, release: Any = None, known: Callable[[tuple], list | None] | None = None,
) -> list[Reference]:  # fmt: skip
    """All backend references in the config, in file order of their sections.

    With `include_inline`, known reference fields that hold anything else (a pre-0.3 inline
    config, or a plain value such as `persistence: kv_default`) are returned too (their
    `backend` is None), so validation can explain them instead of passing over them.
    Store families and provider reference fields are those of `release` (model.releases.Release;
    default: the release the file was written for). `known(path)` may give a provider entry's
    references (providers.API[i]) as an earlier scan found them, when that entry is unchanged.
    """
    from .releases.detect import release_of  # the release data loads on first use

    release = release_of(data, release)
    refs = store_references(data, release, include_inline)
    reference_free: set[int] = set()
    for api, index, provider in iter_providers(data):
        found = known(("providers", api, index)) if known is not None else None
        if found is None:
            found = provider_references(release, api, index, provider, include_inline=include_inline, reference_free=reference_free)
        refs += found
    return refs + quota_references(data, include_inline)


def none_where_not_written(doc: Any) -> Callable[[tuple], list | None] | None:
    """For find_references' `known`: no references in a provider entry whose text cannot hold
    the word `backend` (text_positions.WordsAt), in a file
    where each value is written once (no aliases, no repeated keys); None: look. Most entries
    of an old file are then not walked at all."""
    if not doc.written_once:
        return None
    words = WordsAt(doc.text, ("backend",))
    if not words:
        return lambda path: []  # (no reference anywhere in the file: no entry is looked up)

    def known(path: tuple) -> list | None:
        node = doc.node_at(path)
        return None if node is None or words.may_hold(node) else []

    return known


def store_references(data: dict, release: Any, include_inline: bool = False) -> list[Reference]:
    """The server's stores (storage.stores.*) that reference a backend (see find_references)."""
    refs: list[Reference] = []
    storage = data.get("storage")
    stores = storage.get("stores") if isinstance(storage, dict) else None
    if isinstance(stores, dict):
        for name, value in stores.items():
            declared = release.store_family(name)
            family = declared or _shape_family(value)
            if family and _wanted(value, include_inline):
                refs.append(_reference(("storage", "stores", name), value, family, f"store {name}", declared is not None))
    return refs


def quota_references(data: dict, include_inline: bool = False) -> list[Reference]:
    """The quota counter store (server.quota.kvstore), when it is written (see find_references)."""
    refs: list[Reference] = []
    server = data.get("server")
    quota = server.get("quota") if isinstance(server, dict) else None
    if isinstance(quota, dict) and _wanted(quota.get("kvstore"), include_inline):
        refs.append(_reference(("server", "quota", "kvstore"), quota["kvstore"], "kv", "server quota", True))
    return refs


def provider_references(
    release: Any, api: str, index: int, provider: dict, *, include_inline: bool = False, reference_free: set[int] | None = None,
) -> list[Reference]:  # fmt: skip
    """The references in one provider's config (see find_references), in file order: the known
    fields first, then mappings shaped like a reference. They depend on this provider alone,
    so validation can reuse them while the provider is unchanged. `reference_free` is only
    a shortcut shared across providers (see _shaped_references)."""
    config = provider.get("config")
    if not isinstance(config, dict):
        return []
    refs: list[Reference] = []
    base = ("providers", api, index, "config")
    owner = provider_label(api, provider)
    known_paths: set[Path] = set()
    ptype = str(provider.get("provider_type", ""))
    for field_path, family in provider_reference_fields(release, api, ptype):
        value: Any = config
        for part in field_path:
            value = value.get(part) if isinstance(value, dict) else None
        if value is None:
            continue
        path = base + field_path
        known_paths.add(path)
        if _wanted(value, include_inline):
            refs.append(_reference(path, value, family, owner, True))
    if _may_hold_other_references(config, base, known_paths):
        for path, value, family in _shaped_references(config, base, known_paths, set() if reference_free is None else reference_free):
            refs.append(_reference(path, value, family, owner, False))
    return refs


def _may_hold_other_references(config: dict, base: Path, known_paths: set[Path]) -> bool:
    """False when no mapping below `config`, or `config` itself, can be shaped like a reference
    but at the known fields: it holds plain values, and known fields holding plain values (most
    providers; they are then not walked)."""
    if _shape_family(config) is not None:
        return True
    for key, value in config.items():
        if not isinstance(value, (dict, list)):
            continue
        if not isinstance(value, dict) or base + (key,) not in known_paths:
            return True
        if any(isinstance(item, (dict, list)) for item in value.values()):
            return True
    return False


def _wanted(value: Any, include_inline: bool) -> bool:
    """A value at a known reference place: a reference, or (for validation) anything else but null."""
    if isinstance(value, dict) and "backend" in value:
        return True
    return include_inline and value is not None


def partitions_in_use(refs: Iterable[Reference]) -> set[tuple[str, str]]:
    """(backend, namespace or table) of every reference that names both: the names a new
    reference must not take (a list or mapping written in their place names nothing)."""
    return {(ref.backend, ref.partition) for ref in refs if isinstance(ref.backend, str) and isinstance(ref.partition, str)}


def backend_users(refs: Iterable[Reference]) -> dict[str, list[Reference]]:
    """Backend name -> the references (from `find_references`) that point at it."""
    users: dict[str, list[Reference]] = {}
    for ref in refs:
        if isinstance(ref.backend, str):
            users.setdefault(ref.backend, []).append(ref)
    return users
