"""The `llama-config-validate` hook of .pre-commit-hooks.yaml, run by pre-commit itself on a sample repo.

`pre-commit try-repo` clones this repository and pip-installs it into a fresh environment (from
PyPI, about 35 s with a warm pip cache), so the test runs what a user of the hook gets. It tries
a snapshot of the working tree (every file git tracks or would track) committed in a temporary
repository, so uncommitted and new files count, as in a clean checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import MINIMAL_CONFIG, cli_env

ROOT = Path(__file__).resolve().parent.parent
HOOK_ID = "llama-config-validate"
BAD = MINIMAL_CONFIG.replace("backend: sql_default", "backend: ghost")  # line 24: unknown-backend
GIT_IDENTITY = {"GIT_AUTHOR_NAME": "test", "GIT_AUTHOR_EMAIL": "test@example.invalid",
                "GIT_COMMITTER_NAME": "test", "GIT_COMMITTER_EMAIL": "test@example.invalid"}


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**cli_env(), **GIT_IDENTITY}).stdout


def _snapshot_of_this_repository(dest: Path) -> Path:
    """The working tree's files (tracked, and untracked ones .gitignore does not exclude) in a
    new repository with one commit."""
    files = _git("ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=ROOT).split("\0")
    for name in filter(None, files):
        src = ROOT / name
        if src.is_file():  # a tracked file deleted in the working tree is left out
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    _git("init", "-q", cwd=dest)
    _git("add", "-A", cwd=dest)
    _git("commit", "-q", "-m", "snapshot", cwd=dest)
    return dest


def _sample_repository(dest: Path) -> Path:
    files = {
        "run.yaml": MINIMAL_CONFIG,  # good
        "deploy/config.yaml": BAD,  # bad
        "tools/config.yaml": "lint: strict\n",  # a config.yaml of another tool: skipped
        "deploy/values.yaml": BAD,  # not a run.yaml / config.yaml name: not passed to the hook
    }
    for name, text in files.items():
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        (dest / name).write_text(text, encoding="utf-8")
    _git("init", "-q", cwd=dest)
    _git("add", "-A", cwd=dest)
    return dest


def test_the_hook_is_declared_as_documented():
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == HOOK_ID and hook["language"] == "python"
    assert hook["entry"].split()[:2] == ["llama-config", "validate"]


def test_pre_commit_runs_the_hook_on_a_sample_repository(tmp_path):
    hook_repo = _snapshot_of_this_repository(tmp_path / "hook-repo")
    sample = _sample_repository(tmp_path / "sample")
    env = cli_env(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), **GIT_IDENTITY)
    r = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), HOOK_ID, "--all-files", "--color", "never"],
        cwd=sample, capture_output=True, text=True, env=env, timeout=900,
    )
    out = r.stdout + r.stderr
    assert r.returncode == 1, out
    assert "llama-config validate...." in out and "Failed" in out and "- exit code: 1" in out
    assert f"{os.path.join('deploy', 'config.yaml')}:24:16: error: storage.stores.inference references unknown backend 'ghost'" in out
    assert "tools/config.yaml: skipped: not a run config" in out
    assert "values.yaml" not in out
    assert "2 files: 1 error, 0 warnings, 0 infos" in out  # deploy/config.yaml and run.yaml, in one run
