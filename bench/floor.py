"""The least time `migrate` can take on a large file here, whatever its own work costs.

    python bench/floor.py                  # 50,000 providers, medians of 5
    python bench/floor.py --providers 20000 --runs 3

Every safe migration does three things besides its own planning and writing: it parses the
old file; it parses the new text and compares it with the data it meant to write (how an
edit of whole lines is checked, model/document.py); and it validates the result, to refuse a
migration that adds errors (on both cores, for a large file). Each step is timed here in one
process, as the command runs them (collector off, the second core allowed), and so is the
program's start (`llama-config --version`). Their sum is the floor; the migrate command
itself is timed as bench/scale.py times it, in the same run.
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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from llama_config.model.releases import Release

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate_old  # noqa: E402
from scale import GOAL_SECONDS, measure  # noqa: E402


def steps(old_text: str, new_text: str, release: Release) -> dict[str, float]:
    """Seconds of each step, once."""
    from llama_config.model.document import Document
    from llama_config.model.validation import validate

    times: dict[str, float] = {}
    start = time.perf_counter()
    old = Document.from_text(old_text)
    times["parse the old file"] = time.perf_counter() - start
    del old
    start = time.perf_counter()
    new = Document.from_text(new_text)
    times["parse the migrated text"] = time.perf_counter() - start
    start = time.perf_counter()
    found = validate(new, release=release)
    times["validate the result"] = time.perf_counter() - start
    if any(d.severity == "error" for d in found):
        sys.exit("the migrated file has errors: the floor would not be the bench's")
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--providers", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    exe = shutil.which("llama-config", path=str(Path(sys.executable).parent)) or shutil.which("llama-config")
    if not exe:
        sys.exit("llama-config is not installed in this environment")
    from llama_config.model import second_core
    from llama_config.model.gcpause import no_collector_for_one_command
    from llama_config.model.document import Document
    from llama_config.tui.commands.common import target_release

    no_collector_for_one_command()
    second_core.allow_for_one_command()
    with tempfile.TemporaryDirectory(prefix="llama-config-floor-") as tmp:
        old, out = Path(tmp, "old.yaml"), Path(tmp, "out.yaml")
        old.write_text(generate_old(args.providers), encoding="utf-8")
        migrate = [exe, "migrate", str(old), "--output", str(out), "--no-backup"]
        subprocess.run(migrate, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        old_text, new_text = old.read_text(encoding="utf-8"), out.read_text(encoding="utf-8")
        release, _ = target_release(argparse.Namespace(server=None, file=str(old)), Document.from_text(old_text, name=str(old)))
        samples: dict[str, list[float]] = {}
        for _ in range(args.runs):
            samples.setdefault("start the program", []).append(measure([exe, "--version"], dict(os.environ))[0])
            for name, seconds in steps(old_text, new_text, release).items():
                samples.setdefault(name, []).append(seconds)
            samples.setdefault("the migrate command", []).append(measure(migrate, dict(os.environ))[0])
            print("  " + ", ".join(f"{name} {values[-1]:.2f} s" for name, values in samples.items()), file=sys.stderr, flush=True)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    command = medians.pop("the migrate command")
    floor = sum(medians.values())
    print(f"{args.providers:,} providers, {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, release {release.name}, "
          f"medians of {args.runs} interleaved runs.\n")
    print("| step | median |")
    print("|---|---|")
    for name, seconds in medians.items():
        print(f"| {name} | {seconds:.2f} s |")
    print(f"| **floor: the sum** | **{floor:.2f} s** ({'under' if floor < GOAL_SECONDS else 'over'} the {GOAL_SECONDS:.0f} s goal) |")
    print(f"| the migrate command | {command:.2f} s ({command - floor:.2f} s of its own work) |")


if __name__ == "__main__":
    main()
