"""`upgrade`: the steps keep comments, quotes, placeholders, indentation and CRLF, change only
the lines they name, and the command exits 1 on what needs a human unless --force."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from llama_config.model.document import Document
from llama_config.model.migration.steps import steps_between
from llama_config.model.migration.upgrade import PRE_03, detect_source, upgrade
from llama_config.tui.cli import main

FILES = Path(__file__).parent / "files" / "upgrade"
COMMENTED = FILES / "commented-0.3.yaml"  # hand-written: comments everywhere, 4-space indent, CRLF
CORPUS = Path(__file__).parent / "corpus" / "releases"


def _comments(text: str) -> list[str]:
    return [m.group() for m in re.finditer(r"#[^\r\n]*", text)]


def test_every_comment_survives_and_only_named_lines_change():
    doc = Document.from_bytes(COMMENTED.read_bytes(), name=str(COMMENTED))
    original = doc.text
    result = upgrade(doc, "0.3", "ogx-1.5")
    after = doc.text
    # CRLF everywhere, no bare LF
    assert after.count("\n") == after.count("\r\n")
    # every comment of the original is still there, in order (a commented-out line holds it after "# ")
    kept = " ".join(_comments(after))
    for comment in _comments(original):
        assert comment in kept, comment
    # lines that changed: exactly the ones the steps name
    old_lines, new_lines = original.split("\r\n"), after.split("\r\n")
    import difflib

    changed = [line for line in difflib.ndiff(old_lines, new_lines) if line.startswith("- ")]
    expected_changes = {
        'image_name: "my-stack"   # the distribution',  # distro_name (#4396)
        "- agents      # the agents API",  # responses (#5195)
        "- safety", "- telemetry",  # removed APIs, commented out
        "            url: '${env.OLLAMA_URL:=http://localhost:11434}'   # no /v1 here",  # base_url (#4177)
        "    agents:", "        provider_type: inline::meta-reference",  # responses / builtin (#5131)
        "            db_path: ${env.SQLITE_STORE_DIR:=~/.llama/distributions/my-stack}/kv.db",  # ~/.ogx
        '            db_path: "${env.SQLITE_STORE_DIR:=~/.llama/distributions/my-stack}/sql.db"',
    }
    removed_blocks = ("safety", "telemetry", "shields", "quota")  # commented out, line by line
    for line in changed:
        text = line[2:]
        commented = any(line.lstrip().startswith("#") and line.endswith(text.strip()) for line in new_lines)
        assert text in expected_changes or commented or text.strip() == "", text
    assert "base_url: '${env.OLLAMA_URL:=http://localhost:11434}/v1'   # no /v1 here" in after  # quotes kept
    assert 'distro_name: "my-stack"   # the distribution' in after
    assert "    # quota:" in after and "    #     anonymous_max_requests: 100" in after  # kept, commented out
    assert "# telemetry:" in after and "#     enabled: true   # traces" in after
    names = [step.name for step, _, _ in result.results]
    assert names.index("telemetry") < names.index("distro-name") < names.index("quota-cors") < names.index("tls-required")
    assert all(f"# {b}:" in after for b in removed_blocks)
    # the rest of the file is byte for byte what it was
    assert after.startswith("# My stack, hand-written for llama-stack 0.3\r\nversion: 2\r\n")


def test_upgraded_file_is_what_ogx_reads():
    doc = Document.from_bytes(COMMENTED.read_bytes())
    upgrade(doc, "0.3", "ogx-1.5")
    data = doc.data
    assert "responses" in data["apis"] and "safety" not in data["apis"] and "telemetry" not in data["apis"]
    assert set(data["providers"]) == {"inference", "responses"}
    assert data["providers"]["inference"][0]["config"] == {"base_url": "${env.OLLAMA_URL:=http://localhost:11434}/v1"}
    assert "prompts" not in data["storage"]["stores"]  # ogx's default (sql_default, declared) fills it in
    assert "quota" not in data["server"] and "telemetry" not in data and "shields" not in data["registered_resources"]


def test_steps_apply_in_release_order_and_only_when_crossed():
    lines = [line for _, line in steps_between("0.5", "ogx-1.0")]
    assert lines == sorted(lines, key=["0.6", "0.7", "ogx-1.0"].index)
    assert "telemetry" not in [s.name for s, _ in steps_between("0.4", "ogx-1.5")]  # a 0.4 file has crossed 0.4
    assert [s.name for s, _ in steps_between(None, "0.3")][:2] == ["storage-backends", "registered-resources"]


def test_pre_0_3_file_is_detected_and_migrated_first():
    old = Path(__file__).parent / "corpus" / "llama-stack" / "add64e8e2" / "llama_stack" / "distributions" / "starter" / "run.yaml"
    doc = Document.load(str(old))
    assert detect_source(doc) == PRE_03
    result = upgrade(doc, PRE_03, "0.4")
    assert result.results[0][0].name == "storage-backends"
    assert "storage" in doc.data and "metadata_store" not in doc.data


def test_cli_exit_codes_and_output_modes(tmp_path, capsys):
    src = tmp_path / "run.yaml"
    shutil.copy(COMMENTED, src)
    before = src.read_bytes()
    # something needs a human (removed APIs, quota, TLS): exit 1, nothing written
    assert main(["upgrade", str(src), "--to", "ogx-1.5", "--write"]) == 1
    assert src.read_bytes() == before
    err = capsys.readouterr()
    assert "REMOVED: ogx 1.0 has no safety API (ogx #5290)" in err.out and "refused" in err.err
    # --dry-run prints the report and the diff
    assert main(["upgrade", str(src), "--to", "ogx-1.5", "--dry-run", "--force"]) == 0
    assert "+distro_name" in capsys.readouterr().out.replace("\r", "")
    # --force --write keeps .bak
    assert main(["upgrade", str(src), "--to", "ogx-1.5", "--write", "--force"]) == 0
    assert (tmp_path / "run.yaml.bak").read_bytes() == before and src.read_bytes() != before
    assert "config.yaml" in capsys.readouterr().out  # the rename is mentioned, never done
    # migrate --to is upgrade --to; upgrading again finds nothing to do
    assert main(["migrate", str(src), "--to", "ogx-1.5", "--from", "ogx-1.5", "-o", str(tmp_path / "again.yaml")]) == 0
    assert "nothing to do" in capsys.readouterr().out
    # going backwards is refused
    assert main(["upgrade", str(src), "--to", "0.4", "--from", "ogx-1.5"]) == 1


def test_clean_upgrade_exits_0(tmp_path, capsys):
    src = tmp_path / "config.yaml"
    shutil.copy(CORPUS / "ogx-1.0" / "starter" / "config.yaml", src)
    assert main(["upgrade", str(src), "--to", "ogx-1.1", "-o", str(tmp_path / "out.yaml")]) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert "providers.messages[0].config.kvstore: added" in out  # ogx 1.1 requires it
    assert Document.load(str(tmp_path / "out.yaml")).data["providers"]["messages"][0]["config"]["kvstore"]["backend"] == "kv_default"


def test_removed_resources_are_commented_out_under_the_api_each_served(tmp_path, capsys):
    """ogx 1.0 dropped datasets, scoring_fns and benchmarks with their APIs (#5290): each is
    commented out under the API it served, not under the one API the file happened to list."""
    src = tmp_path / "run.yaml"
    src.write_text(
        "version: 2\ndistro_name: x\napis:\n- inference\n- safety\nproviders:\n  inference: []\n"
        "registered_resources:\n  models: []\n  shields: []\n  datasets: []\n  scoring_fns: []\n  benchmarks: []\n"
        "storage:\n  backends:\n    kv_default:\n      type: kv_sqlite\n      db_path: /tmp/kv.db\n"
    )
    out = tmp_path / "out.yaml"
    assert main(["upgrade", str(src), "--from", "0.7", "--to", "ogx-1.0", "--force", "--output", str(out)]) == 0
    text = out.read_text()
    for key, api in [("shields", "safety"), ("datasets", "datasetio"), ("scoring_fns", "scoring"), ("benchmarks", "eval")]:
        assert f"  # llama-config upgrade: ogx 1.0 has no {api} API (ogx #5290); kept for the record\n  # {key}: []\n" in text
    assert yaml.safe_load(text)["registered_resources"] == {"models": []}
    assert "REMOVED: ogx 1.0 has no datasetio, eval, safety, scoring API (ogx #5290)" in capsys.readouterr().out
