"""`llama-config test-connections FILE [--json] [--timeout S] [--backend NAME ...] [--env-file F]`.

Every backend (or the named ones) is tested at once, each with its own timeout. Exit 0 when
every tested backend is reachable, 1 when any is not, 2 when the file (or an env file) cannot
be read or a --backend name is not declared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys

from llama_config.model.errors import ConfigFileError
from llama_config.model.probes import ProbeResult, declared_backends, plan, redact, run_probes

from .common import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, environment, load, target_release

COLUMNS = ("BACKEND", "TYPE", "RESULT", "LATENCY", "SERVER", "MESSAGE")


def _latency(result: ProbeResult) -> str:
    if result.latency_ms is None:
        return "-"
    return f"{result.latency_ms:.0f} ms" if result.latency_ms >= 10 else f"{result.latency_ms:.1f} ms"


def format_table(results: list[ProbeResult]) -> str:
    """One row per backend; the hint follows the message after ' → '."""
    rows = [COLUMNS] + [
        (r.backend, r.type, r.category.value, _latency(r), r.server_version or "-",
         r.message + (f" → {r.hint}" if r.hint else ""))
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)]
    lines = []
    for row in rows:
        cells = [cell.rjust(w) if i == 3 else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        lines.append("  ".join(cells + [row[-1]]).rstrip())
    return "\n".join(lines) + "\n"


def _usage_error(message: str) -> int:
    print(f"llama-config test-connections: error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def run(args: argparse.Namespace) -> int:
    if not (isinstance(args.timeout, float) and math.isfinite(args.timeout) and args.timeout > 0):
        return _usage_error(f"--timeout must be a number of seconds above 0, not {args.timeout}")
    try:
        env = environment(args)
        doc = load(args.file)
        release, _ = target_release(args, doc)
    except ConfigFileError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    backends = declared_backends(doc.data)
    unknown = [name for name in args.backend if name not in backends]
    if unknown:
        declared = ", ".join(map(str, backends)) or "none"
        return _usage_error(f"{args.file} declares no backend {', '.join(map(repr, unknown))} (declared: {declared})")
    targets = plan(doc.data, env, args.backend or None, release)
    if not targets:
        print(f"{args.file}: no storage backends declared, nothing to test", file=sys.stderr)
        if args.json:
            print("[]")
        return EXIT_OK
    secrets = [s for t in targets for s in t.secrets]
    try:
        results = asyncio.run(run_probes(targets, timeout=args.timeout))
    except Exception as exc:  # a bug of ours: never let a password out through the error text
        raise RuntimeError(redact(f"{type(exc).__name__}: {exc}", secrets)) from None
    if args.json:
        print(json.dumps([r.to_json() for r in results], indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(format_table(results))
        sys.stdout.flush()  # the table before the summary, also when both go to one terminal
        failed = sum(1 for r in results if not r.ok)
        summary = f"all {len(results)} reachable" if not failed else f"{failed} of {len(results)} not reachable"
        print(f"{args.file}: {summary} (timeout {args.timeout:g} s each)", file=sys.stderr)
    return EXIT_OK if all(r.ok for r in results) else EXIT_FINDINGS
