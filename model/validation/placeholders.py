"""`${env...}` placeholders: spelled so the server substitutes them, variables that are set,
and resolved values of the right type (checked with each field, see Context.check_model)."""

from __future__ import annotations

from ..envvars import find_placeholders, lint_placeholders
from ..yamlpath import Path, format_path
from ..yamltree import Node
from .context import Context


def text_column(node: Node, start: int) -> int:
    """Column offset of character `start` of the scalar's text, when it maps one to one."""
    if "\n" in node.raw or (node.style == '"' and "\\" in node.raw):
        return 0
    return start + (1 if node.style in ("'", '"') else 0)


def check_placeholders(ctx: Context) -> None:
    for item in ctx.marked_values():
        ctx.provider_scalars("placeholders", item, lambda path, node: _check_scalar(ctx, path, node))


def _check_scalar(ctx: Context, path: Path, node: Node) -> None:
    if "${" not in node.raw:
        return
    for problem in lint_placeholders(node.raw):
        ctx.add("warning", problem.code, path, problem.message, column_offset=text_column(node, problem.start))
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
            column_offset=text_column(node, placeholder.start),
        )
