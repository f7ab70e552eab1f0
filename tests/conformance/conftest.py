"""Conformance fixtures: the release lines under test, and their oracle verdicts (computed once per
session, one oracle process per release and batch, cached across sessions by
tools/releases/judge.py) on the mutant bases, the mutants and the shipped configs.

A release environment that cannot be built here (no Python >= 3.12, no PyPI) skips the tests that
need it; under LLAMA_CONFIG_REQUIRE_CONFORMANCE=1 (set by .ci/run) such a skip is a failure
(tests/conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conformance import agreement
from tests.conformance.mutants import all_mutants, base_configs, write
from tools.releases.envs import RELEASES, EnvironmentUnavailable
from tools.releases.judge import judge

DEFAULT_LINES = ["0.3", "0.7", "ogx-1.5"]


def lines_under_test() -> list[str]:
    """LLAMA_CONFIG_CONFORMANCE_LINES: `all`, or a comma-separated list of lines (default
    DEFAULT_LINES). A line without data is a usage error, never an empty selection."""
    wanted = os.environ.get("LLAMA_CONFIG_CONFORMANCE_LINES", "").strip()
    if wanted == "all":
        return list(RELEASES)
    lines = [line.strip() for line in wanted.split(",") if line.strip()] or DEFAULT_LINES
    unknown = [line for line in lines if line not in RELEASES or not base_configs(line)]
    if unknown:
        raise pytest.UsageError(f"LLAMA_CONFIG_CONFORMANCE_LINES: no release data for {unknown}; known: all, {', '.join(RELEASES)}")
    return lines


LINES = lines_under_test()
MUTANTS = all_mutants(LINES)


def oracle(line: str, files: list[Path], env: dict[str, str] | None = None) -> dict[Path, dict]:
    try:
        return judge(line, files, env)
    except EnvironmentUnavailable as exc:
        pytest.skip(f"the {line} release environment cannot be built here: {exc}")


@pytest.fixture(scope="session")
def base_verdicts() -> dict[Path, dict]:
    """Judged as the mutants are: with no environment."""
    judged = agreement.judged_per_line({line: base_configs(line) for line in LINES}, oracle, {})
    return {path: verdict for verdicts in judged.values() for path, verdict in verdicts.items()}


@pytest.fixture(scope="session")
def shipped_verdicts() -> dict[tuple[str, Path], dict]:
    return agreement.shipped_verdicts(LINES, oracle)


@pytest.fixture(scope="session")
def mutant_files(tmp_path_factory) -> dict[str, Path]:
    return write(MUTANTS, tmp_path_factory.mktemp("mutants"))


@pytest.fixture(scope="session")
def mutant_verdicts(mutant_files) -> dict[str, dict]:
    return agreement.mutant_verdicts(MUTANTS, mutant_files, oracle)
