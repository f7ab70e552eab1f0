"""`llama-config rename-backend FILE OLD NEW`: rename a backend and every reference to it."""

from __future__ import annotations

import argparse
import sys

from llama_config.model.document import EditError
from llama_config.model.operations import rename_backend
from llama_config.model.summary import at_most
from llama_config.model.yamlpath import format_path

from .common import EXIT_BAD_INPUT, EXIT_FINDINGS, errors_after_edit, load_editable, located, target_release, write_result


def run(args: argparse.Namespace) -> int:
    doc = load_editable(args.file)
    release, _ = target_release(args, doc)
    try:
        result = rename_backend(doc, args.old, args.new, release)
    except EditError as exc:
        print(f"{args.file}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    summary = at_most(result.references, lambda r: f"  {format_path(r.path)} ({r.owner})", "  ")
    summary += [f"  storage.stores.{store} (was unset, so {release.name} used '{args.old}'; now written out)" for store in result.written_stores]
    header = f"renamed backend '{args.old}' to '{args.new}' and {result.count} reference{'s' if result.count != 1 else ''}{':' if summary else ''}"
    for ref in result.skipped:
        print(f"{args.file}: warning: {format_path(ref.path)}.backend is a placeholder ({ref.backend}); change it yourself", file=sys.stderr)
    old_prefix = ("storage", "backends", args.old)

    def moved(path: tuple) -> tuple:  # the backend's own fields now live under the new name
        return ("storage", "backends", args.new) + path[3:] if path[:3] == old_prefix else path

    new_errors, _ = errors_after_edit(doc, release, moved)
    if new_errors and not args.force:
        for d in new_errors:
            print(located(doc, d), file=sys.stderr)
        print(f"{args.file}: refused: the rename would add errors (see above); nothing was written. Use --force to write anyway.", file=sys.stderr)
        return EXIT_FINDINGS
    return write_result(doc, args, [header, *summary], release)
