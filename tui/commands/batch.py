"""One command over many inputs (`validate`, `show`, `test-connections`): reading them, saying
what was skipped, loading each with its project config and release, and one exit status for
all of them, the worst: 2 (an input unreadable) over 1 (findings) over 0."""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from typing import Iterator

from llama_config.model.document import Document
from llama_config.model.errors import ConfigFileError
from llama_config.model.gcpause import keep_until_exit
from llama_config.model.inputs import STDIN, Source, read_inputs
from llama_config.model.project_config import NO_PROJECT_CONFIG, ProjectConfig, ProjectConfigs
from llama_config.model.releases import Release

from .common import EXIT_BAD_INPUT, target_release


@dataclass
class Loaded:
    """One input, loaded; or `error` (unreadable, unparsable, a bad project config or --server)."""

    source: Source
    doc: Document | None = None
    error: ConfigFileError | None = None
    project: ProjectConfig = NO_PROJECT_CONFIG
    release: Release | None = None
    why: str = ""  # which release, and why


def read_sources(args: argparse.Namespace, configs_only: bool = False) -> list[Source]:
    """The inputs; `configs_only` leaves out a manifest's resources that carry no config
    (validate reports what they say, show and test-connections have nothing to do with them)."""
    def skipped(label: str, reason: str) -> None:
        print(f"{label}: skipped: {reason}", file=sys.stderr)

    sources = read_inputs(args.files, on_skip=skipped, only_run_configs=getattr(args, "only_run_configs", False))
    return [s for s in sources if s.has_config] if configs_only else sources


def several(args: argparse.Namespace, sources: list[Source]) -> bool:
    """Anything but one FILE (or `-`) holding one config: outputs then name each input."""
    return len(args.files) > 1 or len(sources) != 1 or any(f != STDIN and os.path.isdir(f) for f in args.files)


def load_source(source: Source) -> Document:
    """The Document of a Source; a parse error's line and column are in the outer file."""
    if source.error is not None:
        raise source.error
    try:
        return keep_until_exit(Document.from_text(source.text, name=source.label))
    except ConfigFileError as exc:
        if exc.line is not None:
            line, column = source.position(exc.line, exc.column or 1)
            exc.line, exc.column = line, (column if exc.column is not None else None)
        raise


def load_all(args: argparse.Namespace, sources: list[Source]) -> Iterator[Loaded]:
    projects = ProjectConfigs()
    for source in sources:
        loaded = Loaded(source)
        try:
            loaded.project = projects.for_input(source.path)
            if source.has_config:  # (a manifest's resources alone have only their notes to report)
                loaded.doc = load_source(source)
                loaded.release, loaded.why = target_release(args, loaded.doc, loaded.project)
        except ConfigFileError as exc:
            loaded.error = exc
        yield loaded


class ErrorPrinter:
    """Prints each distinct error once: a bad project config or --server is the error of every
    input it applies to, but one message says it."""

    def __init__(self) -> None:
        self._printed: set[str] = set()

    def __call__(self, exc: ConfigFileError) -> None:
        text = str(exc)
        if text not in self._printed:
            self._printed.add(text)
            print(text, file=sys.stderr)


def worst(*codes: int) -> int:
    """The exit status of several inputs: 2 over 1 over 0."""
    return EXIT_BAD_INPUT if EXIT_BAD_INPUT in codes else max(codes, default=0)


def lone_error(sources: list[Source], status: int) -> bool:
    """One input, and it could not be read: its error says it all, no summary follows."""
    return len(sources) == 1 and status == EXIT_BAD_INPUT


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
