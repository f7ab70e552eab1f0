"""`llama-config set FILE [PATH=VALUE ...] [--unset PATH] [--output OUT] [--dry-run] [--force]`.

A provider is addressed by index or by id: `providers.inference[ollama].config.base_url`."""

from __future__ import annotations

import argparse
import sys

from llama_config.model.document import EditError
from llama_config.model.fields import parse_value
from llama_config.model.provider_ops.lookup import resolve_ids
from llama_config.model.redaction import is_secret_path, maskable_in_text, redact_text
from llama_config.model.yamlpath import PathSyntaxError, format_path, parse_path

from .common import EXIT_BAD_INPUT, EXIT_FINDINGS, errors_after_edit, load_editable, located, target_release, write_result


def run(args: argparse.Namespace) -> int:
    doc = load_editable(args.file)
    release, _ = target_release(args, doc)
    summary: list[str] = []
    typed_secrets: list[str] = []  # values typed for secret-named keys: no message repeats them
    try:
        for assignment in args.assignments:
            if "=" not in assignment:
                raise ValueError(f"{assignment!r} is not PATH=VALUE")
            path_text, value_text = assignment.split("=", 1)
            path = resolve_ids(doc, parse_path(path_text.strip()))
            if is_secret_path(path):
                typed_secrets.append(value_text.strip())
            value = parse_value(value_text, doc.data, path, release)
            doc.set(path, value)
            line, _ = doc.file_position(*doc.position(path))
            summary.append(f"set {format_path(path)} (line {line})")
        for path_text in args.unset:
            path = resolve_ids(doc, parse_path(path_text.strip()))
            doc.delete(path)
            summary.append(f"removed {format_path(path)}")
    except (ValueError, PathSyntaxError, EditError) as exc:
        print(f"{args.file}: error: {redact_text(str(exc), maskable_in_text(typed_secrets))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    new_errors, _ = errors_after_edit(doc, release)
    if new_errors:
        for d in new_errors:
            print(located(doc, d), file=sys.stderr)
        if not args.force:
            print(f"{args.file}: refused: the edit would add {len(new_errors)} error{'s' if len(new_errors) != 1 else ''} (see above); nothing was written. Use --force to write anyway.", file=sys.stderr)
            return EXIT_FINDINGS
    return write_result(doc, args, summary, release)
