"""Whole-file checks: the format generation, top-level keys, keys written twice."""

from __future__ import annotations

from ..config_schema import load
from ..facts import OLD_FORMAT_KEYS, is_old_format
from .context import Context, did_you_mean

# Keys upstream still accepts at the top level but our StackConfig does not model.
_ALSO_KNOWN = {"vector_dbs", "models", "shields", "datasets", "scoring_fns", "benchmarks", "tool_groups", "connectors"}


def check_structure(ctx: Context) -> None:
    data = ctx.data
    if is_old_format(data):
        legacy = [key for key in OLD_FORMAT_KEYS if key in data]
        ctx.add(
            "error",
            "old-format",
            (legacy[0],),
            f"this is a pre-0.3 run config: {', '.join(legacy)} {'is a full store config' if len(legacy) == 1 else 'are full store configs'} "
            "at the top level. Since v0.3 (llama-stack #3697) storage is declared once under storage.backends "
            "and referenced from storage.stores and the providers; convert the file with `llama-config migrate`",
            key=True,
        )
    else:
        # a half-migrated file: storage is there, so a leftover old store is ignored by the server
        for key in OLD_FORMAT_KEYS:
            if key in data:
                ctx.add(
                    "warning",
                    "unknown-key",
                    (key,),
                    f"'{key}' is where a pre-0.3 file configured this store; since v0.3 the server ignores it and uses "
                    f"storage.stores.{key.removesuffix('_store')}: delete it once its settings are under storage",
                    key=True,
                )
    known = set(load()["properties"]) | _ALSO_KNOWN | set(OLD_FORMAT_KEYS)
    for key in data:
        if key in known:
            continue
        hint = did_you_mean(key, known)
        ctx.add(
            "warning",
            "unknown-key",
            (key,),
            f"the server does not know the top-level key '{key}' and ignores it" + (f"; did you mean '{hint}'?" if hint else ""),
            key=True,
        )
    if ctx.doc.repeated_keys:
        # (one walk of the text's nodes: aliases are not followed, so it costs what the file does)
        repeats = {id(repeat) for _, repeat in ctx.doc.repeated_keys}
        paths = {id(node): path for path, node in ctx.doc.root.walk_paths() if id(node) in repeats}
    for first, repeat in ctx.doc.repeated_keys:
        ctx.add(
            "warning",
            "repeated-key",
            paths[id(repeat)],
            f"'{repeat.raw}' is written twice in this mapping (first at line {first.line + 1}) with the same value; "
            "the server keeps the last one: delete one of them",
            at=(repeat.line + 1, repeat.column + 1),
        )
