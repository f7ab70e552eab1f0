"""`llama-config rename-backend FILE OLD NEW`: rename a backend and every reference to it."""

from __future__ import annotations

import difflib
import os
import re
from collections import Counter
from pathlib import Path

import pytest

from llama_config.model.document import Document, EditError
from llama_config.model.references import find_references
from tests.conftest import MINIMAL_CONFIG

# The starter config ogx 1.5 ships (a file that release starts with; the d1b663294 snapshot
# between llama-stack 0.7 and ogx 1.0 matches no release, so it does not validate cleanly).
STARTER = Path(__file__).parent / "corpus" / "releases" / "ogx-1.5" / "starter" / "config.yaml"


def _refs_to(path, backend: str) -> list:
    return [ref for ref in find_references(Document.load(str(path)).data) if ref.backend == backend]


def _changed_lines(old: str, new: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for line in difflib.ndiff(old.splitlines(keepends=True), new.splitlines(keepends=True)):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


@pytest.fixture
def starter(tmp_copy):
    if not STARTER.is_file():
        pytest.skip(f"corpus file {STARTER} not present")
    return tmp_copy(STARTER, "config.yaml")


@pytest.mark.parametrize("old", ["kv_default", "sql_default"])
def test_rename_updates_every_reference_in_a_corpus_file(run_cli, starter, old):
    original = starter.read_text()
    before = _refs_to(starter, old)
    assert len(before) > 1
    new = old.replace("default", "main")
    r = run_cli("rename-backend", starter, old, new, "--server", "ogx-1.5")
    assert r.returncode == 0, r.stderr
    assert _refs_to(starter, old) == []
    after = _refs_to(starter, new)
    assert [ref.path for ref in after] == [ref.path for ref in before]
    assert [ref.partition for ref in after] == [ref.partition for ref in before]
    data = Document.load(str(starter)).data
    assert new in data["storage"]["backends"] and old not in data["storage"]["backends"]
    assert list(data["storage"]["backends"]).index(new) == list(Document.from_bytes(original.encode()).data["storage"]["backends"]).index(old)
    # the diff touches only the reference lines and the backend's key, nothing else
    text = starter.read_text()
    assert len(text.splitlines()) == len(original.splitlines())
    removed, added = _changed_lines(original, text)
    assert len(removed) == len(added) == len(before) + 1
    assert [line.replace(old, new) for line in removed] == added
    assert all(line.strip() in (f"backend: {old}", f"{old}:") for line in removed)
    assert f"renamed backend '{old}' to '{new}' and {len(before)} references:" in r.stdout
    assert (starter.parent / "config.yaml.bak").read_text() == original
    assert run_cli("validate", starter, "--server", "ogx-1.5").returncode == 0


def test_rename_dry_run_prints_the_diff_and_writes_nothing(run_cli, config_file, file_state):
    before = file_state(config_file)
    r = run_cli("rename-backend", config_file, "sql_default", "sql_main", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"--- {config_file} (on disk)\n+++ {config_file} (edited)\n")
    assert "-    sql_default:\n+    sql_main:\n" in r.stdout
    assert "-      backend: sql_default\n+      backend: sql_main\n" in r.stdout
    assert file_state(config_file) == before
    assert os.listdir(config_file.parent) == ["run.yaml"]


def test_rename_output_leaves_file_untouched(run_cli, config_file, file_state, tmp_path):
    before = file_state(config_file)
    out = tmp_path / "renamed.yaml"
    r = run_cli("rename-backend", config_file, "kv_default", "kv_main", "-o", out)
    assert r.returncode == 0, r.stderr
    assert file_state(config_file) == before
    assert out.read_text() == MINIMAL_CONFIG.replace("kv_default", "kv_main")
    assert r.stdout.splitlines()[0] == "renamed backend 'kv_default' to 'kv_main' and 3 references:"


def test_rename_writes_out_a_store_that_used_the_old_default(run_cli, config_file):
    """Newer servers point an unset store at sql_default: after renaming it, the store is written out."""
    assert "conversations" not in MINIMAL_CONFIG
    r = run_cli("rename-backend", config_file, "sql_default", "sql_main", "--no-backup", "--server", "0.7")
    assert r.returncode == 0, r.stderr
    assert config_file.read_text() == MINIMAL_CONFIG.replace("sql_default", "sql_main").replace(
        "server:\n", "    conversations:\n      backend: sql_main\n      table_name: openai_conversations\nserver:\n"
    )
    assert "storage.stores.conversations (was unset, so llama-stack 0.7 used 'sql_default'; now written out)" in r.stdout


# Only the stores 0.3 needs are set (metadata, inference, conversations; image_name, which
# 0.3 and 0.4 require): every other store is left to the release's default. From 0.4 on an
# unset store means {backend: kv_default | sql_default, ...} and the release's StackConfig
# refuses a file that does not declare that backend ("storage.stores.prompts references
# unknown backend 'kv_default'", llama-stack 0.4.7 and 0.5.4 as run by the oracle); 0.3 has
# no defaults. What the rename writes out therefore depends on the release.
FEW_STORES = MINIMAL_CONFIG.replace("distro_name:", "image_name:").replace(
    "    prompts:\n      backend: kv_default\n      namespace: prompts\n    connectors:\n      backend: kv_default\n      namespace: connectors\n",
    "    conversations:\n      backend: sql_default\n      table_name: openai_conversations\n",
)


@pytest.mark.parametrize(
    "server, old, written",
    [
        pytest.param("0.3", "kv_default", {}, id="0.3-no-defaults"),
        pytest.param("0.4", "kv_default", {"prompts": ("namespace", "prompts")}, id="0.4-kv-prompts"),
        pytest.param("0.5", "kv_default", {"connectors": ("namespace", "connectors"), "prompts": ("namespace", "prompts")}, id="0.5-kv-connectors"),
        pytest.param(
            "ogx-1.5", "sql_default",
            {"prompts": ("table_name", "prompts"), "connectors": ("table_name", "connectors")},
            id="ogx-1.5-sql-prompts",
        ),  # fmt: skip
    ],
)
def test_rename_writes_out_the_stores_the_release_defaults_to_the_old_backend(run_cli, tmp_path, server, old, written):
    path = tmp_path / "run.yaml"
    path.write_text(FEW_STORES)
    new = f"{old}_renamed"
    r = run_cli("rename-backend", path, old, new, "--no-backup", "--server", server)
    assert r.returncode == 0, r.stderr
    stores = Document.load(str(path)).data["storage"]["stores"]
    expected = {store: {"backend": new, key: value} for store, (key, value) in written.items()}
    assert {k: v for k, v in stores.items() if k not in ("metadata", "inference", "conversations")} == expected
    name = {"0.3": "llama-stack 0.3", "0.4": "llama-stack 0.4", "0.5": "llama-stack 0.5", "ogx-1.5": "ogx 1.5"}[server]
    for store in written:
        assert f"  storage.stores.{store} (was unset, so {name} used '{old}'; now written out)" in r.stdout.splitlines()
    assert ("written out" in r.stdout) == bool(written)
    # the result starts on that release: nothing is left pointing at the old name
    assert run_cli("validate", path, "--server", server).returncode == 0


def test_deleting_a_backend_a_defaulted_store_uses_is_refused_unless_moved():
    from llama_config.model.operations import delete_backend
    from llama_config.model.releases import load_release

    text = FEW_STORES.replace("    sql_default:\n", "    kv_other:\n      type: kv_sqlite\n      db_path: /tmp/o.db\n    sql_default:\n")
    text = text.replace("backend: kv_default\n      namespace: registry", "backend: kv_other\n      namespace: registry")
    doc = Document(text)
    with pytest.raises(EditError, match=r"storage.stores.prompts \(unset: uses 'kv_default' by default\)"):
        delete_backend(doc, "kv_default", release=load_release("0.4"))
    delete_backend(doc, "kv_default", "kv_other", release=load_release("0.4"))
    assert doc.data["storage"]["stores"]["prompts"] == {"backend": "kv_other", "namespace": "prompts"}
    # 0.3 has no default stores: nothing uses kv_default there
    doc = Document(text)
    delete_backend(doc, "kv_default", release=load_release("0.3"))
    assert "kv_default" not in doc.data["storage"]["backends"]


@pytest.mark.parametrize(
    "old, new, message",
    [
        pytest.param("nope", "x", "there is no backend 'nope' (backends: ['kv_default', 'sql_default'])", id="unknown-OLD"),
        pytest.param("kv_default", "sql_default", "a backend named 'sql_default' already exists", id="existing-NEW"),
        pytest.param("kv_default", "kv_default", "a backend named 'kv_default' already exists", id="same-name"),
        pytest.param("kv_default", "9kv", "'9kv' is not a usable backend name", id="bad-NEW"),
    ],
)
def test_rename_refuses_with_exit_2(run_cli, config_file, file_state, old, new, message):
    before = file_state(config_file)
    r = run_cli("rename-backend", config_file, old, new)
    assert r.returncode == 2
    assert r.stderr.startswith(f"{config_file}: error: {message}")
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert file_state(config_file) == before
    assert os.listdir(config_file.parent) == ["run.yaml"]


def test_rename_in_a_file_without_backends_exits_2(run_cli, tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("version: 2\nproviders: {}\n")
    r = run_cli("rename-backend", path, "kv_default", "kv_main")
    assert r.returncode == 2
    assert r.stderr.strip() == f"{path}: error: there is no backend 'kv_default' (backends: [])"


def test_rename_that_would_add_an_error_is_refused(run_cli, tmp_path, file_state):
    """A placeholder reference cannot be renamed; it would then name a missing backend: exit 1."""
    path = tmp_path / "run.yaml"
    path.write_text(
        MINIMAL_CONFIG.replace(
            "    connectors:\n      backend: kv_default", "    connectors:\n      backend: ${env.LCT_BACKEND:=kv_default}"
        )
    )
    before = file_state(path)
    r = run_cli("rename-backend", path, "kv_default", "kv_main")
    assert r.returncode == 1
    assert "storage.stores.connectors.backend is a placeholder" in r.stderr
    assert "[unknown-backend]" in r.stderr
    assert r.stderr.strip().endswith("nothing was written. Use --force to write anyway.")
    assert file_state(path) == before
    r = run_cli("rename-backend", path, "kv_default", "kv_main", "--force", "--no-backup")
    assert r.returncode == 0
    assert path.read_text().count("kv_main") == 3  # the key and two references; the placeholder is kept


def test_rename_backend_with_an_existing_error_is_not_refused(run_cli, tmp_path):
    """An error inside the renamed backend moves to the new name; it is not a new error
    (was refused: errors were compared by path, and the path changed with the name)."""
    path = tmp_path / "run.yaml"
    text = MINIMAL_CONFIG.replace("db_path: /tmp/kv.db", "db_path: [1, 2]")
    path.write_text(text)
    assert run_cli("validate", path).returncode == 1
    r = run_cli("rename-backend", path, "kv_default", "kv_main")
    assert r.returncode == 0, r.stderr
    assert path.read_text() == text.replace("kv_default", "kv_main")


def test_rename_every_backend_of_every_corpus_file(cli_corpus_file, tmp_copy, capsys):
    """In-process over the whole corpus: every reference follows the rename, nothing else moves."""
    from llama_config.tui.cli import main

    original = cli_corpus_file.read_text()
    backends = list((Document.load(str(cli_corpus_file)).data.get("storage") or {}).get("backends") or {})
    if not backends:
        pytest.skip("no storage.backends (pre-0.3 file)")
    for old in backends:
        path = tmp_copy(cli_corpus_file, f"{old}.yaml")
        before = _refs_to(path, old)
        rc = main(["rename-backend", str(path), old, f"{old}_renamed", "--no-backup"])
        out, err = capsys.readouterr()
        assert rc == 0, err
        assert _refs_to(path, old) == []
        after = _refs_to(path, f"{old}_renamed")
        assert {r.path for r in before} <= {r.path for r in after}
        # only the reference lines, the key, and stores written out (all new lines) changed
        removed, added = _changed_lines(original, path.read_text())
        assert len(removed) == len(before) + 1
        assert all(line.strip() in (f"backend: {old}", f"{old}:") for line in removed)
        renamed = Counter(line.replace(old, f"{old}_renamed") for line in removed)
        extra = Counter(added) - renamed
        assert not renamed - Counter(added)
        # each store that silently used the old default is written out: 3 new lines
        assert sum(extra.values()) == 3 * (len(after) - len(before))
        assert all(re.fullmatch(rf"    \w+:\n|      (backend: {old}_renamed|namespace: \S+|table_name: \w+)\n", line) for line in extra)


def test_a_reference_with_a_repeated_backend_key_is_refused_with_its_lines(run_cli, tmp_path, file_state):
    # tests/files/reliability/rename_repeated_backend_key.yaml: `backend: kv_default` written twice
    path = tmp_path / "run.yaml"
    path.write_bytes((Path(__file__).parent / "files" / "reliability" / "rename_repeated_backend_key.yaml").read_bytes())
    before = file_state(path)
    r = run_cli("rename-backend", path, "kv_default", "kv_new")
    assert r.returncode == 2
    assert "providers.vector_io[0].config.persistence.backend is written 2 times (lines 9 and 10)" in r.stderr
    assert "internal error" not in r.stderr
    assert file_state(path) == before


def test_a_rename_with_many_references_lists_a_few_and_counts_the_rest(run_cli, tmp_path):
    from tests.test_validation_scale import many_vector_providers

    path = tmp_path / "run.yaml"
    path.write_text(many_vector_providers(80))
    r = run_cli("rename-backend", path, "kv_default", "kv_main", "--no-backup")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("renamed backend 'kv_default' to 'kv_main' and ") and lines[0].endswith(" references:")
    count = int(lines[0].split(" and ")[1].split()[0])
    assert count > 80
    listed = [line for line in lines if line.startswith("  providers.") or line.startswith("  storage.")]
    assert len(listed) == 49
    assert f"  ... and {count - 49:,} more (--dry-run shows each change)" in lines
    assert path.read_text().count("backend: kv_main") == count
