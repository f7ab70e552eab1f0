"""Template syntax in a run config: text some other tool was meant to fill in, which the server
never substitutes.

The server replaces only `${env.NAME}`, `${env.NAME:=default}` and `${env.NAME:+value}`
(model.envvars). A Helm chart's `{{ .Values.x }}`, a mix like `${.Values.x:=y}` that neither
Helm nor the server reads, or a shell-style `${NAME}` all reach the server as literal text when
the file is used as it stands. The way to check such a file is to render it first
(`helm template CHART | llama-config validate -`); until then we report each one for what it is.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Iterator

from .errors import ParseError

# Found with str.find rather than regexes (`\{\{.*?\}\}` and `\$\{(?!env\.)(?!\{)[^}\n]*\}`, which
# give the same spans): a regex's search from each `{{` or `${` that finds no end scans to the
# end of the text or line again, and 30,000 of them in a 90 KB value took `validate` 10 s.


def _go_actions(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each `{{ ... }}`, a Go template action (Helm, and GitHub's `${{ }}`);
    actions may span lines. The first `}}` after a `{{` closes it."""
    start = text.find("{{")
    while start != -1:
        close = text.find("}}", start + 2)
        if close == -1:  # (no later `{{` has an end either)
            return
        yield start, close + 2
        start = text.find("{{", close + 2)


def _other_dollars(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each `${...}` on one line that is not the server's `${env.` (model.envvars
    lints the `${env.` look-alikes) nor `${{`: from `${` to the first `}`, if no line break
    comes first."""
    close = newline = -1  # the next `}` and line break found so far (each found once per stretch)
    start = text.find("${")
    while start != -1:
        after = start + 2
        if not text.startswith(("env.", "{"), after):
            if close < after:
                close = text.find("}", after)
            if close == -1:
                return
            if newline < after:
                newline = text.find("\n", after)
                newline = len(text) if newline == -1 else newline
            if close < newline:
                yield start, close + 1
                start = text.find("${", close + 1)
                continue
        start = text.find("${", start + 1)
_HELM_OBJECTS = (".Values", ".Release", ".Chart", ".Capabilities", ".Files", ".Template")

RENDER_HINT = "validate the rendered output instead (helm template CHART | llama-config validate -)"


@dataclass(frozen=True)
class TemplateSpan:
    """One piece of template syntax at `text[start:end]`."""

    start: int
    end: int
    text: str
    code: str  # "template-syntax" (Go/Helm template) or "placeholder-not-env" (another `${...}`)

    @property
    def message(self) -> str:
        shown = self.text if len(self.text) <= 60 else self.text[:57] + "..."
        if self.code == "template-syntax" and shown.startswith("${"):
            return (
                f"`{shown}` mixes Helm's objects with the server's ${{env.X}} syntax: neither Helm nor the server "
                f"substitutes it, so the server gets this text literally; use ${{env.NAME:=default}}, or {RENDER_HINT}"
            )
        if self.code == "template-syntax":
            return f"`{shown}` is template syntax the server never substitutes (the server reads this text literally); {RENDER_HINT}"
        return (
            f"`{shown}` is never substituted: the server replaces only ${{env.NAME}} placeholders; "
            "write ${env.NAME} (or render the file with the tool this syntax is meant for, and validate its output)"
        )


def template_spans(text: str) -> list[TemplateSpan]:
    """Every piece of template syntax in `text`, in order."""
    if "{{" not in text and "${" not in text:
        return []
    spans = [TemplateSpan(start, end, text[start:end], "template-syntax") for start, end in _go_actions(text)]
    starts = [s.start for s in spans]  # (in order, none overlapping: the one that may hold a `${` is found by bisection)
    for start, end in _other_dollars(text):
        i = bisect_right(starts, start) - 1
        if i >= 0 and start < spans[i].end:  # inside a {{ ... }}
            continue
        body = text[start + 2 : end].lstrip()
        helm = body.startswith(_HELM_OBJECTS) or body.startswith(tuple(o[1:] for o in _HELM_OBJECTS))
        spans.append(TemplateSpan(start, end, text[start:end], "template-syntax" if helm else "placeholder-not-env"))
    return sorted(spans, key=lambda s: s.start)


def mask_templates(text: str) -> str:
    """`text` with every Go template action made harmless to a YAML parser, keeping every other
    character where it was (so lines and columns still point into the original): an action
    alone on its line becomes a comment, one inside a line becomes underscores."""
    if "{{" not in text:
        return text
    out = list(text)
    for start, end in _go_actions(text):
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end == -1 else line_end
        alone = not text[line_start:start].strip() and not text[end:line_end].strip()
        for i in range(start, end):
            if out[i] not in "\r\n":
                out[i] = " " if alone else "_"
        if alone:
            out[start] = "#"
    return "".join(out)


def explain_parse_error(exc: ParseError, text: str) -> None:
    """A file the YAML parser refuses because of `{{ ... }}` gets that said, at the template,
    instead of the parser's puzzle ("found unhashable key", "expected <block end>")."""
    spans = [s for s in template_spans(text) if s.text.startswith("{{")]
    if not spans or exc.line is None:
        return
    from .yamlparse import parse

    try:
        parse(mask_templates(text))
    except ParseError:
        return  # broken for another reason as well: the parser's own words are the useful ones
    except Exception:  # noqa: BLE001 - masking made some other odd document; keep the original message
        return
    lines_before, line, counted = [], 1, 0
    for s in spans:  # (in order: each count goes on from the last, not from the top of the file)
        line += text.count("\n", counted, s.start)
        counted = s.start
        lines_before.append(line)
    on_line = [s for s, line in zip(spans, lines_before) if line == exc.line]
    span = (on_line or spans)[0]
    line = text.count("\n", 0, span.start) + 1
    column = span.start - (text.rfind("\n", 0, span.start) + 1) + 1
    exc.message = (
        f"`{span.text if len(span.text) <= 60 else span.text[:57] + '...'}` is Go/Helm template syntax, so this file is a "
        f"template, not YAML the server can read (the parser says: {exc.message}); {RENDER_HINT}"
    )
    exc.args = (exc.message,)
    exc.line, exc.column = line, column
