"""Conformance fixtures: the release lines under test, their oracle verdicts (computed once per
session, cached across sessions by tools/releases/judge.py), and the mutant files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conformance.mutants import BASE_DIR, all_mutants, write
from tools.releases.envs import RELEASES
from tools.releases.judge import judge

DEFAULT_LINES = ["0.3", "0.7", "ogx-1.5"]
CORPUS_DIR = Path(__file__).parent.parent / "corpus" / "releases"


def lines_under_test() -> list[str]:
    """LLAMA_CONFIG_CONFORMANCE_LINES: `all`, or a comma-separated list of lines."""
    wanted = os.environ.get("LLAMA_CONFIG_CONFORMANCE_LINES", "").strip()
    if wanted == "all":
        return list(RELEASES)
    return [line.strip() for line in wanted.split(",") if line.strip()] or DEFAULT_LINES


def shipped_configs(line: str) -> list[Path]:
    """The base configs, and every config of the release copied into the corpus (if present)."""
    files = sorted((BASE_DIR / line).glob("*.yaml"))
    return files + sorted((CORPUS_DIR / line).glob("**/*.yaml"))


LINES = lines_under_test()
MUTANTS = all_mutants(LINES)


@pytest.fixture(scope="session")
def shipped_verdicts() -> dict[Path, dict]:
    verdicts: dict[Path, dict] = {}
    for line in LINES:
        verdicts.update(judge(line, shipped_configs(line)))
    return verdicts


@pytest.fixture(scope="session")
def mutant_files(tmp_path_factory) -> dict[str, Path]:
    return write(MUTANTS, tmp_path_factory.mktemp("mutants"))


@pytest.fixture(scope="session")
def mutant_verdicts(mutant_files) -> dict[str, dict]:
    verdicts: dict[str, dict] = {}
    for line in LINES:
        ids = [m.id for m in MUTANTS if m.line == line]
        by_path = judge(line, [mutant_files[i] for i in ids])
        verdicts.update({i: by_path[mutant_files[i]] for i in ids})
    return verdicts
