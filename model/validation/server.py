"""server: port, TLS, auth and the request quota."""

from __future__ import annotations

from ..references import is_inline_store_config
from ..facts import AUTH_MODEL_NAMES, looks_like_draft_quota, type_tag_of
from ..yamlpath import format_path
from .context import Context, did_you_mean, show


def check_server(ctx: Context) -> None:
    server = ctx.data.get("server")
    if server is None:
        return
    if not isinstance(server, dict):
        ctx.add("error", "wrong-type", ("server",), f"server must be a mapping, not {show(server)}")
        return
    ctx.check_model("ServerConfig", server, ("server",), "server", skip=("auth", "quota"))
    ctx.check_unknown_keys("ServerConfig", server, ("server",), "server")
    auth = server.get("auth")
    if auth is not None:
        _check_auth(ctx, auth)
    if "quota" in server:
        _check_quota(ctx, server.get("quota"), auth_enabled=_auth_enabled(ctx, auth))


def _auth_enabled(ctx: Context, auth: object) -> bool:
    if not isinstance(auth, dict):
        return False
    provider = auth.get("provider_config")
    return isinstance(provider, dict) and type_tag_of(provider) is not None or bool(auth.get("route_policy"))


def _check_auth(ctx: Context, auth: object) -> None:
    path = ("server", "auth")
    if not ctx.check_model("AuthConfig", auth, path, "server.auth", skip=("provider_config",)):
        return
    ctx.check_unknown_keys("AuthConfig", auth, path, "server.auth")
    provider = auth.get("provider_config")
    if provider is None:
        return
    ppath = path + ("provider_config",)
    if not isinstance(provider, dict):
        ctx.add("error", "wrong-type", ppath, f"{format_path(ppath)} must be a mapping with a type, not {show(provider)}")
        return
    kind = type_tag_of(provider)
    if kind is None and "type" not in provider:
        ctx.add("error", "missing-field", ppath, f"{format_path(ppath)} is missing the required field 'type' (one of {', '.join(AUTH_MODEL_NAMES)})", key=True)
        return
    model = AUTH_MODEL_NAMES.get(kind or "")
    if model is None:
        if kind is None:  # a placeholder with no default: the type is only known at run time
            return
        hint = did_you_mean(kind, AUTH_MODEL_NAMES)
        ctx.add(
            "error",
            "invalid-value",
            ppath + ("type",),
            f"{format_path(ppath)} has unknown auth provider type {show(kind)}"
            + (f"; did you mean '{hint}'?" if hint else f"; expected one of {', '.join(AUTH_MODEL_NAMES)}"),
        )
        return
    what = f"the {kind} auth provider"
    ctx.check_model(model, provider, ppath, what, skip=("type",))
    ctx.check_unknown_keys(model, provider, ppath, what)


_SHIPPED_SHAPE = (
    "quota: {kvstore: {backend: <a kv_* backend>, namespace: quota}, anonymous_max_requests: 100, "
    "authenticated_max_requests: 1000, period: day}"
)


def _check_quota(ctx: Context, quota: object, auth_enabled: bool) -> None:
    path = ("server", "quota")
    if looks_like_draft_quota(quota):
        limit = quota.get("limit") if isinstance(quota, dict) else None
        max_requests = limit.get("max_requests") if isinstance(limit, dict) else None
        db_path = (quota.get("config") or {}).get("db_path") if isinstance(quota.get("config"), dict) else None
        ctx.add(
            "error",
            "quota-draft-shape",
            path,
            "server.quota is written in the quota PR's draft shape (type / config / limit), which no server release "
            "accepts; the shipped shape is "
            + _SHIPPED_SHAPE.replace("1000", str(max_requests) if isinstance(max_requests, int) else "1000")
            + (f", with the counters in a kv_sqlite backend at {db_path}" if db_path else ""),
            key=True,
        )
        return
    if not isinstance(quota, dict):
        ctx.add("error", "wrong-type", path, f"server.quota must be a mapping ({_SHIPPED_SHAPE}), not {show(quota)}")
        return
    kvstore = quota.get("kvstore")
    if is_inline_store_config(kvstore):
        db_path = kvstore.get("db_path")
        ctx.add(
            "error",
            "legacy-inline-store",
            path + ("kvstore",),
            f"server.quota.kvstore is the pre-0.3 shape {{type: {kvstore.get('type')}"
            + (f", db_path: {db_path}" if db_path else "")
            + "}; since v0.3 it references a kv backend: declare a kv_sqlite backend"
            + (f" with db_path {db_path}" if db_path else "")
            + " under storage.backends and write kvstore: {backend: NAME, namespace: quota}",
        )
        quota = {k: v for k, v in quota.items() if k != "kvstore"}
        skip: tuple[str, ...] = ("kvstore",)
    else:
        skip = ("kvstore",)  # the reference itself is checked with every other reference
        if kvstore is None:
            ctx.add("error", "missing-field", path, "server.quota is missing the required field 'kvstore' (where the counters live: {backend: <a kv_* backend>, namespace: quota})", key=True)
    period = ctx.resolved(quota.get("period", "day"))
    if period != "day" and not ctx.unresolvable(quota.get("period")):
        ctx.add(
            "error",
            "quota-period",
            path + ("period",),
            f"server.quota.period must be 'day' (the only period the server supports: a fixed UTC day), not {show(period)}",
        )
        skip += ("period",)
    ctx.check_model("QuotaConfig", quota, path, "server.quota", skip=skip)
    ctx.check_unknown_keys("QuotaConfig", quota, path, "server.quota")
    if not auth_enabled:
        ctx.add(
            "error",
            "quota-without-auth",
            path,
            "server.quota requires server.auth: without authentication every client is counted by IP against "
            "anonymous_max_requests and authenticated_max_requests never applies; configure server.auth.provider_config",
            key=True,
        )
