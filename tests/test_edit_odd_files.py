"""Edits on files with odd but valid YAML: bare-CR line ends, .nan, two BOMs, a whole-file
flow mapping. Each edit is made, in the file's own line ends, and gives exactly the data
yaml.safe_load (the server) reads from the result. Reproducers: tests/files/reliability/."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pytest
import yaml

from llama_config.tui.cli import main

RELIABILITY = Path(__file__).parent / "files" / "reliability"


def _load(data: bytes):
    return yaml.safe_load(data)


def _edit(tmp_path: Path, name: str, *args: str) -> tuple[bytes, bytes]:
    path = tmp_path / name
    shutil.copyfile(RELIABILITY / name, path)
    before = path.read_bytes()
    assert main(["set", str(path), *args]) == 0
    return before, path.read_bytes()


def test_unset_in_a_mapping_with_bare_cr_line_ends(tmp_path):
    before, after = _edit(tmp_path, "edit_cr_unset_indexerror.yaml", "--unset", "x.b")
    assert after == before.replace(b"  b: 2\r", b"")
    assert _load(after) == {"version": 2, "x": {"a": 1}}


def test_unset_the_first_key_of_a_bare_cr_file(tmp_path):
    before, after = _edit(tmp_path, "edit_cr_unset.yaml", "--unset", "version")
    assert after == b"image_name: x\r"
    assert _load(after) == {"image_name": "x"}


def test_new_lines_in_a_bare_cr_file_end_with_cr(tmp_path):
    before, after = _edit(tmp_path, "edit_cr_unset.yaml", "server.port=1234")
    assert after == before + b"server:\r  port: 1234\r"
    assert b"\n" not in after


def test_edit_beside_a_nan(tmp_path):
    before, after = _edit(tmp_path, "edit_nan.yaml", "server.port=8322")
    assert after == before.replace(b"port: 8321", b"port: 8322")
    data = _load(after)
    assert math.isnan(data["x-threshold"]) and data["server"]["port"] == 8322


def test_edit_in_a_file_with_two_boms(tmp_path):
    before, after = _edit(tmp_path, "edit_double_bom.yaml", "server.port=8322")
    assert after == before.replace(b"port: 8321", b"port: 8322")
    assert _load(after) == {"\ufeffversion": 2, "server": {"port": 8322}}  # both BOMs kept


def test_unset_the_only_key_of_a_whole_file_flow_mapping(tmp_path):
    before, after = _edit(tmp_path, "edit_flow_top_unset.yaml", "--unset", "image_name")
    assert after == b"{}\n"


@pytest.mark.parametrize(
    "text, argv, after",
    [
        ("--- !!map\n{image_name: x}\n", ["--unset", "image_name"], "--- !!map\n{}\n"),  # fuzz seed 995
        ("x: [&a {k: 1}]\n", ["--unset", "x[0].k"], "x: [&a {}]\n"),
        ("x: [!!map {}]\nw: {y: &b {}}\n", ["x[0].a=1", "w.y.a=2"], "x: [!!map {a: 1}]\nw: {y: &b {a: 2}}\n"),
        ("x: [!!map # {\n  {}]\n", ["x[0].a=1"], "x: [!!map # {\n  {a: 1}]\n"),
    ],
)
def test_a_flow_mapping_with_an_anchor_or_tag_gains_or_loses_its_only_entry(tmp_path, text, argv, after):
    """The edit took the anchor's or tag's first character for the `{` and cut the tag in two
    (`--- !}`): refused as an internal error."""
    path = tmp_path / "run.yaml"
    path.write_text(text)
    assert main(["set", str(path), *argv, "--force"]) == 0
    assert path.read_text() == after


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_unset_and_add_keep_each_kind_of_line_end(tmp_path, newline):
    path = tmp_path / "run.yaml"
    lines = ["version: 2", "# about x", "x:", "  a: 1  # one", "  b: 2", "y: 3", ""]
    path.write_bytes(newline.join(lines).encode())
    assert main(["set", str(path), "--unset", "x.a", "--unset", "y", "x.c=4"]) == 0
    text = path.read_bytes().decode()
    assert text == newline.join(["version: 2", "# about x", "x:", "  b: 2", "  c: 4", ""])
    assert _load(text) == {"version": 2, "x": {"b": 2, "c": 4}}


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
def test_an_edit_of_whole_lines_across_a_line_break_only_yaml_sees_names_it(tmp_path, capsys, char):
    """NEL, LS and PS end a line for YAML (PyYAML reads `config:<NEL>  kvstore:` as two lines),
    not for the line edits (nor for most editors): commenting out a block across one made
    invalid YAML, refused as an "internal error" (found by the fuzz test)."""
    path = tmp_path / "run.yaml"
    text = f"version: 2\nimage_name: x\ntelemetry:{char}  enabled: true\n  sinks: console\n"
    path.write_text(text, encoding="utf-8")
    assert yaml.safe_load(text)["telemetry"] == {"enabled": True, "sinks": "console"}
    assert main(["upgrade", str(path), "--from", "0.3", "--to", "0.4", "--write"]) == 1
    err = capsys.readouterr().err
    assert "internal error" not in err and "line 3 holds a" in err and f"(U+{ord(char):04X}) character" in err
    assert path.read_text(encoding="utf-8") == text
    assert main(["set", str(path), "image_name=y"]) == 0  # a single value is no line edit
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["image_name"] == "y"


def test_line_edits_that_overlap_in_a_text_with_a_line_break_only_yaml_sees_name_it():
    """An upgrade's line edits, cut at \\n, overlapped where a NEL joined two list items on one
    line (fuzz seed 979): refused with the character and its line, not as an internal error."""
    from llama_config.model.document import Document
    from llama_config.model.errors import EditError

    doc = Document.from_text("version: 2\napis:\n- inference\n- datasetio\x85- eval\n")
    start = doc.text.index("- datasetio")
    with pytest.raises(EditError) as refused:
        doc.replace_lines([(start, len(doc.text), ""), (start, len(doc.text), "")], doc.data)
    assert "internal error" not in str(refused.value) and "line 4 holds a NEXT LINE (U+0085) character" in str(refused.value)


@pytest.mark.parametrize("argv", [["set", "{f}", "--unset", "storage"], ["migrate", "{f}", "--write", "--server", "0.7"]])
def test_removing_a_key_that_a_line_break_only_yaml_sees_puts_on_its_line_names_it(tmp_path, capsys, argv):
    """`db_path: /tmp/f.db<PS>storage: null`: to YAML `storage` starts a line, to the line edits
    it follows a value; removing it took the value for a list item's `- ` and failed with an
    IndexError, exit 3 (fuzz seed 970)."""
    path = tmp_path / "run.yaml"
    text = (
        "version: 2\nproviders:\n  vector_io:\n  - provider_id: faiss\n    provider_type: inline::faiss\n    config:\n"
        "      kvstore:\n        type: sqlite\n        db_path: /tmp/f.db\u2029storage: null\n"
    )
    path.write_text(text, encoding="utf-8")
    assert yaml.safe_load(text)["storage"] is None
    assert main([a.format(f=path) for a in argv]) == (2 if argv[0] == "set" else 1)  # (set: a refused edit is exit 2)
    err = capsys.readouterr().err
    assert "internal error" not in err and "line 9 holds a PARAGRAPH SEPARATOR (U+2029) character" in err
    assert path.read_text(encoding="utf-8") == text
