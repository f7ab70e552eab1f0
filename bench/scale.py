"""Every command on a config with 50,000 providers: wall time, CPU time and peak memory.

    python bench/scale.py                 # 50,000 providers, medians of 3 interleaved runs
    python bench/scale.py --providers 20000 --runs 5

Each command runs as its own process (as a user runs it) on a file from bench/generate.py:
validate, show, set, rename-backend (25,000 references), test-connections (its three
backends, 1 s timeout) and migrate (the same providers in the pre-0.3 format). The baseline,
measured in the same run and interleaved with the commands so machine load hits all alike, is
the fastest way Python reads that file: `yaml.load(..., Loader=yaml.CSafeLoader)` (libyaml);
`--pure-baseline` adds `yaml.safe_load`, the pure-Python loader the server uses.

Peak memory is the process's maximum resident set (wait4's ru_maxrss: the larger of the
command's and that of the child it forks for the second core, model/second_core.py; the child
shares most of its pages with the command). CPU time is user + system, the child's included,
which a loaded machine inflates less than wall time; the wall ratio is what the operator waits.
Goals: under 5 s, under 400 MB.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate, generate_old  # noqa: E402

GOAL_SECONDS, GOAL_MB = 5.0, 400


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float, int]:
    """(wall s, cpu s, peak RSS MB, exit code) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode


def commands(exe: str, new: Path, old: Path, out: Path, pure: bool) -> dict[str, tuple[list[str], tuple[int, ...]]]:
    """name -> (command line, acceptable exit codes)."""
    python = sys.executable
    table = {
        "baseline: yaml CSafeLoader": ([python, "-c", "import sys, yaml; yaml.load(open(sys.argv[1]), Loader=yaml.CSafeLoader)", str(new)], (0,)),
    }
    if pure:
        table["baseline: yaml.safe_load"] = ([python, "-c", "import sys, yaml; yaml.safe_load(open(sys.argv[1]))", str(new)], (0,))
    table |= {
        "validate": ([exe, "validate", str(new)], (0,)),
        "show": ([exe, "show", str(new)], (0,)),
        "set server.port=8322": ([exe, "set", str(new), "server.port=8322", "--output", str(out), "--no-backup"], (0,)),
        "rename-backend kv_default kv_new": ([exe, "rename-backend", str(new), "kv_default", "kv_new", "--output", str(out), "--no-backup"], (0,)),
        # kv_second points at a PostgreSQL that is not there: exit 1, in milliseconds
        "test-connections": ([exe, "test-connections", str(new), "--timeout", "1"], (0, 1)),
        "migrate (pre-0.3 file)": ([exe, "migrate", str(old), "--output", str(out), "--no-backup"], (0,)),
    }
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--providers", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pure-baseline", action="store_true", help="also measure yaml.safe_load (pure Python; slow)")
    args = parser.parse_args()
    exe = shutil.which("llama-config", path=str(Path(sys.executable).parent)) or shutil.which("llama-config")
    if not exe:
        sys.exit("llama-config is not installed in this environment")
    with tempfile.TemporaryDirectory(prefix="llama-config-scale-") as tmp:
        new, old, out = Path(tmp, "run.yaml"), Path(tmp, "old.yaml"), Path(tmp, "out.yaml")
        new.write_text(generate(args.providers), encoding="utf-8")
        old.write_text(generate_old(args.providers), encoding="utf-8")
        # the test-connections SQLite backends live under SQLITE_STORE_DIR: a fresh directory
        env = {**os.environ, "SQLITE_STORE_DIR": str(Path(tmp, "store")), "POSTGRES_PORT": "1"}
        table = commands(exe, new, old, out, args.pure_baseline)
        samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name in table}
        for _ in range(args.runs):
            for name, (cmd, ok_codes) in table.items():
                wall, cpu, mb, code = measure(cmd, env)
                if code not in ok_codes:
                    sys.exit(f"{name}: exit code {code} ({' '.join(cmd)})")
                samples[name].append((wall, cpu, mb))
                print(f"  {name}: {wall:.2f} s wall, {cpu:.2f} s cpu, {mb:.0f} MB", file=sys.stderr, flush=True)
        size_mb = new.stat().st_size / 1e6
    medians = {name: tuple(statistics.median(s[i] for s in values) for i in range(3)) for name, values in samples.items()}
    base_wall, base_cpu, _ = medians["baseline: yaml CSafeLoader"]
    print(f"{args.providers:,} providers ({size_mb:.1f} MB), {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}, Python {sys.version.split()[0]}, medians of {args.runs} interleaved runs.\n")
    print("| command | wall | CPU | peak RSS | wall / baseline wall | CPU / baseline CPU | goal < 5 s, < 400 MB |")
    print("|---|---|---|---|---|---|---|")
    for name, (wall, cpu, mb) in medians.items():
        goal = "" if name.startswith("baseline") else ("✅" if wall < GOAL_SECONDS and mb < GOAL_MB else "❌")
        print(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {mb:.0f} MB | {wall / base_wall:.2f}x | {cpu / base_cpu:.2f}x | {goal} |")


if __name__ == "__main__":
    main()
