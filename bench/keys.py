"""Key press to screen updated, in the editor, in a real terminal.

Each scenario runs `llama-config edit FILE` as an operator does, in a pseudo-terminal of
120x40, and sends keys as a terminal would. A cursor move is timed from writing the key's bytes
to the new node's form heading appearing on the terminal (the detail pane updated; the headings
are read in process first); an edit, undo, redo or rename to the last byte the editor writes
before it goes quiet (nothing more for QUIET seconds): the whole update, tree, form, problems
and footer, as drawn on the terminal. Between two measured keys the
editor is left to go quiet (a toast fading out counts as its own output, so after an edit it is
waited out), so no key waits for another's work.

The baseline, measured in the same run and interleaved, is a bare Textual app of one Tree and
one Static that the highlighted node's label is written into: the least a key press to a redrawn
screen costs in Textual on this machine.

    python bench/keys.py [--runs N]
"""

from __future__ import annotations

import argparse
import atexit
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

MARKER_WAIT = 2.0  # how long output may pause before a form heading that never comes counts as missed
QUIET = 0.25  # seconds with no output that end an update (the input cursor blinks every 0.5 s)
TOAST = 3.3  # a toast's life (3 s) and its fade: waited out after a key that shows one
RENAME_TOAST = 5.3
DOWN, UP, RIGHT, ENTER, END = b"\x1b[B", b"\x1b[A", b"\x1b[C", b"\r", b"\x1b[F"
CTRL_Z, CTRL_Y, ESCAPE = b"\x1a", b"\x19", b"\x1b"

BARE = """
from textual.app import App
from textual.widgets import Static, Tree
from textual.containers import Horizontal

class Bare(App):
    CSS = "Tree { width: 40; } #detail { width: 1fr; }"

    def compose(self):
        tree = Tree("root")
        tree.root.expand()
        for group in range(6):
            node = tree.root.add(f"group {group}", expand=True)
            for leaf in range(6):
                node.add_leaf(f"leaf {group}.{leaf}")
        with Horizontal():
            yield tree
            yield Static("first-frame", id="detail")

    def on_mount(self):
        self.query_one(Tree).focus()

    def on_tree_node_highlighted(self, event):
        self.query_one("#detail", Static).update(f"selected {event.node.label}")

Bare().run()
"""


MISSES: list[bool] = []  # per marked key: its marker never seen (the settled time counted instead)
LIVE: set["Terminal"] = set()  # closed at exit, even when the bench is killed (an orphaned editor spins)


class Terminal:
    """One process on a pseudo-terminal; `press` times a key to the screen gone quiet."""

    def __init__(self, cmd: list[str], marker: bytes, cwd: Path, size: tuple[int, int] = (120, 40)) -> None:
        LIVE.add(self)
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(size[0]), "LINES": str(size[1])}
        self.proc = subprocess.Popen(cmd, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd, start_new_session=True)
        os.close(slave)
        seen = b""
        deadline = time.perf_counter() + 60
        while marker not in seen:
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{cmd} showed no first frame: {seen[-300:]!r}")
            seen += self._read(0.5)
        self.quiet(1.5)  # the first validation runs after the first frame

    def _read(self, timeout: float) -> bytes:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if not ready:
            return b""
        try:
            return os.read(self.master, 1 << 16)
        except OSError:
            raise RuntimeError("the editor exited") from None

    def quiet(self, seconds: float = QUIET) -> None:
        """Read until nothing comes for `seconds`."""
        while self._read(seconds):
            pass

    def drain(self, seconds: float) -> None:
        """Read and drop whatever comes for `seconds` (an input's cursor blinks meanwhile)."""
        end = time.perf_counter() + seconds
        while (left := end - time.perf_counter()) > 0:
            self._read(left)

    def press(self, key: bytes, settle: float = 0.0, timeout: float = 20.0, marker: bytes | None = None) -> float:
        """Seconds from sending `key` to the last byte of the update it causes, or (with
        `marker`) to the moment `marker` is on the terminal: the form's heading drawn."""
        self.quiet(0.05)
        start = time.perf_counter()
        os.write(self.master, key)
        last = seen_at = None
        seen = b""
        while True:
            if last is None:
                wait = timeout
            elif marker is not None and seen_at is None:
                wait = MARKER_WAIT  # the form may come after a pause in the output
            else:
                wait = QUIET
            chunk = self._read(wait)
            if not chunk:
                break
            last = time.perf_counter()
            if marker is not None and seen_at is None:
                seen += chunk
                if marker in seen:
                    seen_at = last
        if last is None:
            raise RuntimeError(f"no update after {key!r}")
        if settle:
            self.drain(settle)
        if marker is not None:
            MISSES.append(seen_at is None)
            return (seen_at or last) - start
        return last - start

    def type(self, text: bytes) -> None:
        """Send keys without timing them (each one still drawn before the next). An escape
        sequence (End: ESC [ F) goes in one write: sent byte by byte, a pause after ESC reads
        as the Escape key, and the rest lands in the tree as keys of its own."""
        keys = [text] if text.startswith(b"\x1b") else [bytes([byte]) for byte in text]
        for key in keys:
            os.write(self.master, key)
            self.quiet(0.08)
        self.quiet()

    def close(self) -> None:
        if self not in LIVE:
            return
        LIVE.discard(self)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        os.close(self.master)


def _close_all(*_: object) -> None:
    for term in list(LIVE):
        term.close()


atexit.register(_close_all)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the finally blocks and atexit run


def editor_exe() -> str:
    exe = shutil.which("llama-config", path=str(Path(sys.executable).parent)) or shutil.which("llama-config")
    if not exe:
        sys.exit("llama-config is not installed in this environment")
    return exe


Line = tuple[str, tuple]  # a tree line: its node's (kind, path)


def tree_lines(path: Path, open_api: str = "inference") -> tuple[list[Line], list[Line], dict[tuple, bytes]]:
    """(kind, path) of each tree line as the editor opens `path`, the same with the API group
    `open_api` opened (its providers, each followed by its registered models), and the heading
    of each node's form, found in process, so the keys sent below land where they are meant to
    and the clock stops when that form's heading is drawn."""
    import asyncio

    from llama_config.model.envvars import Environment
    from llama_config.tui.app import ConfigEditorApp

    async def walk() -> tuple[list[Line], list[Line], dict[tuple, bytes]]:
        app = ConfigEditorApp(str(path), Environment(environ={}))
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            lines = [(line.node.data.kind, line.node.data.path) for line in app.tree._tree_lines]  # noqa: SLF001
            for node in app.tree._tree_lines:  # noqa: SLF001
                if node.node.data.kind == "api" and node.node.data.path[1] == open_api:
                    app.tree._fill_api(node.node)  # noqa: SLF001
                    node.node.expand()
            await pilot.pause()
            opened = [(line.node.data.kind, line.node.data.path) for line in app.tree._tree_lines]  # noqa: SLF001
            headings: dict[tuple, bytes] = {}
            tree_text = "\n".join(line.node.label.plain for line in app.tree._tree_lines)  # noqa: SLF001
            for line in list(app.tree._tree_lines):  # noqa: SLF001
                ref = line.node.data
                app.detail.show(ref)
                await pilot.pause()
                content = app.detail.query(".detail-title").first().content
                title, _, subtitle = str(getattr(content, "plain", content)).partition("  ")
                # a title the tree shows too (Stores) would be seen when the tree redraws: the
                # subtitle then, unless the tree has that too (no marker: the settled time)
                marker = next((m for m in (title, subtitle[:30]) if m and m not in tree_text), None)
                if marker:
                    headings[(ref.kind, ref.path)] = marker.encode()
            return lines, opened, headings

    return asyncio.run(walk())


def cursor_times(term: Terminal, lines: list[tuple[str, tuple]], headings: dict[tuple, bytes], steps: int) -> list[float]:
    """Down through the tree, then Up back: each key timed to the next node's form heading drawn."""
    times = [term.press(DOWN, marker=headings.get(lines[i + 1])) for i in range(steps)]
    times += [term.press(UP, marker=headings.get(lines[i - 1])) for i in range(steps, 0, -1)]
    return times


def provider_form_times(term: Terminal, opened: list[Line], headings: dict[tuple, bytes], api: str) -> list[float]:
    """From the API group, Right opens it; Down walks its lines (providers, each followed by its
    models) and Up back; each key onto a provider is timed to its form's heading drawn."""
    group = next(i for i, (kind, path) in enumerate(opened) if kind == "api" and path[1] == api)
    end = next((i for i in range(group + 1, len(opened)) if opened[i][0] == "api"), len(opened))
    for _ in range(group):
        term.press(DOWN)
    term.press(RIGHT)
    times = []
    for key, target in [(DOWN, i) for i in range(group + 1, end)] + [(UP, i) for i in range(end - 2, group, -1)]:
        line = opened[target]
        took = term.press(key, marker=headings.get(line))
        if line[0] == "provider":
            times.append(took)
    return times


def edit_times(term: Terminal, field: bytes, runs: int) -> dict[str, list[float]]:
    """Per run: search for a field and jump to it, one character more and Enter (an edit),
    then from the tree (escape) ctrl+z (undo) and ctrl+y (redo)."""
    out: dict[str, list[float]] = {"edit": [], "undo": [], "redo": []}
    for _ in range(runs):
        term.type(b"/")
        term.type(field)
        term.press(ENTER, settle=0.5)
        term.type(END)
        term.type(b"x")
        out["edit"].append(term.press(ENTER, settle=TOAST))
        term.press(ESCAPE, settle=0.5)
        out["undo"].append(term.press(CTRL_Z, settle=TOAST))
        out["redo"].append(term.press(CTRL_Y, settle=TOAST))
    return out


def rename_times(term: Terminal, name: str, runs: int) -> list[float]:
    """Jump to backend `name` and rename it (every reference follows), then back, and so on:
    from Enter in the rename dialog to the screen updated."""
    term.type(b"/")
    term.type(name.encode())
    term.press(ENTER, settle=0.5)
    term.press(ESCAPE, settle=0.5)  # the jump focuses the form: back to the tree, on the backend
    times = []
    for run in range(runs):
        new = f"{name}_2" if run % 2 == 0 else name
        term.type(b"r")
        term.type(new.encode())  # the dialog's input starts with the old name selected
        times.append(term.press(ENTER, settle=RENAME_TOAST))
    return times


def bare_times(cwd: Path, steps: int) -> list[float]:
    """The bare app's Down/Up, each timed to the Static showing the next node ("selected …")."""
    labels = ["root"] + [label for group in range(6) for label in [f"group {group}"] + [f"leaf {group}.{leaf}" for leaf in range(6)]]
    term = Terminal([sys.executable, "-c", BARE], b"first-frame", cwd)
    try:
        times = [term.press(DOWN, marker=f"selected {labels[i + 1]}".encode()) for i in range(steps)]
        times += [term.press(UP, marker=f"selected {labels[i - 1]}".encode()) for i in range(steps, 0, -1)]
        return times
    finally:
        term.close()


def most_referenced(path: Path) -> tuple[str, int]:
    """The backend the most references point at, and how many."""
    from collections import Counter

    from llama_config.model.document import Document
    from llama_config.model.references import find_references

    counts = Counter(r.backend for r in find_references(Document.load(str(path)).data) if isinstance(r.backend, str))
    return counts.most_common(1)[0]


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def key_rows(runs: int) -> list[str]:
    from run import largest_corpus_file

    exe = editor_exe()
    target = largest_corpus_file()
    lines, opened, headings = tree_lines(target)
    top_level = len(lines) - 1
    inference = [p for kind, p in lines if kind == "api" and p[1] == "inference"]
    results: dict[str, list[float]] = {"bare": [], "cursor": [], "form": [], "edit": [], "undo": [], "redo": [], "edit_5k": [], "rename": []}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        big = work / "5000-providers.yaml"
        big.write_text(generate(5000), encoding="utf-8")
        for _ in range(runs):
            results["bare"] += bare_times(work, top_level)
            copy = work / target.name
            shutil.copyfile(target, copy)
            term = Terminal([exe, "edit", str(copy)], b"Storage", work)
            try:
                results["cursor"] += cursor_times(term, lines, headings, top_level)
            finally:
                term.close()
            if inference:
                term = Terminal([exe, "edit", str(copy)], b"Storage", work)
                try:
                    results["form"] += provider_form_times(term, opened, headings, "inference")
                finally:
                    term.close()
        term = Terminal([exe, "edit", str(copy)], b"Storage", work)
        try:
            backend, count = most_referenced(copy)
            results["rename"] += rename_times(term, backend, max(9, 3 * runs))  # (the first rename in a session loads its code: 3 samples made it the median)
        finally:
            term.close()
        for name, file in (("", copy), ("_5k", big)):
            term = Terminal([exe, "edit", str(file)], b"Storage", work)
            try:
                times = edit_times(term, b"db_path", max(3, runs))
                results["edit" + name] += times["edit"]
                if not name:
                    results["undo"] += times["undo"]
                    results["redo"] += times["redo"]
            finally:
                term.close()
    bare = median_ms(results["bare"])
    rows = [f"| key press to the next node shown, bare Textual (Tree + a Static showing the node) | {bare:.0f} ms | baseline | — |"]

    def row(label: str, key: str, goal: float) -> str:
        value = median_ms(results[key])
        return f"| {label} | {value:.0f} ms | {value / bare:.1f}x the bare app | goal < {goal:.0f} ms {'✅' if value < goal else '❌'} |"

    rows.append(row(f"tree cursor, Down/Up over `{target.name}` ({len(results['cursor'])} keys), to the node's form drawn", "cursor", 50))
    if results["form"]:
        rows.append(row("provider form drawn, Down onto a provider", "form", 50))
    if any(MISSES):
        rows.append(f"| (of {len(MISSES)} keys timed to a form's heading, {sum(MISSES)} never showed it and count to the screen gone quiet) | | | |")
    rows.append(row("edit one value (Enter), to the screen gone quiet: tree, form and problems redrawn", "edit", 100))
    rows.append(row("undo one step (ctrl+z)", "undo", 50))
    rows.append(row("redo one step (ctrl+y)", "redo", 50))
    rows.append(row(f"rename a backend, {count} references follow (Enter in the dialog)", "rename", 100))
    rows.append(row("edit one value with 5,000 providers", "edit_5k", 300))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print("\n".join(key_rows(args.runs)))


if __name__ == "__main__":
    main()
