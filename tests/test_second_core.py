"""Work on both cores (model/second_core.py): validation with the references checked in a
forked child gives exactly the diagnostics of one pass in one process, in the same order;
when the child fails in any way the parent does its work. The size threshold is lowered so
that small files take the fork path; the files are the corpus and the hand-written ones.
A migration's two halves give the text of one."""

from __future__ import annotations

import os
import pickle
import signal
import threading
from pathlib import Path

import pytest

from llama_config.model.diagnostics import Diagnostic
from llama_config.model.document import Document
from llama_config.model.envvars import Environment
from llama_config.model.errors import ConfigFileError
from llama_config.model.migration import MigrationError, migrate, needs_migration, report_lines
from llama_config.model.releases import load_release
from llama_config.model import second_core
from llama_config.model.validation import validate
from llama_config.model.validation.context import Context

HERE = Path(__file__).parent
FILES = sorted(p for folder in ("corpus", "files") for p in (HERE / folder).rglob("*.yaml"))
ENV = Environment(environ={"HOME": "/home/op"})


def _documents() -> list[tuple[Path, Document]]:
    docs = []
    for path in FILES:
        try:
            docs.append((path, Document.load(path)))
        except ConfigFileError:
            pass  # (files that do not load are other tests' business)
    return docs


LOADED, DOCS = (list(column) for column in zip(*_documents()))


def _serial(doc: Document) -> list[Diagnostic]:
    """One pass in this process (forking allowed or not)."""
    allowed, second_core._allowed = second_core._allowed, False
    try:
        return validate(doc, ENV)
    finally:
        second_core._allowed = allowed


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch):
    """Forking allowed, for files of any size; yields a function giving (the forks, the
    children that failed) since."""
    monkeypatch.setattr(second_core, "_allowed", True)
    monkeypatch.setattr(second_core, "MIN_TEXT", 0)
    forks, failed = second_core.forks_started, second_core.children_failed
    return lambda: (second_core.forks_started - forks, second_core.children_failed - failed)


def test_the_files_load() -> None:
    assert len(DOCS) > 120


def test_a_forked_pass_equals_one_pass(forking) -> None:
    expected = [_serial(doc) for doc in DOCS]
    assert forking() == (0, 0)
    got = [validate(doc, ENV) for doc in DOCS]
    assert forking() == (len(DOCS), 0)  # (every child's result was used)
    assert got == expected
    assert any(d.code in ("unknown-backend", "wrong-family", "legacy-inline-store", "backend-unused") for found in got for d in found)


def _migrated(path: Path) -> tuple[str, list[str], bool] | str:
    """The migrated text, the report and whether store configs moved; or the error that refused it."""
    doc = Document.load(path)
    try:
        migration = migrate(doc, load_release("0.3"))
    except MigrationError as exc:
        return str(exc)
    return doc.text, report_lines(migration, path.name, set()), bool(migration.plan.places)


def test_a_migration_on_both_cores_equals_one_on_one(forking) -> None:
    old = [path for path, doc in zip(LOADED, DOCS) if needs_migration(doc)]
    assert len(old) > 20
    allowed, second_core._allowed = second_core._allowed, False
    expected = [_migrated(path) for path in old]
    second_core._allowed = allowed
    assert forking() == (0, 0)
    assert [_migrated(path) for path in old] == expected
    moved = sum(1 for found in expected if not isinstance(found, str) and found[2])
    forks, failed = forking()
    assert moved > 10 and forks >= 2 * moved and failed == 0  # (key blocks and new lines, at least, on both cores)


class _Broken:
    """Stands for the pickle module in the child (only the child pickles): how it fails."""

    def __init__(self, how: str) -> None:
        self.how = how

    def dumps(self, value, protocol=None) -> bytes:
        if self.how == "raises":
            raise RuntimeError("child failed")
        if self.how == "killed":
            os.kill(os.getpid(), signal.SIGKILL)
        return b"\x80\x05not a pickle"  # garbled

    loads = staticmethod(pickle.loads)


@pytest.mark.parametrize("how", ["raises", "killed", "garbled"])
def test_a_failed_child_leaves_the_work_to_the_parent(forking, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    docs = [doc for doc in DOCS if any(d.code == "unknown-backend" for d in _serial(doc))][:3] + DOCS[:3]
    expected = [_serial(doc) for doc in docs]
    monkeypatch.setattr(second_core, "pickle", _Broken(how))
    assert [validate(doc, ENV) for doc in docs] == expected
    assert forking() == (len(docs), len(docs))


def test_no_fork_beside_other_threads(forking) -> None:
    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        validate(DOCS[0], ENV)
    finally:
        stop.set()
        worker.join()
    assert forking() == (0, 0)


def test_both_halves_come_back(forking) -> None:
    big = list(range(100_000))  # (a result larger than a pipe holds)
    assert second_core.on_both_cores(lambda: "here", lambda: big, 0) == ("here", big)
    assert forking() == (1, 0)


def test_what_the_child_changes_stays_there(forking) -> None:
    seen: list[str] = []
    assert second_core.on_both_cores(lambda: seen.append("first"), lambda: seen.append("second"), 0) == (None, None)
    assert seen == ["first"]


def test_a_failure_here_stops_the_child(forking) -> None:
    def fails() -> None:
        raise ValueError("the parent's half failed")

    with pytest.raises(ValueError, match="parent's half"):
        second_core.on_both_cores(fails, lambda: threading.Event().wait(60), 0)
    with pytest.raises(ChildProcessError):  # (killed and reaped: no child left)
        os.waitpid(-1, os.WNOHANG)


def test_a_failure_in_both_is_raised_here(forking) -> None:
    def fails() -> None:
        raise ValueError("the second half failed")

    with pytest.raises(ValueError, match="second half"):
        second_core.on_both_cores(lambda: None, fails, 0)
    assert forking() == (1, 1)


def test_validate_alone_does_not_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(second_core, "MIN_TEXT", 0)  # (a command allows it: console_main)
    start = second_core.forks_started
    validate(DOCS[0], ENV)
    assert second_core.forks_started == start


def test_no_fork_below_the_size(forking, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(second_core, "MIN_TEXT", len(DOCS[0].text) + 1)
    validate(DOCS[0], ENV)
    assert forking() == (0, 0)


def test_no_fork_for_an_editing_session(forking) -> None:
    from llama_config.model.validation import PassCache

    validate(DOCS[0], ENV, cache=PassCache())
    assert forking() == (0, 0)


def test_merge_keeps_the_order_of_one_pass_and_drops_repeats() -> None:
    doc = Document("version: 2\n")
    ctx = Context(doc, ENV, False, None)

    def report(code: str, message: str) -> Diagnostic:
        return Diagnostic("error", code, ("x",), 1, 1, message)

    before, repeat, after = report("a", "first"), report("b", "both"), report("c", "last")
    ctx.diagnostics[:] = [before, repeat, after]  # `repeat` reported after the aside module's place
    theirs = [report("d", "theirs"), report("a", "first"), report("b", "both")]
    ctx.merge_reports(1, theirs)
    # theirs go at index 1; their copy of `before` repeats an earlier report (dropped), and the
    # parent's `repeat` now follows their copy of it (dropped: one pass would not report it again)
    assert ctx.diagnostics == [before, theirs[0], theirs[2], after]
