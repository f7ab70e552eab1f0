"""llama-config against the real servers: each release's own startup checks (the oracle,
tools/releases/oracle.py) judge the configs it ships and mutants of them, one per rule; llama-config
must agree: no error where the release starts, at least one where it refuses. Each file, mutant
and way of choosing the release is its own test id, so each disagreement is one failure."""

from __future__ import annotations

import pytest

from tests.conformance.agreement import mutant_with_server, shipped_auto_detected, shipped_with_server
from tests.conformance.conftest import LINES, MUTANTS
from tests.conformance.mutants import base_configs
from tests.conformance.shipped import shipped_configs, shipped_id

pytestmark = pytest.mark.conformance

BASES = [(line, path) for line in LINES for path in base_configs(line)]
SHIPPED = [(line, path) for line in LINES for path in shipped_configs(line)]
SHIPPED_IDS = [shipped_id(line, path) for line, path in SHIPPED]


@pytest.mark.parametrize("line,path", BASES, ids=[f"{line}/base/{path.parent.name}" for line, path in BASES])
def test_mutant_base_is_a_shipped_config_its_release_starts(line, path, base_verdicts):
    """Mutants differ from their base by one rule only if the release starts the base as it is."""
    verdict = base_verdicts[path]
    assert verdict["accepted"], f"{line} refuses {path.name} at {verdict['stage']}: {verdict['error']}"


@pytest.mark.parametrize("line,path", SHIPPED, ids=SHIPPED_IDS)
def test_shipped_config_with_server(line, path, shipped_verdicts):
    """`validate --server LINE` on a config LINE ships: 0 errors where LINE starts it (with
    SHIPPED_ENV), an error where LINE refuses its own file (recorded in shipped.py)."""
    disagreement = shipped_with_server(line, path, shipped_verdicts)
    assert disagreement is None, disagreement


@pytest.mark.parametrize("line,path", SHIPPED, ids=SHIPPED_IDS)
def test_shipped_config_auto_detected(line, path, shipped_verdicts):
    """`validate` without --server: the release it detects is LINE or one that also starts the
    file, and it reports 0 errors (an error where LINE refuses its own file)."""
    disagreement = shipped_auto_detected(line, path, shipped_verdicts)
    assert disagreement is None, disagreement


EXPECTED = [m for m in MUTANTS if m.expected]


@pytest.mark.parametrize("mutant", EXPECTED, ids=[m.id for m in EXPECTED])
def test_oracle_verdict_matches_the_documented_rule(mutant, mutant_verdicts):
    """releases.md's rule and the release's own code agree on the mutant (else the mutant, the
    oracle or releases.md is wrong)."""
    verdict = mutant_verdicts[mutant.id]
    got = "accept" if verdict["accepted"] else "reject"
    assert got == mutant.expected, f"{mutant.id}: release says {got} ({verdict['stage']}: {verdict['error']})"


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id for m in MUTANTS])
def test_llama_config_agrees_with_the_release(mutant, mutant_verdicts, mutant_files):
    """`validate MUTANT --server LINE`: an error where the release refuses it, none where it starts."""
    disagreement = mutant_with_server(mutant, mutant_files[mutant.id], mutant_verdicts[mutant.id])
    assert disagreement is None, f"{mutant.id}: {disagreement}"
