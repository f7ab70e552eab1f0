"""Shared fixtures for the command-line tests (tests/test_cli_*.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Copies of upstream configs, with their source in tests/corpus/llama-stack/SOURCE.md.
CORPUS = Path(__file__).parent / "corpus" / "llama-stack"
CORPUS_FILES = sorted(CORPUS.rglob("*.yaml")) if CORPUS.is_dir() else []

# A small valid config in the newer format: no errors, no warnings.
MINIMAL_CONFIG = """\
version: 2
distro_name: mini
apis:
- inference
providers:
  inference:
  - provider_id: openai
    provider_type: remote::openai
    config:
      api_key: ${env.OPENAI_API_KEY:=}
storage:
  backends:
    kv_default:
      type: kv_sqlite
      db_path: /tmp/kv.db
    sql_default:
      type: sql_sqlite
      db_path: /tmp/sql.db
  stores:
    metadata:
      backend: kv_default
      namespace: registry
    inference:
      backend: sql_default
      table_name: inference_store
    prompts:
      backend: kv_default
      namespace: prompts
    connectors:
      backend: kv_default
      namespace: connectors
server:
  port: 8321
"""


# Set by .ci/run: a conformance test that skips (a release environment could not be built) fails,
# so CI never passes without having compared llama-config with the real releases.
REQUIRE_CONFORMANCE = os.environ.get("LLAMA_CONFIG_REQUIRE_CONFORMANCE") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = (yield).get_result()
    if REQUIRE_CONFORMANCE and report.skipped and item.get_closest_marker("conformance"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"LLAMA_CONFIG_REQUIRE_CONFORMANCE=1 but a conformance test skipped: {reason}"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test taking `cli_corpus_file` runs once per real config file in the corpus."""
    if "cli_corpus_file" in metafunc.fixturenames:
        metafunc.parametrize(
            "cli_corpus_file",
            CORPUS_FILES or [pytest.param(None, marks=pytest.mark.skip(reason=f"no corpus at {CORPUS}"))],
            ids=[str(p.relative_to(CORPUS)) for p in CORPUS_FILES] or ["no-corpus"],
        )


def cli_env(**extra: str) -> dict[str, str]:
    """The process environment for a CLI run: no colours, no debug tracebacks, no LCT_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LCT_")}
    for name in ("LLAMA_CONFIG_DEBUG", "FORCE_COLOR", "COLUMNS", "PYTHONWARNINGS"):
        env.pop(name, None)
    env.update(extra)
    return env


@pytest.fixture
def minimal_config() -> str:
    return MINIMAL_CONFIG


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    """MINIMAL_CONFIG written to tmp_path/run.yaml."""
    path = tmp_path / "run.yaml"
    path.write_text(MINIMAL_CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def tmp_copy(tmp_path: Path):
    """tmp_copy(src, name=None) -> a copy of `src` in tmp_path (corpus files are never written)."""

    def copy(src: Path | str, name: str | None = None) -> Path:
        dst = tmp_path / (name or Path(src).name)
        shutil.copyfile(src, dst)
        return dst

    return copy


@pytest.fixture
def run_cli(tmp_path: Path):
    """run_cli(*args, env=None, **kw) -> CompletedProcess: `llama-config ARGS` in a subprocess.

    Runs from tmp_path with text output captured; `env` adds variables to a clean environment.
    """

    def run(*args: str | os.PathLike, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
        kwargs.setdefault("cwd", tmp_path)
        kwargs.setdefault("timeout", 60)
        return subprocess.run(
            [sys.executable, "-m", "llama_config.tui.cli", *map(str, args)],
            capture_output=True,
            text=True,
            env=cli_env(**(env or {})),
            **kwargs,
        )

    return run


@pytest.fixture
def file_state():
    """file_state(path) -> (bytes, mtime_ns): compare before/after to prove a file was not written."""

    def state(path: Path | str) -> tuple[bytes, int]:
        return Path(path).read_bytes(), os.stat(path).st_mtime_ns

    return state
