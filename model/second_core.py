"""Two pieces of work at once on a large file: one in a forked child process, one here.

A one-shot command (validate, set, migrate, ...) on 50,000 providers spends seconds in work
that splits into independent halves (the references' checks and the other rules; the key
blocks and the new lines of a migration's first and second half of the providers; the labels
of the first and second half of `show`'s lines), while the machine's second core idles. The
child shares the parsed tree with the parent (fork copies a page only when one of them
writes to it), computes its half, sends the result back pickled through a pipe and exits.
When the child fails in any way (an exception, a result that does not pickle or unpickle, a
signal, the memory killer, which is told to take it first) the parent computes that half
itself: the result is the same either way, only the time differs (LLAMA_CONFIG_DEBUG=1 says
when it happens).

Only in a process that runs one command (console_main allows it; the editor never does), holds
one thread, runs on Linux (macOS's system libraries are not safe to use in a forked child,
and Windows has no fork), and works on a text large enough for the fork to pay.
LLAMA_CONFIG_ONE_CORE=1 keeps all the work in one process.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from typing import Any, Callable, TypeVar

A = TypeVar("A")
B = TypeVar("B")

MIN_TEXT = 1_000_000  # characters (about 5,000 providers): below it the fork costs more than it saves

_allowed = False
forks_started = children_failed = 0  # (for the tests: whether work took the second core, and used it)


def allow_for_one_command() -> None:
    """This process runs one command and then exits: work may fork (see the module)."""
    global _allowed
    _allowed = not os.environ.get("LLAMA_CONFIG_ONE_CORE")


def may_fork(size: int) -> bool:
    """Whether work on a text of `size` characters goes to both cores."""
    return _allowed and size >= MIN_TEXT and sys.platform.startswith("linux") and threading.active_count() == 1


def on_both_cores(first: Callable[[], A], second: Callable[[], B], size: int) -> tuple[A, B]:
    """(first(), second()): `second` in a forked child while `first` runs here, when
    may_fork(size). What `second` changes in this process's objects stays in the child; a result
    of it that does not pickle makes the parent compute it again."""
    global children_failed
    child = _Child.start(second) if may_fork(size) else None
    if child is None:
        return first(), second()
    try:
        child.let_interrupts_in()
        ours = first()
        done, theirs = child.result()
    finally:
        child.stop()
    if not done:
        children_failed += 1
        if os.environ.get("LLAMA_CONFIG_DEBUG"):
            print(f"llama-config: the second core's half failed ({child.failure}); doing it here", file=sys.stderr)
        theirs = second()
    return ours, theirs


class _Child:
    def __init__(self, pid: int, reader: int, mask: set) -> None:
        self.pid, self.reader, self.mask = pid, reader, mask
        self.failure = ""

    @classmethod
    def start(cls, work: Callable[[], Any]) -> "_Child | None":
        """The child at work, or None when none could be made. Ctrl-C is held back in the
        parent until let_interrupts_in (inside the block that stops the child whatever
        happens); the child dies of it."""
        global forks_started
        try:
            reader, writer = os.pipe()
        except OSError:  # (no descriptor left: the parent does the work)
            return None
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            pid = os.fork()
        except OSError:  # (no memory or process left for it)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            os.close(reader)
            os.close(writer)
            return None
        if pid == 0:
            cls._run(work, reader, writer, mask)  # never returns
        os.close(writer)
        forks_started += 1
        return cls(pid, reader, mask)

    @staticmethod
    def _run(work: Callable[[], Any], reader: int, writer: int, mask: set) -> None:
        code = 1  # (Ctrl-C is blocked until the try below: nothing raises before it)
        try:
            os.close(reader)
            try:
                with open("/proc/self/oom_score_adj", "w") as adj:  # out of memory: this process goes first
                    adj.write("1000")
            except OSError:
                pass
            if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
                signal.signal(signal.SIGINT, signal.SIG_DFL)  # (Ctrl-C ends it at once; the parent reports)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            payload = memoryview(pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL))
            while payload:
                payload = payload[os.write(writer, payload) :]
            code = 0
        finally:
            os._exit(code)  # (no flush of the parent's buffered output, no atexit, never back to the caller)

    def let_interrupts_in(self) -> None:
        signal.pthread_sigmask(signal.SIG_SETMASK, self.mask)

    def result(self) -> tuple[bool, Any]:
        """(True, the child's result), or (False, None) when it did not finish its work."""
        chunks = []
        while chunk := os.read(self.reader, 1 << 20):
            chunks.append(chunk)
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
            self.failure = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit status {os.WEXITSTATUS(status)}"
            return False, None
        try:
            return True, pickle.loads(b"".join(chunks))
        except Exception as exc:  # noqa: BLE001 - a truncated or garbled result: the parent does the work
            self.failure = f"its result did not unpickle: {exc}"
            return False, None

    def stop(self) -> None:
        """Close the pipe; a child still running (the parent's own work failed) is killed."""
        self.let_interrupts_in()  # (also when the block was left before it let them in)
        os.close(self.reader)
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = 0
