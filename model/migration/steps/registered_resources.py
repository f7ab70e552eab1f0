"""Top-level models / shields / ... moved under `registered_resources` (llama-stack #3861).

Checked in llama-stack 0.3.5 core/datatypes.py: StackRunConfig.registered_resources is a
RegisteredResources (models, shields, vector_stores, datasets, scoring_fns, benchmarks,
tool_groups) and the old top-level lists are no fields any more, so the server ignores them and
registers nothing. The blocks move as they are written (comments included), one level deeper.
`vector_dbs` became `vector_stores` with other field names: it is listed, not moved.
"""

from __future__ import annotations

import copy

from ...document import Document
from ..rewrite import _reindent, _split
from . import Context, Outcome, Step
from .edits import quoted_lines

MOVED = ("models", "shields", "datasets", "scoring_fns", "benchmarks", "tool_groups")


def _present(doc: Document) -> list[str]:
    return [k for k in MOVED if k in doc.data]


def _apply(doc: Document, ctx: Context) -> Outcome:
    out = Outcome()
    if "vector_dbs" in doc.data:
        out.manual.append("vector_dbs is no longer read (0.3.0 registers vector stores under registered_resources.vector_stores, "
                          "with other field names): write them there by hand")
        out.manual += [f"    {line}" for line in quoted_lines(doc, ("vector_dbs",))]
    keys = _present(doc)
    if not keys:
        return out
    if "registered_resources" in doc.data:
        out.manual.append(f"top-level {', '.join(keys)} and registered_resources are both written: merge them by hand")
        for key in keys:
            out.manual += [f"    {line}" for line in quoted_lines(doc, (key,))]
        return out
    try:
        blocks = [(key, doc.key_block((key,))) for key in keys]
    except Exception:
        out.manual.append(f"top-level {', '.join(keys)} are written inside {{...}}: move them under registered_resources by hand")
        return out
    blocks.sort(key=lambda kb: kb[1].line_start)
    indent, nl = doc.style.indent, doc.style.newline
    lines = [" " * blocks[0][1].column + "registered_resources:"]
    for _, block in blocks:
        lines += _reindent(_split(doc.text[block.comment_start : block.end]), block.column, block.column + indent)
    first = blocks[0][1]
    edits = [(first.comment_start, first.end, nl.join(lines) + nl)]
    edits += [(block.comment_start, block.end, "") for _, block in blocks[1:]]
    expected = copy.deepcopy(doc.data)
    moved = {key: expected.pop(key) for key in keys}
    expected["registered_resources"] = moved
    doc.replace_lines(edits, expected)
    out.done.append(f"moved top-level {', '.join(keys)} under registered_resources (the server ignored them since 0.3.0: it registered nothing)")
    return out


STEP = Step(
    name="registered-resources",
    line="0.3",
    upstream="llama-stack #3861 (0.3.0: core/datatypes.py RegisteredResources)",
    title="top-level models/shields/... move under registered_resources",
    detect=lambda doc, ctx: bool(_present(doc)) or "vector_dbs" in doc.data,
    apply=_apply,
)
