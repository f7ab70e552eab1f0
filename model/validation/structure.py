"""Whole-file checks: the format generation, top-level keys, keys written twice."""

from __future__ import annotations

from ..facts import OLD_FORMAT_KEYS, is_old_format
from .context import Context, did_you_mean

# Top-level sections that have their own checks (validation/backends, references, server,
# providers, resources); the rest of the top level is checked here against the release's model.
_SECTIONS = ("providers", "storage", "server", "registered_resources")


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
    release = ctx.release
    known = release.top_level_keys | set(OLD_FORMAT_KEYS)
    for key in data:
        if key in OLD_FORMAT_KEYS:
            continue  # explained above
        why = release.ignored_top_level.get(key) if isinstance(key, str) else None
        if why:
            ctx.add("warning", "ignored-section", (key,), f"{release.name} ignores the top-level '{key}' ({why})", key=True)
            continue
        if key in known:
            continue
        hint = did_you_mean(key, known)
        ctx.add(
            "warning",
            "unknown-key",
            (key,),
            f"{release.name} does not know the top-level key '{key}' and ignores it" + (f"; did you mean '{hint}'?" if hint else ""),
            key=True,
        )
    _check_name(ctx)
    # A section that is there is checked by its own module; a missing one here (storage has its
    # own storage-missing), so a file without `providers` is refused as the release refuses it
    sections = tuple(s for s in _SECTIONS if s in data or s == "storage")
    skip = sections + tuple(release.name_fields.get("required") or ())  # _check_name explains those
    ctx.check_model(release.schema, {k: v for k, v in data.items() if k in release.top_level_keys}, (), "the config", skip=skip)
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


def _check_name(ctx: Context) -> None:
    """image_name / distro_name: which one the release requires, and which is deprecated."""
    fields = ctx.release.name_fields
    data = ctx.data
    for name in fields.get("required") or ():
        if data.get(name) is None:
            ctx.add("error", "missing-field", (), f"the config is missing the required field '{name}' (the distribution's name); {ctx.release.name} refuses to start without it")
    one_of = fields.get("one_of") or ()
    if one_of and not any(data.get(name) is not None for name in one_of):
        ctx.add(
            "error", "missing-field", (),
            f"the config needs {' or '.join(repr(n) for n in one_of)} (the distribution's name); {ctx.release.name} refuses to start without it",
        )  # fmt: skip
    for name in fields.get("deprecated") or ():
        if name in data and not any(n in data for n in one_of if n != name):
            better = next((n for n in one_of if n != name), None)
            ctx.add(
                "info", "deprecated-field", (name,),
                f"'{name}' is deprecated in {ctx.release.name}" + (f"; write '{better}' instead" if better else ""),
                key=True,
            )  # fmt: skip
