"""`llama-config init [PATH]`: write a minimal, valid, commented run config for a new operator.

The file is written for one release (--server, default the newest) in the shape it reads.
Options choose the distribution name, PostgreSQL for the SQL stores and quotas; with a
terminal attached, the ones not given on the command line are asked for (Enter keeps the
default). An existing file is never overwritten.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable

from llama_config.model.document import Document
from llama_config.model.envvars import Environment
from llama_config.model.errors import ConfigFileError
from llama_config.model.releases import Release, release_for
from llama_config.model.starter import AUTH_TYPES, DEFAULT_NAME, PROVIDERS, StarterOptions, check_name, create_file, sqlite_directory, starter_config
from llama_config.model.validation import has_errors, validate

from .common import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK


def run(args: argparse.Namespace) -> int:
    path = args.path
    if not 1024 <= args.port <= 65535:
        print(f"llama-config init: error: --port must be from 1024 to 65535, not {args.port}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if os.path.lexists(path):
        print(f"{path}: error: the file already exists, and init never overwrites a file; "
              f"edit it with `llama-config edit {path}`, or give another PATH", file=sys.stderr)
        return EXIT_FINDINGS
    if args.example:
        return write_example(args, path)
    interactive = not args.no_input and sys.stdin is not None and sys.stdin.isatty()
    try:
        release = release_for(args.server)
        options = gather_options(args, ask if interactive else None, release)
        text = starter_config(options, file_name=path, release=release)
    except ValueError as exc:  # UnknownRelease too
        print(f"llama-config init: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if has_errors(validate(Document(text, name=path), Environment(environ={}), release=release)):  # the template itself is broken
        raise RuntimeError("the generated config does not validate")
    if (refused := create_new(path, text)) is not None:
        return refused
    print(f"wrote {path}: {release.name} config, distribution {options.name}, {describe(options, release)}")
    where = f"--server {release.line} {path}"
    print(f"next: llama-config validate {where}; llama-config test-connections {where}; llama-config edit {where}")
    return EXIT_OK


# Options that shape a generated config; the bundled example is written as it is.
_STARTER_OPTIONS = (("--name", "name"), ("--postgres", "postgres"), ("--provider", "provider"), ("--quota", "quota"), ("--auth", "auth"))
EXAMPLE = "run.yaml"  # examples/run.yaml in the repository, llama_config/examples/run.yaml installed


def example_text() -> str:
    """The bundled example, read as package data so that it is there in a pip install too."""
    from importlib.resources import files

    return files("llama_config.examples").joinpath(EXAMPLE).read_text(encoding="utf-8")


def write_example(args: argparse.Namespace, path: str) -> int:
    given = [flag for flag, name in _STARTER_OPTIONS if getattr(args, name) is not None]
    if args.port != 8321:
        given.append("--port")
    if given:
        print(f"llama-config init: error: --example writes the bundled example as it is; leave out {', '.join(given)} "
              f"(or edit it afterwards: llama-config edit {path})", file=sys.stderr)
        return EXIT_BAD_INPUT
    text = example_text()
    if "\n" not in path and "\r" not in path:  # its comments name the file they are in
        text = text.replace(f"examples/{EXAMPLE}", path)
    if (refused := create_new(path, text)) is not None:
        return refused
    print(f"wrote {path}: the bundled example (ogx 1.5, distribution acme, SQLite stores, ${{env.X}} placeholders)")
    print(f"next: llama-config edit {path}; llama-config validate {path}; llama-config show {path}")
    return EXIT_OK


def create_new(path: str, text: str) -> int | None:
    """Write a new file; None when written, else the exit status (never over an existing file)."""
    try:
        create_file(path, text)
    except FileExistsError:
        print(f"{path}: error: the file already exists (it appeared meanwhile); nothing was written", file=sys.stderr)
        return EXIT_FINDINGS
    except OSError as exc:
        raise ConfigFileError(f"cannot create the file: {exc.strerror or exc}", file=path) from None
    return None


def describe(options: StarterOptions, release: Release) -> str:
    where = sqlite_directory(options.name, release)
    storage = f"KV stores in SQLite under {where}/, SQL stores in PostgreSQL" if options.postgres else f"SQLite stores under {where}/"
    extra = f", quotas with {options.auth} authentication" if options.quota else ""
    return f"{storage}, inference by {options.provider}{extra}, port {options.port}"


Ask = Callable[[str, str, "list[str] | None"], str]


def gather_options(args: argparse.Namespace, ask_: Ask | None, release: Release) -> StarterOptions:
    """Options from the command line; the ones left out are asked for when `ask_` is given
    (quotas only where the release has them)."""

    def value(given, question: str, default: str, choices: list[str] | None = None) -> str:
        if given is not None or ask_ is None:
            return default if given is None else given
        return ask_(question, default, choices)

    name = value(args.name, "Distribution name", DEFAULT_NAME)
    while True:
        try:
            check_name(name)
            break
        except ValueError as exc:
            if ask_ is None:
                raise
            print(exc, file=sys.stderr)
            name = ask_("Distribution name", DEFAULT_NAME, None)
    sql = value("postgres" if args.postgres else None, "SQL stores in (sqlite needs no server)", "sqlite", ["sqlite", "postgres"])
    provider = value(args.provider, "Inference provider", "ollama", list(PROVIDERS))
    quota = bool(args.quota)  # on a release without quotas, --quota is refused by starter_config
    if release.has_quota:
        quota = value("yes" if args.quota else None, "Request quotas (they need authentication)", "no", ["no", "yes"]) == "yes"
    auth = "oauth2_token"
    if quota:
        auth = value(args.auth, "Authentication for quotas", "oauth2_token", list(AUTH_TYPES))
    return StarterOptions(name=name, postgres=sql == "postgres", quota=quota, auth=auth, provider=provider, port=args.port)


def ask(question: str, default: str, choices: list[str] | None) -> str:
    """One question on the terminal; Enter keeps the default, end of input takes it."""
    hint = f" ({'/'.join(choices)})" if choices else ""
    while True:
        try:
            answer = input(f"{question}{hint} [{default}]: ").strip()
        except EOFError:
            print(file=sys.stderr)
            return default
        if not answer:
            return default
        if choices is None or answer in choices:
            return answer
        print(f"please answer one of: {', '.join(choices)}", file=sys.stderr)
