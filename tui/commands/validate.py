"""`llama-config validate FILE... [--format text|json|github|sarif] [--env-file F]`.

Every input (files, directories, `-`) is judged by its own release and project config; the
findings are printed in one format, and one summary line and one exit status cover them all.
"""

from __future__ import annotations

import argparse
import json
import sys

from llama_config.model.errors import ConfigFileError
from llama_config.model.findings import Finding, as_github, as_json, sarif_log
from llama_config.model.suppression import apply_project_rules
from llama_config.model.validation import validate

from .batch import ErrorPrinter, load_all, lone_error, plural, read_sources, several, worst
from .common import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, environment

SEVERITIES = ("error", "warning", "info")


def output_format(args: argparse.Namespace) -> str:
    return "json" if getattr(args, "json", False) else (getattr(args, "format", None) or "text")


def run(args: argparse.Namespace) -> int:
    fmt = output_format(args)
    try:
        env = environment(args)
    except ConfigFileError as exc:  # an env file: the command line is wrong for every input
        if fmt == "json":
            print(as_json([Finding.of_error(exc.file or "", exc)], with_file=False))
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    sources = read_sources(args)
    with_file = several(args, sources)
    text = fmt == "text"
    print_error = ErrorPrinter()
    findings: list[Finding] = []
    statuses: list[int] = []
    for loaded in load_all(args, sources):
        source = loaded.source
        if loaded.error is not None:
            print_error(loaded.error)
            if not text:  # machine formats carry it too (text has it on stderr, as always)
                findings.append(Finding.of_error(source.path or source.label, loaded.error))
            statuses.append(EXIT_BAD_INPUT)
            continue
        file = source.file if text else (source.path or source.file)
        # what a manifest's resources say (which ConfigMap they run), at the manifest's own lines
        diagnostics = apply_project_rules(source.notes, source.outer_text, loaded.project)
        found = [Finding.of_diagnostic(file, d, d.line, d.column) for d in diagnostics]
        if loaded.doc is not None:
            judged = validate(loaded.doc, env, strict_env=bool(args.env_file), release=loaded.release)
            judged = apply_project_rules(judged, source.text, loaded.project)
            print(f"{source.label}: {loaded.why}", file=sys.stderr)
            found += [Finding.of_diagnostic(file, d, *source.position(d.line, d.column)) for d in judged]
            diagnostics += judged
        if text:
            sys.stdout.write("".join(f.text() + "\n" for f in found))
        findings.extend(found)
        statuses.append(EXIT_FINDINGS if any(d.severity == "error" for d in diagnostics) else EXIT_OK)
    status = worst(*statuses)
    if fmt == "json":
        print(as_json(findings, with_file))
    elif fmt == "github":
        sys.stdout.write(as_github(findings))
    elif fmt == "sarif":
        from ..cli import _version

        print(json.dumps(sarif_log(findings, _version(), status != EXIT_BAD_INPUT), indent=2))
    if not lone_error(sources, status) and (with_file or fmt != "json"):  # one FILE: as it always was
        print(summary(args, sources, findings, statuses, with_file), file=sys.stderr)
    return status


def summary(args, sources, findings: list[Finding], statuses: list[int], with_file: bool) -> str:
    """`FILE: 1 error, 0 warnings, 0 infos` for one input; `N files: ...` for several."""
    counts = ", ".join(plural(sum(1 for f in findings if f.severity == s and f.code != "unreadable"), s) for s in SEVERITIES)
    if not with_file:
        return f"{sources[0].label}: {counts}"
    unreadable = statuses.count(EXIT_BAD_INPUT)
    return f"{plural(len(sources), 'file')}: {counts}" + (f" ({unreadable} unreadable)" if unreadable else "")
