"""The RAG tool's name `knowledge_search` became `file_search` (with tool_runtime
`inline::rag-runtime` -> `inline::file-search`, llama-stack 0.7).

Checked in llama-stack 0.7.3 core/datatypes.py: FileSearchParams.header_template must contain
`file_search` (a validator refuses the config at load otherwise); 0.4-0.6 shipped templates that
say `knowledge_search`. The word is replaced where it stands inside the templates' text, so the
quoting and line folding stay as written.
"""

from __future__ import annotations

import copy

from ...document import Document
from ...yamlpath import format_path
from . import Context, Outcome, Step

PARAMS = ("vector_stores", "file_search_params")
KEYS = ("header_template", "footer_template")
OLD, NEW = "knowledge_search", "file_search"


def _paths(doc: Document) -> list[tuple]:
    params = doc.value_at(PARAMS)
    return [PARAMS + (k,) for k in KEYS if isinstance(params, dict) and isinstance(params.get(k), str) and OLD in params[k]]


def _apply(doc: Document, ctx: Context) -> Outcome:
    out = Outcome()
    expected = copy.deepcopy(doc.data)
    edits = []
    text = doc.text
    for path in _paths(doc):
        node = doc.node_at(path)
        start = doc._line_start(node.start)
        end = doc._next_line(node.end)  # (its lines, whichever line breaks end them)
        end = len(text) if end == -1 else end
        if OLD not in text[node.start : node.end] or node.anchor:
            out.manual.append(f"{format_path(path)} (line {node.line + 1}): replace {OLD} with {NEW} by hand (0.7 refuses a header without it)")
            continue
        edits.append((start, end, text[start:node.start] + text[node.start : node.end].replace(OLD, NEW) + text[node.end : end]))
        expected[PARAMS[0]][PARAMS[1]][path[-1]] = expected[PARAMS[0]][PARAMS[1]][path[-1]].replace(OLD, NEW)
        out.done.append(f"{format_path(path)} (line {node.line + 1}): {OLD} -> {NEW} (the tool's name since 0.7)")
    if edits:
        doc.replace_lines(edits, expected)
    return out


STEP = Step(
    name="file-search-templates",
    line="0.7",
    upstream="llama-stack 0.7.0 (core/datatypes.py FileSearchParams.validate_header_template)",
    title="knowledge_search becomes file_search in the search templates",
    detect=lambda doc, ctx: bool(_paths(doc)),
    apply=_apply,
)
