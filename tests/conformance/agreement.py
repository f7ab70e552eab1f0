"""llama-config's side of the comparison, and whether it agrees with a release's verdict.

llama-config runs in-process, the way `llama-config validate FILE [--server LINE]` does (the same
loader and the same choice of release: tui/commands/common.py), with one Document parse per file
and the same environment mapping the oracle was given (nothing from this process's environment).
Each check returns None when llama-config agrees, else the disagreement, said in full; the tests
assert it is None and tools/releases/conformance_table.py counts them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from llama_config.model.envvars import Environment
from llama_config.model.errors import ConfigFileError
from llama_config.model.validation import validate
from tests.conformance.mutants import Mutant
from tests.conformance.shipped import SHIPPED_ENV, refused_by_own_release, shipped_configs
from llama_config.tui.commands.common import load, target_release

Oracle = Callable[[str, list[Path], dict[str, str]], dict[Path, dict]]  # tools.releases.judge.judge


def judged_per_line(wanted: dict[str, list[Path]], oracle: Oracle, env: dict[str, str]) -> dict[str, dict[Path, dict]]:
    """{line: {file: verdict}}: one oracle run per release line, two lines at a time (each run
    is a process of its own, 30-70 s for a line's files when nothing is cached)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(wanted, pool.map(lambda line: oracle(line, wanted[line], env), wanted)))


# Rules where llama-config reports an error on purpose although the release starts: the server
# fails later (quota: on the first request), so a finding is required, not its absence.
DELIBERATE_EXTRA_CATCHES = {"quota-unknown-backend"}


@dataclass(frozen=True)
class Judgement:
    line: str | None  # the release llama-config judged against (None: it could not read the file)
    errors: list[str]  # "path: message" of each error
    findings: int  # errors, warnings and infos


def llama_config(path: Path, server: str | None, env: dict[str, str]) -> Judgement:
    """What `validate` says of `path` with `--server server` (None: the release it detects)."""
    try:
        doc = load(str(path))
        release, _ = target_release(argparse.Namespace(server=server), doc)
    except ConfigFileError as exc:  # exit 2: unreadable, or an unknown --server
        return Judgement(server, [f"unreadable: {exc}"], 1)
    diagnostics = validate(doc, Environment(environ=env), release=release)
    errors = [f"{'.'.join(map(str, d.path))}: {d.message}" for d in diagnostics if d.severity == "error"]
    return Judgement(release.line, errors, len(diagnostics))


def detected_line(path: Path) -> str | None:
    """The release `validate` picks for `path` without --server (None: the file is unreadable)."""
    try:
        return target_release(argparse.Namespace(server=None), load(str(path)))[0].line
    except ConfigFileError:
        return None


def refusal(verdict: dict) -> str:
    return f"refuses it at {verdict['stage']} ({verdict['error']})"


def mutant_disagreement(rule: str, line: str, verdict: dict, got: Judgement) -> str | None:
    if not verdict["accepted"]:
        return None if got.errors else f"{line} {refusal(verdict)}; llama-config reports no error"
    if rule in DELIBERATE_EXTRA_CATCHES:
        return None if got.findings else "the server fails on it after startup; llama-config says nothing"
    return None if not got.errors else f"{line} starts with it; llama-config reports {got.errors}"


def shipped_disagreement(line: str, verdict: dict, expected_refusal: str | None, got: Judgement) -> str | None:
    """A config `line` ships, judged by llama-config against `got.line`. `verdict` is the oracle's
    under `got.line`, which must start it; unless `line` refuses its own config even so:
    `expected_refusal` is then the reason the tests record, `verdict` is `line`'s, and
    llama-config must report an error too."""
    if expected_refusal is not None:
        if verdict["accepted"] or expected_refusal not in (verdict["error"] or ""):
            state = "starts it" if verdict["accepted"] else refusal(verdict)
            return f"recorded as refused by {line} ({expected_refusal}), but {line} {state}"
        return None if got.errors else f"{line} {refusal(verdict)}; llama-config ({got.line}) reports no error"
    if not verdict["accepted"]:
        return f"{got.line} {refusal(verdict)}" + (f" (detected; the file is {line}'s)" if got.line != line else "")
    return None if not got.errors else f"{got.line} starts it; llama-config reports {got.errors}"


def shipped_verdicts(lines: list[str], oracle: Oracle) -> dict[tuple[str, Path], dict]:
    """{(release, file): verdict} with SHIPPED_ENV: each line's shipped configs under their own
    release, and under the release llama-config detects when that is another one (and the own
    release is not recorded as refusing the file: then its refusal is what is compared). One
    oracle run per release."""
    wanted: dict[str, list[Path]] = {}
    for line in lines:
        for path in shipped_configs(line):
            wanted.setdefault(line, []).append(path)
            detected = detected_line(path)
            if detected not in (line, None) and not refused_by_own_release(line, path):
                wanted.setdefault(detected, []).append(path)
    return {(line, path): v for line, judged in judged_per_line(wanted, oracle, SHIPPED_ENV).items() for path, v in judged.items()}


def shipped_with_server(line: str, path: Path, verdicts: dict[tuple[str, Path], dict]) -> str | None:
    """`validate --server LINE` on a config LINE ships."""
    got = llama_config(path, line, SHIPPED_ENV)
    return shipped_disagreement(line, verdicts[line, path], refused_by_own_release(line, path), got)


def shipped_auto_detected(line: str, path: Path, verdicts: dict[tuple[str, Path], dict]) -> str | None:
    """`validate` without --server on a config LINE ships: judged against the release it detects."""
    got = llama_config(path, None, SHIPPED_ENV)
    if got.line is None:
        return f"llama-config cannot read it: {got.errors}"
    refused = refused_by_own_release(line, path)
    return shipped_disagreement(line, verdicts[line if refused else got.line, path], refused, got)


def mutant_verdicts(mutants: list[Mutant], files: dict[str, Path], oracle: Oracle) -> dict[str, dict]:
    """{mutant id: verdict}, with no environment (the mutants need none); one oracle run per
    release (judged_per_line)."""
    by_line = {line: [m.id for m in mutants if m.line == line] for line in dict.fromkeys(m.line for m in mutants)}
    judged = judged_per_line({line: [files[i] for i in ids] for line, ids in by_line.items()}, oracle, {})
    return {i: judged[line][files[i]] for line, ids in by_line.items() for i in ids}


def mutant_with_server(mutant: Mutant, path: Path, verdict: dict) -> str | None:
    """`validate MUTANT --server LINE`, with the oracle's (empty) environment."""
    return mutant_disagreement(mutant.rule, mutant.line, verdict, llama_config(path, mutant.line, {}))
