"""Environment placeholders: `${env.NAME}`, `${env.NAME:=default}`, `${env.NAME:+value}`.

What the Llama Stack server does with them (read from upstream `replace_env_vars` and
`_convert_string_to_proper_type` in `llama_stack/core/stack.py`, unchanged in
`ogx-ai/ogx` `src/ogx/core/stack.py`):

* Only strings inside the config are looked at (not mapping keys); each string is scanned left
  to right with `PLACEHOLDER_RE` and every match is replaced.
* `${env.X}`: X must be set and non-empty, otherwise the server refuses to start.
* `${env.X:=d}`: X when non-empty, else `d` (an empty `d` gives "").
* `${env.X:+v}`: `v` when X is non-empty, else "".
* The replacement text has a leading `~` expanded to the home directory.
* When the string changed, the whole result is re-typed (see `retype`); a string the
  substitution did not change keeps its type.
* A provider whose `provider_id` resolves to "", None or `__disabled__` is skipped.

Anything else that merely looks like a placeholder (lower-case names, `:-`, the old
`${env.X:default}` / `${env.X+v}` forms, an unclosed `${env.X`) is left in the string literally;
`lint_placeholders` reports those.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from llama_config.model.errors import ConfigFileError

# Upstream's grammar, character for character: only upper-case names are substituted.
# (every match ends with `}`: searched only up to the last one, as a `${env.X:=` with no `}` after
# it scanned to the end of the value again for each, quadratic in a run of them)
PLACEHOLDER_RE = re.compile(r"\$\{env\.([A-Z0-9_]+)(?::([=+])([^}]*))?\}")


def has_placeholder(value: object) -> bool:
    """True when `value` is a string the server will substitute at least once."""
    return isinstance(value, str) and "${env." in value and PLACEHOLDER_RE.search(value, 0, value.rfind("}") + 1) is not None


# --------------------------------------------------------------------------------------------
# Finding placeholders


@dataclass(frozen=True)
class Placeholder:
    """One placeholder the server will substitute, at `s[start:end] == text`."""

    name: str
    op: str | None  # None, "=" or "+"
    arg: str | None  # the text after `:=` / `:+` ("" allowed); None without an operator
    start: int
    end: int
    text: str


def find_placeholders(s: str) -> list[Placeholder]:
    """The placeholders in `s` exactly as the server finds them, left to right."""
    if not isinstance(s, str) or "${env." not in s:
        return []
    return [
        Placeholder(
            name=m.group(1),
            op=m.group(2),
            arg=m.group(3) if m.group(2) is not None else None,
            start=m.start(),
            end=m.end(),
            text=m.group(0),
        )
        for m in PLACEHOLDER_RE.finditer(s, 0, s.rfind("}") + 1)
    ]


def variables_in(value: str) -> list[str]:
    """Names of the variables the server substitutes in `value`, in order, each once."""
    names: list[str] = []
    for p in find_placeholders(value):
        if p.name not in names:
            names.append(p.name)
    return names


# --------------------------------------------------------------------------------------------
# Linting look-alikes


@dataclass(frozen=True)
class PlaceholderProblem:
    """Text that looks like a placeholder but that the server will not substitute as meant."""

    start: int
    end: int
    code: str
    message: str


_OPEN = "${env."
_NAME_CHARS_RE = re.compile(r"[A-Za-z0-9_]*")


def _suggest(name: str, op: str | None, arg: str) -> str:
    if op is None:
        return f"${{env.{name}}}"
    return f"${{env.{name}:{op}{arg}}}"


def _operator_problem(name: str, rest: str) -> tuple[str, str, str, str] | None:
    """Classify what follows a well-formed name inside `${env.NAME...}`.

    Returns (code, why, operator to use, full suggestion) or None when `rest` is fine
    (empty, `:=...`, `:+...`) or starts with a character that makes the name bad.
    """
    if rest == "" or rest.startswith((":=", ":+")):
        return None
    if rest.startswith(":-"):
        return ("env-unsupported-operator", "`:-` is shell syntax the server does not understand",
                ":=", _suggest(name, "=", rest[2:]))
    if rest.startswith(":?"):
        return ("env-unsupported-operator", "`:?` is shell syntax the server does not understand",
                "no operator", _suggest(name, None, ""))
    if rest.startswith(":"):
        return ("env-old-default-syntax", "this old default syntax is no longer substituted",
                ":=", _suggest(name, "=", rest[1:]))
    if rest.startswith("+"):
        return ("env-old-conditional-syntax", "this old conditional syntax is no longer substituted",
                ":+", _suggest(name, "+", rest[1:]))
    if rest.startswith("="):
        return ("env-unsupported-operator", "`=` is shell syntax the server does not understand",
                ":=", _suggest(name, "=", rest[1:]))
    if rest.startswith("?"):
        return ("env-unsupported-operator", "`?` is shell syntax the server does not understand",
                "no operator", _suggest(name, None, ""))
    return None


def lint_placeholders(s: str) -> list[PlaceholderProblem]:
    """Problems with text in `s` that starts like a placeholder (`${env.`).

    Codes: env-lowercase-name, env-old-default-syntax, env-old-conditional-syntax,
    env-unsupported-operator, env-unclosed, env-bad-name, and env-nested (a `${` inside a
    default or value, which the server cuts at the first `}`). One problem per `${env.`.
    """
    if not isinstance(s, str) or _OPEN not in s:
        return []
    valid = [(m.start(), m.end(), m) for m in PLACEHOLDER_RE.finditer(s, 0, s.rfind("}") + 1)]
    starts = [start for start, _, _ in valid]  # (in order, not overlapping: found by bisection)
    problems: list[PlaceholderProblem] = []

    for start, end, m in valid:
        arg = m.group(3)
        if arg is not None and "${" in arg:
            problems.append(PlaceholderProblem(
                start, end, "env-nested",
                f"`{m.group(0)}` contains another placeholder, but placeholders cannot be nested: "
                f"the server ends this one at the first `}}` and uses "
                f"`{arg}` literally as its {'default' if m.group(2) == '=' else 'value'}.",
            ))

    i = s.find(_OPEN)
    while i != -1:
        at = bisect_right(starts, i) - 1
        inside = valid[at][1] if at >= 0 and i < valid[at][1] else None
        if inside is not None and starts[at] != i:
            # a `${env.` swallowed by an earlier placeholder's default: already reported as nested
            i = s.find(_OPEN, inside)
            continue
        if inside is not None:  # a valid placeholder starts here
            i = s.find(_OPEN, i + 1)
            continue

        body_start = i + len(_OPEN)
        name = _NAME_CHARS_RE.match(s, body_start).group(0)
        after_name = body_start + len(name)
        close = s.find("}", body_start)
        reopen = s.find("${", body_start)
        if close == -1 or (reopen != -1 and reopen < close and s[after_name:reopen].strip() == ""):
            stop = reopen if reopen != -1 else len(s)
            text = s[i:stop].rstrip()
            problems.append(PlaceholderProblem(
                i, i + len(text), "env-unclosed",
                f"`{text}` has no closing `}}`, so the server leaves it as literal text.",
            ))
            i = s.find(_OPEN, i + 1)
            continue

        end = close + 1
        text = s[i:end]
        rest = s[after_name:close]
        nested = "${" in rest
        op_problem = _operator_problem(name.upper(), rest)
        if name == "" or (rest != "" and op_problem is None and not rest.startswith((":=", ":+"))):
            problems.append(PlaceholderProblem(
                i, end, "env-bad-name",
                f"`{text}` is not substituted because a variable name may only contain "
                f"upper-case letters, digits and `_`, so the server leaves it as literal text.",
            ))
        elif name != name.upper():
            upper = name.upper()
            if nested:
                fix = f"the name `{upper}`"
            else:
                fix = "`" + (op_problem[3] if op_problem else f"${{env.{upper}{rest}}}") + "`"
            problems.append(PlaceholderProblem(
                i, end, "env-lowercase-name",
                f"`{text}` is never substituted because variable names must be upper-case, "
                f"so the server keeps the text as written; use {fix}.",
            ))
        elif op_problem is not None:
            code, why, op, full = op_problem
            fix = f"`{op}` instead" if nested and op != "no operator" else f"`{full}`"
            problems.append(PlaceholderProblem(
                i, end, code, f"`{text}` stays literal because {why}; write {fix}.",
            ))
        i = s.find(_OPEN, i + 1)

    problems.sort(key=lambda p: (p.start, p.end))
    return problems


# --------------------------------------------------------------------------------------------
# Re-typing


def retype(text: str) -> Any:
    """The server's re-typing of a string its substitution changed.

    "" -> None; "true"/"false" in any letter case -> bool; then whatever Python's `int()`
    accepts (so " 42 ", "+7", "1_000" too) -> int; then whatever `float()` accepts ("1.5",
    "1e3", "nan", "inf") -> float; anything else stays a string.
    """
    if text == "":
        return None
    folded = text.lower()
    if folded == "true":
        return True
    if folded == "false":
        return False
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            pass
    return text


# --------------------------------------------------------------------------------------------
# Where variable values come from


@dataclass(frozen=True)
class VariableSource:
    name: str
    value: str | None  # None when unset
    origin: str  # "environment", "env-file <path>:<line>", "unset"

    @property
    def is_set(self) -> bool:
        """Set and non-empty: the only state the server treats as "set"."""
        return bool(self.value)


_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_DQ_ESCAPES = {"n": "\n", '"': '"', "\\": "\\"}


def _bad_line(path: str, n: int) -> ConfigFileError:
    return ConfigFileError("line is not KEY=VALUE", file=path, line=n, column=1)


def _rest_is_comment(rest: str) -> bool:
    rest = rest.strip()
    return rest == "" or rest.startswith("#")


def _parse_env_value(raw: str, path: str, n: int) -> str:
    raw = raw.lstrip(" \t")
    if raw.startswith("'"):
        close = raw.find("'", 1)
        if close == -1 or not _rest_is_comment(raw[close + 1:]):
            raise _bad_line(path, n)
        return raw[1:close]
    if raw.startswith('"'):
        out: list[str] = []
        k = 1
        while k < len(raw):
            c = raw[k]
            if c == "\\" and k + 1 < len(raw) and raw[k + 1] in _DQ_ESCAPES:
                out.append(_DQ_ESCAPES[raw[k + 1]])
                k += 2
                continue
            if c == '"':
                if not _rest_is_comment(raw[k + 1:]):
                    raise _bad_line(path, n)
                return "".join(out)
            out.append(c)
            k += 1
        raise _bad_line(path, n)  # no closing quote
    return re.sub(r"(?<!\s)\s+#.*$", "", raw).strip()  # (from the start of a run of blanks only: each start in it rescanned the run)


def load_env_file(path: str) -> dict[str, tuple[str, int]]:
    """Read a dotenv-style file: name -> (value, 1-based line). A later line wins.

    `KEY=VALUE` lines, optional `export ` prefix, blank lines and `#` comments, values in
    single quotes (literal) or double quotes (`\\n`, `\\"`, `\\\\` understood), and an inline
    ` # comment` after an unquoted value.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            content = f.read()
    except FileNotFoundError:
        raise ConfigFileError("env file not found", file=path) from None
    except IsADirectoryError:
        raise ConfigFileError("env file is a directory", file=path) from None
    except UnicodeDecodeError:
        raise ConfigFileError("env file is not UTF-8 text", file=path) from None
    except OSError as e:
        raise ConfigFileError(f"cannot read env file: {e.strerror or e}", file=path) from None

    result: dict[str, tuple[str, int]] = {}
    for n, line in enumerate(content.split("\n"), start=1):
        line = line.rstrip("\r")
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if re.match(r"export[ \t]+", stripped):
            stripped = re.sub(r"^export[ \t]+", "", stripped)
        key, eq, raw = stripped.partition("=")
        key = key.rstrip(" \t")
        if not eq or not _KEY_RE.fullmatch(key):
            raise _bad_line(path, n)
        result[key] = (_parse_env_value(raw, path, n), n)
    return result


class Environment:
    """The variables the server would see.

    The process environment (`environ`, default `os.environ`) wins over the env files, the
    way docker compose and python-dotenv (`override=False`) do it: a variable present in the
    environment, even with an empty value, is taken from there. Among the env files, a later
    file wins over an earlier one (as with several `env_file` entries in docker compose).
    """

    def __init__(self, environ: Mapping[str, str] | None = None, env_files: Sequence[str] = ()) -> None:
        self.environ: Mapping[str, str] = os.environ if environ is None else environ
        self.env_files: tuple[str, ...] = tuple(env_files)
        self._from_files: dict[str, tuple[str, str, int]] = {}
        for path in self.env_files:
            for name, (value, line) in load_env_file(path).items():
                self._from_files[name] = (value, path, line)

    def lookup(self, name: str) -> VariableSource:
        if name in self.environ:
            return VariableSource(name, self.environ[name], "environment")
        if name in self._from_files:
            value, path, line = self._from_files[name]
            return VariableSource(name, value, f"env-file {path}:{line}")
        return VariableSource(name, None, "unset")

    def expanduser(self, text: str) -> str:
        """`os.path.expanduser`, but with this environment's HOME when it has one."""
        if text == "~" or text.startswith("~/"):
            home = self.lookup("HOME").value
            if home:
                return home.rstrip("/") + text[1:] if home != "/" else "/" + text[2:]
        return os.path.expanduser(text)


# --------------------------------------------------------------------------------------------
# Resolving


@dataclass(frozen=True)
class Resolution:
    value: Any  # what the server will see (after re-typing); None when `missing`
    text: str | None  # the substituted string before re-typing; None for non-strings / missing
    variables: tuple[VariableSource, ...]
    used_default: bool  # a := default (or an empty :+) decided the value
    missing: tuple[str, ...]  # required variables (${env.X}) unset/empty -> server refuses to start


def resolve(value: Any, env: Environment) -> Resolution:
    """Substitute one scalar the way the server does.

    Non-strings come back unchanged; so do strings the substitution leaves unchanged (the
    server only re-types a string when substitution changed it).
    """
    if not isinstance(value, str):
        return Resolution(value, None, (), False, ())
    placeholders = find_placeholders(value)
    if not placeholders:
        return Resolution(value, value, (), False, ())

    sources: dict[str, VariableSource] = {}
    missing: list[str] = []
    used_default = False
    pieces: list[str] = []
    pos = 0
    for p in placeholders:
        pieces.append(value[pos:p.start])
        pos = p.end
        src = sources.get(p.name) or env.lookup(p.name)
        sources[p.name] = src
        if p.op is None:
            if not src.is_set:
                if p.name not in missing:
                    missing.append(p.name)
                continue
            piece = src.value
        elif p.op == "=":
            if src.is_set:
                piece = src.value
            else:
                used_default = True
                piece = p.arg
        else:  # "+"
            if src.is_set:
                piece = p.arg
            else:
                used_default = True
                piece = ""
        pieces.append(env.expanduser(piece) if piece else "")
    pieces.append(value[pos:])

    variables = tuple(sources.values())
    if missing:
        return Resolution(None, None, variables, used_default, tuple(missing))
    text = "".join(pieces)
    typed = retype(text) if text != value else text
    return Resolution(typed, text, variables, used_default, ())


def disables_provider(provider_id: Any) -> bool:
    """True when a resolved provider_id makes the server skip the provider ("", None, `__disabled__`).
    An empty list or mapping is not skipped: the config model refuses it before anything is skipped."""
    return provider_id is None or provider_id in ("", "__disabled__")


# --------------------------------------------------------------------------------------------
# Describing


def _show_plain(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _show_masked(value: Any) -> str:
    return "(empty)" if value in (None, "") else "••••••"


def describe(resolution: Resolution, *, secret: bool = False) -> str:
    """One line for the UI / CLI saying what the server sees and why.

    e.g. "5432 (default; PG_PORT is unset)", "db.internal (from environment: PG_HOST)",
    "s3cret (from env-file .env:3: PG_PASSWORD)"; with `secret` the value shows as dots.
    """
    r = resolution
    _show = _show_masked if secret else _show_plain
    if r.missing:
        names = ", ".join(r.missing)
        states = "; ".join(
            f"{v.name} is {'empty' if v.value == '' else 'unset'}" for v in r.variables if v.name in r.missing
        )
        return f"error: {states}; the server will not start without {names}"
    if not r.variables:
        return _show(r.value)
    notes: list[str] = ["default"] if r.used_default else []
    for v in r.variables:
        if v.value is None:
            notes.append(f"{v.name} is unset")
        elif v.value == "":
            notes.append(f"{v.name} is empty ({v.origin})")
        else:
            notes.append(f"from {v.origin}: {v.name}")
    return f"{_show(r.value)} ({'; '.join(notes)})"
