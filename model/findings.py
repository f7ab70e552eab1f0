"""Findings of a run over many inputs, in the formats CI tools read.

    text    FILE:LINE:COL: severity: message [code]        (one a line, as `validate` always printed)
    json    a list of {severity, code, path, line, column, message} (+ file with several inputs)
    github  ::error file=F,line=L,col=C,title=CODE::message  (GitHub Actions workflow commands)
    sarif   SARIF 2.1.0, one run, rules = the diagnostic codes (GitHub code scanning, IDEs)

A file that cannot be read is a finding too, with the code `unreadable`, so every format shows it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Iterable
from urllib.parse import quote

from .diagnostics import CODES, Diagnostic, Severity, message_line
from .errors import ConfigFileError

FORMATS = ("text", "json", "github", "sarif")
UNREADABLE = "unreadable"
RULES: dict[str, str] = {**CODES, UNREADABLE: "the file cannot be read or parsed as a run config"}

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
_SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


@dataclass(frozen=True)
class Finding:
    file: str  # the file as messages and annotations name it
    severity: Severity
    code: str
    line: int | None  # 1-based, in `file`
    column: int | None
    message: str
    path: str = ""  # the YAML path, for JSON

    @classmethod
    def of_diagnostic(cls, file: str, d: Diagnostic, line: int, column: int) -> "Finding":
        return cls(file, d.severity, d.code, line, column, d.message, d.path_text)

    @classmethod
    def of_error(cls, file: str, exc: ConfigFileError) -> "Finding":
        return cls(file, "error", UNREADABLE, exc.line, exc.column, exc.message)

    def to_json(self, with_file: bool) -> dict:
        item = {"severity": self.severity, "code": self.code, "path": self.path, "line": self.line, "column": self.column, "message": self.message}
        return {"file": self.file, **item} if with_file else item

    def text(self) -> str:
        return message_line(self.file, self.line, self.column, self.severity, self.message, self.code)


def as_json(findings: Iterable[Finding], with_file: bool) -> str:
    return json.dumps([f.to_json(with_file) for f in findings], indent=2)


# ---------------------------------------------------------------- GitHub workflow commands


def _escape_data(text: str) -> str:
    """As @actions/core escapes a command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """As @actions/core escapes a command's property values."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotation(finding: Finding) -> str:
    props = [f"file={_escape_property(finding.file)}"]
    if finding.line is not None:
        props.append(f"line={finding.line}")
        if finding.column is not None:
            props.append(f"col={finding.column}")
    props.append(f"title={_escape_property(finding.code)}")
    return f"::{_GITHUB_LEVEL[finding.severity]} {','.join(props)}::{_escape_data(finding.message)}"


def as_github(findings: Iterable[Finding]) -> str:
    return "".join(github_annotation(f) + "\n" for f in findings)


# ---------------------------------------------------------------- SARIF 2.1.0


def artifact_uri(file: str) -> str:
    """A relative path stays relative (GitHub resolves it against the repository root);
    an absolute one becomes a file: URI."""
    if os.path.isabs(file):
        return "file://" + quote(file.replace(os.sep, "/"))
    return quote(file.replace(os.sep, "/"))


def rule_help(code: str) -> str:
    if code == UNREADABLE:
        return f"{RULES[code]}: the message says why, with the line and column where there is one."
    return (f"{RULES[code][0].upper()}{RULES[code][1:]}. To accept one, write `# llama-config: ignore[{code}]` on its "
            f"line; to turn the check off, `disable = [\"{code}\"]` in .llama-config.toml.")


def sarif_log(findings: Iterable[Finding], version: str, execution_successful: bool) -> dict:
    codes = list(RULES)
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for f in findings:
        location: dict = {"artifactLocation": {"uri": artifact_uri(f.file)}}
        if f.line is not None:
            location["region"] = {"startLine": f.line, **({"startColumn": f.column} if f.column is not None else {})}
        result = {"ruleId": f.code, "ruleIndex": index.get(f.code), "level": _SARIF_LEVEL[f.severity],
                  "message": {"text": f.message}, "locations": [{"physicalLocation": location}]}
        results.append({k: v for k, v in result.items() if v is not None})
    rules = [{"id": code, "name": code, "shortDescription": {"text": RULES[code]}, "help": {"text": rule_help(code)}} for code in codes]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "llama-config", "version": version, "rules": rules}},
            "invocations": [{"executionSuccessful": execution_successful}],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
