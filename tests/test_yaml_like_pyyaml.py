"""llama-config reads a file exactly as the server does: yaml.safe_load (PyYAML, YAML 1.1).

The same data where PyYAML reads the file (dates are dates, `!!binary` is bytes, a second BOM
belongs to the first key), and a refusal at load, with FILE:LINE:COL, where PyYAML fails.
Reproducers: tests/files/reliability/ (SOURCE.md there). The property test at the end renders
random documents from tricky scalars and compares with yaml.safe_load on each.
"""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llama_config.model.document import Document
from llama_config.model.errors import ConfigFileError
from llama_config.model.validation import validate
from llama_config.model.yamldata import same_data
from llama_config.model.yamlparse import MAX_DEPTH
from llama_config.tui.cli import main

RELIABILITY = Path(__file__).parent / "files" / "reliability"


def _ours(data: bytes):
    return Document.from_bytes(data).data


# ------------------------------------------------------------------ the reproducers


def test_plain_dates_are_dates_so_a_string_field_refuses_them():
    doc = Document.load(str(RELIABILITY / "date_values.yaml"))
    assert doc.data["image_name"] == datetime.date(2024, 1, 1)
    namespace = doc.data["storage"]["stores"]["metadata"]["namespace"]
    assert isinstance(namespace, datetime.datetime) and namespace.utcoffset() == datetime.timedelta(hours=-5)
    assert same_data(doc.data, yaml.safe_load((RELIABILITY / "date_values.yaml").read_bytes()))
    wrong = [(d.path, d.line, d.column) for d in validate(doc) if d.code == "wrong-type"]
    assert (("storage", "stores", "metadata", "namespace"), 11, 18) in wrong


@pytest.mark.parametrize(
    "name, line, column, words",
    [
        ("timestamp_tag.yaml", 2, 13, "!!timestamp"),
        ("binary_tag.yaml", 2, 13, "!!binary"),
        ("accepts_mid_bom.yaml", 4, 1, "could not find expected ':'"),
    ],
)
def test_what_pyyaml_refuses_is_refused_at_load_with_its_position(name, line, column, words, capsys):
    with pytest.raises(Exception):
        yaml.safe_load((RELIABILITY / name).read_bytes())
    assert main(["validate", str(RELIABILITY / name)]) == 2
    err = capsys.readouterr().err
    assert f"{name}:{line}:{column}: error:" in err and words in err


def test_a_second_bom_is_part_of_the_first_key_as_for_pyyaml():
    data = (RELIABILITY / "edit_double_bom.yaml").read_bytes()
    assert _ours(data) == yaml.safe_load(data) == {"\ufeffversion": 2, "server": {"port": 8321}}


def test_flow_mapping_with_double_colons_in_a_plain_value_loads(tmp_path):
    text = "version: 2\npersistence: {backend: kv_default, namespace: vector_io::faiss}\nurl: [http://x:80/y]\n"
    assert _ours(text.encode()) == yaml.safe_load(text)
    path = tmp_path / "run.yaml"
    path.write_text(text)
    assert main(["set", str(path), "url[0]=http://y:81/z"]) == 0
    assert yaml.safe_load(path.read_text())["persistence"]["namespace"] == "vector_io::faiss"


@pytest.mark.parametrize(
    "text",
    ["%YAML 1.2#x\n---\nversion: 2\n", "%YAML 1.1 # the version\n---\nversion: 2\n", "%TAG !e! tag:e.com,2000:\n---\nversion: !e!x 2\n",
     "version: 2\n...\n%YAML 1.1\n", 'version: 2\nimage_name: "x\n%y"\n', "version: 2\n%x\n"],
)  # fmt: skip
def test_directives_are_read_as_pyyaml_reads_them(text):
    """libyaml reads a directive's line more loosely than PyYAML (`%YAML 1.2#x` passed it); a
    file with a directive is read by PyYAML's own parser (found by the fuzz test)."""
    try:
        theirs = yaml.safe_load(text)
    except yaml.YAMLError:
        with pytest.raises(ConfigFileError):
            Document.from_bytes(text.encode())
    else:
        assert same_data(_ours(text.encode()), theirs)


@pytest.mark.parametrize(
    "text",
    [
        "a: !!binary aGVsbG8=\n",
        "a: !!set {x, y}\n",
        "a: !!omap [{x: 1}, {y: 2}]\n",
        "a: !!pairs [{x: 1}, {x: 2}]\n",
        "a: !!timestamp 2024-01-01 10:00:00\n",
        "a: 2001-12-14 21:59:43.10 -5\n",
        "a: [2024-1-1, 2024-01-01t00:00:00Z]\n",
    ],
)
def test_other_types_come_out_as_pyyaml_makes_them(text):
    ours, theirs = _ours(text.encode()), yaml.safe_load(text)
    assert same_data(ours, theirs), (ours, theirs)


def test_nesting_pyyaml_reads_is_read_and_deeper_is_refused_with_its_position(tmp_path, capsys):
    shutil.copyfile(RELIABILITY / "deep_flow_247.yaml", tmp_path / "deep.yaml")
    # read, then judged as a config: it has no name and no providers (ogx 1.5 refuses it), so exit 1, not 2
    assert main(["validate", str(tmp_path / "deep.yaml")]) == 1
    out = capsys.readouterr().out
    assert "does not know the top-level key 'deep'" in out and "nested" not in out
    for depth in (400, MAX_DEPTH):  # PyYAML reads about 490 levels (fewer under pytest's deeper stack)
        text = "version: 2\ndeep: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"
        assert same_data(_ours(text.encode()), yaml.safe_load(text)) if depth == 400 else _ours(text.encode())
        path = tmp_path / f"deep{depth}.yaml"
        path.write_text(text)
        for argv in (["validate"], ["show"], ["set", str(path), "server.port=8322", "--dry-run"]):
            assert main([argv[0], str(path), *argv[2:]]) in (0, 1), argv
    block = "version: 2\n" + "".join(" " * (2 * i) + f"k{i}:\n" for i in range(MAX_DEPTH - 1)) + " " * (2 * MAX_DEPTH) + "x\n"
    path = tmp_path / "block.yaml"
    path.write_text(block)
    assert main(["set", str(path), "server.port=8322"]) == 0
    assert main(["set", str(path), "--unset", "k0"]) == 0
    too_deep = "version: 2\ndeep: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    path.write_text(too_deep)
    capsys.readouterr()
    assert main(["validate", str(path)]) == 2
    assert f"block.yaml:2:{7 + MAX_DEPTH - 1}: error: the values are nested more than {MAX_DEPTH} levels deep" in capsys.readouterr().err


# ------------------------------------------------------------------ the property test

_PLAIN = [
    "kv_default", "x y", "2024-01-01", "2024-1-1", "2024-02-30", "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5", "2024-01-01 25:00:00", "2024-01-01 10:00:00 +24", "0777", "0o17", "09",
    "1:20", "190:20:30.15", "-1:30", "0x1F", "0b101", "0b_", "0x_", "1_000", "_1", ".nan", ".NaN", ".inf",
    "-.Inf", "1e3", "1.0e+3", "1.5", "-0", "+12", "0.", ".5", "3.", "yes", "No", "on", "OFF", "y", "n",
    "~", "null", "NULL", "true", "False", "=", "<<", "vector_io::faiss", "http://x:80/y", "a:b", "a::",
    "::x", "-x", "?x", "a #b", "a,b", "x\ufeffy",
]  # fmt: skip
_TAGGED = [
    "!!binary aGVsbG8=", "!!binary abc", "!!timestamp 2024-01-01", "!!timestamp tomorrow", "!!str 12",
    "!!int 0x10", "!!int 12a", "!!float 1", "!!bool yes", "!!bool maybe", "!!null ''", "! 12", "! '12'",
    "!!set {a, b}", "!!omap [{a: 1}, {b: 2}]", "!!omap [{a: 1, b: 2}]", "!!pairs [{a: 1}]", "!!str [a]",
]  # fmt: skip
_KEYS = ["a", "b_c", "vector_io::faiss", "2024-01-01", "on", "x y", "=", "'q'", "k:v", "0777"]


def _quoted(text: str, style: str) -> str:
    if style == "'":
        return "'" + text.replace("'", "''") + "'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\ufeff", "\\ufeff") + '"'


scalars = st.one_of(
    st.sampled_from(_PLAIN),
    st.tuples(st.sampled_from(_PLAIN), st.sampled_from("'\"")).map(lambda t: _quoted(*t)),
    st.sampled_from(_TAGGED),
)


def _flow(draw, depth: int) -> str:
    kind = draw(st.sampled_from(["scalar", "scalar", "map", "list"])) if depth < 3 else "scalar"
    if kind == "scalar":
        return draw(scalars)
    if kind == "list":
        return "[" + ", ".join(_flow(draw, depth + 1) for _ in range(draw(st.integers(0, 3)))) + "]"
    keys = draw(st.lists(st.sampled_from(_KEYS), max_size=3, unique=True))
    return "{" + ", ".join(f"{k}: {_flow(draw, depth + 1)}" for k in keys) + "}"


def _block(draw, indent: int, depth: int) -> list[str]:
    pad = " " * indent
    lines = []
    for key in draw(st.lists(st.sampled_from(_KEYS), min_size=1, max_size=4, unique=True)):
        how = draw(st.sampled_from(["flow", "flow", "map", "list"])) if depth < 3 else "flow"
        if how == "flow":
            lines.append(f"{pad}{key}: {_flow(draw, depth)}")
        elif how == "map":
            lines.append(f"{pad}{key}:")
            lines += _block(draw, indent + 2, depth + 1)
        else:
            lines.append(f"{pad}{key}:")
            lines += [f"{pad}- {_flow(draw, depth + 1)}" for _ in range(draw(st.integers(1, 3)))]
    return lines


@st.composite
def documents(draw) -> bytes:
    lines = _block(draw, 0, 0)
    if draw(st.booleans()):  # an anchored value used again further down
        lines.insert(0, "x-shared: &s " + _flow(draw, 1))
        lines.append("x-again: *s")
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    text = newline.join(lines) + newline
    bom = draw(st.sampled_from(["", "", "\ufeff", "\ufeff\ufeff"]))
    if draw(st.integers(0, 9)) == 0:  # a BOM at the start of some line
        split = text.split(newline)
        at = draw(st.integers(0, len(split) - 1))
        split[at] = "\ufeff" + split[at]
        text = newline.join(split)
    return (bom + text).encode("utf-8")


@settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_our_data_is_yaml_safe_load_data(data):
    try:
        theirs = yaml.safe_load(data)
    except Exception:  # the server cannot load it (PyYAML raises more than YAMLError on bad tags)
        with pytest.raises(ConfigFileError):
            _ours(data)
        return
    if not isinstance(theirs, dict):
        return  # a run config is a mapping; the rest is refused by design
    ours = _ours(data)
    assert same_data(ours, theirs), (ours, theirs)


def test_only_a_directive_sends_a_file_to_the_slow_parser():
    """A `%` starting a line inside a quoted value is text: such a file stays on libyaml (a
    100,000-line file read 7 times slower on PyYAML's own parser; a review found it)."""
    from llama_config.model.yamlparse import _has_directive

    assert _has_directive("%YAML 1.1\n---\na: 1\n") and _has_directive("# c\n\n  # d\r\n%TAG ! x\n---\n")
    assert _has_directive("a: 1\n...\n%YAML 1.1\n")
    assert not _has_directive('a: "x\n%y"\n') and not _has_directive("a: 1\n# ...\n%x\n")
