"""The environment variables a config uses: where, whether the server needs them, and what
they resolve to now (the operator's checklist before starting the server)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from .document import Document
from .envvars import Environment, VariableSource, find_placeholders
from .redaction import SecretFields, is_secret_path, secret_fields
from .yamlpath import Path
from .yamltree import MAP, SCALAR, SEQ, Node


def string_scalars(node: Node, path: Path = (), marks: tuple[str, ...] = ("${",)) -> Iterator[tuple[Path, Node]]:
    """Every scalar value that may hold a placeholder (text with one of `marks`), with its path
    (aliases are not followed)."""
    if node.kind == SCALAR:
        if any(mark in node.raw for mark in marks):
            yield path, node
    elif node.kind == MAP:
        for k, v in node.items:
            yield from string_scalars(v, path + (k.value,), marks)
    elif node.kind == SEQ:
        for i, item in enumerate(node.items):
            yield from string_scalars(item, path + (i,), marks)


@dataclass
class VariableUse:
    name: str
    paths: list[Path] = field(default_factory=list)
    required: bool = False  # some use is a bare ${env.NAME}: the server will not start without it
    defaults: list[str] = field(default_factory=list)  # the `:=` defaults written in the file
    source: VariableSource | None = None
    secret: bool = False  # used in a password-like field: its values and defaults are never shown


def variables_used(doc: Document, env: Environment | None = None, extra_secrets: Iterable[str] | SecretFields = ()) -> list[VariableUse]:
    """The variables the file uses, in order of first use, each with how it is set now.

    `extra_secrets`: dotted paths or keys of secret fields beyond the secret-named ones (see
    model.redaction)."""
    env = env or Environment()
    extra_secrets = secret_fields(extra_secrets)  # compiled once, not per value
    uses: dict[str, VariableUse] = {}
    for path, node in string_scalars(doc.root):
        for placeholder in find_placeholders(node.raw):
            use = uses.setdefault(placeholder.name, VariableUse(placeholder.name))
            if path not in use.paths:
                use.paths.append(path)
            use.secret = use.secret or is_secret_path(path, extra_secrets)
            if placeholder.op is None:
                use.required = True
            elif placeholder.op == "=" and placeholder.arg and placeholder.arg not in use.defaults:
                use.defaults.append(placeholder.arg)
    for use in uses.values():
        use.source = env.lookup(use.name)
    return list(uses.values())
