"""llama-config against the real servers: each release's own startup checks (the oracle,
tools/releases/oracle.py) judge the configs it ships and mutants of them, one per rule; llama-config
must agree: no error where the release starts, at least one where it refuses."""

from __future__ import annotations

import json

import pytest

from tests.conformance.conftest import LINES, MUTANTS, shipped_configs
from tui.cli import main

pytestmark = pytest.mark.conformance

# Rules where llama-config reports an error on purpose although the release starts: the server
# fails later (quota: on the first request), so a finding is required, not its absence.
DELIBERATE_EXTRA_CATCHES = {"quota-unknown-backend"}

SHIPPED = [(line, path) for line in LINES for path in shipped_configs(line)]


def llama_config_errors(path, line, capsys) -> tuple[int, list[dict]]:
    try:
        rc = main(["validate", str(path), "--server", line, "--json"])
    except SystemExit as e:  # a usage error (an option this llama-config does not know)
        rc = e.code
    out = capsys.readouterr().out
    findings = json.loads(out) if out.strip().startswith("[") else []
    return rc, findings


@pytest.mark.parametrize("line,path", SHIPPED, ids=[f"{line}/{path.name}" for line, path in SHIPPED])
def test_release_accepts_its_shipped_config(line, path, shipped_verdicts):
    verdict = shipped_verdicts[path]
    assert verdict["accepted"], f"{line} refuses {path.name} at {verdict['stage']}: {verdict['error']}"


EXPECTED = [m for m in MUTANTS if m.expected]


@pytest.mark.parametrize("mutant", EXPECTED, ids=[m.id for m in EXPECTED])
def test_oracle_verdict_matches_the_documented_rule(mutant, mutant_verdicts):
    """releases.md's rule and the release's own code agree on the mutant (else the mutant, the
    oracle or releases.md is wrong)."""
    verdict = mutant_verdicts[mutant.id]
    got = "accept" if verdict["accepted"] else "reject"
    assert got == mutant.expected, f"{mutant.id}: release says {got} ({verdict['stage']}: {verdict['error']})"


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id for m in MUTANTS])
def test_llama_config_agrees_with_the_release(mutant, mutant_verdicts, mutant_files, capsys):
    verdict = mutant_verdicts[mutant.id]
    rc, findings = llama_config_errors(mutant_files[mutant.id], mutant.line, capsys)
    errors = [f for f in findings if f.get("severity") == "error"]
    if not verdict["accepted"]:
        assert rc == 1 and errors, (
            f"{mutant.id}: {mutant.line} refuses it at {verdict['stage']} ({verdict['error']}), "
            f"llama-config reports no error (exit {rc})"
        )
    elif mutant.rule in DELIBERATE_EXTRA_CATCHES:
        assert findings, f"{mutant.id}: the server fails on it after startup; llama-config says nothing"
    else:
        assert rc == 0 and not errors, f"{mutant.id}: {mutant.line} starts with it; llama-config reports {errors}"
