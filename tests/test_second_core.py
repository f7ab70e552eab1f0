"""The second core's tests (tests/second_core_cases.py) in a process of their own.

Work forks only in a process of one thread, as a command's is (model/second_core.py). By the
time the suite gets here its process holds the live servers' threads, so the cases run in a
new interpreter, where they fork as a command does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_second_core_in_a_process_of_one_thread() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/second_core_cases.py", "-q", "-p", "no:cacheprovider", "-W", "error::DeprecationWarning"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "skipped" not in run.stdout and "deselected" not in run.stdout
