"""Alias bombs: work in proportion to the file, not to the data its aliases expand to.

The reproducers in tests/files/reliability/ (h1-h3, see SOURCE.md there) expand to 10^7..10^9
values; before the fix `validate` took 14.5 s and 49 s and `set` 17 s. The budget is counted
in visits (model.workcount.WORK), which every walk and comparison of the data adds to.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from llama_config.model.document import Document
from llama_config.model.references import find_references
from llama_config.model.validation import validate
from llama_config.model.workcount import WORK
from llama_config.model.yamldata import copy_data, same_data
from llama_config.tui.cli import main

RELIABILITY = Path(__file__).parent / "files" / "reliability"


def _bomb(depth: int, name: str = "a", width: int = 9) -> str:
    """An anchor chain: &<name>N is a list of `width` aliases of &<name>N-1 (width**depth leaves)."""
    lines = [f"x-{name}0: &{name}0 [{', '.join(['x'] * width)}]"]
    for level in range(1, depth):
        lines.append(f"x-{name}{level}: &{name}{level} [{', '.join([f'*{name}{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def _visits(*argv: str) -> tuple[int, int]:
    WORK.visits = 0
    rc = main(list(argv))
    return rc, WORK.visits


def _file_nodes(path: Path) -> int:
    return sum(1 for _ in Document.load(str(path)).root.walk())


@pytest.mark.parametrize(
    "name, argv",
    [
        ("h1_provider_config_d8.yaml", ["validate"]),  # provider reference discovery
        ("h2_duplicate_key_d8.yaml", ["validate"]),  # duplicate-key check at load: two equal alias graphs
        ("h3_edit_d10.yaml", ["set", "server.port=8322", "--dry-run"]),  # the after-edit self-check
        ("h3_edit_d10.yaml", ["set", "server.host=0.0.0.0", "--dry-run"]),  # the same after a re-parse (a new key)
        ("h1_provider_config_d8.yaml", ["show"]),
    ],
)
def test_reproducers_stay_within_a_budget_of_visits_per_node_of_the_file(name, argv, tmp_path, capsys):
    path = tmp_path / name
    shutil.copyfile(RELIABILITY / name, path)
    command, *rest = argv
    rc, visits = _visits(command, str(path), *rest)
    assert rc in (0, 1), capsys.readouterr().err
    # h1 visits 413 and h3 888 for ~130 nodes written; the data they expand to has 4.8e7 (h1, h2)
    # and 3.9e9 (h3) values, each of which the old walks visited
    assert visits <= 10 * _file_nodes(path), visits


def test_visits_grow_with_the_file_not_with_the_expansion():
    def cost(depth: int) -> int:
        text = "version: 2\n" + _bomb(depth) + f"providers:\n  inference:\n  - provider_id: p\n    provider_type: remote::ollama\n    config:\n      x: *a{depth - 1}\n"
        doc = Document(text + text.replace("x-a", "x-b").replace("&a", "&b").replace("*a", "*b").split("providers:")[0].replace("version: 2\n", "") + f"dup: *a{depth - 1}\ndup: *b{depth - 1}\n")
        WORK.visits = 0
        validate(doc)
        return WORK.visits

    small, large = cost(4), cost(12)  # 9**4 against 9**12 leaves: 43 million times more data
    assert large <= 4 * small, (small, large)


def test_copy_and_compare_visit_each_shared_value_once():
    data = Document("version: 2\n" + _bomb(20) + "top: *a19\n").data  # 9**20 leaves
    WORK.visits = 0
    copied = copy_data(data)
    assert WORK.visits <= 30
    assert copied["top"] is copied["x-a19"]  # shared as in the original, not expanded
    WORK.visits = 0
    assert same_data(data, copied)
    assert WORK.visits <= 20 * 25
    copied["x-a0"][3] = "y"  # one change in the shared leaf list is seen everywhere it repeats
    assert not same_data(data, copied)


def test_the_check_after_an_edit_compares_shared_values_once(monkeypatch):
    # a new key is a re-parse, checked against the intended data: with aliases in the file, `==`
    # would compare every expanded copy (9**20 here), so the walk that visits each pair once must
    import llama_config.model.document as document

    checks = []
    monkeypatch.setattr(document, "same_data", lambda a, b, **kw: checks.append(kw) or same_data(a, b, **kw))
    doc = Document("version: 2\n" + _bomb(20) + "top: *a19\nserver:\n  port: 8321\n")
    doc.set(("server", "host"), "0.0.0.0")
    assert checks == [{"aliases": True}]
    assert doc.data["server"] == {"port": 8321, "host": "0.0.0.0"} and doc.data["top"] is doc.data["x-a19"]
    checks.clear()
    plain = Document("version: 2\nserver:\n  port: 8321\n")
    plain.set(("server", "host"), "0.0.0.0")
    assert checks == [{"aliases": False}]  # (no alias: `==` decides, in C)


def test_the_quick_comparison_still_takes_nan_as_equal_and_sees_a_change():
    assert same_data({"a": [float("nan")]}, {"a": [float("nan")]}, aliases=False)
    assert not same_data({"a": [1, 2]}, {"a": [1, 3]}, aliases=False)
    assert not same_data({"a": float("nan")}, {"a": 1.0}, aliases=False)


def test_nan_equals_nan_and_types_must_match():
    assert same_data({"a": [float("nan")]}, {"a": [float("nan")]})
    assert not same_data({"a": 1}, {"a": True})
    assert not same_data({"a": 1}, {"a": 1.0})
    assert not same_data([1, 2], [1, 2, 3])


def test_references_inside_shared_values_are_still_found_for_each_provider():
    # two providers share one persistence reference through an alias: both use the same
    # namespace, which validation must still see
    text = """\
version: 2
x-ref: &ref {backend: kv_default, namespace: shared}
x-cfg: &cfg {nested: [{persistence: *ref}, {other: *ref}]}
providers:
  inference:
  - provider_id: one
    provider_type: remote::foo
    config: *cfg
  - provider_id: two
    provider_type: remote::foo
    config: {deep: *cfg}
"""
    refs = find_references(Document(text).data)
    paths = [r.path for r in refs]
    assert ("providers", "inference", 0, "config", "nested", 0, "persistence") in paths
    assert ("providers", "inference", 1, "config", "deep", "nested", 0, "persistence") in paths
    # the same walk with the alias written out finds the same references for each provider
    expanded = yaml.safe_dump(yaml.safe_load(text).get("providers"))
    plain = find_references(Document("version: 2\nproviders:\n" + "\n".join("  " + line for line in expanded.splitlines()) + "\n").data)
    assert {r.path[:3] for r in plain} == {r.path[:3] for r in refs}


def test_a_repeated_key_inside_an_anchor_is_reported_at_its_place_in_the_text():
    text = "version: 2\nx-a: &a {k: 1, k: 1}\n" + _bomb(10, "b") + "y: [*a, *b9]\n"
    WORK.visits = 0
    diagnostics = validate(Document(text))
    assert [d.path for d in diagnostics if d.code == "repeated-key"] == [("x-a", "k")]
    assert WORK.visits < 2000


def test_merges_of_merges_through_aliases_are_flattened_once_per_mapping():
    """`a_i: {<<: [*a_i-1, *a_i-1]}` 24 deep: flattening each source anew took 2**24 steps."""
    text = "a0: &a0 {k: 1, kk: 2}\n" + "".join(f"a{i}: &a{i} {{<<: [*a{i - 1}, *a{i - 1}], x{i}: 1}}\n" for i in range(1, 25))
    WORK.visits = 0
    doc = Document(text)
    visits = WORK.visits
    assert visits <= 10 * sum(1 for _ in doc.root.walk()), visits
    assert same_data(doc.data, yaml.safe_load(text))
