"""`llama-config rename-provider FILE API OLD NEW`: rename a provider_id; registered resources follow."""

from __future__ import annotations

import argparse
import sys

from llama_config.model.document import EditError
from llama_config.model.provider_ops import rename_provider
from llama_config.model.yamlpath import format_path

from .common import EXIT_BAD_INPUT, EXIT_FINDINGS, load_editable, refuse_added_errors, target_release, write_result


def run(args: argparse.Namespace) -> int:
    doc = load_editable(args.file)
    release, _ = target_release(args, doc)
    try:
        uses = rename_provider(doc, args.api, args.old, args.new, release)
    except EditError as exc:
        print(f"{args.file}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    summary = [f"renamed the {args.api} provider '{args.old}' to '{args.new}' and {len(uses)} registered resource{'s' if len(uses) != 1 else ''} naming it"]
    summary += [f"  {format_path(use.path)} ({use.name})" for use in uses]
    if refuse_added_errors(doc, args, release, "the rename"):
        return EXIT_FINDINGS
    return write_result(doc, args, summary, release)
