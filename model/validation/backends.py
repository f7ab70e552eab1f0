"""storage.backends: each backend's type and fields."""

from __future__ import annotations

from ..releases import display_span
from ..releases.shapes import shapes
from ..yamlpath import format_path
from .context import Context, did_you_mean, show
from .model_rules import apply_rules

# Pre-0.3 store types, for a clearer message when one is used as a backend type.
_OLD_TYPES = {"sqlite": "kv_sqlite or sql_sqlite", "postgres": "kv_postgres or sql_postgres", "redis": "kv_redis", "mongodb": "kv_mongodb"}


def backend_type(ctx: Context, backend: object) -> str | None:
    if not isinstance(backend, dict):
        return None
    value = ctx.resolved(backend.get("type"))
    return value if isinstance(value, str) else None


def check_backends(ctx: Context) -> None:
    storage = ctx.data.get("storage")
    if not isinstance(storage, dict):
        return
    backends = storage.get("backends")
    if backends is None:
        return
    if not isinstance(backends, dict):
        ctx.add("error", "wrong-type", ("storage", "backends"), f"storage.backends must be a mapping of backend names to backends, not {show(backends)}")
        return
    for name, backend in backends.items():
        path = ("storage", "backends", name)
        if not isinstance(backend, dict):
            ctx.add("error", "wrong-type", path, f"{format_path(path)} must be a mapping with a type, not {show(backend)}")
            continue
        types = ctx.release.backend_types
        if "type" not in backend:
            ctx.add("error", "missing-field", path, f"{format_path(path)} is missing the required field 'type' (one of {', '.join(types)})", key=True)
            continue
        type_name = backend_type(ctx, backend)
        model = ctx.release.backend_def(type_name)
        if model is None and ctx.unresolvable(backend.get("type")):
            continue  # `type: ${env.KV_TYPE}` with KV_TYPE unset: env-unset says so
        if model is None:
            written = backend.get("type")
            hint = _OLD_TYPES.get(written) if isinstance(written, str) else None
            if hint:
                advice = f"; '{written}' is a pre-0.3 store type: since v0.3 it is {hint}"
            else:
                close = did_you_mean(written, types)
                advice = f"; did you mean '{close}'?" if close else f"; {ctx.release.name} knows {', '.join(types)}"
            ctx.add("error", "unknown-backend-type", path + ("type",), f"{format_path(path)} has unknown backend type {show(written)}{advice}")
            continue
        what = f"backend '{name}' ({type_name})"
        ctx.check_model(model, backend, path, what)
        apply_rules(ctx, model, backend, path)
        known = ctx.release.definition(model).get("properties", {})
        # other releases' data is read only for a key this one lacks (loading costs time)
        elsewhere = _fields_of_other_releases(ctx, type_name) if set(backend) - set(known) else {}
        ctx.check_unknown_keys(model, {k: v for k, v in backend.items() if k not in elsewhere}, path, what)
        for key in backend:
            if key in elsewhere and key not in known:
                ctx.add(
                    "warning", "unknown-key", path + (key,),
                    f"{what}: '{key}' is a field of {elsewhere[key]}, not of {ctx.release.name}, which ignores it",
                    key=True,
                )  # fmt: skip


def _fields_of_other_releases(ctx: Context, type_name: str) -> dict[str, str]:
    """Fields that this backend type has in other releases -> which ones, in words."""
    where: dict[str, list[str]] = {}
    for shape in shapes():
        if shape.line == ctx.release.line:
            continue
        for key in sorted(shape.backends.get(type_name, ())):
            where.setdefault(key, []).append(shape.line)
    return {key: display_span(lines) for key, lines in where.items()}
