"""First frame of the editor against a bare Textual app showing one Static, in one run.

Each runs as a whole process in a pseudo-terminal (120x40), exactly as an operator starts it
(`llama-config edit FILE`); the time is from starting the process until its first frame is on
the terminal (a text the frame shows has been written). Medians of interleaved runs.

    python bench/editor.py [--runs N]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from generate import generate  # noqa: E402

BARE = (
    "from textual.app import App\nfrom textual.widgets import Static\n"
    "class Bare(App):\n    def compose(self):\n        yield Static('first-frame')\n"
    "Bare().run()\n"
)


def first_frame(cmd: list[str], marker: bytes, timeout: float = 30.0) -> float:
    """Seconds from spawning `cmd` on a new pty until `marker` appears in what it writes."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, start_new_session=True)
    os.close(slave)
    seen = b""
    try:
        while marker not in seen:
            if time.perf_counter() - start > timeout:
                raise RuntimeError(f"{cmd} showed no first frame within {timeout} s: {seen[-300:]!r}")
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    raise RuntimeError(f"{cmd} exited before its first frame: {seen[-300:]!r}") from None
        return time.perf_counter() - start
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        os.close(master)


def medians(commands: dict[str, tuple[list[str], bytes]], runs: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in commands}
    for cmd, marker in commands.values():
        first_frame(cmd, marker)  # warm caches
    for _ in range(runs):
        for name, (cmd, marker) in commands.items():
            times[name].append(first_frame(cmd, marker))
    return {name: statistics.median(values) for name, values in times.items()}


def editor_rows(runs: int) -> list[str]:
    from run import largest_corpus_file

    exe = shutil.which("llama-config", path=str(Path(sys.executable).parent)) or shutil.which("llama-config")
    if not exe:
        sys.exit("llama-config is not installed in this environment")
    largest = largest_corpus_file()
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "generated-5000.yaml"
        big.write_text(generate(5000))
        # "Backends (" is in the tree of the first frame
        m = medians(
            {
                "bare": ([sys.executable, "-c", BARE], b"first-frame"),
                "editor": ([exe, "edit", str(largest)], b"Backends ("),
                "big": ([exe, "edit", str(big)], b"Backends ("),
            },
            runs,
        )
    ratio = m["editor"] / m["bare"]
    return [
        f"| `llama-config edit` first frame on `{largest.name}` (largest corpus file), whole process in a pty | {m['editor'] * 1000:.0f} ms "
        f"| bare Textual app with one Static: {m['bare'] * 1000:.0f} ms | {ratio:.2f}x (goal < 1.5x) {'✅' if ratio < 1.5 else '❌'} |",
        f"| `llama-config edit` first frame, generated config with 5,000 providers, whole process in a pty | {m['big']:.2f} s | — | goal < 2.5 s {'✅' if m['big'] < 2.5 else '❌'} |",
    ]


if __name__ == "__main__":
    from run import ensure_bytecode

    ensure_bytecode()
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    print("\n".join(editor_rows(parser.parse_args().runs)))
