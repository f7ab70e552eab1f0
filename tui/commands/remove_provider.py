"""`llama-config remove-provider FILE API ID [--remove-resources | --move-resources-to ID]`."""

from __future__ import annotations

import argparse
import sys

from llama_config.model.document import EditError
from llama_config.model.provider_ops import ProviderInUse, remove_provider
from llama_config.model.yamlpath import format_path

from .common import EXIT_BAD_INPUT, EXIT_FINDINGS, load_editable, refuse_added_errors, target_release, write_result


def run(args: argparse.Namespace) -> int:
    doc = load_editable(args.file)
    release, _ = target_release(args, doc)
    try:
        result = remove_provider(doc, args.api, args.id, release, remove_resources=args.remove_resources, move_resources_to=args.move_resources_to)
    except ProviderInUse as exc:
        print(f"{args.file}: refused: {exc} (--remove-resources or --move-resources-to ID); nothing was written", file=sys.stderr)
        return EXIT_FINDINGS
    except EditError as exc:
        print(f"{args.file}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    summary = [f"removed the {args.api} provider '{args.id}'"]
    done = f"moved to '{args.move_resources_to}'" if args.move_resources_to else "removed"
    summary += [f"  {format_path(use.path)} ({use.name}): {done}" for use in result.resources]
    if result.unlisted_api:
        summary.append(f"  {args.api} taken out of apis (no provider of it is left)")
    if refuse_added_errors(doc, args, release, "removing the provider"):
        return EXIT_FINDINGS
    return write_result(doc, args, summary, release)
