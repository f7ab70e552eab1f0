"""The data an edit means to produce (Document's edits check the re-parsed text against it)."""

from __future__ import annotations

from typing import Any

from .yamldata import copy_data
from .yamlpath import Path


class Intended:
    """The data an edit means to produce, to check the re-parsed text against: the document's
    data with the edit's changes made to copies of only the mappings and lists on the changed
    paths. Everything else is shared with the data as loaded, which nothing changes in place
    (a whole copy per edit costs seconds on a large file, and as much memory again). In a file
    with YAML aliases one mapping can stand at two places, and a change must show at both:
    there the whole data is copied (copy_data keeps such sharing) and changed in place."""

    def __init__(self, data: Any, aliases: bool) -> None:
        self.own: set[int] | None = None if aliases else set()  # ids of the containers copied (None: all are)
        if aliases:
            self.data = copy_data(data)
        else:
            self.data = self._owned_copy(data) if isinstance(data, (dict, list)) else data

    def _owned_copy(self, item: dict | list) -> dict | list:
        copy = dict(item) if isinstance(item, dict) else list(item)
        self.own.add(id(copy))
        return copy

    def container(self, path: Path, create: bool = False) -> Any:
        """The container at `path`, ours to change; with `create`, a mapping where a mapping
        has no container at a key yet."""
        target, own = self.data, self.own
        for part in path:  # (a migration asks for 250,000 containers: most of them ours already)
            if create and isinstance(target, dict) and not isinstance(target.get(part), (dict, list)):
                child = target[part] = {}
                if own is not None:
                    own.add(id(child))
            else:
                child = target[part]
                if own is not None and isinstance(child, (dict, list)) and id(child) not in own:
                    child = target[part] = self._owned_copy(child)
            target = child
        return target

    def set(self, path: Path, value: Any) -> None:
        self.container(path[:-1], create=True)[path[-1]] = value

    def delete(self, path: Path) -> None:
        del self.container(path[:-1])[path[-1]]

    def rename(self, path: Path, new_key: str) -> None:
        parent = self.container(path[:-1])
        items = list(parent.items())
        parent.clear()
        for k, v in items:
            parent[new_key if k == path[-1] else k] = v
