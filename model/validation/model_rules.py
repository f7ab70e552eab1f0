"""Rules the release's models enforce in pydantic validators, which their JSON schema cannot
say. Each applies where the release has the model; each names the upstream validator it
follows. Validators that upstream wrote but pydantic never runs (a `@classmethod` above a
`@field_validator` registers nothing: kv_postgres `table_name`, oauth2 `claims_mapping`) are
not rules here; where the value would still fail later, that is a warning saying so.
"""

from __future__ import annotations

import re
from typing import Any, Callable
from urllib.parse import urlparse

from ..envvars import describe, has_placeholder, resolve
from ..yamlpath import Path, format_path
from .context import Context, show

Rule = Callable[[Context, dict, Path], None]


def _oauth2_one_verifier(ctx: Context, value: dict, path: Path) -> None:
    """OAuth2TokenAuthConfig.validate_mode: exactly one of jwks / introspection."""
    present = [k for k in ("jwks", "introspection") if ctx.resolved(value.get(k)) is not None]
    if len(present) == 1:
        return
    detail = "both are set, remove one" if present else "neither is set"
    ctx.add(
        "error", "invalid-value", path,
        f"{format_path(path)}: the oauth2_token auth provider needs exactly one of 'jwks' (verify JWTs with the "
        f"identity provider's keys) or 'introspection' (ask the identity provider about each token); {detail}",
    )  # fmt: skip


def _kubernetes_url(ctx: Context, value: dict, path: Path) -> None:
    """KubernetesAuthProviderConfig.validate_api_server_url: an http(s) URL with a host."""
    url = value.get("api_server_url")
    if not isinstance(url, str) or ctx.unresolvable(url):
        return
    url = ctx.resolved(url)
    parsed = urlparse(url) if isinstance(url, str) else None
    if parsed and parsed.scheme in ("http", "https") and parsed.netloc:
        return
    ctx.add(
        "error", "invalid-value", path + ("api_server_url",),
        f"{format_path(path)}.api_server_url must be an http:// or https:// URL with a host, not {url!r}",
    )  # fmt: skip


def _tenancy(ctx: Context, value: dict, path: Path) -> None:
    """TenancyConfig.validate_tenancy: single-tenant mode names its tenant."""
    if ctx.resolved(value.get("mode")) == "single" and not ctx.resolved(value.get("default_tenant_id")):
        ctx.add("error", "missing-field", path, f"{format_path(path)}: mode 'single' needs default_tenant_id", key=True)


def _trusted_cidrs(ctx: Context, value: dict, path: Path) -> None:
    """UpstreamHeaderAuthConfig.validate_cidrs: a non-empty list of CIDR networks."""
    cidrs = value.get("trusted_proxy_cidrs")
    if not isinstance(cidrs, list):
        return
    where = path + ("trusted_proxy_cidrs",)
    if not cidrs:
        ctx.add("error", "invalid-value", where, f"{format_path(where)} must list at least one network when set")
    for index, cidr in enumerate(cidrs):
        try:
            import ipaddress  # only for a file with trusted_proxy_cidrs

            ipaddress.ip_network(str(ctx.resolved(cidr)), strict=False)
        except ValueError:
            ctx.add("error", "invalid-value", where + (index,), f"{format_path(where + (index,))} is not a network in CIDR notation: {cidr!r}")


def _redis_port(ctx: Context, value: dict, path: Path) -> None:
    """kv_redis `port` is any integer to the release; one outside 1..65535 passes the config
    check and only fails when the server opens the store (the redis URL it builds cannot be
    parsed, or nothing listens there). A deliberate extra catch, so a warning."""
    raw = value.get("port")
    if raw is None or ctx.unresolvable(raw):
        return
    port = ctx.resolved(raw)
    if isinstance(port, bool) or not isinstance(port, int) or 1 <= port <= 65535:
        return  # a non-integer is the schema check's error
    ctx.add(
        "warning", "out-of-range", path + ("port",),
        f"{format_path(path)}.port must be an integer from 1 to 65535, not {port}: {ctx.release.name} does not stop on it "
        "at startup while reading the config, but the store fails when the server opens it",
    )  # fmt: skip


_IDENTIFIER = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")


def _postgres_table_name(ctx: Context, value: dict, path: Path) -> None:
    """kv_postgres table_name: upstream's identifier check never runs, but PostgreSQL refuses
    the name the first time the store is used."""
    name = value.get("table_name")
    if not isinstance(name, str) or ctx.unresolvable(name):
        return
    name = ctx.resolved(name)
    if isinstance(name, str) and not _IDENTIFIER.match(name):
        ctx.add(
            "warning", "invalid-value", path + ("table_name",),
            f"{format_path(path)}.table_name {name!r} is not a plain PostgreSQL identifier (letters, digits, _; not "
            "starting with a digit): the server starts, but creating the table fails on the first request",
        )  # fmt: skip


_DIGITS = re.compile(r"^[0-9]+$")


def _postgres_port(ctx: Context, value: dict, path: Path) -> None:
    """Postgres `port` is typed `int | str`, but the store reads it as a number when the server
    opens it at startup (SQLAlchemy's URL parser: int(port); psycopg2/libpq likewise), so text
    that is not a port number refuses to start the server; 0 or above 65535 is never reachable."""
    raw = value.get("port")
    if raw is None or ctx.unresolvable(raw):
        return
    port = ctx.resolved(raw)
    if isinstance(port, (dict, list, bool)):
        return  # not `int | str` at all: the schema check reports it
    number = port if isinstance(port, int) else int(port) if isinstance(port, str) and _DIGITS.match(port) else None
    if number is not None and 1 <= number <= 65535:
        return
    where = path + ("port",)
    expected = f"an integer from 1 to 65535 ({ctx.release.name} reads it as a port number when it opens the store at startup)"
    if has_placeholder(raw):
        ctx.add("error", "env-resolved-invalid", where, f"{format_path(where)} resolves to {describe(resolve(raw, ctx.env))}, but it must be {expected}")
    else:
        code = "wrong-type" if number is None else "out-of-range"
        ctx.add("error", code, where, f"{format_path(where)} must be {expected}, not {show(port)}")


# `$defs` name -> rules. A release without the model never reaches its rules.
RULES: dict[str, tuple[Rule, ...]] = {
    "RedisKVStoreConfig": (_redis_port,),
    "OAuth2TokenAuthConfig": (_oauth2_one_verifier,),
    "KubernetesAuthProviderConfig": (_kubernetes_url,),
    "TenancyConfig": (_tenancy,),
    "UpstreamHeaderAuthConfig": (_trusted_cidrs,),
    "PostgresKVStoreConfig": (_postgres_table_name, _postgres_port),
    "PostgresSqlStoreConfig": (_postgres_port,),
}


def apply_rules(ctx: Context, model: str | None, value: Any, path: Path) -> None:
    if isinstance(value, dict) and model:
        for rule in RULES.get(model, ()):
            rule(ctx, value, path)
