"""Loading a file walks its tree once, while it is built: values, the duplicate-key check and
the layout detection all come out of the one pass over the parser's events (on a
50,000-provider file each extra walk of the tree cost about a second). Counted in node visits
(model/workcount.py), not seconds."""

from __future__ import annotations

import pytest

from llama_config.model import libyaml_events, yamlparse
from llama_config.model.document import Document, EditError
from llama_config.model.workcount import WORK
from llama_config.model.yamltree import ALIAS, MAP, SEQ, Node


def _config(providers: int) -> str:
    lines = ["version: 2", "image_name: x", "providers:", "  vector_io:"]
    for i in range(providers):
        lines += [
            f"  - provider_id: 'p{i}'",
            "    provider_type: inline::faiss",
            "    config:",
            "      persistence: {backend: kv_default, namespace: \"n%d\"}" % i,
            "      tags: [a, b, c]",
        ]
    lines += ["storage:", "  backends:", "    kv_default: &kv", "      type: kv_sqlite", "      db_path: /x.db", "    other: *kv"]
    return "\n".join(lines) + "\n"


def test_loading_visits_each_collection_once_and_no_other_node():
    text = _config(200)
    WORK.visits = 0
    doc = Document(text)
    visits = WORK.visits
    nodes = list(doc.root.walk())
    collections = sum(1 for n in nodes if n.kind in (MAP, SEQ, ALIAS))
    # one visit per collection (its value is built when it ends), none per scalar: no walk of
    # the whole tree for the values, the repeated keys or the style
    assert visits == collections < len(nodes) / 2
    assert doc.repeated_keys == []
    assert (doc.style.indent, doc.style.sequence_offset, doc.style.quote) == (2, 0, "'")


def test_repeated_keys_are_still_found_with_one_pass():
    text = _config(3) + "server:\n  port: 1\n  port: 1\n"
    doc = Document(text)
    assert [(first.line + 1, repeat.line + 1) for first, repeat in doc.repeated_keys] == [(text.count("\n") - 1, text.count("\n"))]


def test_an_edit_re_parses_once_and_copies_only_the_path_it_changes():
    """The intended data is the loaded data with copies of the containers on the edited path
    only, and a file without aliases is not walked to look for them."""
    doc = Document(_config(200).replace("&kv", "").replace("*kv", "{type: kv_sqlite, db_path: /y.db}"))
    assert not doc.has_aliases
    WORK.visits = 0
    doc.set(("storage", "backends", "kv_default", "user"), "llama")  # a new key: the file is parsed again
    visits = WORK.visits
    collections = sum(1 for n in doc.root.walk() if n.kind in (MAP, SEQ, ALIAS))
    assert visits == collections  # building the new tree; no copy, no alias walk
    assert doc.data["storage"]["backends"]["kv_default"]["user"] == "llama"
    assert doc.data["providers"]["vector_io"][5]["config"]["tags"] == ["a", "b", "c"]


def test_a_new_value_visits_only_the_nodes_after_it():
    """A value rewritten on its line is patched into the tree (model/scalar_patch.py): only the
    nodes that end after it move, and the tree equals the one a parse of the new text gives."""
    doc = Document(_config(200).replace("&kv", "").replace("*kv", "{type: kv_sqlite, db_path: /y.db}"))
    WORK.visits = 0
    doc.set(("storage", "backends", "kv_default", "db_path"), "/z.db")
    assert WORK.visits < 20  # the storage section's end, not the 200 providers before it
    assert doc.data["storage"]["backends"]["kv_default"]["db_path"] == "/z.db"
    assert node_fields(doc.root) == node_fields(Document(doc.text).root)


def node_fields(root: Node) -> list[tuple]:
    return [(n.kind, n.start, n.end, n.line, n.column, n.tag, n.style, n.flow, n.anchor, n.raw, repr(n.value)) for n in root.walk()]


def test_an_edit_in_a_file_with_aliases_still_changes_every_place_of_a_shared_value():
    doc = Document("a: &x {k: 1}\nb: *x\nc: 2\n")
    assert doc.has_aliases
    doc.set(("c",), 3)
    assert doc.data == {"a": {"k": 1}, "b": {"k": 1}, "c": 3}
    with pytest.raises(EditError):
        doc.set(("a", "k"), 5)  # it would change b too


def test_an_edit_holds_no_node_of_the_old_tree_while_it_parses_the_new_one(monkeypatch):
    """Memory: on a large file the old and the new tree must not be alive at once (the
    remembered lookups of node_at held the old one for a while)."""
    import llama_config.model.document as document

    doc = Document(_config(20))
    assert doc.node_at(("providers", "vector_io", 3, "config", "persistence")) is not None  # remembered
    old_nodes = {id(n) for n in doc.root.walk()}
    real, held = document.parse, []

    def checking(text, *rest):
        attributes = [v for v in vars(doc).values() if isinstance(v, Node)] + [v for v in doc._nodes.values() if isinstance(v, Node)]
        held.extend(v for v in attributes if id(v) in old_nodes)
        return real(text, *rest)

    monkeypatch.setattr(document, "parse", checking)
    doc.set(("image_name",), "y")
    assert doc.data["image_name"] == "y"
    assert held == []


def test_comparing_with_the_file_as_loaded_does_not_hold_the_edited_tree(monkeypatch):
    """An edit whose result has errors validates the file as loaded too; meanwhile the edited
    document lets go of its tree (two trees of a large file at once cost hundreds of MB)."""
    import llama_config.model.validation as validation
    from llama_config.model.releases import load_release
    from llama_config.tui.commands.common import errors_after_edit

    doc = Document(_config(3))
    doc.set(("storage", "backends", "other"), {"type": "kv_nothing"})
    real, edited_tree_held = validation.validate, []

    def recording(document, **kwargs):
        if document is not doc:
            edited_tree_held.append(doc.root is not None)
        return real(document, **kwargs)

    monkeypatch.setattr(validation, "validate", recording)
    added, after = errors_after_edit(doc, load_release("ogx-1.5"))
    assert edited_tree_held == [False]
    assert any(d.path[:3] == ("storage", "backends", "other") for d in added)
    assert doc.root is not None and doc.data["storage"]["backends"]["other"] == {"type": "kv_nothing"}


def test_libyaml_makes_tuples_for_the_frequent_events_only_while_we_parse():
    """libyaml's parser makes scalars, mappings' starts and every end as tuples while parse()
    reads its events (libyaml_events._STAND_INS: no event object and dict each), and its own event
    classes are back as soon as the parse ends, also when it fails: another user of
    yaml.CSafeLoader in this process gets PyYAML's objects. If a PyYAML release stops looking
    its classes up per event, the first assertion says the fast path is gone."""
    import yaml
    import yaml.events

    from llama_config.model.errors import ParseError

    if libyaml_events.libyaml is None:
        pytest.skip("PyYAML built without libyaml")
    with libyaml_events.events("a: [1, {b: 2}]\n") as stream:
        events = list(stream)
    assert [len(e) if type(e) is tuple else type(e).__name__ for e in events] == [
        "StreamStartEvent", "DocumentStartEvent", 6, 7, 8, 7, 6, 7, 7, 2, 2, 2, "DocumentEndEvent", "StreamEndEvent",
    ]  # fmt: skip
    for text in ("a: [1, {b: 2}]\n", "a: [1\n", "a: !!int x\n", "a: !foo 1\n", "a: &x 1\nb: &x 2\n"):
        try:
            yamlparse.parse(text)
        except ParseError:
            pass
        assert all(getattr(yaml._yaml, name) is getattr(yaml.events, name) for name in libyaml_events._STAND_INS)
        assert {type(e).__name__ for e in yaml.parse("k: [v]", Loader=yaml.CSafeLoader)} >= {"ScalarEvent", "MappingStartEvent", "SequenceEndEvent"}


def test_both_parsers_build_the_same_tree(monkeypatch):
    """PyYAML's pure parser (the server's word where libyaml differs) gives event objects,
    which _build reads as the tuples libyaml gives here: the same nodes either way."""
    text = _config(3) + "lists:\n  - [a, &x {k: v}]\n  - *x\n  - !!str 3\n  - |\n    block\n"
    whole = yamlparse.parse(text)
    monkeypatch.setattr(libyaml_events, "libyaml", None)
    again = yamlparse.parse(text)

    def shape(root: Node) -> list:
        return [(n.kind, n.start, n.end, n.line, n.column, n.style, n.raw, n.tag, n.anchor, n.flow, len(n.items)) for n in root.walk()]

    assert shape(again) == shape(whole)
    assert again.value == whole.value


def test_an_interrupt_while_the_stand_ins_go_in_puts_pyyaml_classes_back(monkeypatch):
    import yaml
    import yaml.events

    if libyaml_events.libyaml is None:
        pytest.skip("PyYAML built without libyaml")

    class Interrupted(dict):
        def items(self):  # (the third swap is interrupted, as Ctrl-C may do)
            for i, pair in enumerate(super().items()):
                if i == 2:
                    raise KeyboardInterrupt
                yield pair

    monkeypatch.setattr(libyaml_events, "_STAND_INS", Interrupted(libyaml_events._STAND_INS))
    with pytest.raises(KeyboardInterrupt):
        yamlparse.parse("a: 1\n")
    assert all(getattr(yaml._yaml, name) is getattr(yaml.events, name) for name in libyaml_events._STAND_INS)
