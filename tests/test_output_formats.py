"""`validate --format text|json|github|sarif`: GitHub annotations against exact text, SARIF against
the official SARIF 2.1.0 schema (tests/sarif/, source in tests/sarif/SOURCE.md)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from llama_config.model.diagnostics import CODES
from llama_config.model.errors import ConfigFileError
from llama_config.model.findings import Finding, artifact_uri, github_annotation
from tests.conftest import MINIMAL_CONFIG

SARIF_SCHEMA = json.loads((Path(__file__).parent / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))

# one finding of each severity: line 2 col 1 image_name, deprecated (info); line 24 col 16 an
# unknown backend (error); line 34 col 3 an unknown server field (warning)
FINDINGS = (
    MINIMAL_CONFIG.replace("backend: sql_default", "backend: ghost")
    .replace("  port: 8321", "  port: 8321\n  quota_x: 1")
    .replace("distro_name: mini", "image_name: mini")
)


@pytest.fixture
def findings_file(tmp_path: Path) -> Path:
    path = tmp_path / "run.yaml"
    path.write_text(FINDINGS, encoding="utf-8")
    return path


def test_github_annotations_exact(run_cli, findings_file):
    r = run_cli("validate", "--format", "github", "run.yaml")
    assert r.returncode == 1
    assert r.stdout == (
        "::notice file=run.yaml,line=2,col=1,title=deprecated-field::'image_name' is deprecated in llama-stack 0.7; write 'distro_name' instead\n"
        "::error file=run.yaml,line=24,col=16,title=unknown-backend::storage.stores.inference references unknown backend 'ghost'. Available backends: ['kv_default', 'sql_default']\n"
        "::warning file=run.yaml,line=34,col=3,title=unknown-key::server has no field 'quota_x', so llama-stack 0.7 ignores it; did you mean 'quota'?\n"
    )
    # the human lines stay on stderr, where the Actions log shows them next to the annotations
    assert r.stderr.splitlines()[-1] == "run.yaml: 1 error, 1 warning, 1 info"


def test_github_escapes_data_and_properties_as_the_actions_toolkit_does():
    finding = Finding("dir,with:odd%/run.yaml", "error", "unknown-key", 3, 5, "50% done\r\nnext: a, b")
    assert github_annotation(finding) == (
        "::error file=dir%2Cwith%3Aodd%25/run.yaml,line=3,col=5,title=unknown-key::50%25 done%0D%0Anext: a, b"
    )


def test_github_unreadable_file_without_a_line(run_cli, tmp_path):
    (tmp_path / "run.yaml").write_text(MINIMAL_CONFIG)
    r = run_cli("validate", "--format", "github", "missing.yaml", "run.yaml")
    assert r.returncode == 2
    assert r.stdout == "::error file=missing.yaml,title=unreadable::no such file\n"
    assert "missing.yaml: error: no such file" in r.stderr


def test_github_parse_error_has_its_line(run_cli, tmp_path):
    (tmp_path / "run.yaml").write_text("version: 2\nstorage: [unclosed\n")
    r = run_cli("validate", "--format", "github", "run.yaml")
    assert r.returncode == 2
    assert r.stdout.startswith("::error file=run.yaml,line=3,col=1,title=unreadable::")


def _sarif(run_cli, *args) -> tuple[dict, int]:
    r = run_cli("validate", "--format", "sarif", *args)
    log = json.loads(r.stdout)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)  # the schema is draft-04
    return log, r.returncode


def test_sarif_is_valid_and_carries_every_finding(run_cli, findings_file):
    log, status = _sarif(run_cli, "run.yaml")
    assert status == 1
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert run["tool"]["driver"]["name"] == "llama-config"
    assert [r["id"] for r in rules] == [*CODES, "unreadable"]
    assert all(r["shortDescription"]["text"] and f"ignore[{r['id']}]" in r["help"]["text"] for r in rules[:-1])
    got = [
        (res["ruleId"], rules[res["ruleIndex"]]["id"], res["level"],
         res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
         res["locations"][0]["physicalLocation"]["region"]["startLine"],
         res["locations"][0]["physicalLocation"]["region"]["startColumn"])
        for res in run["results"]
    ]
    assert got == [
        ("deprecated-field", "deprecated-field", "note", "run.yaml", 2, 1),
        ("unknown-backend", "unknown-backend", "error", "run.yaml", 24, 16),
        ("unknown-key", "unknown-key", "warning", "run.yaml", 34, 3),
    ]
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_sarif_of_several_inputs_with_an_unreadable_one(run_cli, tmp_path, findings_file):
    sub = tmp_path / "my configs"
    sub.mkdir()
    (sub / "run.yaml").write_text(MINIMAL_CONFIG)
    log, status = _sarif(run_cli, "run.yaml", "my configs", "gone.yaml")
    assert status == 2
    run = log["runs"][0]
    unreadable = [res for res in run["results"] if res["ruleId"] == "unreadable"]
    assert len(unreadable) == 1 and unreadable[0]["level"] == "error"
    location = unreadable[0]["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "gone.yaml"}}  # no line to point at
    assert run["invocations"] == [{"executionSuccessful": False}]


def test_sarif_with_no_findings_is_valid(run_cli, config_file):
    log, status = _sarif(run_cli, str(config_file))
    assert status == 0 and log["runs"][0]["results"] == []


def test_artifact_uris():
    assert artifact_uri("deploy/my run.yaml") == "deploy/my%20run.yaml"
    assert artifact_uri("/srv/run.yaml") == "file:///srv/run.yaml"


def test_json_is_an_alias_of_format_json(run_cli, findings_file):
    a = run_cli("validate", "--json", "run.yaml")
    b = run_cli("validate", "--format", "json", "run.yaml")
    assert (a.returncode, a.stdout) == (b.returncode, b.stdout)
    assert [i["code"] for i in json.loads(a.stdout)] == ["deprecated-field", "unknown-backend", "unknown-key"]


def test_text_format_is_the_default(run_cli, findings_file):
    a = run_cli("validate", "run.yaml")
    b = run_cli("validate", "--format", "text", "run.yaml")
    assert (a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr)
    assert a.stdout.splitlines()[1] == (
        "run.yaml:24:16: error: storage.stores.inference references unknown backend 'ghost'. "
        "Available backends: ['kv_default', 'sql_default'] [unknown-backend]"
    )


def test_unknown_format_is_a_command_line_error(run_cli, findings_file):
    r = run_cli("validate", "--format", "xml", "run.yaml")
    assert r.returncode == 2 and "invalid choice: 'xml'" in r.stderr


def test_finding_of_an_error_keeps_its_place():
    f = Finding.of_error("run.yaml", ConfigFileError("bad", "run.yaml", 3, 4))
    assert (f.severity, f.code, f.line, f.column, f.message) == ("error", "unreadable", 3, 4, "bad")


def test_a_finding_without_a_line_or_column_prints_what_it_has():
    assert Finding.of_error("run.yaml", ConfigFileError("no such file", "run.yaml")).text() == "run.yaml: error: no such file [unreadable]"
    assert Finding("run.yaml", "error", "unreadable", 3, None, "bad").text() == "run.yaml:3: error: bad [unreadable]"
    assert Finding("run.yaml", "warning", "unknown-key", 3, 5, "x").text() == "run.yaml:3:5: warning: x [unknown-key]"
