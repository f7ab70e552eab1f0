"""Many inputs: files, directories and `-` (model.inputs.read_inputs, and the commands over them)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from llama_config.model.inputs import NOT_A_RUN_CONFIG, STDIN_LABEL, Source, looks_like_run_config, read_inputs
from tests.conftest import MINIMAL_CONFIG

BAD = MINIMAL_CONFIG.replace("backend: sql_default", "backend: ghost")  # one unknown-backend error
WARNS = MINIMAL_CONFIG.replace("server:\n", "server:\n  bogus_field: 1\n")  # one unknown-key warning
OTHER_YAML = "name: CI\non: [push]\njobs: {}\n"  # a workflow, not a run config


def _tree(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _labels(sources: list[Source]) -> list[str]:
    return [s.label for s in sources]


# ------------------------------------------------------------------ read_inputs


def test_a_directory_is_searched_sorted_and_what_is_left_out_is_said(tmp_path):
    top = _tree(tmp_path / "deploy", {
        "b/run.yaml": MINIMAL_CONFIG,
        "a/config.yml": MINIMAL_CONFIG,
        "a/workflow.yaml": OTHER_YAML,
        "notes.txt": MINIMAL_CONFIG,  # not *.yaml / *.yml: not even looked at
        ".hidden/run.yaml": MINIMAL_CONFIG,
    })
    skipped: list[tuple[str, str]] = []
    sources = read_inputs([str(top)], on_skip=lambda label, reason: skipped.append((label, reason)))
    assert _labels(sources) == [f"{top}/a/config.yml", f"{top}/b/run.yaml"]
    assert all(s.error is None and s.text == MINIMAL_CONFIG and s.path == s.label for s in sources)
    assert skipped == [
        (f"{top}/.hidden", "hidden directory, not searched"),
        (f"{top}/a/workflow.yaml", NOT_A_RUN_CONFIG),
    ]


def test_a_named_file_is_always_read_and_each_file_once(tmp_path):
    _tree(tmp_path, {"workflow.yaml": OTHER_YAML, "run.yaml": MINIMAL_CONFIG})
    sources = read_inputs([str(tmp_path / "workflow.yaml"), str(tmp_path), str(tmp_path / "run.yaml")])
    # named: read whatever it looks like; the directory adds run.yaml; naming it again adds nothing
    assert _labels(sources) == [str(tmp_path / "workflow.yaml"), str(tmp_path / "run.yaml")]


def test_only_run_configs_skips_named_files_that_are_not(tmp_path):
    _tree(tmp_path, {"config.yaml": OTHER_YAML, "run.yaml": MINIMAL_CONFIG})
    skipped = []
    sources = read_inputs([str(tmp_path / "config.yaml"), str(tmp_path / "run.yaml")], only_run_configs=True,
                          on_skip=lambda label, reason: skipped.append(label))
    assert _labels(sources) == [str(tmp_path / "run.yaml")]
    assert skipped == [str(tmp_path / "config.yaml")]


def test_stdin_is_read_once_with_its_label():
    sources = read_inputs(["-", "-"], stdin=io.BytesIO(MINIMAL_CONFIG.encode()))
    assert len(sources) == 1
    (s,) = sources
    assert (s.label, s.path, s.text, s.error) == (STDIN_LABEL, None, MINIMAL_CONFIG, None)


def test_unreadable_inputs_stay_in_their_place_with_the_error(tmp_path):
    _tree(tmp_path, {"run.yaml": MINIMAL_CONFIG})
    (tmp_path / "latin1.yaml").write_bytes(b"version: 2\nimage_name: caf\xe9\n")
    (tmp_path / "empty").mkdir()
    specs = [str(tmp_path / "missing.yaml"), str(tmp_path / "latin1.yaml"), str(tmp_path / "empty"), str(tmp_path / "run.yaml")]
    sources = read_inputs(specs)
    assert _labels(sources) == specs
    errors = [s.error for s in sources]
    assert errors[0].message == "no such file"
    assert "not UTF-8" in errors[1].message and errors[1].line == 2
    assert errors[2].message.startswith("is a directory holding no run config")
    assert errors[3] is None


def test_binary_stdin_is_an_error_not_a_crash():
    (s,) = read_inputs(["-"], stdin=io.BytesIO(b"version: 2\x00\x01"))
    assert s.error is not None and "binary" in s.error.message and s.error.file == STDIN_LABEL


def test_a_plain_source_maps_positions_to_themselves():
    assert Source("x", None, "a: 1\n").position(7, 3) == (7, 3)


@pytest.mark.parametrize("text, expected", [
    (MINIMAL_CONFIG, True),
    ("# a comment\n---\n'storage':\n  backends: {}\n", True),
    ("apis:\n- inference\n", True),
    (OTHER_YAML, False),
    ("apiVersion: v1\nkind: ConfigMap\ndata:\n  run.yaml: |\n    version: 2\n", False),  # embedded, indented
])
def test_what_looks_like_a_run_config(text, expected):
    assert looks_like_run_config(text) is expected


# ------------------------------------------------------------------ the commands over many inputs


def test_validate_several_files_one_summary_and_the_worst_status(run_cli, tmp_path):
    _tree(tmp_path, {"good.yaml": MINIMAL_CONFIG, "bad.yaml": BAD, "warns.yaml": WARNS})
    r = run_cli("validate", "good.yaml", "bad.yaml", "warns.yaml")
    assert r.returncode == 1, r.stderr
    assert [line.split(":")[0] for line in r.stdout.splitlines()] == ["bad.yaml", "warns.yaml"]
    assert "[unknown-backend]" in r.stdout and "[unknown-key]" in r.stdout
    err = r.stderr.splitlines()
    assert [line.split(":")[0] for line in err[:3]] == ["good.yaml", "bad.yaml", "warns.yaml"]  # which release, each
    assert err[3:] == ["3 files: 1 error, 1 warning, 0 infos"]


def test_an_unreadable_input_wins_over_findings_and_the_others_are_still_checked(run_cli, tmp_path):
    _tree(tmp_path, {"bad.yaml": BAD, "broken.yaml": "storage: [unclosed\n"})
    r = run_cli("validate", "broken.yaml", "bad.yaml", "missing.yaml")
    assert r.returncode == 2
    assert "bad.yaml:24:16: error:" in r.stdout
    assert "broken.yaml:2:1: error:" in r.stderr and "missing.yaml: error: no such file" in r.stderr
    assert r.stderr.splitlines()[-1] == "3 files: 1 error, 0 warnings, 0 infos (2 unreadable)"


def test_validate_a_directory_says_what_it_skipped(run_cli, tmp_path):
    _tree(tmp_path, {"deploy/prod/run.yaml": BAD, "deploy/.github/ci.yaml": OTHER_YAML, "deploy/kustomization.yaml": "resources: []\n"})
    r = run_cli("validate", "deploy")
    assert r.returncode == 1
    assert r.stdout.startswith(f"{os.path.join('deploy', 'prod', 'run.yaml')}:24:16: error:")
    assert "deploy/.github: skipped: hidden directory, not searched" in r.stderr
    assert f"deploy/kustomization.yaml: skipped: {NOT_A_RUN_CONFIG}" in r.stderr
    assert r.stderr.splitlines()[-1] == "1 file: 1 error, 0 warnings, 0 infos"


def test_validate_stdin(run_cli):
    r = run_cli("validate", "-", input=BAD)
    assert r.returncode == 1
    assert r.stdout.startswith("<stdin>:24:16: error: ")
    assert r.stderr.splitlines()[-1] == "<stdin>: 1 error, 0 warnings, 0 infos"


def test_stdin_parse_error_names_stdin_and_the_line(run_cli):
    r = run_cli("validate", "-", input="version: 2\nstorage: [unclosed\n")
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.startswith("<stdin>:3:1: error: ")


def test_files_may_come_after_options(run_cli, tmp_path):
    _tree(tmp_path, {"a.yaml": MINIMAL_CONFIG, "b.yaml": BAD})
    r = run_cli("validate", "a.yaml", "--json", "b.yaml", "-", input=BAD)  # `-` is an input, not an option
    assert r.returncode == 1, r.stderr
    items = json.loads(r.stdout)
    assert [(i["file"], i["code"]) for i in items] == [("b.yaml", "unknown-backend"), ("<stdin>", "unknown-backend")]


def test_json_with_several_inputs_names_the_file_and_the_unreadable(run_cli, tmp_path):
    _tree(tmp_path, {"a.yaml": WARNS})
    r = run_cli("validate", "--format", "json", "a.yaml", "missing.yaml")
    assert r.returncode == 2
    items = json.loads(r.stdout)
    assert [(i["file"], i["severity"], i["code"]) for i in items] == [
        ("a.yaml", "warning", "unknown-key"), ("missing.yaml", "error", "unreadable")]
    assert set(items[0]) == {"file", "severity", "code", "path", "line", "column", "message"}


def test_show_several_files_prints_each_tree_and_one_summary(run_cli, tmp_path):
    _tree(tmp_path, {"a.yaml": MINIMAL_CONFIG, "b.yaml": MINIMAL_CONFIG.replace("distro_name: mini", "distro_name: other")})
    r = run_cli("show", "a.yaml", "b.yaml", "nothere.yaml")
    assert r.returncode == 2
    roots = [line for line in r.stdout.splitlines() if line.endswith(", newer format")]
    assert roots == ["a.yaml  mini, newer format", "b.yaml  other, newer format"]
    assert r.stderr.splitlines() == ["nothere.yaml: error: no such file", "3 files: 2 shown, 1 unreadable"]


def test_show_stdin(run_cli):
    r = run_cli("show", "-", input=MINIMAL_CONFIG)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "<stdin>  mini, newer format" and r.stderr == ""


def test_test_connections_several_files(run_cli, tmp_path):
    one = MINIMAL_CONFIG.replace("/tmp/kv.db", str(tmp_path / "kv.db")).replace("/tmp/sql.db", str(tmp_path / "sql.db"))
    two = one.replace(str(tmp_path / "sql.db"), str(tmp_path / "no" / "such" / "sql.db"))  # SQLAlchemy makes no directory
    _tree(tmp_path, {"one.yaml": one, "two.yaml": two})
    r = run_cli("test-connections", "one.yaml", "two.yaml", "--json")
    rows = json.loads(r.stdout)
    assert [(row["file"], row["backend"]) for row in rows] == [
        ("one.yaml", "kv_default"), ("one.yaml", "sql_default"), ("two.yaml", "kv_default"), ("two.yaml", "sql_default")]
    assert [row["ok"] for row in rows] == [True, True, True, False]
    assert r.returncode == 1
    assert r.stderr.splitlines()[-1] == "2 files: 1 of 4 not reachable (timeout 5 s each)"
    r = run_cli("test-connections", "one.yaml", "two.yaml", "--backend", "kv_default")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "one.yaml:" and "two.yaml:" in r.stdout.splitlines()
    r = run_cli("test-connections", "one.yaml", "two.yaml", "--backend", "ghost")
    assert r.returncode == 2 and "no FILE declares the backend 'ghost'" in r.stderr
