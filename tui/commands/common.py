"""What the commands share: loading a file with its environment, and writing an edit safely."""

from __future__ import annotations

import argparse
import sys

from model.document import Document
from model.envvars import Environment, load_env_file

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


def environment(args: argparse.Namespace) -> Environment:
    files = list(getattr(args, "env_file", []) or [])
    for path in files:
        load_env_file(path)  # raises ConfigFileError with the line of a malformed entry
    return Environment(env_files=files)


def load(path: str) -> Document:
    return Document.load(path)


def write_result(doc: Document, args: argparse.Namespace, summary: list[str]) -> int:
    """Print the diff (--dry-run) or save to FILE / --output, then the summary lines."""
    if args.dry_run:
        diff = doc.diff()
        sys.stdout.write(diff if diff else f"{doc.name}: no change\n")
        return EXIT_OK
    target = args.output or doc.name
    changed = doc.modified
    doc.save(target, force=args.force, backup=not args.no_backup)
    for line in summary:
        print(line)
    backup = "" if args.no_backup else " (previous version kept as .bak)"
    print(f"wrote {target}{backup}" if changed else f"re-saved {target}: byte-identical{backup}")
    return EXIT_OK
