"""Measure llama-config against baselines measured in the same run (medians of several runs).

    python bench/run.py            # prints a Markdown table for the README

1. `llama-config validate` on the largest corpus file, whole process, against
   `python -c "import yaml; yaml.safe_load(...)"` on the same file, with the release data of the
   file's release loaded (and detection).   Goal: under 2x.
2. In-process load + validate of a generated config with 5,000 providers.  Goal: under 2 s.
3. The editor's first frame (bench/editor.py) against a bare Textual app with one Static.
   Goals: under 1.5x; a 5,000-provider config under 2.5 s.
4. Connection tests (bench/probes.py): 20 backends with 10 silent, and a PostgreSQL probe
   against a bare asyncpg connect + SELECT 1 + close.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402

CORPUS = ROOT / "tests" / "corpus" / "llama-stack"


def ensure_bytecode() -> None:
    """Compile the project's modules once, as `pip install` does for an installed package.

    With PYTHONDONTWRITEBYTECODE set (as on CI machines) an editable install would otherwise
    recompile every module on every start, while the baselines' libraries load compiled code.
    """
    import compileall

    for package in ("model", "tui"):
        compileall.compile_dir(str(ROOT / package), quiet=1)


def largest_corpus_file() -> Path:
    files = [p for p in CORPUS.rglob("*.yaml")]
    if not files:
        sys.exit(f"no corpus under {CORPUS}")
    return max(files, key=lambda p: p.stat().st_size)


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        sys.exit(f"{cmd} failed with exit code {proc.returncode}")
    return elapsed


def interleaved(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median wall time of each command, runs interleaved so machine noise hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for name, cmd in commands.items():  # warm the page cache and .pyc files
        wall(cmd)
    for _ in range(runs):
        for name, cmd in commands.items():
            times[name].append(wall(cmd))
    return {name: statistics.median(values) for name, values in times.items()}


def in_process(text: str, runs: int) -> tuple[float, float]:
    from llama_config.model.document import Document
    from llama_config.model.envvars import Environment
    from llama_config.model.validation import validate

    loads, totals = [], []
    for _ in range(runs):
        start = time.perf_counter()
        doc = Document(text, name="generated.yaml")
        loaded = time.perf_counter()
        diagnostics = validate(doc, Environment(environ={}))
        end = time.perf_counter()
        assert not [d for d in diagnostics if d.severity == "error"], diagnostics[:3]
        loads.append(loaded - start)
        totals.append(end - start)
    return statistics.median(loads), statistics.median(totals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--readme", action="store_true", help="also write the table into README.md between the bench markers")
    args = parser.parse_args()
    ensure_bytecode()
    target = largest_corpus_file()
    exe = shutil.which("llama-config", path=str(Path(sys.executable).parent)) or shutil.which("llama-config")
    if not exe:
        sys.exit("llama-config is not installed in this environment")
    medians = interleaved(
        {
            "baseline": [sys.executable, "-c", f"import yaml; yaml.safe_load(open({str(target)!r}))"],
            "validate": [exe, "validate", str(target)],
        },
        args.runs,
    )
    ratio = medians["validate"] / medians["baseline"]
    text = generate(5000)
    load, total = in_process(text, max(3, args.runs // 3))
    rel = target.relative_to(CORPUS)
    lines: list[str] = []
    print = lines.append  # noqa: A001  (collect the report, then show and maybe store it)
    print(f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores, Python {sys.version.split()[0]}, medians of {args.runs} interleaved runs.\n")
    print("| measurement | result | baseline | ratio / goal |")
    print("|---|---|---|---|")
    print(f"| `llama-config validate` on `{rel}` ({target.stat().st_size // 1024} KiB), whole process | {medians['validate'] * 1000:.0f} ms "
          f"| `yaml.safe_load` process: {medians['baseline'] * 1000:.0f} ms | {ratio:.2f}x (goal < 2x) {'✅' if ratio < 2 else '❌'} |")
    print(f"| load + validate, generated config with 5,000 providers ({len(text) // 1024} KiB), in process | {total:.2f} s (load {load:.2f} s) "
          f"| — | goal < 2 s {'✅' if total < 2 else '❌'} |")
    from editor import editor_rows
    from probes import probe_rows  # starts its own PostgreSQL and Redis (tests/live/servers.py)

    lines.extend(editor_rows(args.runs))
    from keys import key_rows  # key press to screen updated, in a pty

    lines.extend(key_rows(max(3, args.runs // 5)))
    lines.extend(probe_rows(max(3, args.runs // 3)))
    report = "\n".join(lines) + "\n"
    sys.stdout.write(report)
    if args.readme:
        readme = ROOT / "README.md"
        text = readme.read_text(encoding="utf-8")
        start, end = text.index("<!-- bench:start -->\n"), text.index("<!-- bench:end -->")
        readme.write_text(text[: start + len("<!-- bench:start -->\n")] + report + text[end:], encoding="utf-8")


if __name__ == "__main__":
    main()
