"""`# llama-config: ignore[code]` on a finding's line silences it (model.suppression)."""

from __future__ import annotations

import pytest

from llama_config.model.diagnostics import Diagnostic
from llama_config.model.project_config import ProjectConfig
from llama_config.model.suppression import ALL_CODES, apply_project_rules, ignored_on_lines
from tests.conftest import MINIMAL_CONFIG

GHOST = "      backend: ghost"  # line 24: unknown-backend (error)
TYPO = "  bogus_field: 1"  # line 34: unknown-key (warning)
FINDINGS = MINIMAL_CONFIG.replace("      backend: sql_default", GHOST).replace("server:\n", f"server:\n{TYPO}\n")


def _validate(run_cli, tmp_path, text):
    (tmp_path / "run.yaml").write_text(text, encoding="utf-8")
    r = run_cli("validate", "run.yaml")
    return r.returncode, [line.rsplit("[", 1)[1].rstrip("]") for line in r.stdout.splitlines()], r.stderr


def test_without_comments_both_findings_show(run_cli, tmp_path):
    assert _validate(run_cli, tmp_path, FINDINGS)[:2] == (1, ["unknown-backend", "unknown-key"])


@pytest.mark.parametrize("comment, expected", [
    ("# llama-config: ignore[unknown-backend]", (0, ["unknown-key"])),
    ("  #llama-config:ignore[unknown-key, unknown-backend]", (0, ["unknown-key"])),
    ("# llama-config: ignore", (0, ["unknown-key"])),
    ("# llama-config: ignore[unknown-key]", (1, ["unknown-backend", "unknown-key"])),  # another code: no effect
    ("# why: llama-config: ignore[unknown-backend]", (1, ["unknown-backend", "unknown-key"])),  # not the marker
])
def test_a_comment_on_the_line_silences_its_codes(run_cli, tmp_path, comment, expected):
    text = FINDINGS.replace(GHOST, f"{GHOST}  {comment}")
    assert _validate(run_cli, tmp_path, text)[:2] == expected


def test_the_comment_counts_only_on_the_findings_own_line(run_cli, tmp_path):
    text = FINDINGS.replace(GHOST, f"      # llama-config: ignore[unknown-backend]\n{GHOST}")
    assert _validate(run_cli, tmp_path, text)[1] == ["unknown-backend", "unknown-key"]


def test_the_summary_counts_what_is_left(run_cli, tmp_path):
    text = FINDINGS.replace(TYPO, f"{TYPO}  # llama-config: ignore[unknown-key]")
    status, codes, err = _validate(run_cli, tmp_path, text)
    assert (status, codes) == (1, ["unknown-backend"])
    assert err.splitlines()[-1] == "run.yaml: 1 error, 0 warnings, 0 infos"


def test_ignored_on_lines_parses_every_form():
    text = (
        "a: 1  # llama-config: ignore[x]\n"
        "b: 2 # llama-config: ignore[ y , z ]\r\n"
        "c: 3 # llama-config: ignore\r"
        "d: 'x#llama-config: ignore'\n"  # no blank before '#': not a comment
        "# llama-config: ignore[w]\n"
        "e: 5 # llama-config: ignored\n"
    )
    assert ignored_on_lines(text) == {1: frozenset({"x"}), 2: frozenset({"y", "z"}), 3: ALL_CODES, 5: frozenset({"w"})}
    assert ignored_on_lines("a: 1\n") == {}


def test_apply_project_rules_disables_and_overrides_severity():
    found = [
        Diagnostic("warning", "unknown-key", ("server", "x"), 3, 3, "m1"),
        Diagnostic("warning", "backend-unused", ("storage",), 4, 3, "m2"),
        Diagnostic("error", "unknown-backend", ("storage",), 5, 3, "m3"),
    ]
    project = ProjectConfig("p.toml", disable=frozenset({"backend-unused"}), severity={"unknown-key": "error", "unknown-backend": "info"})
    kept = apply_project_rules(found, "", project)
    assert [(d.code, d.severity) for d in kept] == [("unknown-key", "error"), ("unknown-backend", "info")]
