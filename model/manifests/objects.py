"""The Kubernetes objects of a parsed manifest, read from the node trees (so every value keeps
its place in the file)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from ..yamltree import MAP, SCALAR, SEQ, Node


@dataclass(frozen=True)
class K8sObject:
    kind: str
    api_version: str
    name: str
    namespace: str | None
    node: Node  # the object's mapping
    document: int  # 0-based index of its YAML document

    def at(self, *path: str) -> Node | None:
        """The node at a path of keys below the object, or None."""
        node: Node | None = self.node
        for key in path:
            node = node.resolved.get(key) if node is not None and node.resolved.kind == MAP else None
        return node.resolved if node is not None else None

    def text_at(self, *path: str) -> str | None:
        node = self.at(*path)
        return node.value if node is not None and node.kind == SCALAR and isinstance(node.value, str) else None

    @property
    def group(self) -> str:
        return self.api_version.split("/")[0] if "/" in self.api_version else ""

    def describe(self) -> str:
        return f"{self.kind} {self.name}"


def objects(roots: list[Node]) -> Iterator[K8sObject]:
    """Every object with a kind, the items of a `kind: List` (kubectl get -o yaml) included."""
    for index, root in enumerate(roots):
        stack = [root.resolved]
        while stack:
            node = stack.pop(0)
            if node.kind != MAP:
                continue
            kind = _text(node.get("kind"))
            if kind is None:
                continue
            if kind.endswith("List") and (items := node.get("items")) is not None and items.resolved.kind == SEQ:
                stack.extend(item.resolved for item in items.resolved.items)
                continue
            metadata = node.get("metadata")
            metadata = metadata.resolved if metadata is not None else None
            yield K8sObject(
                kind=kind,
                api_version=_text(node.get("apiVersion")) or "",
                name=(_text(metadata.get("name")) if metadata is not None and metadata.kind == MAP else None) or "(unnamed)",
                namespace=_text(metadata.get("namespace")) if metadata is not None and metadata.kind == MAP else None,
                node=node,
                document=index,
            )


def _text(node: Node | None) -> str | None:
    if node is None:
        return None
    node = node.resolved
    return node.value if node.kind == SCALAR and isinstance(node.value, str) else None
