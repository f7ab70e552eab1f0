"""Which findings a project asked not to see, and at what severity it wants the others.

A comment on a finding's line silences it:

    db_pth: /data/kv.db  # llama-config: ignore[unknown-key]
    kv_spare:            # llama-config: ignore[backend-unused, unknown-key]
    legacy: 1            # llama-config: ignore

(the bare form silences every code on that line). The project config (model.project_config)
disables codes everywhere and overrides severities.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Iterable, Iterator

from .diagnostics import Diagnostic
from .project_config import ProjectConfig

MARK = "llama-config:"
# `# llama-config: ignore` or `# llama-config: ignore[a, b]`, in a comment (after a blank or at
# the start of the line: `#` inside a plain scalar such as `a#b` is not a comment in YAML)
# (matched as the head, then by hand: the regex with `(?:\[(?P<codes>[^\]]*)\])?(?=[\s,;.]|$)` after
# it scanned to the line's next `]` again from each `ignore[`, quadratic in a run of them)
_IGNORE_HEAD = re.compile(r"(?:^|[ \t])#[ \t]*llama-config:[ \t]*ignore")
_IGNORE_END = re.compile(r"[\s,;.]|$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

ALL_CODES = None  # what a bare `ignore` silences


def ignored_on_lines(text: str) -> dict[int, frozenset[str] | None]:
    """{1-based line: the codes its comment silences, or ALL_CODES}."""
    if MARK not in text:  # the common case: no scan of a large file
        return {}
    out: dict[int, frozenset[str] | None] = {}
    for number, line in enumerate(_LINE_BREAK.split(text), 1):
        if MARK not in line:
            continue
        for listed in ignore_comments(line):
            if listed is None:
                out[number] = ALL_CODES
            elif out.get(number, frozenset()) is not ALL_CODES:
                codes = frozenset(c.strip() for c in listed.split(",") if c.strip())
                out[number] = out.get(number, frozenset()) | codes
    return out


def ignore_comments(line: str) -> Iterator[str | None]:
    """For each `# llama-config: ignore` comment on `line`: the text between its brackets, or
    None for a bare `ignore` (all codes). An `ignore[` whose `]` is not followed by a blank,
    `,`, `;`, `.` or the line's end is no such comment, nor an `ignore` followed by anything else."""
    pos, close = 0, -1  # close: the first `]` at or after the last look-up (positions only move on)
    while (head := _IGNORE_HEAD.search(line, pos)) is not None:
        end = head.end()
        if line.startswith("[", end):
            if close <= end:
                close = line.find("]", end + 1)
                if close == -1:
                    close = len(line)  # no `]` left: no later `ignore[` closes either (a bare `ignore` still may)
            if close < len(line) and _IGNORE_END.match(line, close + 1):
                yield line[end + 1 : close]
                pos = close + 1
                continue
        elif _IGNORE_END.match(line, end):
            yield None
            pos = end
            continue
        pos = head.start() + 1


def apply_project_rules(diagnostics: Iterable[Diagnostic], text: str, project: ProjectConfig) -> list[Diagnostic]:
    """`diagnostics` less the ones silenced by a comment on their line or disabled by the
    project, with the project's severity overrides applied."""
    ignored = ignored_on_lines(text)
    kept: list[Diagnostic] = []
    for d in diagnostics:
        if d.code in project.disable:
            continue
        if d.line in ignored:
            codes = ignored[d.line]
            if codes is ALL_CODES or d.code in codes:
                continue
        severity = project.severity.get(d.code)
        kept.append(dataclasses.replace(d, severity=severity) if severity and severity != d.severity else d)
    return kept
