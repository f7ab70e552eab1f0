"""`llama-config validate FILE [--json] [--env-file F]`."""

from __future__ import annotations

import argparse
import json
import sys

from llama_config.model.errors import ConfigFileError
from llama_config.model.validation import has_errors, validate

from .common import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, environment, load, target_release


def run(args: argparse.Namespace) -> int:
    try:
        env = environment(args)
        doc = load(args.file)
        release, target = target_release(args, doc)
    except ConfigFileError as exc:
        if args.json:
            print(json.dumps([{"severity": "error", "code": "unreadable", "path": "", "line": exc.line, "column": exc.column, "message": exc.message}], indent=2))
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    diagnostics = validate(doc, env, strict_env=bool(args.env_file), release=release)
    print(f"{args.file}: {target}", file=sys.stderr)
    if args.json:
        print(json.dumps([d.to_json() for d in diagnostics], indent=2))
    else:
        out = sys.stdout
        for d in diagnostics:
            out.write(d.format(args.file) + "\n")
        counts = {s: sum(1 for d in diagnostics if d.severity == s) for s in ("error", "warning", "info")}
        summary = ", ".join(f"{n} {s}{'s' if n != 1 else ''}" for s, n in counts.items())
        print(f"{args.file}: {summary}", file=sys.stderr)
    return EXIT_FINDINGS if has_errors(diagnostics) else EXIT_OK
