"""The compiled predicate (model/schema_fastpath.py) says yes exactly when check() finds no
issue: over every model and provider config schema of every release, for values taken from
the corpus files and values made to break the usual rules."""

from __future__ import annotations

from pathlib import Path

import yaml

from llama_config.model.releases import available_lines, load_release
from llama_config.model.schema_check import _check
from llama_config.model.schema_fastpath import accepts

CORPUS = Path(__file__).parent / "corpus"

_ODD = [None, True, False, 0, 1, -1, 65535, 65536, 1.5, float("inf"), "", "5432", " 7 ", "yes", "x" * 300,
        "${env.X:=1}", [], [1, "a"], {}, {"type": "sqlite"}, {"type": "nope"}, {"backend": "kv_default"},
        {"backend": "kv_default", "namespace": "n"}, {"table_name": "t", "backend": "sql_default"}]  # fmt: skip


def _pool() -> list:
    """Every mapping, list and scalar met in the corpus (one of each by its text), and the odd ones."""
    seen: dict[str, object] = {}
    stack: list = []
    for path in sorted(CORPUS.rglob("*.yaml")):
        try:
            stack.append(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (yaml.YAMLError, UnicodeDecodeError):
            continue
    while stack:
        value = stack.pop()
        seen.setdefault(repr(value)[:2000], value)
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return list(seen.values())[::3] + _ODD  # (a third of them: the suite's time budget)


def _schemas():
    """Each distinct schema once (releases repeat most of them)."""
    seen: set[str] = set()
    for schema, root in _all_schemas():
        text = repr(schema)
        if text not in seen:
            seen.add(text)
            yield schema, root


def _all_schemas():
    for line in available_lines():
        release = load_release(line)
        root = release.schema
        for definition in root.get("$defs", {}).values():
            yield definition, root
        for types in release.providers.values():
            for spec in types.values():
                schema = spec.get("config_schema")
                if isinstance(schema, dict):
                    yield schema, schema


def test_predicate_agrees_with_the_interpreter() -> None:
    pool = _pool()
    mappings = [v for v in pool if isinstance(v, dict)]
    compared = accepted = 0
    for schema, root in _schemas():
        values = mappings if schema.get("type") == "object" or "properties" in schema else pool
        for value in values:
            expected = not _check(schema, value, root)
            assert accepts(schema, root, value) == expected, (schema.get("title"), value)
            compared += 1
            accepted += expected
    # (both answers are met often, or the comparison says little)
    assert compared > 10_000 and accepted > 100 and compared - accepted > 100
