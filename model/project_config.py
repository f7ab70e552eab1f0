"""A project's llama-config settings: `.llama-config.toml`, or `[tool.llama-config]` in pyproject.toml.

    server = "ogx-1.5"                     # the release the configs are judged by
    disable = ["backend-unused"]           # codes never reported
    [severity]                             # ([tool.llama-config.severity] in pyproject.toml)
    unknown-key = "error"                  # error | warning | info

Found by walking up from each input file's directory (from the working directory for stdin):
the nearest directory holding `.llama-config.toml`, or a pyproject.toml with the table, wins,
and `.llama-config.toml` before pyproject.toml in one directory, as ruff and yamllint do. The
release: --server, then LLAMA_CONFIG_SERVER, then `server` here, then detection from the file.
A key or value this module does not know is an error naming the file and line (exit 2): a
silently ignored setting is what this tool exists to catch.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from .diagnostics import CODES, Severity
from .errors import ConfigFileError

PROJECT_FILE = ".llama-config.toml"
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = ("tool", "llama-config")
KEYS = ("server", "disable", "severity")
SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
class ProjectConfig:
    file: str | None = None  # where the settings came from; None: no project file
    server: str | None = None
    disable: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = field(default_factory=dict)

    def describe_server(self) -> str:
        return f"server = {self.server!r} in {self.file}"


NO_PROJECT_CONFIG = ProjectConfig()


class ProjectConfigs:
    """The project config of each input, each directory looked at once (a run over a thousand
    files in one repository reads its pyproject.toml once)."""

    def __init__(self) -> None:
        self._by_directory: dict[str, ProjectConfig | ConfigFileError] = {}

    def for_input(self, path: str | None) -> ProjectConfig:
        """Raises ConfigFileError (with the settings file's line) when the nearest one is bad."""
        start = os.path.dirname(os.path.abspath(path)) if path else os.getcwd()
        found = self._lookup(start)
        if isinstance(found, ConfigFileError):
            raise found
        return found

    def _lookup(self, directory: str) -> ProjectConfig | ConfigFileError:
        walked: list[str] = []
        found: ProjectConfig | ConfigFileError = NO_PROJECT_CONFIG
        while True:
            if directory in self._by_directory:
                found = self._by_directory[directory]
                break
            walked.append(directory)
            here = _config_in(directory)
            if here is not None:
                found = here
                break
            parent = os.path.dirname(directory)
            if parent == directory:
                break
            directory = parent
        for d in walked:
            self._by_directory[d] = found
        return found


def _config_in(directory: str) -> ProjectConfig | ConfigFileError | None:
    """The settings a directory holds, or None when it holds none."""
    for name, table in ((PROJECT_FILE, ()), (PYPROJECT, PYPROJECT_TABLE)):
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            continue
        try:
            return load_project_config(path, table)
        except ConfigFileError as exc:
            return exc
        except _NoTable:
            continue
    return None


class _NoTable(Exception):
    """A pyproject.toml without [tool.llama-config]: keep walking up."""


def load_project_config(path: str, table: tuple[str, ...] = ()) -> ProjectConfig:
    """The settings in `path` (under `table`, for pyproject.toml); ConfigFileError with the
    line of the first thing wrong."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
        text = raw.decode("utf-8")
    except OSError as exc:
        raise ConfigFileError(f"cannot read the llama-config settings: {exc.strerror or exc}", file=path) from None
    except UnicodeDecodeError:
        raise ConfigFileError("the llama-config settings file is not UTF-8 text", file=path) from None
    if table and table[-1] not in text:
        raise _NoTable  # a pyproject.toml of some other tool's: not even worth parsing
    import tomllib  # only where settings may be: most runs have none

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message, line, column = _toml_error(exc, text)
        raise ConfigFileError(f"not valid TOML: {message}", file=path, line=line, column=column) from None
    settings: Any = document
    for key in table:
        if not isinstance(settings, dict) or key not in settings:
            raise _NoTable
        settings = settings[key]
    return _Reader(path, text, table).read(settings)


def _toml_error(exc: "tomllib.TOMLDecodeError", text: str) -> tuple[str, int | None, int | None]:
    """tomllib's message without its `(at line L, column C)` / `(at end of document)`, and where."""
    message = str(exc)
    m = re.search(r"(?<!\s)\s*\(at line (\d+), column (\d+)\)$", message)  # (a blank run starts a match once, not at each blank)
    if m:
        return message[: m.start()], int(m[1]), int(m[2])
    m = re.search(r"(?<!\s)\s*\(at end of document\)$", message)
    if m:
        return message[: m.start()], text.count("\n") + 1, len(text) - text.rfind("\n")
    return message, None, None


class _Reader:
    """Checks each setting, raising with the line it is written on."""

    def __init__(self, path: str, text: str, table: tuple[str, ...]) -> None:
        self.path, self.text, self.table = path, text, table

    def fail(self, message: str, *keys: str) -> ConfigFileError:
        where = ".".join(self.table + keys[:1]) or "the settings"
        return ConfigFileError(f"{where}: {message}", file=self.path, line=toml_line(self.text, self.table + keys))

    def read(self, settings: Any) -> ProjectConfig:
        if not isinstance(settings, dict):
            raise self.fail("must be a table of settings (server, disable, severity)")
        for key in settings:
            if key not in KEYS:
                raise self.fail(f"unknown setting {key!r}{_did_you_mean(key, KEYS)} (known: {', '.join(KEYS)})", key)
        return ProjectConfig(
            file=self.path,
            server=self._server(settings.get("server")),
            disable=self._disable(settings.get("disable", [])),
            severity=self._severity(settings.get("severity", {})),
        )

    def _server(self, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(f"must be a release as a string, e.g. \"ogx-1.5\" or \"0.7\", not {value!r}", "server")
        from .releases import UnknownRelease, load_release, parse_server

        try:
            load_release(parse_server(value))
        except UnknownRelease as exc:
            raise self.fail(str(exc), "server") from None
        return value

    def _code(self, code: Any, *keys: str) -> str:
        if not isinstance(code, str) or code not in CODES:
            shown = code if isinstance(code, str) else repr(code)
            hint = _did_you_mean(code, CODES) if isinstance(code, str) else ""
            raise self.fail(f"{shown!r} is not a llama-config diagnostic code{hint} (`llama-config validate --help` lists them)", *keys)
        return code

    def _disable(self, value: Any) -> frozenset[str]:
        if not isinstance(value, list):
            raise self.fail(f"must be a list of diagnostic codes, not {value!r}", "disable")
        return frozenset(self._code(code, "disable") for code in value)

    def _severity(self, value: Any) -> dict[str, Severity]:
        if not isinstance(value, dict):
            raise self.fail(f"must be a table of code = \"error\" | \"warning\" | \"info\", not {value!r}", "severity")
        out: dict[str, Severity] = {}
        for code, level in value.items():
            self._code(code, "severity", code)
            if level not in SEVERITIES:
                raise self.fail(f"{code} must be one of {', '.join(map(repr, SEVERITIES))}, not {level!r}", "severity", code)
            out[code] = level
        return out


def _did_you_mean(word: str, choices) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _table_header(line: str) -> str | None:
    r"""The name in a `[table]` header line, stripped, as `^\s*\[(?!\[)\s*([^\]]+?)\s*\]` gives it
    (found by hand: that regex took time cubic in the blanks of a `[` line, and pyproject.toml
    may hold one inside another tool's multi-line string: 3,200 blanks took validate 14 s)."""
    body = line.lstrip()
    if not body.startswith("[") or body.startswith("[["):
        return None
    close = body.find("]", 1)  # (neither a blank nor the name can hold a `]`)
    if close <= 1:
        return None
    inside = body[1:close]
    return inside.strip() or inside[-1]  # (all blanks: the regex's name takes the last one)


_ASSIGNMENT = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")


def _key_path(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", dotted))


def toml_line(text: str, wanted: tuple[str, ...]) -> int | None:
    """The line where the key at `wanted` is set: its assignment or table header, else the
    nearest enclosing one written (an inline table's key is on its parent's line)."""
    best, best_depth = None, 0
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), 1):
        header = _table_header(line)
        if header is not None:
            table = _key_path(header)
            full = table
        else:
            assignment = _ASSIGNMENT.match(line)
            if not assignment:
                continue
            full = table + _key_path(assignment[1])
        if full == wanted:
            return number
        if wanted[: len(full)] == full and len(full) > best_depth:
            best, best_depth = number, len(full)
    return best
