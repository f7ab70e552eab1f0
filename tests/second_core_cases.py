"""Work on both cores (model/second_core.py), run by tests/test_second_core.py in a process of
one thread (as a command's is: work forks only there). Validation with the references checked
in a forked child gives exactly the diagnostics of one pass in one process, in the same order;
when the child fails in any way the parent does its work. The size threshold is lowered so
that small files take the fork path; the files are the corpus and the hand-written ones. A
migration's two halves give the text of one, and `show`'s two halves the lines of one."""

from __future__ import annotations

import io
import os
import pickle
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from rich.console import Console

from llama_config.model.diagnostics import Diagnostic
from llama_config.model.document import Document
from llama_config.model.envvars import Environment
from llama_config.model.errors import ConfigFileError
from llama_config.model.migration import MigrationError, migrate, needs_migration, report_lines
from llama_config.model.releases import load_release
from llama_config.model.releases.detect import release_of
from llama_config.model import second_core
from llama_config.model.validation import _run_checks, validate
from llama_config.model.validation.context import Context
from llama_config.tui.commands.show import build_tree, print_tree

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
    assert threading.active_count() == 1, "a thread left running by another test: nothing would fork"
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


def _shown(doc: Document) -> str:
    out = io.StringIO()
    for tree in build_tree(doc, "run.yaml", ENV):
        print_tree(tree, Console(file=out, highlight=False), len(doc.text))
    return out.getvalue()


def test_show_on_both_cores_prints_what_one_core_prints(forking) -> None:
    allowed, second_core._allowed = second_core._allowed, False
    expected = [_shown(doc) for doc in DOCS]
    second_core._allowed = allowed
    assert forking() == (0, 0)
    assert [_shown(doc) for doc in DOCS] == expected
    assert forking() == (len(DOCS), 0)
    assert any(text.count("\n") > 40 for text in expected)


def _reports(doc: Document) -> tuple[list[Diagnostic], list[tuple]]:
    """The diagnostics of one pass in the order the rule modules made them (validate sorts them)."""
    ctx = Context(doc, ENV, False, release_of(doc.data, None))
    _run_checks(ctx)
    return ctx.diagnostics, ctx.markers


def test_the_reports_stand_where_one_pass_makes_them(forking) -> None:
    allowed, second_core._allowed = second_core._allowed, False
    expected = [_reports(doc) for doc in DOCS]
    second_core._allowed = allowed
    assert [_reports(doc) for doc in DOCS] == expected
    assert forking() == (len(DOCS), 0)


MIXED = (  # three store configs: the child's half holds one written as {...}, which needs tree edits
    "version: 2\nproviders:\n  vector_io:\n"
    + "".join(f"  - provider_id: {p}\n    provider_type: inline::faiss\n    config:\n      kvstore:\n        type: sqlite\n"
              f"        db_path: ${{env.D:/d}}/{p}.db\n" for p in "ab")
    + "  - {provider_id: c, provider_type: 'inline::faiss', config: {kvstore: {type: sqlite, db_path: '${env.D:/d}/c.db', namespace: n}}}\n"
)  # fmt: skip


def test_a_migration_that_needs_tree_edits_in_the_childs_half(forking, tmp_path: Path) -> None:
    (tmp_path / "old.yaml").write_text(MIXED)
    allowed, second_core._allowed = second_core._allowed, False
    expected = _migrated(tmp_path / "old.yaml")
    second_core._allowed = allowed
    assert not isinstance(expected, str) and expected[2]
    assert _migrated(tmp_path / "old.yaml") == expected
    assert forking()[0] >= 1


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
    HIGHEST_PROTOCOL = pickle.HIGHEST_PROTOCOL


@pytest.mark.parametrize(("how", "said"), [("raises", "exit status 1"), ("killed", "signal 9"), ("garbled", "its result did not unpickle")])
def test_a_failed_child_leaves_the_work_to_the_parent(forking, monkeypatch: pytest.MonkeyPatch, capsys, how: str, said: str) -> None:
    docs = [doc for doc in DOCS if any(d.code == "unknown-backend" for d in _serial(doc))][:3] + DOCS[:3]
    expected = [_serial(doc) for doc in docs]
    monkeypatch.setattr(second_core, "pickle", _Broken(how))
    assert [validate(doc, ENV) for doc in docs] == expected
    assert forking() == (len(docs), len(docs))
    assert capsys.readouterr().err == ""  # (said only when asked)
    monkeypatch.setenv("LLAMA_CONFIG_DEBUG", "1")
    validate(docs[0], ENV)
    assert f"the second core's half failed ({said}" in capsys.readouterr().err


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


def test_a_failure_here_stops_the_child(forking, monkeypatch: pytest.MonkeyPatch) -> None:
    kills: list[tuple[int, int]] = []
    real_kill = os.kill
    monkeypatch.setattr(second_core.os, "kill", lambda pid, sig: (kills.append((pid, sig)), real_kill(pid, sig)))

    def fails() -> None:
        raise ValueError("the parent's half failed")

    with pytest.raises(ValueError, match="parent's half"):
        second_core.on_both_cores(fails, lambda: threading.Event().wait(600), 0)
    ((pid, sig),) = kills
    assert sig == signal.SIGKILL
    with pytest.raises(ChildProcessError):  # (and reaped)
        os.waitpid(pid, os.WNOHANG)


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


def test_merge_keeps_the_order_of_one_pass_and_drops_repeats_as_add_does() -> None:
    doc = Document("version: 2\n")
    ours, theirs = Context(doc, ENV, False, None), Context(doc, ENV, False, None)
    for code, message in [("a", "first"), ("b", "both"), ("c", "postgres://u:pw1@h"), ("c", "postgres://u:pw2@h")]:
        ours.add("error", code, ("x",), message)
    for code, message in [("d", "theirs"), ("a", "first"), ("b", "both")]:
        theirs.add("error", code, ("x",), message)
    first, both, pw1, pw2 = ours.diagnostics
    assert pw1 == pw2  # (the passwords are masked: told apart by what was reported, as add does)
    ours.merge_reports(1, theirs.diagnostics, theirs.markers)  # (the references' place: after "first")
    # their "first" repeats a report made before theirs (dropped); our "both" now follows their
    # copy of it (dropped: one pass would not report it again); both URLs stay
    assert ours.diagnostics == [first, theirs.diagnostics[0], theirs.diagnostics[2], pw1, pw2]
    assert len(ours.markers) == len(ours.diagnostics)


def _one_command(tmp_path: Path, script: str, *args: str, **env: str) -> str:
    """What a process that starts as the llama-config program does says on stderr (`script`
    runs after console_main has set the process up, in place of the command)."""
    code = (
        "import sys\n"
        "from llama_config.tui import cli\n"
        "from llama_config.model import second_core\n"
        "def run(args):\n" + "".join(f"    {line}\n" for line in script.splitlines()) + "    return 0\n"
        "cli.main = lambda: run(None)\n"
        "sys.argv = ['llama-config', *sys.argv[1:]]\n"
        "cli.console_main()\n"
    )
    found = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env={**os.environ, **env}, cwd=tmp_path, timeout=120)
    assert found.returncode == 0, found.stderr
    return found.stdout + found.stderr


def test_a_one_shot_command_may_fork_and_the_editor_may_not(tmp_path: Path) -> None:
    assert second_core._allowed is False  # (importing it allows nothing)
    said = "print('allowed', second_core._allowed, file=sys.stderr)"
    assert "allowed True" in _one_command(tmp_path, said, "validate", "x.yaml")
    assert "allowed False" in _one_command(tmp_path, said, "validate", "x.yaml", LLAMA_CONFIG_ONE_CORE="1")
    assert "allowed False" in _one_command(tmp_path, said, "edit", "x.yaml")

