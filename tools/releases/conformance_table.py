"""Print the conformance summary of docs/conformance.md from a real run: per release line, its shipped configs
(how many the release starts with the shipped-config environment, how many llama-config agrees on
with --server and with auto-detection) and the mutants (refused / started by the release, how many
llama-config agrees on). The same checks as tests/conformance, so the numbers are the suite's.

    python -m tools.releases.conformance_table [LINE ...]     # default: every line

Builds the release environments it lacks; verdicts come from the oracle's cache when present.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from tests.conformance.agreement import mutant_verdicts, mutant_with_server, shipped_auto_detected, shipped_verdicts, shipped_with_server
from tests.conformance.mutants import all_mutants, write
from tests.conformance.shipped import shipped_configs
from tools.releases.envs import RELEASES, release_for_line
from tools.releases.judge import judge

HEADER = (
    "| release | shipped configs | started by the release | llama-config agrees (--server / detected) "
    "| mutants | refused / started by the release | llama-config agrees |\n|---|---|---|---|---|---|---|"
)


def row(line: str, tmp: Path) -> tuple[int, ...]:
    shipped = shipped_configs(line)
    verdicts = shipped_verdicts([line], judge)
    started = sum(verdicts[line, p]["accepted"] for p in shipped)
    with_server = sum(shipped_with_server(line, p, verdicts) is None for p in shipped)
    detected = sum(shipped_auto_detected(line, p, verdicts) is None for p in shipped)
    mutants = all_mutants([line])
    files = write(mutants, tmp / line)
    m_verdicts = mutant_verdicts(mutants, files, judge)
    refused = sum(not v["accepted"] for v in m_verdicts.values())
    agree = sum(mutant_with_server(m, files[m.id], m_verdicts[m.id]) is None for m in mutants)
    return len(shipped), started, with_server, detected, len(mutants), refused, len(mutants) - refused, agree


def fmt(name: str, n: tuple[int, ...]) -> str:
    shipped, started, with_server, detected, mutants, refused, accepted, agree = n
    return f"| {name} | {shipped} | {started} | {with_server} / {detected} | {mutants} | {refused} / {accepted} | {agree} |"


def main(argv: list[str]) -> int:
    lines = argv or list(RELEASES)
    for line in lines:
        release_for_line(line)  # an unknown line stops here, before any work
    print(HEADER)
    totals = [0] * 8
    with tempfile.TemporaryDirectory(prefix="llama-config-conformance-") as tmp:
        for line in lines:
            start = time.monotonic()
            n = row(line, Path(tmp))
            totals = [a + b for a, b in zip(totals, n, strict=True)]
            print(fmt(line, n), flush=True)
            print(f"{line}: {time.monotonic() - start:.0f} s", file=sys.stderr)
    if len(lines) > 1:
        print(fmt(f"all {len(lines)}", tuple(totals)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
