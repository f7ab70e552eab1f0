"""Copying and comparing loaded YAML data in time proportional to the file, not its expansion.

A value an alias repeats is one shared object, as in yaml.safe_load's result; `==` on data with aliases compares every expanded copy of a shared value (a few hundred bytes
can expand to billions of items), and `float('nan') != float('nan')` makes a value written
`.nan` unequal to itself. Here a pair of containers is compared once however often it recurs,
NaN equals NaN, and the types must match (True is not 1, as they are not to the server).
Both work without recursion, so data nested as deep as the parser allows is fine.
"""

from __future__ import annotations

import math
from typing import Any

from .workcount import WORK


def same_data(a: Any, b: Any, *, aliases: bool = True) -> bool:
    """Whether two loaded values are the same data (see above). `aliases=False` promises that
    `a` repeats no value through aliases, so its expansion is as large as its text: `==`, in C
    and 20 times faster on a large file, decides then, and the walk only looks again at what
    `==` calls different (NaN). That quick answer lets 1 equal 1.0 and True."""
    if not aliases and a == b:
        return True
    compared: set[tuple[int, int]] = set()
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        WORK.visits += 1
        if x is y:
            continue
        if type(x) is not type(y):
            return False
        if isinstance(x, (dict, list, tuple)):
            pair = (id(x), id(y))
            if pair in compared:
                continue
            compared.add(pair)
            if len(x) != len(y):
                return False
            if isinstance(x, dict):
                if x.keys() != y.keys():
                    return False
                stack.extend((x[k], y[k]) for k in x)
            else:
                stack.extend(zip(x, y))
        elif isinstance(x, float):
            if x != y and not (math.isnan(x) and math.isnan(y)):
                return False
        elif x != y:
            return False
    return True


def copy_data(value: Any) -> Any:
    """A deep copy of the mappings and lists, shared where the original is shared.

    (copy.deepcopy recurses once per level.) Scalars, and the tuples and sets that !!omap and
    !!set give, are kept as they are: edits never change them in place."""
    if not isinstance(value, (dict, list)):
        return value
    copies: dict[int, Any] = {}
    pending: list[tuple[Any, Any]] = []

    def copy_of(item: Any) -> Any:
        if not isinstance(item, (dict, list)):
            return item
        made = copies.get(id(item))
        if made is None:
            made = copies[id(item)] = {} if isinstance(item, dict) else []
            pending.append((item, made))
        return made

    top = copy_of(value)
    while pending:
        source, target = pending.pop()
        WORK.visits += 1
        if isinstance(source, dict):
            for k, v in source.items():
                target[k] = copy_of(v)
        else:
            target.extend(copy_of(v) for v in source)
    return top


def value_in(data: Any, path: tuple, default: Any = None) -> Any:
    """The value at `path` in loaded data (keys of mappings, indexes of lists), or `default`
    where the path leads nowhere. Unlike the tree's node_at, this sees the keys merge keys
    (`<<: *base`) bring in, as the server does."""
    for part in path:
        if isinstance(data, dict) and hashable(part) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and -len(data) <= part < len(data):
            data = data[part]
        else:
            return default
    return data


def hashable(value: Any) -> bool:
    """(a `!!set` is unhashable too, not only lists and mappings)"""
    try:
        hash(value)
    except TypeError:
        return False
    return True

