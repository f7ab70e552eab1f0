"""`llama-config test-connections` end to end, in a subprocess, against the live servers."""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

import pytest

from llama_config.model.probes import JSON_KEYS

from .helpers import write_config

pytestmark = pytest.mark.live


def _config(tmp_path, postgres, redis_server, sql_port=None):
    env_file = tmp_path / "prod.env"
    env_file.write_text(f"PG_PASSWORD='{postgres.owner_password}'\n")
    config = write_config(
        tmp_path / "run.yaml",
        {
            "kv_default": {"type": "kv_sqlite", "db_path": str(tmp_path / "kvstore.db")},
            "sql_pg": postgres.backend("sql_postgres", password="${env.PG_PASSWORD}", port=sql_port or postgres.port),
            "kv_pg": postgres.backend(password="${env.PG_PASSWORD}"),
            "cache": redis_server.backend(),
        },
        stores={"metadata": {"backend": "kv_default", "namespace": "registry"},
                "inference": {"backend": "sql_pg", "table_name": "inference_store"}},
    )
    return config, env_file


@pytest.fixture
def healthy_config(tmp_path, postgres, redis_server):
    return _config(tmp_path, postgres, redis_server)


def _scan_for(password: str, *texts: str) -> None:
    for form in {password, quote(password, safe=""), quote_plus(password, safe=""), quote(password)}:
        for text in texts:
            assert form not in text, f"password leaked as {form!r}"


def test_all_reachable_prints_a_table_and_exits_0(run_cli, healthy_config, postgres):
    config, env_file = healthy_config
    r = run_cli("test-connections", config, "--env-file", env_file)
    assert r.returncode == 0, r.stdout + r.stderr
    header, *rows = r.stdout.splitlines()
    assert header.split() == ["BACKEND", "TYPE", "RESULT", "LATENCY", "SERVER", "MESSAGE"]
    assert [row.split()[:3] for row in rows] == [["kv_default", "kv_sqlite", "ok"], ["sql_pg", "sql_postgres", "ok"],
                                                 ["kv_pg", "kv_postgres", "ok"], ["cache", "kv_redis", "ok"]]
    assert "PostgreSQL 15." in r.stdout and "Redis " in r.stdout and " ms " in r.stdout
    assert "all 4 reachable" in r.stderr
    _scan_for(postgres.owner_password, r.stdout, r.stderr)


def test_json_has_the_documented_keys_and_exit_1_when_one_fails(run_cli, tmp_path, postgres, redis_server, closed_port):
    config, env_file = _config(tmp_path, postgres, redis_server, sql_port=closed_port)  # sql_pg points at nothing
    r = run_cli("test-connections", config, "--env-file", env_file, "--json")
    assert r.returncode == 1, r.stderr
    results = json.loads(r.stdout)
    assert [tuple(item) for item in results] == [JSON_KEYS] * 4
    by_name = {item["backend"]: item for item in results}
    assert by_name["sql_pg"]["category"] == "refused" and by_name["sql_pg"]["ok"] is False
    assert by_name["sql_pg"]["hint"] == f"is the server running on 127.0.0.1:{closed_port}?"
    assert by_name["kv_pg"]["ok"] is True and by_name["kv_pg"]["server_version"].startswith("PostgreSQL 15.")
    assert isinstance(by_name["cache"]["latency_ms"], float)
    _scan_for(postgres.owner_password, r.stdout, r.stderr)


def test_wrong_password_output_never_contains_it(run_cli, tmp_path, postgres):
    wrong = "n0t/the:p@ssword%21!"
    config = write_config(tmp_path / "run.yaml", {"pg": postgres.backend(password=wrong)})
    for extra in ((), ("--json",)):
        r = run_cli("test-connections", config, *extra)
        assert r.returncode == 1
        assert "auth_failed" in r.stdout
        _scan_for(wrong, r.stdout, r.stderr)


def test_backend_option_selects_and_unknown_names_exit_2(run_cli, healthy_config, silent):
    config, env_file = healthy_config
    r = run_cli("test-connections", config, "--env-file", env_file, "--backend", "cache", "--backend", "kv_default", "--json")
    assert r.returncode == 0, r.stderr
    assert [item["backend"] for item in json.loads(r.stdout)] == ["cache", "kv_default"]
    r = run_cli("test-connections", config, "--backend", "kv_defualt")
    assert r.returncode == 2 and "kv_defualt" in r.stderr and "kv_default" in r.stderr and r.stdout == ""


def test_timeout_option(run_cli, tmp_path, silent):
    config = write_config(tmp_path / "run.yaml", {"stuck": {"type": "kv_redis", "host": "127.0.0.1", "port": silent.port}})
    r = run_cli("test-connections", config, "--timeout", "0.5", "--json")
    assert r.returncode == 1
    (item,) = json.loads(r.stdout)
    assert item["category"] == "timeout" and "within 0.5 s" in item["message"]
    for bad in ("0", "-1", "nan"):
        r = run_cli("test-connections", config, "--timeout", bad)
        assert r.returncode == 2 and "--timeout" in r.stderr


def test_unset_variable_without_env_file(run_cli, healthy_config):
    config, _ = healthy_config
    r = run_cli("test-connections", config, "--backend", "kv_pg", "--json")
    assert r.returncode == 1
    (item,) = json.loads(r.stdout)
    assert item["category"] == "config_incomplete" and "PG_PASSWORD" in item["message"] and item["latency_ms"] is None


@pytest.mark.parametrize("problem", ["missing", "directory", "not-yaml", "bad-env-file"])
def test_unreadable_input_exits_2(run_cli, tmp_path, problem):
    config = write_config(tmp_path / "run.yaml", {"kv": {"type": "kv_sqlite", "db_path": str(tmp_path / "kv.db")}})
    (tmp_path / "empty").mkdir()  # a directory is searched for run configs: this one holds none
    args = {"missing": [tmp_path / "absent.yaml"], "directory": [tmp_path / "empty"], "not-yaml": [tmp_path / "bad.yaml"],
            "bad-env-file": [config, "--env-file", tmp_path / "bad.env"]}[problem]
    (tmp_path / "bad.yaml").write_text("storage: [unclosed\n")
    (tmp_path / "bad.env").write_text("this line is not KEY=VALUE\n")
    r = run_cli("test-connections", *args)
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stdout == ""


def test_no_backends_is_nothing_to_test(run_cli, tmp_path):
    config = tmp_path / "run.yaml"
    config.write_text("version: 2\nimage_name: x\n")
    r = run_cli("test-connections", config, "--json")
    assert r.returncode == 0 and json.loads(r.stdout) == [] and "nothing to test" in r.stderr


def test_help_documents_options_and_exit_codes(run_cli):
    r = run_cli("test-connections", "--help")
    assert r.returncode == 0
    assert r.stdout.startswith("usage: llama-config test-connections ")
    for word in ("FILE", "--json", "--timeout", "--backend", "--env-file", "exit codes:",
                 "Exit 0 when every tested backend is reachable, 1 when any is not, 2 when FILE cannot be read"):
        assert word in r.stdout.replace("\n", " ") or word in r.stdout
    assert "test-connections" in run_cli("--help").stdout
