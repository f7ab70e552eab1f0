"""Storage for a new provider's references: a backend of the right family, and a namespace
(KV) or table (SQL) that no other reference on that backend uses."""

from __future__ import annotations

import re
from typing import Any

from ..document import Document
from ..facts import declared_backends, family_of, type_tag_of
from ..references import find_references, partitions_in_use
from ..releases import Release
from ..releases.defaults import backend_config, partition_key


class StorageAllocator:
    """Backends and partitions in use in `doc` (written references, and the stores the release
    points at its default backends because they are unset), plus what this allocator handed out."""

    def __init__(self, doc: Document, release: Release, distro: str) -> None:
        self.release = release
        self.distro = distro
        data = doc.data
        storage = data.get("storage")
        declared = declared_backends(data)
        implicit = not declared and isinstance(storage, (dict, type(None))) and (storage or {}).get("backends") is None
        self.backends: dict[str, Any] = dict(release.default_backends) if implicit and release.default_backends else dict(declared)
        self.new_backends: dict[str, dict] = {}
        self.used: set[tuple[Any, Any]] = partitions_in_use(find_references(data, release=release))
        stores = storage.get("stores") if isinstance(storage, dict) else None
        for name, spec in release.stores.items():
            default = spec.get("default")
            if isinstance(default, dict) and not (isinstance(stores, dict) and name in stores):
                self.used.add((default.get("backend"), default.get(partition_key(spec["family"]))))

    def family_of(self, name: Any) -> str | None:
        backend = self.backends.get(name) if isinstance(name, str) else None
        return family_of(type_tag_of(backend) or "") if isinstance(backend, dict) else None

    def backend_for(self, family: str, wanted: Any) -> str:
        """`wanted` when it is a backend of `family`, else `<family>_default`, else the first of
        the family; with none, a SQLite backend is added (see `new_backends`)."""
        if self.family_of(wanted) == family:
            return wanted
        names = [n for n in self.backends if self.family_of(n) == family]
        if names:
            return f"{family}_default" if f"{family}_default" in names else names[0]
        name = f"{family}_default"
        while name in self.backends:
            name += "_"
        self.backends[name] = self.new_backends[name] = backend_config(self.release, f"{family}_sqlite", self.distro)
        return name

    def partition_for(self, backend: str, family: str, wanted: Any, owner: str, api: str) -> str:
        """`wanted` (the sample's name) when free on `backend`, else it with the owner's id
        (`vector_io::faiss_faiss_2`); without a sample name, the API and the owner's id."""
        base = wanted if isinstance(wanted, str) and wanted else f"{api}::{owner}"
        if family == "sql":
            base = re.sub(r"\W+", "_", base).strip("_") or "provider"
        candidates = [base, f"{base}_{re.sub(r'[^A-Za-z0-9_]+', '_', owner)}"]
        candidates += [f"{base}_{n}" for n in range(2, 1000)]
        name = next(c for c in candidates if (backend, c) not in self.used)
        self.used.add((backend, name))
        return name

    def reference(self, family: str, sample: Any, owner: str, api: str) -> dict:
        """A reference like `sample` (its extra keys kept) on a backend of `family`, with a free partition."""
        sample = dict(sample) if isinstance(sample, dict) else {}
        key = partition_key(family)
        backend = self.backend_for(family, sample.get("backend"))
        return {**sample, "backend": backend, key: self.partition_for(backend, family, sample.get(key), owner, api)}
