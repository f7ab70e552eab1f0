"""The upgrade steps: one small module per upstream change to the config file.

Each module defines `STEP = Step(...)`: the release line it belongs to (it applies when an
upgrade crosses into that line), the upstream change it follows, a detector and an edit made
through the Document API. `STEPS` lists them oldest first; within a line, in the order written.
A step whose `line` is None runs at the end of every upgrade, for the target release.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from ...document import Document
from ...releases import Release, line_index


@dataclass
class Context:
    before: Release | None  # the release line before the step's (None for pre-0.3)
    after: Release  # the step's own release line (the target, for the final steps)
    target: Release


@dataclass
class Outcome:
    done: list[str] = field(default_factory=list)  # what was changed, one line each
    manual: list[str] = field(default_factory=list)  # what a human must look at: the exact lines
    notes: list[str] = field(default_factory=list)  # what the operator should know (nothing to edit)

    def __bool__(self) -> bool:
        return bool(self.done or self.manual or self.notes)


@dataclass(frozen=True)
class Step:
    name: str
    line: str | None  # the release line whose change it carries over (None: every upgrade, at the end)
    upstream: str  # the upstream change it follows: PR / commit, and where in the package it is checked
    title: str
    detect: Callable[[Document, Context], bool]
    apply: Callable[[Document, Context], Outcome]


def _load() -> list[Step]:
    from . import (
        api_renames,
        base_url,
        batches_sqlstore,
        distro_name,
        header_template,
        ogx_names,
        provider_refs,
        quota_cors,
        registered_resources,
        removed,
        sql_stores,
        storage_v03,
        target_stores,
        telemetry,
        tls,
    )

    ordered = [
        storage_v03.STEP,
        registered_resources.STEP,
        telemetry.STEP,
        base_url.STEP,
        distro_name.STEP,
        api_renames.STEP,
        header_template.STEP,
        batches_sqlstore.STEP,
        sql_stores.STEP,
        quota_cors.STEP,
        ogx_names.STEP,
        tls.STEP,
        removed.APIS,
        removed.PROVIDERS,
        provider_refs.STEP,
        target_stores.STEP,
    ]
    return ordered


def steps_between(source: str | None, target: str) -> list[tuple[Step, str]]:
    """(step, the line it applies at) for an upgrade from `source` (None: before 0.3) to
    `target`, in order: line by line, then the final steps. A step with `line == "*"` applies at
    every line crossed (the registry diffs: removed APIs and provider types)."""
    from ...releases import available_lines

    crossed = [line for line in available_lines() if (source is None or line_index(line) > line_index(source)) and line_index(line) <= line_index(target)]
    out: list[tuple[Step, str]] = []
    steps = _load()
    for line in crossed:
        out += [(step, line) for step in steps if step.line == line or step.line == "*"]
    out += [(step, target) for step in steps if step.line is None]
    return out


__all__ = ["Context", "Outcome", "Step", "steps_between"]
