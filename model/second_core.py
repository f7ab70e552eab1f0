"""Two pieces of work at once on a large file: one in a forked child process, one here.

A one-shot command (validate, set, migrate, ...) on 50,000 providers spends seconds in work
that splits into independent halves (the references' checks and the other rules; the key
blocks and the new lines of a migration's first and second half of the providers), while the
machine's second core idles. The child shares the parsed tree with the parent (fork copies a
page only when one of them writes to it), computes its half, sends the result back pickled
through a pipe and exits. When the child fails in any way (an exception, a signal, a result
that does not unpickle, no fork on this platform) the parent computes that half itself: the
result is the same either way, only the time differs.

Only in a process that runs one command and holds one thread (the editor's workers must never
be forked), on Linux (macOS's system libraries are not safe to use in a forked child, and
Windows has no fork), and for a text large enough for the fork to pay.
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
    _allowed = True


def may_fork(size: int) -> bool:
    """Whether work on a text of `size` characters goes to both cores."""
    return _allowed and size >= MIN_TEXT and sys.platform.startswith("linux") and threading.active_count() == 1


def on_both_cores(first: Callable[[], A], second: Callable[[], B], size: int) -> tuple[A, B]:
    """(first(), second()): `second` in a forked child while `first` runs here, when may_fork(size).
    `second`'s result must pickle; what it changes in this process's objects stays in the child."""
    global children_failed
    child = _Child.start(second) if may_fork(size) else None
    if child is None:
        return first(), second()
    try:
        ours = first()
        done, theirs = child.result()
    finally:
        child.stop()
    if not done:
        children_failed += 1
        theirs = second()
    return ours, theirs


class _Child:
    def __init__(self, pid: int, reader: int) -> None:
        self.pid, self.reader = pid, reader

    @classmethod
    def start(cls, work: Callable[[], Any]) -> "_Child | None":
        global forks_started
        reader, writer = os.pipe()
        try:
            pid = os.fork()
        except OSError:  # (no memory or process left for it: the parent does the work)
            os.close(reader)
            os.close(writer)
            return None
        if pid == 0:  # the child: never returns
            os.close(reader)
            code = 1
            try:
                signal.signal(signal.SIGINT, signal.SIG_DFL)  # (Ctrl-C ends it at once; the parent reports)
                payload = memoryview(pickle.dumps(work(), protocol=pickle.HIGHEST_PROTOCOL))
                while payload:
                    payload = payload[os.write(writer, payload) :]
                code = 0
            finally:
                os._exit(code)  # (no flush of the parent's buffered output, no atexit)
        os.close(writer)
        forks_started += 1
        return cls(pid, reader)

    def result(self) -> tuple[bool, Any]:
        """(True, the child's result), or (False, None) when it did not finish its work."""
        chunks = []
        while chunk := os.read(self.reader, 1 << 20):
            chunks.append(chunk)
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
            return False, None
        try:
            return True, pickle.loads(b"".join(chunks))
        except Exception:  # noqa: BLE001 - a truncated or garbled result: the parent does the work
            return False, None

    def stop(self) -> None:
        """Close the pipe; a child still running (the parent's own work failed) is killed."""
        os.close(self.reader)
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = 0
