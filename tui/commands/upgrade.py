"""`llama-config upgrade FILE --to VERSION [--from VERSION] [--output OUT | --write] [--dry-run]`.

Detects the file's release as `validate` does (or takes --from), then applies every step between
it and --to (model/migration/steps/). Output modes as `migrate`: the file to stdout and the report
to stderr, --output / --write (with .bak), --dry-run (report and diff). Exit 1 when something
needs a human (listed with its lines) or the result has errors the original did not, unless
--force; nothing is written then.
"""

from __future__ import annotations

import argparse
import sys

from llama_config.model.errors import ConfigFileError
from llama_config.model.masked_diff import masked_document_diff
from llama_config.model.migration import MigrationError
from llama_config.model.migration.upgrade import PRE_03, detect_source, upgrade
from llama_config.model.migration.upgrade_report import upgrade_report
from llama_config.model.releases import UnknownRelease, load_release, parse_server
from llama_config.tui.safe_output import raw

from .common import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, added_errors, load_editable, located, write_result


def _line(spec: str, flag: str) -> str:
    if spec.strip() in ("0.2", "pre-0.3"):
        return PRE_03
    try:
        return parse_server(spec)
    except UnknownRelease as exc:
        raise ConfigFileError(str(exc), flag) from None


def run(args: argparse.Namespace) -> int:
    if args.write and args.output:
        print(f"llama-config {args.command}: error: --write and --output exclude each other (--write replaces FILE)", file=sys.stderr)
        return EXIT_BAD_INPUT
    doc = load_editable(args.file)  # a run config, or the one a Kubernetes manifest holds
    source = _line(args.source, "--from") if args.source else detect_source(doc)
    target = _line(args.to, "--to")
    if target == PRE_03:
        raise ConfigFileError("--to must name a release llama-config knows (0.3 ... ogx-1.5, latest)", "--to")
    try:
        result = upgrade(doc, source, target)
    except MigrationError as exc:
        print(f"{args.file}: error: cannot upgrade: {exc}; nothing was changed", file=sys.stderr)
        return EXIT_FINDINGS
    to_stdout = not (args.write or args.output or args.dry_run)
    out = sys.stderr if to_stdout else sys.stdout
    report = upgrade_report(result, args.file)
    added = _added_errors(doc, source, target) if doc.modified else []
    out.write("\n".join(report) + "\n")
    refused = []
    if added:
        refused.append(f"the upgraded file would have {len(added)} error{'s' if len(added) != 1 else ''} the original did not have at its own release")
        for d in added:
            print(located(doc, d), file=sys.stderr)
    if result.manual:
        refused.append("some of it cannot be carried over automatically (MANUAL / REMOVED above)")
    if refused and not args.force:
        where = "nothing was written" if not args.dry_run else "without --dry-run nothing would be written"
        print(f"{args.file}: refused: {'; '.join(refused)}; {where}. Fix it, or use --force to write it anyway.", file=sys.stderr)
        if args.dry_run:
            sys.stdout.write(masked_document_diff(doc, load_release(target)))
        return EXIT_FINDINGS
    if to_stdout:
        raw(sys.stdout).write(doc.file_texts()[1])
        return EXIT_OK
    if not doc.modified and not args.output:
        return EXIT_OK
    return write_result(doc, args, [], load_release(target))


def _added_errors(doc, source: str, target: str) -> list:
    """Errors `validate --server TARGET` finds in the upgraded file that `validate --server
    SOURCE` did not find in the original (matched by code and count, as the editor does)."""
    from llama_config.model.document import Document
    from llama_config.model.validation import validate

    after = validate(doc, release=load_release(target))
    if not any(d.severity == "error" for d in after):
        return []
    original = Document(doc.original_text, name=doc.name)
    before = validate(original, release=load_release(source if source != PRE_03 else "0.3"))
    return added_errors(before, after, moved=_moved)


def _moved(path: tuple) -> tuple:
    """Where a path of the original is after the upgrade (agents became responses)."""
    return ("providers", "responses") + path[2:] if path[:2] == ("providers", "agents") else path
