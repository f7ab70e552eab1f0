"""What the commands share: loading a file with its environment, and writing an edit safely."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections import Counter
from typing import Callable, Iterable

from llama_config.model.diagnostics import Diagnostic
from llama_config.model.document import Document
from llama_config.model.envvars import Environment, load_env_file
from llama_config.model.errors import ConfigFileError
from llama_config.model.gcpause import keep_until_exit
from llama_config.model.project_config import NO_PROJECT_CONFIG, ProjectConfig, ProjectConfigs
from llama_config.model.releases import Release, UnknownRelease, load_release, parse_server
from llama_config.model.releases.detect import detect

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


def environment(args: argparse.Namespace) -> Environment:
    files = list(getattr(args, "env_file", []) or [])
    for path in files:
        load_env_file(path)  # raises ConfigFileError with the line of a malformed entry
    return Environment(env_files=files)


def load(path: str) -> Document:
    return keep_until_exit(Document.load(path))


def load_editable(spec: str) -> Document:
    """FILE for the commands that edit it: a run config, or the one a Kubernetes manifest holds
    (FILE when it holds one, FILE#CONFIGMAP/KEY to choose)."""
    from llama_config.model.manifests.opening import open_editable

    return keep_until_exit(open_editable(spec))


def located(doc: Document, d: Diagnostic) -> str:
    """A diagnostic as FILE:LINE:COL of the file on disk (a manifest's, for a config it holds)."""
    line, column = doc.file_position(d.line, d.column)
    return dataclasses.replace(d, line=line, column=column).format(doc.name or "")


def target_release(args: argparse.Namespace, doc: Document, project: ProjectConfig | None = None) -> tuple[Release, str]:
    """The release to judge `doc` against and one line saying which and why: --server, else
    LLAMA_CONFIG_SERVER (both in args.server), else `server` in the project config (`project`,
    or the one found from doc.name), else detected from the file. An unknown --server is a
    command-line error, a bad project config an error in that file (exit 2 both)."""
    spec = getattr(args, "server", None)
    if spec:
        try:
            release = load_release(parse_server(spec))
        except UnknownRelease as exc:
            raise ConfigFileError(str(exc), "--server") from None
        return release, f"validated against {release.full_name} (--server {spec})"
    if project is None:
        project = ProjectConfigs().for_input(doc.name) if doc.name and os.path.isfile(doc.name) else NO_PROJECT_CONFIG
    if project.server:
        release = load_release(parse_server(project.server))  # checked when the project config was read
        return release, f"validated against {release.full_name} ({project.describe_server()})"
    found = detect(doc.data)
    return load_release(found.line), f"validated against {found.describe()}"


def errors_after_edit(
    doc: Document, release: Release, moved: Callable[[tuple], tuple] = lambda path: path,
) -> tuple[list[Diagnostic], list[Diagnostic]]:  # fmt: skip
    """(the errors the edit added, every diagnostic after it). The file as it was loaded is
    parsed and validated again only when there are errors to compare with: on a large file each
    pass costs seconds, and most edits leave no error at all. The edited tree is parsed again
    after that rather than held meanwhile."""
    from llama_config.model.validation import validate

    after = validate(doc, release=release)
    if not any(d.severity == "error" for d in after):
        return [], after
    with doc.tree_released():  # (on a large file two trees at once cost hundreds of MB)
        before = validate(Document(doc.original_text, name=doc.name), release=release)
    return added_errors(before, after, moved), after


def added_errors(
    before: Iterable[Diagnostic],
    after: Iterable[Diagnostic],
    moved: Callable[[tuple], tuple] = lambda path: path,
) -> list[Diagnostic]:
    """The errors in `after` that were not in `before`, matched by (code, path) and counted.

    Messages are not compared: they quote things an unrelated edit changes (the list of
    available backends, a line number), and an error that was already there must not make
    the edit look like it adds one. `moved` maps a path from before the edit to after it
    (a renamed backend's fields move to the new name).
    """
    budget = Counter((d.code, moved(d.path)) for d in before if d.severity == "error")
    added: list[Diagnostic] = []
    for d in after:
        if d.severity != "error":
            continue
        key = (d.code, d.path)
        if budget[key] > 0:
            budget[key] -= 1
        else:
            added.append(d)
    return added


def refuse_added_errors(doc: Document, args: argparse.Namespace, release: Release, what: str, moved: Callable[[tuple], tuple] = lambda path: path) -> bool:
    """Print the errors an edit adds; True (and say nothing was written) when it must not be
    written: there are some and --force is not given."""
    new_errors, _ = errors_after_edit(doc, release, moved)
    for d in new_errors:
        print(located(doc, d), file=sys.stderr)
    if new_errors and not args.force:
        count = f"{len(new_errors)} error{'s' if len(new_errors) != 1 else ''}"
        print(f"{args.file}: refused: {what} would add {count} (see above); nothing was written. Use --force to write anyway.", file=sys.stderr)
        return True
    return False


def write_result(doc: Document, args: argparse.Namespace, summary: list[str], release: Release) -> int:
    """Print the diff (--dry-run, secrets masked) or save to FILE / --output, then the summary lines."""
    if args.dry_run:
        from llama_config.model.masked_diff import masked_document_diff

        diff = masked_document_diff(doc, release)
        sys.stdout.write(diff if diff else f"{doc.name}: no change\n")
        return EXIT_OK
    target = args.output or doc.name
    changed = doc.modified
    existed = os.path.exists(target)
    doc.save(target, force=args.force, backup=not args.no_backup)
    for line in summary:
        print(line)
    backup = " (previous version kept as .bak)" if existed and not args.no_backup else ""
    print(f"wrote {target}{backup}" if changed else f"re-saved {target}: byte-identical{backup}")
    return EXIT_OK
