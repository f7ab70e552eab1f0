"""On a large file, one rule module runs in a forked process beside the others.

Checking the references of 50,000 providers takes about as long as every other rule together
(a second each on a two-core machine): a one-shot command (validate, set, migrate, ...) gives it
the second core. The child shares the parsed tree with the parent (fork copies a page only
when one of them writes to it), runs that module, sends its diagnostics back pickled through a
pipe and exits; the parent runs the other modules meanwhile and merges the child's reports
where one pass would have made them (Context.merge_reports). When the child fails in any way
(an exception, a signal, a result that does not unpickle) the parent runs the module itself:
the diagnostics are the same either way, only the time differs.

Only in a process that runs one command and holds one thread (the editor's workers must
never be forked), on a platform with fork, and on a file large enough for the fork to pay.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from typing import Callable, Sequence

from .context import Context

Check = Callable[[Context], None]

MIN_TEXT = 1_000_000  # characters (about 5,000 providers): below it the fork costs more than it saves

_allowed = False
forks_started = children_failed = 0  # (for the tests: whether a pass took the second core, and used it)


def allow_for_one_command() -> None:
    """This process runs one command and then exits: validation may fork (see the module)."""
    global _allowed
    _allowed = True


def run_checks(ctx: Context, checks: Sequence[Check], aside: Check) -> None:
    """Run `checks` in order on `ctx`; `aside` (one of them) in a child process when allowed."""
    child = _Child.start(ctx, aside) if _may_fork(ctx) else None
    if child is None:
        for check in checks:
            check(ctx)
        return
    at = len(ctx.diagnostics)
    try:
        for check in checks:
            if check is aside:
                at = len(ctx.diagnostics)
            else:
                check(ctx)
        theirs = child.result()
    finally:
        child.stop()
    if theirs is None:  # the child failed: the same checks here, from a pass's start as there
        global children_failed
        children_failed += 1
        alone = Context(ctx.doc, ctx.env, ctx.strict_env, ctx.release)
        aside(alone)
        theirs = alone.diagnostics
    ctx.merge_reports(at, theirs)


def _may_fork(ctx: Context) -> bool:
    return (
        _allowed and ctx.cache is None and hasattr(os, "fork") and threading.active_count() == 1
        and len(ctx.doc.text) >= MIN_TEXT
    )  # fmt: skip


class _Child:
    def __init__(self, pid: int, reader: int) -> None:
        self.pid, self.reader = pid, reader

    @classmethod
    def start(cls, ctx: Context, aside: Check) -> "_Child | None":
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
                aside(ctx)
                payload = memoryview(pickle.dumps(ctx.diagnostics, protocol=pickle.HIGHEST_PROTOCOL))
                while payload:
                    payload = payload[os.write(writer, payload) :]
                code = 0
            finally:
                os._exit(code)  # (no flush of the parent's buffered output, no atexit)
        os.close(writer)
        forks_started += 1
        return cls(pid, reader)

    def result(self) -> list | None:
        """The child's diagnostics, or None when it did not finish its work."""
        chunks = []
        while chunk := os.read(self.reader, 1 << 20):
            chunks.append(chunk)
        _, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if not (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0):
            return None
        try:
            found = pickle.loads(b"".join(chunks))
        except Exception:  # noqa: BLE001 - a truncated or garbled result: the parent does the work
            return None
        return found if isinstance(found, list) else None

    def stop(self) -> None:
        """Close the pipe; a child still running (the parent's own checks failed) is killed."""
        os.close(self.reader)
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = 0
