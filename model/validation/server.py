"""server: port, TLS, auth, cors and the request quota, as the target release has them."""

from __future__ import annotations

import os

from ..facts import looks_like_draft_quota, type_tag_of
from ..references import is_inline_store_config
from ..yamlpath import format_path
from .context import Context, did_you_mean, show
from .model_rules import apply_rules

# Sections ogx 1.0 removed from server (#5750); the server ignores them without a word.
_REMOVED_IN_OGX = {
    "quota": "request quotas are not enforced: every client may send any number of requests",
    "cors": "no CORS headers are sent, so browsers on other origins are refused",
}
_TLS_FILES = ("tls_certfile", "tls_keyfile", "tls_cafile")


def property_def(ctx: Context, model: str, key: str) -> str | None:
    """The `$defs` name a model's field refers to (through `X | None`)."""
    schema = ctx.release.definition(model).get("properties", {}).get(key) or {}
    for branch in [schema, *schema.get("anyOf", ())]:
        ref = branch.get("$ref") if isinstance(branch, dict) else None
        if ref:
            return ref.rsplit("/", 1)[-1]
    return None


def check_server(ctx: Context) -> None:
    server = ctx.data.get("server")
    if server is None:
        return
    if not isinstance(server, dict):
        ctx.add("error", "wrong-type", ("server",), f"server must be a mapping, not {show(server)}")
        return
    model = ctx.release.server.get("def") or "ServerConfig"
    sections = ("auth", "quota", "cors")
    ctx.check_model(model, server, ("server",), "server", skip=sections)
    ctx.check_unknown_keys(model, {k: v for k, v in server.items() if k not in sections}, ("server",), "server")
    auth = server.get("auth")
    if auth is not None:
        _check_auth(ctx, model, auth)
    for section, effect in _REMOVED_IN_OGX.items():
        if section in server and not ctx.release.definition(model).get("properties", {}).get(section):
            ctx.add(
                "warning", "ignored-section", ("server", section),
                f"server.{section} was removed in ogx 1.0 (#5750): it has no effect on {ctx.release.name} ({effect})",
                key=True,
            )  # fmt: skip
    if "quota" in server and property_def(ctx, model, "quota"):
        _check_quota(ctx, property_def(ctx, model, "quota"), server.get("quota"), auth_enabled=_auth_enabled(ctx, auth))
    if "cors" in server and ctx.release.definition(model).get("properties", {}).get("cors"):
        _check_cors(ctx, server.get("cors"))
    _check_tls(ctx, server)
    apply_rules(ctx, property_def(ctx, model, "tenancy"), server.get("tenancy"), ("server", "tenancy"))


def _check_cors(ctx: Context, cors: object) -> None:
    """The release refuses wildcard origins with credentials (browsers would reject them anyway)."""
    if not isinstance(cors, dict):
        return
    origins = ctx.resolved(cors.get("allow_origins"))
    credentials = ctx.resolved(cors.get("allow_credentials"))
    if isinstance(origins, list) and "*" in origins and credentials in (True, "true", "True", 1):
        ctx.add(
            "error", "invalid-value", ("server", "cors", "allow_origins"),
            f"server.cors allows every origin ('*') together with allow_credentials: {ctx.release.name} refuses this at "
            "load (browsers never send credentials to a wildcard origin); list the origins",
        )  # fmt: skip


def _check_tls(ctx: Context, server: dict) -> None:
    for key in _TLS_FILES:
        raw = server.get(key)
        if raw is None or ctx.unresolvable(raw):
            continue
        path = ctx.resolved(raw)
        if not isinstance(path, str) or not path:
            continue
        full = os.path.expanduser(path)
        if not os.path.isfile(full) or not os.access(full, os.R_OK):
            ctx.add(
                "error", "file-unreadable", ("server", key),
                f"server.{key} is {path!r}, which {'is not a readable file' if os.path.exists(full) else 'does not exist'} here; "
                "the server cannot start TLS without it",
            )  # fmt: skip
    if ctx.release.server.get("tls_required_unless_insecure") and not server.get("tls_certfile"):
        if ctx.resolved(server.get("insecure")) not in (True, "true", "True", 1):
            ctx.add(
                "warning", "tls-required", ("server",),
                f"{ctx.release.name} refuses to start without TLS (server.tls_certfile and tls_keyfile) unless run with "
                "--insecure or server.insecure: true",
                key=True,
            )  # fmt: skip


def _auth_enabled(ctx: Context, auth: object) -> bool:
    """Whether clients are authenticated: only an auth provider does that. route_policy alone
    (0.5 to 0.7) adds no AuthenticationMiddleware (server.py), so the quota still counts every
    client by IP."""
    if not isinstance(auth, dict):
        return False
    provider = auth.get("provider_config")
    return isinstance(provider, dict) and type_tag_of(provider) is not None


def _check_auth(ctx: Context, server_model: str, auth: object) -> None:
    path = ("server", "auth")
    auth_model = property_def(ctx, server_model, "auth")
    if auth_model is None:
        return
    # provider_config is checked below when written; left out, the model says whether it must be (0.3, 0.4)
    skip = ("provider_config",) if isinstance(auth, dict) and "provider_config" in auth else ()
    if not ctx.check_model(auth_model, auth, path, "server.auth", skip=skip):
        return
    ctx.check_unknown_keys(auth_model, auth, path, "server.auth")
    provider = auth.get("provider_config")
    if provider is None:
        return
    ppath = path + ("provider_config",)
    if not isinstance(provider, dict):
        ctx.add("error", "wrong-type", ppath, f"{format_path(ppath)} must be a mapping with a type, not {show(provider)}")
        return
    kind = type_tag_of(provider)
    types = ctx.release.auth_types
    if kind is None and "type" not in provider:
        ctx.add("error", "missing-field", ppath, f"{format_path(ppath)} is missing the required field 'type' (one of {', '.join(types)})", key=True)
        return
    model = types.get(kind or "")
    if model is None:
        if kind is None:  # a placeholder with no default: the type is only known at run time
            return
        hint = did_you_mean(kind, types)
        ctx.add(
            "error",
            "invalid-value",
            ppath + ("type",),
            f"{format_path(ppath)} has unknown auth provider type {show(kind)} for {ctx.release.name}"
            + (f"; did you mean '{hint}'?" if hint else f"; it knows {', '.join(types)}"),
        )
        return
    what = f"the {kind} auth provider"
    ctx.check_model(model, provider, ppath, what, skip=("type",))
    apply_rules(ctx, model, provider, ppath)
    ctx.check_unknown_keys(model, provider, ppath, what)


def _check_quota_limits(ctx: Context, quota: dict) -> None:
    """A negative limit passes the release's model (any integer) and refuses every request:
    the middleware answers 429 once the count exceeds the limit, and the first request's count is 1."""
    for field in ("anonymous_max_requests", "authenticated_max_requests"):
        raw = quota.get(field)
        limit = ctx.resolved(raw)
        if isinstance(limit, int) and not isinstance(limit, bool) and limit < 0 and not ctx.unresolvable(raw):
            ctx.add(
                "warning", "out-of-range", ("server", "quota", field),
                f"server.quota.{field} must be an integer >= 0, not {limit}: {ctx.release.name} does not stop on it at "
                "startup, but refuses every such request with 429 (the first request already exceeds the limit)",
            )  # fmt: skip


_SHIPPED_SHAPE = (
    "quota: {kvstore: {backend: <a kv_* backend>, namespace: quota}, anonymous_max_requests: 100, "
    "authenticated_max_requests: 1000, period: day}"
)


def _check_quota(ctx: Context, model: str, quota: object, auth_enabled: bool) -> None:
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
    if ctx.check_model(model, quota, path, "server.quota", skip=skip):
        _check_quota_limits(ctx, quota)
    ctx.check_unknown_keys(model, quota, path, "server.quota")
    if not auth_enabled:
        ctx.add(
            "warning",
            "quota-without-auth",
            path,
            "server.quota requires server.auth: without authentication every client is counted by IP against "
            "anonymous_max_requests and authenticated_max_requests never applies; configure server.auth.provider_config "
            "(the server starts anyway: llama-config checks this beyond what the server does)",
            key=True,
        )
