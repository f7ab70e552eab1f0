"""Editing a run config in place inside a Kubernetes manifest (`set`, `migrate`, `rename-backend`,
the editor's session): the manifest stays byte for byte apart from the block's changed lines,
the block keeps its indentation, and the save is the safe one (atomic, .bak, refuses a file
changed on disk)."""

from __future__ import annotations

import difflib

import pytest

from llama_config.model.document import Document
from llama_config.model.errors import ConfigFileError, ExternalChangeError
from llama_config.model.manifests import read_manifest
from llama_config.model.manifests.editing import EmbeddedDocument, open_editable
from llama_config.model.session import EditSession
from llama_config.model.validation import validate

from .manifest_samples import K8S_DOCS_OLD, OGX_STARTER, POSTGRES_DEMO, configmap, manifest, ogx_server


def _changed_lines(before: str, after: str) -> list[tuple[str, list[str], list[str]]]:
    a, b = before.split("\n"), after.split("\n")
    return [(tag, a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if tag != "equal"]


@pytest.fixture
def operator_manifest(tmp_path):
    text = manifest(configmap("stack-config", "config.yaml", OGX_STARTER.read_text()), ogx_server("stack", "stack-config", "config.yaml"))
    path = tmp_path / "cm.yaml"
    path.write_text(text)
    return path, text


def test_set_changes_only_the_line_it_edits_in_the_manifest(operator_manifest, run_cli):
    path, before = operator_manifest
    result = run_cli("set", path, "server.port=9000")
    assert result.returncode == 0, result.stderr
    after = path.read_text()
    assert _changed_lines(before, after) == [("replace", ["      port: 8321"], ["      port: 9000"])]
    line = after.split("\n").index("      port: 9000") + 1
    assert f"set server.port (line {line})" in result.stdout  # the manifest's line, not the config's
    assert (path.parent / "cm.yaml.bak").read_text() == before
    [config] = read_manifest(str(path), after).configs
    assert Document(config.text).data["server"]["port"] == 9000


def test_a_new_mapping_is_written_at_the_block_indentation(operator_manifest, run_cli):
    path, before = operator_manifest
    result = run_cli("set", path, "storage.backends.kv_extra={type: kv_sqlite, db_path: /data/extra.db}")
    assert result.returncode == 0, result.stderr
    [(tag, old, new)] = _changed_lines(before, path.read_text())
    assert tag == "insert" and old == []
    # storage.backends is at column 4 of the config, and the block is indented by 4
    assert new == ["        kv_extra:", "          type: kv_sqlite", "          db_path: /data/extra.db"]


def test_a_manifest_with_two_configs_needs_a_choice(tmp_path, run_cli, file_state):
    text = manifest(configmap("a", "run.yaml", POSTGRES_DEMO.read_text()), configmap("b", "config.yaml", OGX_STARTER.read_text()))
    path = tmp_path / "two.yaml"
    path.write_text(text)
    state = file_state(path)
    result = run_cli("set", path, "server.port=9000")
    assert result.returncode == 2
    assert "this manifest holds 2 run configs; name the one to edit as FILE#CONFIGMAP/KEY" in result.stderr
    assert f"{path}#a/run.yaml (line 8)" in result.stderr and f"{path}#b/config.yaml" in result.stderr
    assert file_state(path) == state
    result = run_cli("set", f"{path}#b/config.yaml", "server.port=9000")
    assert result.returncode == 0, result.stderr
    assert len(_changed_lines(text, path.read_text())) == 1
    assert run_cli("set", f"{path}#c", "server.port=1").returncode == 2


def test_a_quoted_config_is_refused_with_the_reason(tmp_path, run_cli, file_state):
    path = tmp_path / "q.yaml"
    path.write_text('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: q\ndata:\n  run.yaml: "version: 2\\napis: []\\nproviders: {}\\n"\n')
    state = file_state(path)
    result = run_cli("set", path, "version=3")
    assert result.returncode == 2
    assert f"{path}:6:3: error: ConfigMap q, key run.yaml is written as a double-quoted string; only a `|` block scalar can be edited in place" in result.stderr
    assert file_state(path) == state


def test_an_edit_that_adds_an_error_is_refused_with_the_manifest_position(operator_manifest, run_cli, file_state):
    path, text = operator_manifest
    state = file_state(path)
    result = run_cli("set", path, "storage.stores.metadata.backend=kv_nowhere")
    assert result.returncode == 1
    lines = text.split("\n")
    store = lines.index("        metadata:")  # storage.stores.metadata, in the block
    backend = next(i for i in range(store, len(lines)) if lines[i].strip().startswith("backend:"))
    column = lines[backend].index("kv_default") + 1
    assert f"{path}:{backend + 1}:{column}: error: storage.stores.metadata" in result.stderr and "[unknown-backend]" in result.stderr
    assert file_state(path) == state


def test_migrate_upgrades_an_old_config_in_a_configmap_keeping_the_rest_of_the_manifest(tmp_path, run_cli):
    old = K8S_DOCS_OLD.read_text()
    head = configmap("llama-stack-config", "stack_run_config.yaml", old)
    tail = "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: llama-stack\nspec:\n  ports:\n  - port: 8321\n"
    path = tmp_path / "stack-configmap.yaml"
    path.write_text(head + tail)
    result = run_cli("migrate", "--write", path)
    assert result.returncode == 0, result.stderr
    after = path.read_text()
    assert after.startswith(head.partition("\ndata:\n")[0] + "\ndata:\n  stack_run_config.yaml: |\n    version: '2'\n")
    assert after.endswith(tail)
    [config] = read_manifest(str(path), after).configs
    assert config.exact and config.indent == 4
    doc = Document(config.text)
    assert "storage" in doc.data and "metadata_store" not in doc.data
    assert not [d for d in validate(doc) if d.code == "old-format"]


def test_upgrade_carries_a_configmaps_config_across_releases_in_place(tmp_path, run_cli):
    old = (POSTGRES_DEMO.parents[2] / "0.4" / "postgres-demo" / "config.yaml").read_text()
    head = configmap("stack", "run.yaml", old)
    tail = "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: llama-stack\n"
    path = tmp_path / "cm.yaml"
    path.write_text(head + tail)
    refused = run_cli("upgrade", path, "--to", "ogx-1.5", "--write")
    assert refused.returncode == 1 and path.read_text() == head + tail  # REMOVED safety needs a human
    result = run_cli("upgrade", path, "--to", "ogx-1.5", "--write", "--force")
    assert result.returncode == 0, result.stderr
    after = path.read_text()
    assert after.startswith(head.partition("\ndata:\n")[0]) and after.endswith(tail)
    assert "\n    distro_name: postgres-demo\n" in after and "\n    # - safety\n" in after
    [config] = read_manifest(str(path), after).configs
    assert config.exact and config.indent == 4
    assert "responses" in Document(config.text).data["providers"]


def test_migrate_to_stdout_and_dry_run_show_the_whole_manifest(tmp_path, run_cli, file_state):
    path = tmp_path / "cm.yaml"
    path.write_text(configmap("c", "run.yaml", K8S_DOCS_OLD.read_text()))
    state = file_state(path)
    out = run_cli("migrate", path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("apiVersion: v1\nkind: ConfigMap\n") and "\n    storage:\n" in out.stdout
    dry = run_cli("migrate", "--dry-run", path)
    assert f"--- {path} (on disk)" in dry.stdout and "+    storage:" in dry.stdout
    assert file_state(path) == state


def test_crlf_manifest_keeps_its_line_breaks(tmp_path, run_cli):
    text = configmap("c", "run.yaml", POSTGRES_DEMO.read_text()).replace("\n", "\r\n")
    path = tmp_path / "crlf.yaml"
    path.write_bytes(text.encode())
    assert run_cli("set", path, "server.port=9000").returncode == 0
    after = path.read_bytes().decode()
    assert after == text.replace("port: 8321\r\n", "port: 9000\r\n", 1)


def test_session_edits_saves_and_reloads_an_embedded_config(operator_manifest):
    path, before = operator_manifest
    session = EditSession.open(f"{path}#stack-config/config.yaml", validate_now=False)
    assert isinstance(session.doc, EmbeddedDocument)
    session.set_value(("server", "port"), 8443)
    assert session.doc.diff().startswith(f"--- {path} (on disk)")
    session.save()
    after = path.read_text()
    assert _changed_lines(before, after) == [("replace", ["      port: 8321"], ["      port: 8443"])]
    session.set_value(("server", "port"), 8444)  # a second save works from the new manifest
    session.save()
    assert _changed_lines(after, path.read_text()) == [("replace", ["      port: 8443"], ["      port: 8444"])]
    path.write_text(path.read_text().replace("8444", "8445"))
    session.set_value(("server", "port"), 1)
    with pytest.raises(ExternalChangeError):
        session.save()
    session.reload()
    assert session.data["server"]["port"] == 8445


def test_a_broken_embedded_config_is_reported_at_the_manifest_position(tmp_path):
    path = tmp_path / "cm.yaml"
    text = configmap("c", "run.yaml", POSTGRES_DEMO.read_text().replace("  port: 8321", "  port: [8321", 1))
    path.write_text(text)
    with pytest.raises(ConfigFileError) as caught:
        open_editable(str(path))
    assert caught.value.file == str(path) and "(in ConfigMap c, key run.yaml)" in caught.value.message
    assert caught.value.line > text[: text.index("port: [")].count("\n")


def test_a_helm_template_is_not_edited(tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  run.yaml: |\n    version: 2\n    apis: []\n")
    with pytest.raises(ConfigFileError, match="is a Helm template"):
        open_editable(str(path))


def test_a_plain_run_config_still_opens_as_itself(config_file):
    doc = open_editable(str(config_file))
    assert type(doc) is Document and doc.file_texts() == (doc.text, doc.text)
