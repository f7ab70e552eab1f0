"""`llama-config test-connections FILE... [--format text|json] [--timeout S] [--backend NAME ...] [--providers] [--env-file F]`.

Every backend (or the named ones) is tested at once, each with its own timeout; with
--providers, every enabled provider that has a probe too, in the same run (backends and
providers concurrently). Exit 0 when everything tested is reachable, 1 when anything is not,
2 when a file (or an env file) cannot be read or a --backend name is declared in no file.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys

from rich.cells import cell_len

from llama_config.model.control_chars import escape_controls, one_line
from llama_config.model.errors import ConfigFileError
from llama_config.model.probes import ProbeResult, declared_backends, plan, plan_providers, redact, run_probes

from .batch import ErrorPrinter, load_all, lone_error, plural, read_sources, several, worst
from .common import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, environment

COLUMNS = ("BACKEND", "TYPE", "RESULT", "LATENCY", "SERVER", "MESSAGE")
PROVIDER_COLUMNS = ("PROVIDER", "API", "TYPE", "RESULT", "LATENCY", "SERVER", "MESSAGE")


def _latency(result: ProbeResult) -> str:
    if result.latency_ms is None:
        return "-"
    return f"{result.latency_ms:.0f} ms" if result.latency_ms >= 10 else f"{result.latency_ms:.1f} ms"


def format_table(results: list[ProbeResult]) -> str:
    """One row per backend, then (a table of their own) one per provider; the hint follows the
    message after ' → '."""
    backends = [r for r in results if r.api is None]
    providers = [r for r in results if r.api is not None]
    tables = []
    if backends or not providers:
        tables.append(_table(COLUMNS, [(r.backend,) for r in backends], backends))
    if providers:
        tables.append(_table(PROVIDER_COLUMNS, [(r.backend, r.api) for r in providers], providers))
    return "\n".join(tables)


def _table(columns: tuple[str, ...], names: list[tuple], results: list[ProbeResult]) -> str:
    rows = [columns] + [
        tuple(_cell(cell) for cell in (*name, r.type, r.category.value, _latency(r), r.server_version or "-", r.message + (f" → {r.hint}" if r.hint else "")))
        for name, r in zip(names, results)
    ]
    latency = columns.index("LATENCY")
    # measured in terminal cells: a backend named in CJK takes two per character
    widths = [max(cell_len(row[i]) for row in rows) for i in range(len(columns) - 1)]
    lines = []
    for row in rows:
        cells = [_padded(cell, w, right=i == latency) for i, (cell, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells + [row[-1]]).rstrip())
    return "\n".join(lines) + "\n"


def _padded(cell: str, width: int, right: bool) -> str:
    pad = " " * (width - cell_len(cell))
    return pad + cell if right else cell + pad


def _cell(text: str) -> str:
    """A cell as printed, on one line (model.control_chars), so the columns are measured on it."""
    return one_line(escape_controls(str(text)))


def _usage_error(message: str) -> int:
    print(f"llama-config test-connections: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def run(args: argparse.Namespace) -> int:
    if not (isinstance(args.timeout, float) and math.isfinite(args.timeout) and args.timeout > 0):
        return _usage_error(f"--timeout must be a number of seconds above 0, not {args.timeout}")
    try:
        env = environment(args)
    except ConfigFileError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    as_json = args.json or args.format == "json"
    sources = read_sources(args, configs_only=True)
    with_file = several(args, sources)
    loaded = list(load_all(args, sources))
    declared = {name: None for item in loaded if item.doc is not None for name in declared_backends(item.doc.data)}
    unknown = [name for name in args.backend if name not in declared]
    if unknown and not any(item.error for item in loaded):
        names, known = ", ".join(map(repr, unknown)), ", ".join(map(str, declared)) or "none"
        said = f"no FILE declares the backend {names}" if with_file else f"{sources[0].label} declares no backend {names}"
        return _usage_error(f"{said} (declared: {known})")
    print_error = ErrorPrinter()
    statuses: list[int] = []
    rows: list[dict] = []
    tested = failed = 0
    for item in loaded:
        if item.error is not None:
            print_error(item.error)
            statuses.append(EXIT_BAD_INPUT)
            continue
        results = _test_one(item, env, args)
        bad = sum(1 for r in results if not r.ok)
        tested, failed = tested + len(results), failed + bad
        statuses.append(EXIT_OK if all(r.ok for r in results) else EXIT_FINDINGS)
        if as_json:
            rows.extend({"file": item.source.label, **r.to_json()} if with_file else r.to_json() for r in results)
        elif results:
            if with_file:
                print(f"{item.source.label}:")
            sys.stdout.write(format_table(results))
            sys.stdout.flush()  # the table before the summary, also when both go to one terminal
            if not with_file:
                print(f"{item.source.label}: {_reachable(len(results), bad)} (timeout {args.timeout:g} s each)", file=sys.stderr)
    if as_json:
        print(json.dumps(rows, indent=2))  # (ASCII: control characters and all are \u escapes)
    status = worst(*statuses)
    if with_file and not lone_error(sources, status):
        unreadable = statuses.count(EXIT_BAD_INPUT)
        print(f"{plural(len(sources), 'file')}: {_reachable(tested, failed)} (timeout {args.timeout:g} s each)"
              + (f", {unreadable} unreadable" if unreadable else ""), file=sys.stderr)
    return status


def _reachable(tested: int, failed: int) -> str:
    return f"all {tested} reachable" if not failed else f"{failed} of {tested} not reachable"


def _test_one(item, env, args: argparse.Namespace) -> list[ProbeResult]:
    """Probe one input's backends (the --backend ones it declares), and with --providers its providers."""
    doc = item.doc
    names = [n for n in args.backend if n in declared_backends(doc.data)]
    targets = plan(doc.data, env, names or None, item.release) if names or not args.backend else []
    if args.providers:
        providers, unprobed = plan_providers(doc.data, env, item.release)
        targets += providers
        if unprobed:
            print(f"{item.source.label}: no probe for {len(unprobed)} enabled provider{'s' if len(unprobed) != 1 else ''}: "
                  f"{', '.join(unprobed)}", file=sys.stderr)
    if not targets:
        why = "declares none of the --backend names" if args.backend else "no storage backends declared"
        if args.providers:
            why = why.replace("no storage backends declared", "no storage backends and no provider with a probe")
        print(f"{item.source.label}: {why}, nothing to test", file=sys.stderr)
        return []
    secrets = [s for t in targets for s in t.secrets]
    try:
        return asyncio.run(run_probes(targets, timeout=args.timeout))
    except Exception as exc:  # a bug of ours: never let a password out through the error text
        raise RuntimeError(redact(f"{type(exc).__name__}: {exc}", secrets)) from None
