"""`llama-config rename-backend FILE OLD NEW`: rename a backend and every reference to it."""

from __future__ import annotations

import argparse
import re
import sys

from model.document import EditError
from model.envvars import has_placeholder
from model.references import find_references
from model.schema.stores import NEWER_DEFAULT_STORES
from model.validation import is_newer_format, validate
from model.yamlpath import format_path

from .common import EXIT_BAD_INPUT, EXIT_FINDINGS, load, write_result

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")


def run(args: argparse.Namespace) -> int:
    doc = load(args.file)
    backends = doc.value_at(("storage", "backends"))
    if not isinstance(backends, dict) or args.old not in backends:
        names = list(backends) if isinstance(backends, dict) else []
        print(f"{args.file}: error: there is no backend '{args.old}' (backends: {names})", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.new in backends:
        print(f"{args.file}: error: a backend named '{args.new}' already exists", file=sys.stderr)
        return EXIT_BAD_INPUT
    if not _NAME.match(args.new):
        print(f"{args.file}: error: '{args.new}' is not a usable backend name (letters, digits, _ . -; not starting with a digit)", file=sys.stderr)
        return EXIT_BAD_INPUT
    errors_before = {(d.code, d.path) for d in validate(doc) if d.severity == "error"}
    refs = [r for r in find_references(doc.data) if r.backend == args.old]
    skipped = [r for r in find_references(doc.data) if has_placeholder(r.backend) and args.old in r.backend]
    summary: list[str] = []
    try:
        doc.set_scalars([(ref.path + ("backend",), args.new) for ref in refs])
        doc.rename_key(("storage", "backends", args.old), args.new)
        summary += [f"  {format_path(r.path)} ({r.owner})" for r in refs]
        # newer servers point unset stores at kv_default / sql_default: keep them on this backend
        stores = doc.value_at(("storage", "stores"))
        if is_newer_format(doc.data):
            for store, (default_backend, partition) in NEWER_DEFAULT_STORES.items():
                if default_backend == args.old and not (isinstance(stores, dict) and store in stores):
                    key = "namespace" if default_backend.startswith("kv_") else "table_name"
                    doc.set(("storage", "stores", store), {"backend": args.new, key: partition})
                    summary.append(f"  storage.stores.{store} (was unset, so it used '{args.old}'; now written out)")
    except EditError as exc:
        print(f"{args.file}: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    header = f"renamed backend '{args.old}' to '{args.new}' and {len(summary)} reference{'s' if len(summary) != 1 else ''}{':' if summary else ''}"
    for ref in skipped:
        print(f"{args.file}: warning: {format_path(ref.path)}.backend is a placeholder ({ref.backend}); change it yourself", file=sys.stderr)
    new_errors = [d for d in validate(doc) if d.severity == "error" and (d.code, d.path) not in errors_before]
    if new_errors and not args.force:
        for d in new_errors:
            print(d.format(args.file), file=sys.stderr)
        print(f"{args.file}: refused: the rename would add errors (see above); nothing was written. Use --force to write anyway.", file=sys.stderr)
        return EXIT_FINDINGS
    return write_result(doc, args, [header, *summary])
