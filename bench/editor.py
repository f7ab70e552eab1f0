"""First frame of the editor against a bare Textual app showing one Static, in one run.

Both run headless as whole processes and exit from Textual's auto-pilot, which starts once the
app is ready (its first frame composed and refreshed). Medians of interleaved runs.

    python bench/editor.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402

EXIT = "async def leave(pilot):\n    pilot.app.exit()\n"
BARE = EXIT + (
    "from textual.app import App\nfrom textual.widgets import Static\n"
    "class Bare(App):\n    def compose(self):\n        yield Static('hello')\n"
    "Bare().run(headless=True, auto_pilot=leave)\n"
)
EDITOR = EXIT + "import sys\nfrom tui.app import ConfigEditorApp\nConfigEditorApp(sys.argv[1]).run(headless=True, auto_pilot=leave)\n"


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - start


def medians(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():
        wall(cmd)  # warm caches
    for _ in range(runs):
        for name, cmd in commands.items():
            times[name].append(wall(cmd))
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> list[str]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    from run import largest_corpus_file

    largest = largest_corpus_file()
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "generated-5000.yaml"
        big.write_text(generate(5000))
        m = medians(
            {
                "bare": [sys.executable, "-c", BARE],
                "editor": [sys.executable, "-c", EDITOR, str(largest)],
                "big": [sys.executable, "-c", EDITOR, str(big)],
            },
            args.runs,
        )
    ratio = m["editor"] / m["bare"]
    lines = [
        f"| `llama-config edit` first frame on `{largest.name}` (largest corpus file), whole process | {m['editor'] * 1000:.0f} ms "
        f"| bare Textual app with one Static: {m['bare'] * 1000:.0f} ms | {ratio:.2f}x (goal < 1.5x) {'✅' if ratio < 1.5 else '❌'} |",
        f"| `llama-config edit` first frame, generated config with 5,000 providers, whole process | {m['big']:.2f} s | — | goal < 2.5 s {'✅' if m['big'] < 2.5 else '❌'} |",
    ]
    print("\n".join(lines))
    return lines


if __name__ == "__main__":
    main()
