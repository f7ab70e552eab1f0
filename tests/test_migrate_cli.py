"""`llama-config migrate FILE [--output OUT | --write] [--dry-run]` on the command line."""

from __future__ import annotations

import json

import pytest

from llama_config.model.document import Document
from llama_config.model.migration import migrate
from llama_config.model.releases import load_release, parse_server
from llama_config.model.releases.detect import detect
from tests.conftest import CORPUS, MINIMAL_CONFIG

OLD_STARTER = CORPUS / "add64e8e2/llama_stack/distributions/starter/run.yaml"
OLD_K8S = CORPUS / "add64e8e2/docs/docs/distributions/k8s/stack_run_config.yaml"

SMALL = """\
# before v0.3
version: 2
image_name: acme
metadata_store:
  type: sqlite
  db_path: ${env.SQLITE_STORE_DIR:~/.llama/acme}/registry.db
providers: {}  # every release requires the section
server:
  port: 8321
"""


def expected(text: str, server: str | None = None) -> str:
    """What the command writes: migrated for --server, else for the release detected from the file."""
    doc = Document(text)
    migrate(doc, load_release(parse_server(server) if server else detect(doc.data).line))
    return doc.text


@pytest.fixture
def old_file(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text(SMALL)
    return path


def test_without_a_target_the_result_goes_to_stdout_and_the_report_to_stderr(run_cli, old_file, file_state):
    before = file_state(old_file)
    r = run_cli("migrate", old_file)
    assert r.returncode == 0, r.stderr
    assert r.stdout == expected(SMALL)
    assert "migrated to the v0.3 storage format" in r.stderr
    assert "kv_default  kv_sqlite  ${env.SQLITE_STORE_DIR:=~/.llama/acme}/registry.db" in r.stderr
    assert "storage.stores.metadata  namespace registry  (was metadata_store)" in r.stderr
    assert "1 placeholder rewritten from the old syntax" in r.stderr
    assert file_state(old_file) == before


def test_write_migrates_in_place_keeping_a_backup_and_the_result_validates(run_cli, old_file):
    r = run_cli("migrate", old_file, "--write")
    assert r.returncode == 0, r.stderr
    assert "migrated to the v0.3 storage format" in r.stdout
    assert f"wrote {old_file} (previous version kept as .bak)" in r.stdout
    assert old_file.read_text() == expected(SMALL)
    assert old_file.with_name("run.yaml.bak").read_text() == SMALL
    v = run_cli("validate", old_file)
    assert v.returncode == 0 and "0 errors" in v.stderr


def test_output_writes_another_file(run_cli, old_file, tmp_path):
    out = tmp_path / "new.yaml"
    r = run_cli("migrate", old_file, "--output", out)
    assert r.returncode == 0, r.stderr
    assert out.read_text() == expected(SMALL) and old_file.read_text() == SMALL
    assert not out.with_name("new.yaml.bak").exists()


def test_dry_run_prints_the_report_and_the_diff_and_writes_nothing(run_cli, old_file, file_state):
    before = file_state(old_file)
    r = run_cli("migrate", old_file, "--dry-run")
    assert r.returncode == 0, r.stderr
    report, _, diff = r.stdout.partition("--- ")
    assert "migrated to the v0.3 storage format" in report
    assert diff.startswith(f"{old_file} (on disk)\n+++ {old_file} (edited)\n")
    assert "-metadata_store:\n" in diff and "+storage:\n" in diff
    assert file_state(old_file) == before and not old_file.with_name("run.yaml.bak").exists()


@pytest.mark.parametrize("flags", [[], ["--write"], ["--dry-run"]])
def test_an_already_migrated_file_is_left_alone(run_cli, config_file, file_state, flags):
    before = file_state(config_file)
    r = run_cli("migrate", config_file, *flags)
    assert r.returncode == 0, r.stderr
    assert "nothing to do: the file already uses the v0.3 storage format" in r.stdout + r.stderr
    assert file_state(config_file) == before
    assert not config_file.with_name("run.yaml.bak").exists()
    if not flags:
        assert r.stdout == MINIMAL_CONFIG  # a filter passes it through


@pytest.fixture
def refused(run_cli, tmp_path, file_state):
    """refused(text) -> the result of `migrate --write` on a file holding `text`, which must
    exit 1 and leave the file as it was."""

    def run(text: str):
        path = tmp_path / "run.yaml"
        path.write_text(text)
        before = file_state(path)
        r = run_cli("migrate", path, "--write", "--server", "0.3")
        assert r.returncode == 1
        assert file_state(path) == before
        return path, r

    return run


def test_a_store_it_cannot_convert_is_refused(refused):
    path, r = refused("metadata_store:\n  type: cassandra\n  host: x\n")
    assert r.stderr == (
        f"{path}: error: cannot migrate: metadata_store: cannot tell which kv_* backend type 'cassandra' is "
        "(pre-0.3 KV store types: sqlite, postgres, redis, mongodb); nothing was changed\n"
    )


def test_errors_the_result_would_have_are_refused_unless_forced(run_cli, refused):
    """A Postgres store without its required user (up to ogx 1.3): a pre-0.3 file was never checked that far."""
    path, r = refused("metadata_store:\n  type: postgres\n  host: db\n")
    assert "storage.backends.kv_default is missing the required field 'user' [missing-field]" in r.stderr
    assert "refused: the migrated file would have 1 error" in r.stderr and "nothing was written" in r.stderr
    r = run_cli("migrate", path, "--write", "--force", "--server", "0.3")
    assert r.returncode == 0, r.stderr
    assert "type: kv_postgres" in path.read_text()


def test_errors_the_old_file_had_too_are_listed_but_do_not_stop_it(run_cli, tmp_path):
    path = tmp_path / "run.yaml"
    # a quota without auth is a warning now (0.7 starts with it); a misspelt provider type is an error
    provider = "providers:\n  inference:\n  - provider_id: x\n    provider_type: remote::ollam\n    config: {}\n"
    path.write_text(SMALL.replace("providers: {}  # every release requires the section\n", provider) + "  quota:\n    kvstore: {type: sqlite, db_path: ./quotas.db}\n")
    r = run_cli("migrate", path, "--write", "--server", "0.7")  # ogx has no quotas
    assert r.returncode == 0, r.stderr
    assert "1 error the old file had too (fix it next):" in r.stdout
    assert "no inference provider type 'remote::ollam'" in r.stdout and "[unknown-provider-type]" in r.stdout
    assert "kv_quotas" in path.read_text()


def test_output_and_write_exclude_each_other(run_cli, old_file):
    r = run_cli("migrate", old_file, "--write", "--output", "x.yaml")
    assert r.returncode == 2 and "--write and --output exclude each other" in r.stderr


def test_a_missing_file_is_exit_2(run_cli, tmp_path):
    r = run_cli("migrate", tmp_path / "nope.yaml")
    assert r.returncode == 2 and r.stderr.endswith("nope.yaml: error: no such file\n")


@pytest.mark.skipif(not OLD_STARTER.is_file(), reason="corpus not present")
@pytest.mark.parametrize("src", [OLD_STARTER, OLD_K8S], ids=["starter", "k8s"])
def test_corpus_files_migrate_and_validate_without_errors(run_cli, tmp_copy, src):
    path = tmp_copy(src, "run.yaml")
    r = run_cli("migrate", path, "--write")
    assert r.returncode == 0, r.stderr
    v = run_cli("validate", path, "--json")
    found = [(d["code"], d["path"]) for d in json.loads(v.stdout) if d["severity"] == "error"]
    # the k8s example lists telemetry providers, which 0.3 refuses (the old file's error, not the migration's)
    assert found == ([("unknown-api", "providers.telemetry")] if src == OLD_K8S else [])
    assert "nothing to do" in run_cli("migrate", path).stderr


def test_help_describes_the_command(run_cli):
    r = run_cli("migrate", "--help")
    assert r.returncode == 0
    assert r.stdout.startswith("usage: llama-config migrate ")
    assert all(opt in r.stdout for opt in ("--output", "--write", "--dry-run", "--force", "FILE", "exit codes:"))
