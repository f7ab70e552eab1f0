"""`llama-config set FILE [PATH=VALUE ...] [--unset PATH] [--output OUT] [--dry-run] [--force]`."""

from __future__ import annotations

import os

import yaml

from tests.conftest import MINIMAL_CONFIG
from llama_config.tui.cli import main


def _load(path):
    return yaml.safe_load(path.read_text())


# ------------------------------------------------------------------ schema-aware values


def test_string_field_keeps_0777_a_string_written_quoted(run_cli, config_file):
    r = run_cli("set", config_file, "storage.backends.kv_default.db_path=0777")
    assert r.returncode == 0, r.stderr
    assert config_file.read_text() in (
        MINIMAL_CONFIG.replace("db_path: /tmp/kv.db", "db_path: '0777'"),
        MINIMAL_CONFIG.replace("db_path: /tmp/kv.db", 'db_path: "0777"'),
    )
    assert _load(config_file)["storage"]["backends"]["kv_default"]["db_path"] == "0777"


def test_int_field_gets_an_int(run_cli, config_file):
    r = run_cli("set", config_file, "server.port=9000")
    assert r.returncode == 0, r.stderr
    assert config_file.read_text() == MINIMAL_CONFIG.replace("port: 8321", "port: 9000")
    port = _load(config_file)["server"]["port"]
    assert port == 9000 and isinstance(port, int)


def test_int_field_refuses_a_word(run_cli, config_file, file_state):
    before = file_state(config_file)
    r = run_cli("set", config_file, "server.port=abc")
    assert r.returncode == 1
    assert "[wrong-type]" in r.stderr and "refused" in r.stderr and "--force" in r.stderr
    assert "Traceback" not in r.stderr
    assert file_state(config_file) == before
    assert not (config_file.parent / "run.yaml.bak").exists()


# ------------------------------------------------------------------ creating mappings


def test_creates_missing_mappings(run_cli, tmp_path):
    path = tmp_path / "run.yaml"
    text = MINIMAL_CONFIG.split("server:\n")[0]  # no server section at all
    path.write_text(text)
    r = run_cli(
        "set", path, "server.port=9000",
        "storage.backends.kv_two.type=kv_sqlite", "storage.backends.kv_two.db_path=/tmp/two.db",
        "storage.stores.prompts.backend=kv_two",
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    data = _load(path)
    assert data["server"] == {"port": 9000}
    assert data["storage"]["backends"]["kv_two"] == {"type": "kv_sqlite", "db_path": "/tmp/two.db"}
    assert data["storage"]["stores"]["prompts"] == {"backend": "kv_two", "namespace": "prompts"}
    new = path.read_text()
    assert new.startswith(text.split("    sql_default:")[0])  # everything before the insertion untouched
    assert new.endswith("server:\n  port: 9000\n")
    assert "    kv_two:\n      type: kv_sqlite\n      db_path: /tmp/two.db\n" in new


def test_flow_value_creates_a_backend(run_cli, config_file):
    r = run_cli("set", config_file, "storage.backends.kv_three={type: kv_sqlite, db_path: /tmp/three.db}")
    assert r.returncode == 0, r.stderr
    assert _load(config_file)["storage"]["backends"]["kv_three"] == {"type": "kv_sqlite", "db_path": "/tmp/three.db"}


def test_path_through_a_scalar_is_refused_with_exit_2(run_cli, config_file, file_state):
    before = file_state(config_file)
    r = run_cli("set", config_file, "version.x=1")
    assert r.returncode == 2
    assert r.stderr.strip() == f"{config_file}: error: version is the value '2', so it cannot hold 'x'"
    assert file_state(config_file) == before


def test_not_an_assignment_is_bad_usage(run_cli, config_file, file_state):
    before = file_state(config_file)
    for bad in ("server.port", "a..b=1"):
        r = run_cli("set", config_file, bad)
        assert r.returncode == 2, bad
        assert r.stderr.startswith(f"{config_file}: error: ") and len(r.stderr.strip().splitlines()) == 1
    assert file_state(config_file) == before


# ------------------------------------------------------------------ --dry-run, --output, --unset


def test_dry_run_prints_the_diff_and_writes_nothing(run_cli, config_file, file_state):
    before = file_state(config_file)
    r = run_cli("set", config_file, "server.port=9000", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert r.stdout == (
        f"--- {config_file} (on disk)\n"
        f"+++ {config_file} (edited)\n"
        "@@ -30,4 +30,4 @@\n"
        "       backend: kv_default\n"
        "       namespace: connectors\n"
        " server:\n"
        "-  port: 8321\n"
        "+  port: 9000\n"
    )
    assert file_state(config_file) == before
    assert sorted(os.listdir(config_file.parent)) == ["run.yaml"]


def test_dry_run_without_a_change(run_cli, config_file, file_state):
    before = file_state(config_file)
    r = run_cli("set", config_file, "-n")
    assert r.returncode == 0
    assert r.stdout == f"{config_file}: no change\n"
    assert file_state(config_file) == before


def test_dry_run_of_a_refused_edit_is_still_refused(run_cli, config_file, file_state):
    before = file_state(config_file)
    r = run_cli("set", config_file, "server.port=abc", "--dry-run")
    assert r.returncode == 1 and r.stdout == ""
    assert file_state(config_file) == before


def test_output_writes_elsewhere_and_leaves_file_untouched(run_cli, config_file, file_state, tmp_path):
    before = file_state(config_file)
    out = tmp_path / "out" / "edited.yaml"
    out.parent.mkdir()
    r = run_cli("set", config_file, "server.port=9000", "--output", out)
    assert r.returncode == 0, r.stderr
    assert file_state(config_file) == before
    assert out.read_text() == MINIMAL_CONFIG.replace("port: 8321", "port: 9000")
    assert os.listdir(out.parent) == ["edited.yaml"]  # no backup of a file that did not exist
    assert f"wrote {out}\n" in r.stdout


def test_output_into_a_missing_directory_exits_2(run_cli, config_file, file_state, tmp_path):
    before = file_state(config_file)
    r = run_cli("set", config_file, "server.port=9000", "-o", tmp_path / "no" / "such" / "x.yaml")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "error:" in r.stderr
    assert file_state(config_file) == before


def test_write_keeps_a_backup(run_cli, config_file):
    r = run_cli("set", config_file, "server.port=9000")
    assert r.returncode == 0
    assert (config_file.parent / "run.yaml.bak").read_text() == MINIMAL_CONFIG
    assert "(previous version kept as .bak)" in r.stdout


def test_unset_removes_a_key(run_cli, config_file):
    r = run_cli("set", config_file, "--unset", "storage.stores.connectors", "--no-backup")
    assert r.returncode == 0, r.stderr
    assert config_file.read_text() == MINIMAL_CONFIG.replace(
        "    connectors:\n      backend: kv_default\n      namespace: connectors\n", ""
    )
    assert not (config_file.parent / "run.yaml.bak").exists()


def test_unset_of_a_missing_key_exits_2(run_cli, config_file, file_state):
    before = file_state(config_file)
    r = run_cli("set", config_file, "--unset", "server.nope")
    assert r.returncode == 2
    assert r.stderr.strip() == f"{config_file}: error: server.nope does not exist"
    assert file_state(config_file) == before


# ------------------------------------------------------------------ refusing edits that add errors


def test_edit_creating_an_error_is_refused(run_cli, config_file, file_state):
    before = file_state(config_file)
    r = run_cli("set", config_file, "storage.stores.metadata.backend=nope")
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert lines[0].startswith(f"{config_file}:21:16: error: ") and lines[0].endswith("[unknown-backend]")
    assert lines[-1] == (
        f"{config_file}: refused: the edit would add 1 error (see above); nothing was written. Use --force to write anyway."
    )
    assert file_state(config_file) == before


def test_force_writes_an_edit_creating_an_error(run_cli, config_file):
    r = run_cli("set", config_file, "storage.stores.metadata.backend=nope", "--force")
    assert r.returncode == 0
    assert "[unknown-backend]" in r.stderr  # still reported
    assert _load(config_file)["storage"]["stores"]["metadata"]["backend"] == "nope"


def test_unset_creating_an_error_is_refused(run_cli, config_file, file_state):
    before = file_state(config_file)
    r = run_cli("set", config_file, "--unset", "storage.backends.sql_default")
    assert r.returncode == 1
    assert "[unknown-backend]" in r.stderr
    assert file_state(config_file) == before


def test_unrelated_edit_of_a_file_with_errors_is_not_refused(run_cli, tmp_path):
    """A pre-existing error whose message quotes the backend list must not count as new
    when the edit adds a backend (was refused: errors were compared by message)."""
    path = tmp_path / "run.yaml"
    path.write_text(MINIMAL_CONFIG.replace("backend: sql_default", "backend: ghost"))
    r = run_cli("set", path, "storage.backends.kv_new={type: kv_sqlite, db_path: /tmp/new.db}", "--no-backup")
    assert r.returncode == 0, r.stderr
    assert "kv_new" in _load(path)["storage"]["backends"]
    # ... while a second, new error is still caught
    r = run_cli("set", path, "storage.stores.prompts.backend=ghost2")
    assert r.returncode == 1
    assert "ghost2" in r.stderr and "would add 1 error" in r.stderr


# ------------------------------------------------------------------ re-saving with no assignment


def test_no_assignment_resaves_byte_identical(run_cli, config_file):
    before = config_file.read_bytes()
    r = run_cli("set", config_file)
    assert r.returncode == 0, r.stderr
    assert config_file.read_bytes() == before
    assert r.stdout == f"re-saved {config_file}: byte-identical (previous version kept as .bak)\n"


def test_no_assignment_resaves_every_corpus_file_byte_identical(cli_corpus_file, tmp_copy, capsys):
    path = tmp_copy(cli_corpus_file, "config.yaml")
    original = cli_corpus_file.read_bytes()
    rc = main(["set", str(path)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert path.read_bytes() == original
    assert (path.parent / "config.yaml.bak").read_bytes() == original
    assert "byte-identical" in out


def test_assignments_may_follow_options(run_cli, config_file, tmp_path):
    """argparse alone stops reading PATH=VALUE once an option came between them."""
    out = tmp_path / "out.yaml"
    r = run_cli("set", config_file, "-o", out, "server.port=8400")
    assert r.returncode == 0, r.stderr
    assert "  port: 8400\n" in out.read_text()
    r = run_cli("set", config_file, "--bogus")
    assert r.returncode == 2 and "unrecognized arguments: --bogus" in r.stderr
