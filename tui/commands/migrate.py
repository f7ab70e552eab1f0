"""`llama-config migrate FILE [--output OUT | --write] [--dry-run]`: pre-0.3 storage to v0.3.

Without --output / --write the migrated file goes to stdout and the report to stderr, so
`llama-config migrate old.yaml > run.yaml` works; --dry-run prints the report and the diff.
"""

from __future__ import annotations

import argparse
import sys

from llama_config.model.masked_diff import masked_document_diff
from llama_config.model.migration import MigrationError, migrate, report_lines
from llama_config.model.release_secrets import release_secret_fields
from llama_config.tui.safe_output import raw

from .common import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, errors_after_edit, load_editable, located, target_release, write_result


def run(args: argparse.Namespace) -> int:
    if getattr(args, "to", None):  # `migrate --to` is `upgrade --to`
        from .upgrade import run as upgrade

        return upgrade(args)
    if args.write and args.output:
        print("llama-config migrate: error: --write and --output exclude each other (--write replaces FILE)", file=sys.stderr)
        return EXIT_BAD_INPUT
    doc = load_editable(args.file)
    release, _ = target_release(args, doc)
    try:
        migration = migrate(doc, release)
    except MigrationError as exc:
        print(f"{args.file}: error: cannot migrate: {exc}; nothing was changed", file=sys.stderr)
        return EXIT_FINDINGS
    to_stdout = not (args.write or args.output or args.dry_run)
    out = sys.stderr if to_stdout else sys.stdout
    report = report_lines(migration, args.file, release_secret_fields(doc.data, release))
    changed, migration = migration.changed, None  # (its plan holds a copy of every store config: not kept while validating)
    if not changed:
        out.write("\n".join(report) + "\n")
        if to_stdout:
            raw(sys.stdout).write(doc.file_texts()[1])
        elif args.output and not args.dry_run:
            return write_result(doc, args, [], release)
        return EXIT_OK
    added, after = errors_after_edit(doc, release)
    remaining = [d for d in after if d.severity == "error" and d not in added]
    if remaining:
        report.append(f"  {len(remaining)} error{'s' if len(remaining) != 1 else ''} the old file had too (fix {'them' if len(remaining) != 1 else 'it'} next):")
        report += [f"    {located(doc, d)}" for d in remaining]
    out.write("\n".join(report) + "\n")
    if added:
        for d in added:
            print(located(doc, d), file=sys.stderr)
        if not args.force:
            where = "nothing was written" if not args.dry_run else "without --dry-run nothing would be written"
            print(
                f"{args.file}: refused: the migrated file would have {len(added)} error{'s' if len(added) != 1 else ''} (see above); "
                f"{where}. Fix the old file and run again, or use --force to write it anyway.",
                file=sys.stderr,
            )
            if args.dry_run:
                sys.stdout.write(masked_document_diff(doc, release))
            return EXIT_FINDINGS
    if to_stdout:
        raw(sys.stdout).write(doc.file_texts()[1])
        return EXIT_OK
    return write_result(doc, args, [], release)
