"""What `validate`, `show` and `test-connections` read: files, directories and `-` (stdin).

    sources = read_inputs(["run.yaml", "deploy/", "-"], on_skip=print_skip)

A directory is walked (sorted, hidden directories and symlinked directories not entered) for
*.yaml / *.yml files that look like run configs; the others are skipped with a reason. A file
named on the command line is always read, whatever it looks like, unless `only_run_configs`
(the pre-commit hook passes every matching file it sees, and not every config.yaml is ours).
Nothing here raises for a bad input: a file that cannot be read becomes a Source with `error`,
in its place in the list, so a command reports it and goes on with the others.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from typing import Any, BinaryIO, Callable, Iterable

from .document import decode
from .errors import ConfigFileError
from .safefile import MAX_CONFIG_BYTES, read_config_bytes

STDIN = "-"
STDIN_LABEL = "<stdin>"
YAML_SUFFIXES = (".yaml", ".yml")

# A top-level key only a run config has (any release, pre-0.3 included), at column 0.
_RUN_CONFIG_KEY = re.compile(r"""^(["']?)(providers|apis|storage|version)\1[ \t]*:(?:[ \t]|$)""", re.MULTILINE)
NOT_A_RUN_CONFIG = "not a run config: no providers/apis/storage/version key"


class NoConfigInManifest(ConfigFileError):
    """A Kubernetes manifest named on the command line carries no run config."""


@dataclass(frozen=True, eq=False)
class Source:
    """One run config to check: its text, where it came from, and how its lines map back.

    `label` names it in headings (the path as found, <stdin>, or `cm.yaml: ConfigMap X, key
    run.yaml`); `file` names it in FILE:LINE:COL; `path` is the file on disk (None for stdin);
    `error` is set, and `text` empty, when it could not be read. A config embedded in a
    Kubernetes manifest maps its own lines and columns to the manifest's (`embedded`); `notes`
    are findings about the file around it (which ConfigMap a resource runs), at the file's
    own positions. A manifest holding resources but no config is a Source with notes and no
    text (`has_config` False)."""

    label: str
    path: str | None
    text: str = ""
    error: ConfigFileError | None = None
    embedded: Any = None  # manifests.EmbeddedConfig
    notes: tuple = ()  # Diagnostics
    outer_text: str = ""  # the manifest's text, where its notes' ignore comments are
    has_config: bool = True

    @property
    def file(self) -> str:
        return self.embedded.file if self.embedded is not None else self.label

    def position(self, line: int, column: int) -> tuple[int, int]:
        return self.embedded.position(line, column) if self.embedded is not None else (line, column)


def looks_like_run_config(text: str) -> bool:
    return _RUN_CONFIG_KEY.search(text) is not None


def read_inputs(
    specs: Iterable[str],
    *,
    on_skip: Callable[[str, str], None] | None = None,
    only_run_configs: bool = False,
    stdin: BinaryIO | None = None,
) -> list[Source]:
    """The Sources named by `specs` (files, directories, `-`), in order, each file once.
    `on_skip(label, reason)` hears about every YAML file or directory left out, and why."""
    skip = on_skip or (lambda label, reason: None)
    seen: set[str] = set()
    sources: list[Source] = []
    for spec in specs:
        if spec == STDIN:
            if STDIN not in seen:
                seen.add(STDIN)
                sources.extend(_read_stdin(stdin if stdin is not None else sys.stdin.buffer))
        elif os.path.isdir(spec):
            sources.extend(_read_directory(spec, seen, skip))
        elif _first_time(spec, seen):
            sources.extend(_read_file(spec, only_run_configs, skip))
    return sources


def sources_in_text(label: str, path: str | None, text: str) -> list[Source]:
    """The run configs one file's text holds: itself, or each config a Kubernetes manifest's
    ConfigMaps carry (the manifest's findings go with the first). A manifest with resources
    but no config gives one Source of notes; one with neither, an error Source."""
    from .manifests.detect import looks_like_manifest

    if not looks_like_manifest(text):
        return [Source(label, path, text)]
    from .manifests import read_manifest  # only files that are manifests pay for the reader

    try:
        manifest = read_manifest(label, text)
    except ConfigFileError as exc:
        return [Source(label, path, error=exc)]
    if manifest is None:
        return [Source(label, path, text)]
    notes = tuple(manifest.findings)
    sources = [Source(c.label, path, c.text, embedded=c, notes=notes if i == 0 else (), outer_text=text) for i, c in enumerate(manifest.configs)]
    if not sources and notes:
        sources = [Source(label, path, notes=notes, outer_text=text, has_config=False)]
    if not sources:
        problem = f"a Kubernetes manifest holding no run config ({manifest.describe_contents()}): nothing to check"
        sources = [Source(label, path, error=NoConfigInManifest(problem, file=label))]
    return sources


def _first_time(path: str, seen: set[str]) -> bool:
    key = os.path.realpath(path)
    if key in seen:
        return False
    seen.add(key)
    return True


def _read_directory(top: str, seen: set[str], skip: Callable[[str, str], None]) -> list[Source]:
    found: list[Source] = []
    for path in _yaml_files(top, skip):
        if isinstance(path, ConfigFileError):  # a directory that cannot be listed
            found.append(Source(path.file or top, path.file, error=path))
        elif _first_time(path, seen):
            found.extend(_read_file(path, True, skip))
    if not found:  # a CI job pointed at the wrong directory must not pass
        message = "is a directory holding no run config (no *.yaml / *.yml file with a providers/apis/storage/version key)"
        found.append(Source(top, top, error=ConfigFileError(message, file=top)))
    return found


def _read_file(path: str, only_run_configs: bool, skip: Callable[[str, str], None]) -> list[Source]:
    try:
        data, _ = read_config_bytes(path)
        text, _ = decode(data, path)
    except ConfigFileError as exc:
        return [Source(path, path, error=exc)]
    sources = sources_in_text(path, path, text)
    if only_run_configs and not looks_like_run_config(text) and not any(s.embedded is not None or s.notes for s in sources):
        manifest = bool(sources) and isinstance(sources[0].error, NoConfigInManifest)
        skip(path, "a Kubernetes manifest holding no run config" if manifest else NOT_A_RUN_CONFIG)
        return []
    return sources


def _read_stdin(stream: BinaryIO) -> list[Source]:
    try:
        data = stream.read(MAX_CONFIG_BYTES + 1)
        if len(data) > MAX_CONFIG_BYTES:
            raise ConfigFileError(f"standard input holds more than {MAX_CONFIG_BYTES // (1024 * 1024)} MiB; a run config is far smaller", file=STDIN_LABEL)
        text, _ = decode(data, STDIN_LABEL)
    except ConfigFileError as exc:
        return [Source(STDIN_LABEL, None, error=exc)]
    except OSError as exc:
        return [Source(STDIN_LABEL, None, error=ConfigFileError(f"cannot read standard input: {exc.strerror or exc}", file=STDIN_LABEL))]
    return sources_in_text(STDIN_LABEL, None, text)


def _yaml_files(top: str, skip: Callable[[str, str], None]) -> Iterable[str | ConfigFileError]:
    """*.yaml / *.yml under `top`, sorted, not entering hidden or symlinked directories; a
    directory that cannot be listed as a ConfigFileError in its place."""
    unlisted: list[ConfigFileError] = []

    def cannot_list(exc: OSError) -> None:
        unlisted.append(ConfigFileError(f"cannot list this directory: {exc.strerror or exc}", file=exc.filename))

    for directory, dirs, files in os.walk(top, onerror=cannot_list):
        yield from unlisted
        unlisted.clear()
        kept = []
        for name in sorted(dirs):
            path = os.path.join(directory, name)
            if name.startswith("."):
                skip(path, "hidden directory, not searched")
            elif os.path.islink(path):
                skip(path, "symlink to a directory, not followed")
            else:
                kept.append(name)
        dirs[:] = kept
        for name in sorted(files):
            if name.lower().endswith(YAML_SUFFIXES):
                yield os.path.join(directory, name)
    yield from unlisted

