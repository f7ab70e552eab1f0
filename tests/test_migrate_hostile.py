"""`migrate` on the fuzz campaign's reproducers (tests/files/reliability/migrate_*.yaml): each one
used to end in an internal error (exit 3). Now each is migrated, or refused with exit 1 and a
message that names what is in the way, and the file is never touched."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from llama_config.model.document import Document
from llama_config.model.errors import EditError
from llama_config.model.migration import MigrationError, migrate
from llama_config.model.releases import load_release

RELIABILITY = Path(__file__).parent / "files" / "reliability"

# file -> (exit code of `migrate --dry-run`, a phrase its output must hold)
CASES = {
    "migrate_backend_list.yaml": (0, "nothing to do"),
    "migrate_namespace_mapping.yaml": (0, "nothing to do"),
    "migrate_cr_line_endings.yaml": (1, "bare CR"),
    "migrate_double_bom.yaml": (1, "byte order mark (U+FEFF)"),
    "migrate_flow_file.yaml": (1, "one {...} flow mapping"),
    # its other provider's sqlite store has no db_path: the migrated file would have that error
    "migrate_long_sqlite_name.yaml": (1, "missing the required field 'db_path'"),
    "migrate_nan.yaml": (0, "storage.stores.metadata  namespace registry"),
    "migrate_storage_null.yaml": (0, "removed the empty storage key (line 10)"),
    "migrate_trailing_dash.yaml": (0, "providers.datasetio[0].config.kvstore  namespace datasetio::localfs"),
}


def test_every_migrate_reproducer_is_covered():
    assert sorted(p.name for p in RELIABILITY.glob("migrate_*.yaml")) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_migrate_dry_run_migrates_or_refuses_with_the_reason(run_cli, tmp_path, file_state, name):
    code, phrase = CASES[name]
    path = tmp_path / name
    path.write_bytes((RELIABILITY / name).read_bytes())
    before = file_state(path)
    r = run_cli("migrate", "--dry-run", path)
    assert r.returncode == code, r.stderr
    assert phrase in r.stdout + r.stderr
    assert "internal error" not in r.stdout + r.stderr
    assert file_state(path) == before


@pytest.mark.parametrize("name", [n for n, (code, _) in CASES.items() if code == 0 and "nothing" not in CASES[n][1]])
def test_a_migrated_reproducer_holds_what_pyyaml_reads(name):
    doc = Document.from_bytes((RELIABILITY / name).read_bytes())
    migrate(doc)
    assert doc.modified
    data = yaml.safe_load(doc.text)
    assert "backends" in data["storage"]
    assert repr(data) == repr(doc.data)  # repr: `.nan` is not equal to itself


def test_nan_elsewhere_stays_as_written():
    doc = Document.from_bytes((RELIABILITY / "migrate_nan.yaml").read_bytes())
    migrate(doc)
    assert "x-threshold: .nan\n" in doc.text


def test_a_trailing_dash_without_a_line_break_keeps_its_null_item():
    doc = Document.from_bytes((RELIABILITY / "migrate_trailing_dash.yaml").read_bytes())
    migrate(doc)
    assert doc.data["providers"]["datasetio"][1] is None
    assert doc.data["storage"]["backends"]["kv_default"]["db_path"] == "/tmp/localfs.db"


def test_a_very_long_sqlite_file_name_gives_a_short_backend_name():
    stem = "a" * 1022
    doc = Document(f"version: 2\nmetadata_store:\n  type: sqlite\n  db_path: /x/{stem}.db\ninference_store:\n  type: sqlite\n  db_path: /y/{stem}.db\n")
    migrate(doc)
    names = list(doc.data["storage"]["backends"])
    assert names[0] == "kv_default" and names[1] == "sql_default"
    doc = Document(
        "version: 2\nproviders:\n  datasetio:\n  - provider_id: a\n    provider_type: inline::localfs\n    config:\n"
        f"      kvstore:\n        type: sqlite\n        db_path: /x/{stem}.db\n"
        "  - provider_id: b\n    provider_type: inline::localfs\n    config:\n"
        f"      kvstore:\n        type: sqlite\n        db_path: /y/{stem}.db\n"
    )
    migrate(doc)
    names = list(doc.data["storage"]["backends"])
    assert names == ["kv_default", "kv_" + "a" * 48]  # the slug is cut at 48 characters
    assert yaml.safe_load(doc.text) == doc.data


def test_a_reference_with_a_list_or_mapping_for_backend_does_not_stop_a_migration():
    doc = Document(
        "version: 2\nmetadata_store:\n  type: sqlite\n  db_path: ${env.D:/x}/s.db\nproviders:\n  vector_io:\n"
        "  - provider_id: f\n    provider_type: inline::faiss\n    config:\n      persistence:\n"
        "        backend: [kv_default]\n        namespace: {x: 1}\n"
    )
    migrate(doc)
    assert doc.data["storage"]["stores"]["metadata"] == {"backend": "kv_default", "namespace": "registry"}



def _old_providers(count: int, namespace: bool, flow: bool = False) -> str:
    lines = ["version: 2", "providers:", "  vector_io:"]
    for i in range(count):
        lines += [f"  - provider_id: p{i}", "    provider_type: inline::faiss", "    config:"]
        if flow:
            lines.append(f"      kvstore: {{type: sqlite, db_path: /x/s.db{', namespace: ns' + str(i) if namespace else ''}}}")
        else:
            lines += ["      kvstore:", "        type: sqlite", f"        db_path: ${{env.D:/x}}/s.db  # {i}"]
            lines += [f"        namespace: ns{i}"] if namespace else []
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("namespace, release, most", [(False, None, 4), (True, None, 4), (False, "ogx-1.5", 4)])
def test_a_migration_re_parses_the_file_a_fixed_number_of_times_however_many_stores(monkeypatch, namespace, release, most):
    """Counted work: each verified edit re-parses the whole file, so an edit per store would
    make a migration quadratic in the number of stores (it was, for stores with a namespace).
    With a target release, the new backends and the stores it needs are one edit, not one each."""
    import llama_config.model.document

    counts = []
    for count in (5, 50):
        calls = 0
        real = llama_config.model.document.parse

        def counting(text, *rest):
            nonlocal calls
            calls += 1
            return real(text, *rest)

        monkeypatch.setattr(llama_config.model.document, "parse", counting)
        # (with a metadata store the new file has storage.stores to add the release's stores to)
        doc = Document(_old_providers(count, namespace) + ("metadata_store:\n  type: sqlite\n  db_path: ${env.D:/x}/s.db\n" if release else ""))
        migration = migrate(doc, load_release(release) if release else None)
        assert bool(migration.added_stores) == bool(release)
        monkeypatch.setattr(llama_config.model.document, "parse", real)
        counts.append(calls)
        refs = [doc.data["providers"]["vector_io"][i]["config"]["persistence"] for i in range(count)]
        assert refs[-1] == {"backend": "kv_default", "namespace": f"ns{count - 1}" if namespace else f"vector_io::faiss::p{count - 1}"}
        assert doc.data["storage"]["backends"]["kv_default"] == {"type": "kv_sqlite", "db_path": "${env.D:=/x}/s.db"}
        assert yaml.safe_load(doc.text) == doc.data
    assert counts[0] == counts[1] <= most, counts


def test_a_store_config_whose_mapping_has_a_tag_moves_at_its_keys_indentation():
    """`kvstore: !!map` gives the settings' mapping the tag's column: its lines were indented
    by that column (a review found it)."""
    text = (
        "version: 2\nproviders:\n  eval:\n  - provider_id: m\n    provider_type: inline::meta-reference\n    config:\n"
        "      kvstore: !!map\n        type: sqlite\n        db_path: /tmp/x.db\n"
    )
    doc = Document.from_text(text)
    migrate(doc)
    data = yaml.safe_load(doc.file_texts()[1])
    assert data["storage"]["backends"]["kv_default"] == {"type": "kv_sqlite", "db_path": "/tmp/x.db"}


def test_a_store_config_with_an_explicit_key_moves_at_its_own_indentation():
    """`? type` / `: sqlite`: the moved lines were indented by the first key's column, two to
    the right of the `?`, and the edit did not give the intended data ("internal error";
    found by the fuzz test)."""
    text = (
        "version: 2\nproviders:\n  eval:\n  - provider_id: m\n    provider_type: inline::meta-reference\n    config:\n"
        "      kvstore:\n        ? type\n        : sqlite\n        db_path: /tmp/x.db  # the file\n"
    )
    doc = Document.from_text(text)
    migrate(doc)
    migrated = doc.file_texts()[1]
    assert "    kv_default:\n      ? type\n      : kv_sqlite\n      db_path: /tmp/x.db  # the file\n" in migrated
    data = yaml.safe_load(migrated)
    assert data["storage"]["backends"]["kv_default"] == {"type": "kv_sqlite", "db_path": "/tmp/x.db"}
    assert data["providers"]["eval"][0]["config"]["kvstore"] == {"backend": "kv_default", "namespace": "eval"}


def test_a_store_config_written_as_an_explicit_key_is_refused_with_what_to_write():
    """`? responses_store` then `:` and the settings below: the move cut the lines as a key's
    block and produced a repeated key, refused as an internal error (fuzz seed 991)."""
    text = (
        "version: 2\nproviders:\n  eval:\n  - provider_id: m\n    provider_type: inline::meta-reference\n    config:\n"
        "      ? kvstore\n      :\n        type: sqlite\n        db_path: /tmp/x.db\n"
    )
    doc = Document.from_text(text)
    with pytest.raises(MigrationError, match=r"written as an explicit key \(`\? kvstore`, line 7\); write it as `kvstore:`"):
        migrate(doc)
    assert doc.text == text


_HEAD = "version: 2\nproviders:\n  eval:\n  - provider_id: m\n    provider_type: inline::meta-reference\n    config:\n"


@pytest.mark.parametrize(
    "config, key, line",
    [
        ("      ?\n        kvstore\n      :\n        type: sqlite\n        db_path: /tmp/x.db\n", "kvstore", 7),
        ("      ? # the store\n        kvstore\n      :\n        type: sqlite\n        db_path: /tmp/x.db\n", "kvstore", 7),
        ("      a: 1\n      ?\n\n        kvstore\n      : {type: sqlite, db_path: /tmp/x.db}\n", "kvstore", 8),
        ("      kvstore:\n        ?\n          type\n        : sqlite\n        db_path: /tmp/x.db\n", "type", 8),  # inside the settings
    ],
    ids=["alone", "with-a-comment", "blank-line-between", "inside-the-settings"],
)
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])  # (bare-CR files are refused before)
def test_an_explicit_key_with_its_question_mark_on_a_line_of_its_own_is_refused(config, key, line, newline):
    """`?` alone on a line, the key below it: the move cut the key's lines and left the `?`
    behind, refused as an "internal error: the edit produced invalid YAML" (review of c9742a1)."""
    text = (_HEAD + config).replace("\n", newline)
    doc = Document.from_text(text)
    with pytest.raises(MigrationError, match=rf"the key '{key}' is written explicitly, its `\?` alone on line {line}; write it as `{key}:`, then migrate"):
        migrate(doc)
    assert doc.text == text


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_a_key_beside_an_explicit_key_is_added_at_its_question_mark_and_it_is_not_cut(newline):
    # the new key's column is the `?`'s, not the name's two lines below it (was: internal error)
    text = (_HEAD + "      a: 1\n      ?\n        kvstore\n      :\n        type: sqlite\n").replace("\n", newline)
    doc = Document.from_text(text)
    doc.set(("providers", "eval", 0, "config", "new"), 1)
    assert yaml.safe_load(doc.text)["providers"]["eval"][0]["config"] == {"a": 1, "kvstore": {"type": "sqlite"}, "new": 1}
    assert doc.text.endswith(f"      new: 1{newline}")
    # removing it would leave its `?` behind: refused, saying where (was: internal error)
    with pytest.raises(EditError, match=r"cannot remove it: the key 'kvstore' is written explicitly, its `\?` alone on line 8"):
        doc.delete(("providers", "eval", 0, "config", "kvstore"))
