"""The fields a release marks secret (`secret_fields` in its data: `SecretStr` fields) are masked
in every output, also when their name does not look secret: remote::s3's `aws_access_key_id`
(files API, llama-stack 0.5 and later, ogx), and kv_postgres's `connection_string` (ogx 1.4+).
"""

from __future__ import annotations

import json

import pytest

from llama_config.model.envvars import Environment
from llama_config.model.probes import plan
from llama_config.model.redaction import MASK, is_secret_path
from llama_config.model.release_secrets import release_secret_fields
from llama_config.model.releases import load_release
from llama_config.model.yamlparse import parse
from llama_config.tui.cli import main

SECRETS = ("AKIA-KEYID-1", "AKIA-WRONG-TYPE-2", "QUtJQS1XUk9ORy1UWVBFLTI", "CONNSTR-PW-3", "AKIA-MIGRATE-4", "AKIA-PARSE-5", "AKIA-LOWER-6")

CONFIG = """\
version: 2
distro_name: s3demo
apis: [files]
providers:
  files:
  - provider_id: s3
    provider_type: remote::s3
    config:
      bucket_name: b
      region: us-east-1
      aws_access_key_id: ${env.LC_TEST_AWS_KEY_ID:=AKIA-KEYID-1}
      metadata_store: {backend: sql_default, table_name: s3_files_metadata}
  - provider_id: s3b
    provider_type: remote::s3
    config:
      bucket_name: b
      aws_access_key_id: !!binary QUtJQS1XUk9ORy1UWVBFLTI=
      metadata_store: {backend: sql_default, table_name: s3b_files_metadata}
  - provider_id: s3c
    provider_type: remote::s3
    config:
      bucket_name: b
      aws_access_key_id: ${env.lower:=AKIA-LOWER-6}
      metadata_store: {backend: sql_default, table_name: s3c_files_metadata}
storage:
  backends:
    kv_default: {type: kv_sqlite, db_path: /tmp/lc-release-secrets/kv.db}
    sql_default: {type: sql_sqlite, db_path: /tmp/lc-release-secrets/sql.db}
    kv_pg:
      type: kv_postgres
      connection_string: host=127.0.0.1 dbname=x sslmode=CONNSTR-PW-3
  stores:
    metadata: {backend: kv_default, namespace: registry}
    inference: {backend: sql_default, table_name: inference_store}
    conversations: {backend: sql_default, table_name: openai_conversations}
    prompts: {backend: kv_default, namespace: prompts}
    connectors: {backend: kv_default, namespace: connectors}
"""


def assert_no_secret(text: str) -> None:
    leaked = [s for s in SECRETS if s in text]
    assert not leaked, f"leaked {leaked}:\n{text}"


@pytest.fixture
def config_file(tmp_path, monkeypatch):
    monkeypatch.delenv("LC_TEST_AWS_KEY_ID", raising=False)
    path = tmp_path / "run.yaml"
    path.write_text(CONFIG)
    return path


def test_the_fields_are_marked_by_the_release_and_not_by_their_name():
    path = ("providers", "files", 0, "config", "aws_access_key_id")
    assert not is_secret_path(path)  # the name says nothing
    data = parse(CONFIG).value
    assert is_secret_path(path, release_secret_fields(data, load_release("ogx-1.5")))
    assert is_secret_path(("storage", "backends", "kv_pg", "connection_string"), release_secret_fields(data, load_release("ogx-1.5")))
    # ogx 1.3 has no connection_string field, so it marks nothing there
    assert not is_secret_path(("storage", "backends", "kv_pg", "connection_string"), release_secret_fields(data, load_release("ogx-1.3")))


def test_show(config_file, capsys):
    assert main(["show", str(config_file), "--server", "ogx-1.5"]) == 0
    out, err = capsys.readouterr()
    assert_no_secret(out + err)
    assert f"LC_TEST_AWS_KEY_ID  unset → default '{MASK}'" in out


def test_validate_text_and_json(config_file, capsys):
    main(["validate", str(config_file), "--server", "ogx-1.5"])
    text = capsys.readouterr()
    main(["validate", str(config_file), "--server", "ogx-1.5", "--json"])
    js = capsys.readouterr()
    assert_no_secret(text.out + text.err + js.out + js.err)
    for index, code in ((1, "wrong-type"), (2, "env-lowercase-name")):  # the messages are there, their values masked
        found = [d for d in json.loads(js.out) if d["path"] == f"providers.files[{index}].config.aws_access_key_id" and d["code"] == code]
        assert found and MASK in found[0]["message"], js.out


def test_parse_error_before_the_release_is_known(tmp_path, capsys):
    path = tmp_path / "run.yaml"
    path.write_text("version: 2\nproviders:\n  files:\n  - config:\n      aws_access_key_id: !!int AKIA-PARSE-5\n")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert_no_secret(err)
    assert "run.yaml:5:" in err and MASK in err


def test_migrate_report(tmp_path, capsys):
    path = tmp_path / "old.yaml"
    path.write_text(
        "version: 2\nimage_name: old\napis: [files]\nproviders:\n  files:\n  - provider_id: s3\n"
        "    provider_type: remote::s3\n    config:\n      bucket_name: b\n"
        "      aws_access_key_id: ${env.LC_TEST_AWS_KEY_ID:AKIA-MIGRATE-4}\n"
        "      metadata_store:\n        type: sqlite\n        db_path: /tmp/lc-release-secrets/files.db\n"
        "metadata_store:\n  type: sqlite\n  db_path: /tmp/lc-release-secrets/registry.db\n"
    )
    code = main(["migrate", str(path), "--dry-run", "--server", "0.5"])
    out, err = capsys.readouterr()
    assert code in (0, 1), err
    report = out.split("\n--- ")[0] + err  # the diff after the report shows the file itself
    assert "aws_access_key_id" in report and MASK in report, report
    assert_no_secret(report)


def test_test_connections_masks_the_marked_backend_field():
    data = parse(CONFIG).value
    env = Environment(environ={})
    (target,) = plan(data, env, ["kv_pg"], load_release("ogx-1.5"))
    assert any("CONNSTR-PW-3" in s for s in target.secrets)
    (unmarked,) = plan(data, env, ["kv_pg"], load_release("ogx-1.3"))
    assert not any("CONNSTR-PW-3" in s for s in unmarked.secrets)


def test_test_connections_output(config_file, capsys):
    main(["test-connections", str(config_file), "--server", "ogx-1.5", "--timeout", "0.2", "--backend", "kv_pg", "--json"])
    out, err = capsys.readouterr()
    assert_no_secret(out + err)
