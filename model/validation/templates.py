"""Template syntax in the config (Helm's `{{ }}`, `${.Values.x}`, a shell-style `${NAME}`): the
server never substitutes it, so each one is reported where it stands (see model.templates)."""

from __future__ import annotations

from ..templates import template_spans
from ..yamlpath import Path
from ..yamltree import Node
from .context import Context
from .placeholders import text_column


def check_templates(ctx: Context) -> None:
    for item in ctx.marked_values():
        ctx.provider_scalars("templates", item, lambda path, node: _check_scalar(ctx, path, node))


def _check_scalar(ctx: Context, path: Path, node: Node) -> None:
    for span in template_spans(node.raw):
        severity = "error" if span.code == "template-syntax" else "warning"
        ctx.add(severity, span.code, path, span.message, column_offset=text_column(node, span.start))
