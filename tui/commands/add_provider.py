"""`llama-config add-provider FILE API TYPE [--id ID] [--with-dependencies] [KEY=VALUE ...]`: add a
provider from the release's sample config for its type (model.provider_ops.adding)."""

from __future__ import annotations

import argparse
import sys

from llama_config.model.document import EditError
from llama_config.model.provider_ops import add_provider, parse_config_values
from llama_config.model.yamlpath import format_path

from .common import EXIT_BAD_INPUT, EXIT_FINDINGS, load_editable, refuse_added_errors, target_release, write_result


def run(args: argparse.Namespace) -> int:
    doc = load_editable(args.file)
    release, _ = target_release(args, doc)
    try:
        texts = dict(_assignment(a) for a in args.values)
        values = parse_config_values(release, args.api, args.type, texts)
        result = add_provider(doc, args.api, args.type, release, args.id, values, add_dependencies=args.with_dependencies)
    except (ValueError, EditError) as exc:
        print(f"{args.file}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    line, _ = doc.file_position(*doc.position(result.path))
    summary = [f"added the {args.api} provider '{result.provider_id}' ({args.type}) at {format_path(result.path)} (line {line})"]
    summary += [f"  {note}" for note in result.notes]
    for dep in result.missing_dependencies:
        print(f"{args.file}: note: {args.type} needs the {dep} API, which no provider serves; add one, or use --with-dependencies", file=sys.stderr)
    for f in result.to_fill:
        how = f"give {f.key}=VALUE" + (f" or set {f.variable}" if f.variable else "")
        print(f"{args.file}: note: config.{f.key}: {f.why} ({how})", file=sys.stderr)
    if refuse_added_errors(doc, args, release, "adding the provider"):
        return EXIT_FINDINGS
    return write_result(doc, args, summary, release)


def _assignment(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise ValueError(f"{text!r} is not KEY=VALUE (a config field of the new provider, e.g. base_url=http://gpu-1:11434)")
    key, value = text.split("=", 1)
    return key.strip(), value
