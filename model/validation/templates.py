"""Template syntax in the config (Helm's `{{ }}`, `${.Values.x}`, a shell-style `${NAME}`): the
server never substitutes it, so each one is reported where it stands (see model.templates)."""

from __future__ import annotations

from ..templates import template_spans
from ..yamltree import SCALAR
from .context import Context
from .placeholders import text_column


def check_templates(ctx: Context) -> None:
    for path, node in ctx.doc.root.walk_paths():
        if node.kind != SCALAR or ("{{" not in node.raw and "${" not in node.raw):
            continue
        is_key = node is not ctx.doc.node_at(path)
        for span in template_spans(node.raw):
            severity = "error" if span.code == "template-syntax" else "warning"
            ctx.add(severity, span.code, path, span.message, key=is_key, column_offset=text_column(node, span.start))
