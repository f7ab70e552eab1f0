"""EditSession.reload_and_replay (model.replay): the operator's steps are operations, replayed
on the file as another program left it; those that no longer apply are reported, and one undo
step goes back to before the reload."""

from __future__ import annotations

from pathlib import Path

from llama_config.model.envvars import Environment
from llama_config.model.replay import changed_paths
from llama_config.model.session import EditSession

CONFIG = """\
version: 2
image_name: acme
storage:
  backends:
    kv_default:
      type: kv_sqlite
      db_path: ./kv.db
  stores:
    metadata: {backend: kv_default, namespace: registry}
server:
  port: 8321
"""


def _session(tmp_path: Path) -> tuple[EditSession, Path]:
    path = tmp_path / "run.yaml"
    path.write_text(CONFIG)
    return EditSession.open(str(path), Environment(environ={})), path


def test_a_rename_replayed_also_renames_the_references_they_added(tmp_path: Path) -> None:
    session, path = _session(tmp_path)
    session.rename_backend("kv_default", "kv_main")
    session.set_value(("server", "port"), 8322)
    ours = session.doc.text
    path.write_text(CONFIG.replace("  stores:\n", "  stores:\n    prompts: {backend: kv_default, namespace: prompts}\n"))
    assert session.changed_on_disk()
    report = session.reload_and_replay()
    assert report.applied == ["rename backend kv_default to kv_main", "set server.port"] and report.skipped == []
    assert session.doc.value_at(("storage", "stores", "prompts", "backend")) == "kv_main"
    assert session.doc.value_at(("server", "port")) == 8322
    assert session.undo() == "reload from disk and re-apply 2 edits"
    assert session.doc.text == ours


def test_a_step_on_a_path_they_changed_too_is_reported_not_applied(tmp_path: Path) -> None:
    session, path = _session(tmp_path)
    session.set_value(("server", "port"), 8322)
    session.set_value(("image_name",), "ours")
    path.write_text(CONFIG.replace("port: 8321", "port: 9000").replace("image_name: acme", "image_name: ours"))
    report = session.reload_and_replay()
    assert report.skipped == [
        ("set server.port", "server.port was changed on disk too"),
        ("set image_name", "the file on disk already has this change"),
    ]
    assert session.doc.value_at(("server", "port")) == 9000 and not session.modified


def test_after_a_save_only_later_steps_replay_and_undo_past_it_cannot(tmp_path: Path) -> None:
    session, path = _session(tmp_path)
    session.set_value(("server", "port"), 8322)
    session.save()
    assert session.edits_since_load == 0 and session.can_replay
    session.set_value(("image_name",), "ours")
    assert session.edits_since_load == 1
    session.undo()
    session.undo()  # past the save: no operations lead from the file to this text
    assert not session.can_replay


def test_changed_paths_are_innermost_and_a_resized_list_changes_whole() -> None:
    before = {"a": {"b": 1, "c": [1, 2]}, "d": [1]}
    after = {"a": {"b": 2, "c": [1, 3]}, "d": [1, 2], "e": 0}
    assert sorted(changed_paths(before, after), key=str) == [("a", "b"), ("a", "c", 1), ("d",), ("e",)]
