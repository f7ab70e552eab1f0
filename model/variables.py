"""The environment variables a config uses: where, whether the server needs them, and what
they resolve to now (the operator's checklist before starting the server)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from .document import Document
from .envvars import Environment, VariableSource, find_placeholders
from .redaction import SecretFields, is_secret_path, secret_fields
from .text_positions import WordsAt
from .yamlpath import Path
from .yamltree import MAP, MERGE_KEY, SCALAR, SEQ, Node


def string_scalars(
    node: Node, path: Path = (), marks: tuple[str, ...] = ("${",), data_keys: bool = False, text: str | None = None,
) -> Iterator[tuple[Path, Node]]:  # fmt: skip
    """Every scalar value that may hold a placeholder (text with one of `marks`; `("",)`: every
    scalar), with its path (aliases are not followed), in text order. Iterative, and a path is
    only made for a value that has a mark or for a collection to go into: this runs over every
    value of the file. `data_keys`: only under keys that are scalars and not a merge key (`<<`),
    so every path is one the data has. `text`: the text the tree was parsed from; a collection
    in which no mark (nor a backslash, which a double-quoted value can write one with) is
    written is then not gone into (on 50,000 providers, most of them: 0.4 s less for `show`)."""
    within = WordsAt(text, marks) if text is not None and all(marks) else None
    stack: list[tuple[Node, Path, object]] = [(node, path, _HERE)]
    while stack:
        node, where, part = stack.pop()
        if within is not None and node.kind != SCALAR and not within.may_hold(node):
            continue
        if node.kind == SCALAR:
            raw = node.raw
            for mark in marks:
                if mark in raw:
                    yield (where if part is _HERE else where + (part,)), node
                    break
        elif node.kind == MAP:
            sub = where if part is _HERE else where + (part,)
            stack.extend((v, sub, k.value) for k, v in reversed(node.items) if not data_keys or (k.kind == SCALAR and not (k.raw == MERGE_KEY and k.style == "")))
        elif node.kind == SEQ:
            sub = where if part is _HERE else where + (part,)
            stack.extend((item, sub, i) for i, item in reversed(list(enumerate(node.items))))


_HERE = object()  # (the start node's own path)


def scalar_values(node: Node, path: Path, holding: str = "", text: str | None = None) -> Iterator[tuple[Path, Node]]:
    """(path, node) of every scalar value below `node` whose text holds `holding`, in text order,
    under keys the data has (aliases and merge keys not followed); `text`: see string_scalars."""
    return string_scalars(node, path, marks=(holding,), data_keys=True, text=text)


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
    for path, node in string_scalars(doc.root, text=doc.text):
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
