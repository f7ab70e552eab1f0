"""kv_sqlite / sql_sqlite probes on real files and directories.

The tests run as root, which the kernel lets write anywhere, so a read-only directory or file
proves nothing as root. The probe does not guess from mode bits: it opens the file read-write
and creates an anonymous temporary file in the directory, i.e. it asks the kernel. The
read-only cases therefore run the real command line as the unprivileged `nobody` user in a
subprocess, against a directory and a file that user may not write (skipped when not root).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from llama_config.model.envvars import Environment
from llama_config.model.probes import Category, plan, run_probes
from llama_config.model.releases import load_release
from tests.test_cli_bad_input import _nobody_env, _python_for_nobody

from .helpers import probe_backend, write_config

pytestmark = pytest.mark.live


def _make_db(path: Path) -> Path:
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE kvstore (key TEXT PRIMARY KEY, value TEXT)")
    return path


@pytest.mark.parametrize("type_", ["kv_sqlite", "sql_sqlite"])
async def test_existing_database_opens_for_writing(tmp_path, type_):
    path = _make_db(tmp_path / "store.db")
    before = path.read_bytes()
    result = await probe_backend({"type": type_, "db_path": str(path)})
    assert result.category is Category.OK
    assert result.server_version.startswith("SQLite 3.") and "opens for writing" in result.message
    assert path.read_bytes() == before  # write lock taken and released, nothing written
    assert sorted(os.listdir(tmp_path)) == ["store.db"]  # no journal or probe file left


async def test_new_file_in_a_writable_directory_is_ok_and_not_created(tmp_path):
    result = await probe_backend({"type": "sql_sqlite", "db_path": str(tmp_path / "new.db")})
    assert result.category is Category.OK and "does not exist yet" in result.message
    assert os.listdir(tmp_path) == []


async def test_sql_sqlite_in_a_missing_directory_is_database_missing(tmp_path):
    missing = tmp_path / "no" / "such" / "dir"
    result = await probe_backend({"type": "sql_sqlite", "db_path": str(missing / "sql.db")})
    assert result.category is Category.DATABASE_MISSING
    assert f"mkdir -p {missing}" in result.hint
    assert not (tmp_path / "no").exists()


async def test_kv_sqlite_in_a_missing_directory_is_ok_because_the_server_creates_it(tmp_path):
    result = await probe_backend({"type": "kv_sqlite", "db_path": str(tmp_path / "new" / "kv.db")})
    assert result.category is Category.OK and f"creates {tmp_path / 'new'}" in result.message
    assert not (tmp_path / "new").exists()


async def test_sql_sqlite_next_to_a_used_kv_sqlite_is_ok(tmp_path):
    """The usual layout: kv_default's startup makes the directory sql_default's file goes in."""
    directory = tmp_path / "distributions" / "acme"
    data = {
        "storage": {
            "backends": {
                "kv_default": {"type": "kv_sqlite", "db_path": str(directory / "kvstore.db")},
                "sql_default": {"type": "sql_sqlite", "db_path": str(directory / "sql_store.db")},
            },
            "stores": {"metadata": {"backend": "kv_default", "namespace": "registry"}},
        }
    }
    results = {r.backend: r for r in await run_probes(plan(data, Environment(environ={})))}
    assert results["sql_default"].category is Category.OK
    assert "opening kv_default (kv_sqlite) creates" in results["sql_default"].message
    del data["storage"]["stores"]
    # llama-stack 0.3 has no default stores: kv_default is unused and the server never opens it
    results = {r.backend: r for r in await run_probes(plan(data, Environment(environ={}), release=load_release("0.3")))}
    assert results["sql_default"].category is Category.DATABASE_MISSING
    # from 0.4 on, metadata left unset goes to kv_default, which creates the directory again
    results = {r.backend: r for r in await run_probes(plan(data, Environment(environ={}), release=load_release("ogx-1.5")))}
    assert results["sql_default"].category is Category.OK


async def test_a_file_that_is_not_sqlite_is_protocol_mismatch(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"this is not a database, just text " * 100)
    result = await probe_backend({"type": "kv_sqlite", "db_path": str(path)})
    assert result.category is Category.PROTOCOL_MISMATCH


async def test_db_path_that_is_a_directory(tmp_path):
    result = await probe_backend({"type": "kv_sqlite", "db_path": str(tmp_path)})
    assert result.category is Category.OTHER and "is a directory" in result.message


async def test_in_memory_database(tmp_path):
    assert (await probe_backend({"type": "kv_sqlite", "db_path": ":memory:"})).category is Category.OK


# ------------------------------------------------------------------ read-only, as `nobody`


@pytest.fixture(scope="module")
def run_as_nobody():
    if os.geteuid() != 0:
        pytest.skip("the read-only cases switch to the nobody user, which needs root")
    python = _python_for_nobody()
    if python is None:
        pytest.skip("no Python interpreter that the nobody user can run and that imports llama-config")

    def run(config: Path) -> list[dict]:
        r = subprocess.run([python, "-m", "llama_config.tui.cli", "test-connections", str(config), "--json"], user="nobody",
                           env=_nobody_env(), cwd="/", capture_output=True, text=True, timeout=60)
        assert r.returncode in (0, 1), r.stderr
        return json.loads(r.stdout)

    return run


def test_read_only_directory_and_file_are_permission_denied_for_nobody(run_as_nobody, tmp_path_factory):
    base = tmp_path_factory.mktemp("readonly")
    base.chmod(0o755)  # root's: nobody may enter and read, not write
    for parent in base.parents:  # pytest's base temp dir is 0700: let nobody through
        if parent == Path("/tmp"):
            break
        parent.chmod(parent.stat().st_mode | 0o755)
    writable = base / "writable"
    writable.mkdir()
    os.chown(writable, 65534, 65534)
    readonly_db = _make_db(writable / "readonly.db")
    os.chown(readonly_db, 65534, 65534)
    readonly_db.chmod(0o444)
    own_db = _make_db(writable / "own.db")
    os.chown(own_db, 65534, 65534)
    config = write_config(base / "run.yaml", {
        "new_in_root_dir": {"type": "sql_sqlite", "db_path": str(base / "new.db")},
        "existing_readonly_file": {"type": "kv_sqlite", "db_path": str(readonly_db)},
        "mkdir_under_root_dir": {"type": "kv_sqlite", "db_path": str(base / "sub" / "kv.db")},
        "own_file": {"type": "kv_sqlite", "db_path": str(own_db)},
        "new_in_own_dir": {"type": "sql_sqlite", "db_path": str(writable / "new.db")},
    })
    results = {r["backend"]: r for r in run_as_nobody(config)}
    assert results["new_in_root_dir"]["category"] == "permission_denied"
    assert "cannot create files in" in results["new_in_root_dir"]["message"]
    assert results["existing_readonly_file"]["category"] == "permission_denied"
    assert results["mkdir_under_root_dir"]["category"] == "permission_denied"
    assert results["own_file"]["category"] == "ok"
    assert results["new_in_own_dir"]["category"] == "ok"
    assert sorted(os.listdir(writable)) == ["own.db", "readonly.db"]
