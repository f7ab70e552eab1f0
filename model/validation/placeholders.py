"""`${env...}` placeholders: spelled so the server substitutes them, variables that are set,
and resolved values of the right type."""

from __future__ import annotations

from typing import Any

from ..envvars import describe, find_placeholders, has_placeholder, lint_placeholders, resolve
from ..config_schema import definition, load
from ..facts import BACKEND_MODEL_NAMES, declared_backends
from ..schema_check import check
from ..yamlpath import Path, format_path
from ..variables import string_scalars
from ..yamltree import Node
from .backends import backend_type
from .context import Context, expected_at, show


def _offset(node: Node, start: int) -> int:
    """Column offset of character `start` of the scalar's text, when it maps one to one."""
    if "\n" in node.raw or (node.style == '"' and "\\" in node.raw):
        return 0
    return start + (1 if node.style in ("'", '"') else 0)


def check_placeholders(ctx: Context) -> None:
    for path, node in string_scalars(ctx.doc.root):
        for problem in lint_placeholders(node.raw):
            ctx.add("warning", problem.code, path, problem.message, column_offset=_offset(node, problem.start))
        for placeholder in find_placeholders(node.raw):
            if placeholder.op is not None:
                continue
            source = ctx.env.lookup(placeholder.name)
            if source.value:
                continue
            ctx.add(
                "error" if ctx.strict_env else "warning",
                "env-unset",
                path,
                f"{format_path(path)} needs the environment variable {placeholder.name}, which is "
                f"{'empty' if source.value == '' else 'unset'}; the server will not start without it "
                f"(or write ${{env.{placeholder.name}:=default}})",
                column_offset=_offset(node, placeholder.start),
            )
    _check_resolved_types(ctx)


def _check_resolved_types(ctx: Context) -> None:
    for name, backend in declared_backends(ctx.data).items():
        model = BACKEND_MODEL_NAMES.get(backend_type(ctx, backend) or "")
        if model is not None:
            _check_resolved(ctx, model, backend, ("storage", "backends", name))
    server = ctx.data.get("server")
    if isinstance(server, dict):
        _check_resolved(ctx, "ServerConfig", {k: v for k, v in server.items() if k not in ("auth", "quota")}, ("server",))
        quota = server.get("quota")
        if isinstance(quota, dict) and "kvstore" in quota:
            # a resolved period other than day is the quota check's own quota-period error
            _check_resolved(ctx, "QuotaConfig", {k: v for k, v in quota.items() if k != "period"}, ("server", "quota"))


def _check_resolved(ctx: Context, model: str, raw: Any, path: Path) -> None:
    """Check the values the server will see; report fields whose placeholder resolves badly."""
    if not isinstance(raw, dict):
        return
    placeholders = {k for k, v in raw.items() if has_placeholder(v)}
    if not placeholders:
        return
    resolutions = {k: resolve(raw[k], ctx.env) for k in placeholders}
    values = {k: (resolutions[k].value if k in placeholders else v) for k, v in raw.items()}
    values = {k: v for k, v in values.items() if not (k in placeholders and resolutions[k].missing)}
    for issue in check(definition(model), values, load()):
        key = issue.loc[0] if issue.loc else None
        if key not in placeholders or issue.kind == "missing":
            continue
        resolution = resolutions[key]
        field = path + (key,)
        # describe() already starts with the value. A string field that got a number or bool
        # needs the why: the server re-types substituted text, and quoting cannot prevent it
        retyped = issue.kind == "wrong-type" and isinstance(resolution.text, str) and not isinstance(resolution.value, str) and issue.expected.startswith("string")
        ctx.add(
            "error",
            "env-resolved-invalid",
            field,
            f"{format_path(field)} resolves to {describe(resolution, secret=issue.secret)}, but it must be {expected_at(model, key)}"
            + (f"; the server turns substituted text that reads as a number or boolean into one, so "
               f"{'the text' if issue.secret else repr(resolution.text)} becomes {show(resolution.value, secret=issue.secret)}" if retyped else ""),
        )
