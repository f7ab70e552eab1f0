"""The comparison the conformance tests rest on (tests/conformance/agreement.py) finds each kind of
disagreement; no release environment needed."""

from __future__ import annotations

from pathlib import Path

from tests.conformance.agreement import Judgement, llama_config, mutant_disagreement, shipped_disagreement
from tests.conformance.shipped import NEEDS_FILES, SHIPPED_ENV, refused_by_own_release, shipped_configs

STARTS = {"accepted": True, "stage": None, "error": None}
REFUSES = {"accepted": False, "stage": "deps", "error": f"RuntimeError: ... {NEEDS_FILES} ..."}
CLEAN = Judgement("0.7", [], 0)
ERROR = Judgement("0.7", ["providers.inference: unknown provider_type"], 1)


def test_a_mutant_disagrees_when_only_one_side_refuses_it():
    assert mutant_disagreement("unknown-provider-type", "0.7", REFUSES, CLEAN) is not None
    assert mutant_disagreement("workers", "0.7", STARTS, ERROR) is not None
    assert mutant_disagreement("unknown-provider-type", "0.7", REFUSES, ERROR) is None
    assert mutant_disagreement("workers", "0.7", STARTS, CLEAN) is None


def test_a_deliberate_extra_catch_needs_a_finding():
    assert mutant_disagreement("quota-unknown-backend", "0.7", STARTS, CLEAN) is not None
    assert mutant_disagreement("quota-unknown-backend", "0.7", STARTS, Judgement("0.7", [], 1)) is None


def test_a_shipped_config_disagrees_on_a_false_error_or_a_refusal():
    assert shipped_disagreement("0.7", STARTS, None, CLEAN) is None
    assert "llama-config reports" in shipped_disagreement("0.7", STARTS, None, ERROR)
    # the detected release refuses a file its own release starts: that is llama-config's wrong pick
    assert "detected" in shipped_disagreement("0.6", REFUSES, None, CLEAN)


def test_a_recorded_refusal_must_still_hold_and_be_matched():
    assert shipped_disagreement("0.7", REFUSES, NEEDS_FILES, ERROR) is None
    assert "reports no error" in shipped_disagreement("0.7", REFUSES, NEEDS_FILES, CLEAN)
    assert "starts it" in shipped_disagreement("0.7", STARTS, NEEDS_FILES, ERROR)
    other = dict(REFUSES, error="EnvVarError: INFERENCE_MODEL not set")
    assert shipped_disagreement("0.7", other, NEEDS_FILES, ERROR) is not None


def test_the_recorded_refusals_name_shipped_files():
    refused = [p for p in shipped_configs("0.3") if refused_by_own_release("0.3", p)]
    assert {p.parent.name for p in refused} == {"dell", "meta-reference-gpu", "open-benchmark", "postgres-demo"}
    assert not [p for p in shipped_configs("ogx-1.5") if refused_by_own_release("ogx-1.5", p) and p.parent.name == "starter"]


def test_llama_config_sees_only_the_given_environment(tmp_path: Path, monkeypatch):
    """A required variable set in this process but not in the mapping is unset for the check, as it
    is for the oracle: the env-unset warning appears."""
    path = next(p for p in shipped_configs("ogx-1.5") if p.parent.name == "nvidia")
    monkeypatch.setenv("INFERENCE_MODEL", "from-the-process")
    without = llama_config(path, "ogx-1.5", {})
    with_env = llama_config(path, "ogx-1.5", SHIPPED_ENV)
    assert without.line == with_env.line == "ogx-1.5"
    assert without.findings > with_env.findings


def test_an_unreadable_file_is_an_error_with_no_release(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text("a: [\n")
    got = llama_config(path, None, {})
    assert got.line is None and got.errors
