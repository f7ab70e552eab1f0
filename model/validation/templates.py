"""Template syntax in the config (Helm's `{{ }}`, `${.Values.x}`, a shell-style `${NAME}`): the
server never substitutes it, so each one is reported where it stands (see model.templates)."""

from __future__ import annotations

from ..templates import template_spans
from .context import Context
from .placeholders import text_column


def check_templates(ctx: Context) -> None:
    for path, node in ctx.marked_values():
        for span in template_spans(node.raw):
            severity = "error" if span.code == "template-syntax" else "warning"
            ctx.add(severity, span.code, path, span.message, column_offset=text_column(node, span.start))
