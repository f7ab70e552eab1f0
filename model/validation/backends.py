"""storage.backends: each backend's type and fields."""

from __future__ import annotations

from ..facts import BACKEND_MODEL_NAMES, BACKEND_TYPES, LATER_UPSTREAM_FIELDS
from ..yamlpath import format_path
from .context import Context, did_you_mean, show

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
        if "type" not in backend:
            ctx.add("error", "missing-field", path, f"{format_path(path)} is missing the required field 'type' (one of {', '.join(BACKEND_TYPES)})", key=True)
            continue
        type_name = backend_type(ctx, backend)
        model = BACKEND_MODEL_NAMES.get(type_name) if type_name else None
        if model is None and ctx.unresolvable(backend.get("type")):
            continue  # `type: ${env.KV_TYPE}` with KV_TYPE unset: env-unset says so
        if model is None:
            written = backend.get("type")
            hint = _OLD_TYPES.get(written) if isinstance(written, str) else None
            if hint:
                advice = f"; '{written}' is a pre-0.3 store type: since v0.3 it is {hint}"
            else:
                close = did_you_mean(written, BACKEND_TYPES)
                advice = f"; did you mean '{close}'?" if close else f"; expected one of {', '.join(BACKEND_TYPES)}"
            ctx.add("error", "unknown-backend-type", path + ("type",), f"{format_path(path)} has unknown backend type {show(written)}{advice}")
            continue
        ctx.check_model(model, backend, path, f"backend '{name}' ({type_name})")
        later = LATER_UPSTREAM_FIELDS.get(type_name, ())
        ctx.check_unknown_keys(model, {k: v for k, v in backend.items() if k not in later}, path, f"backend '{name}' ({type_name})")
        for key in later:
            if key in backend:
                ctx.add("info", "unknown-key", path + (key,), f"'{key}' on a {type_name} backend needs a newer server than the versions llama-config knows; older servers ignore it", key=True)
