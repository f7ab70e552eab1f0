"""Running probes together: concurrency, timeouts, cancellation, callbacks, unset variables,
and that no password ever shows (results, JSON, logs)."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from llama_config.model.envvars import Environment
from llama_config.model.probes import Category, ProbeRun, plan, run_probes
from llama_config.model.releases import load_release

from .helpers import probe_backend

pytestmark = pytest.mark.live

ROOT = Path(__file__).resolve().parents[2]


def _data(backends: dict) -> dict:
    return {"storage": {"backends": backends}}


async def test_twenty_backends_with_ten_silent_take_about_one_timeout(postgres, redis_server, silent, closed_port, tmp_path):
    kinds = [{"type": "kv_postgres", "user": "u"}, {"type": "kv_redis"}, {"type": "kv_mongodb"}]
    backends = {f"silent_{i}": {**kinds[i % 3], "host": "127.0.0.1", "port": silent.port} for i in range(10)}
    for i in range(4):
        backends[f"pg_{i}"] = postgres.backend("sql_postgres" if i % 2 else "kv_postgres")
    backends |= {f"redis_{i}": redis_server.backend() for i in range(3)}
    backends |= {"refused": {"type": "kv_redis", "host": "127.0.0.1", "port": closed_port},
                 "sqlite_a": {"type": "kv_sqlite", "db_path": str(tmp_path / "a.db")},
                 "sqlite_b": {"type": "sql_sqlite", "db_path": str(tmp_path / "b.db")}}
    assert len(backends) == 20
    events = []
    results = await run_probes(plan(_data(backends), Environment(environ={})), timeout=1.0,
                               on_start=lambda t: events.append(("start", t.name)), on_result=lambda r: events.append(("done", r.backend)))  # fmt: skip
    assert [r.backend for r in results] == list(backends)  # in the order given
    categories = {r.backend: r.category for r in results}
    assert [r for r in results if r.backend.startswith("silent") and r.category is not Category.TIMEOUT] == []
    assert sum(c is Category.OK for c in categories.values()) == 9
    assert categories["refused"] is Category.REFUSED
    # the ten timeouts overlap: every probe was under way before the first silent one gave up
    # (counted, not timed: bench/probes.py measures the wall time, 1.00x the timeout)
    first_timeout = next(i for i, (kind, name) in enumerate(events) if kind == "done" and name.startswith("silent"))
    assert sum(kind == "start" for kind, _ in events[:first_timeout]) == 20, events


async def test_callbacks_report_progress(redis_server, closed_port):
    started, finished = [], []
    targets = plan(_data({"a": redis_server.backend(), "b": {"type": "kv_redis", "host": "127.0.0.1", "port": closed_port}}),
                   Environment(environ={}))
    run = ProbeRun(targets, timeout=1, on_start=lambda t: started.append(t.name),
                   on_result=lambda r: finished.append((r.backend, run.finished, run.total)))
    results = await run.run()
    assert started == ["a", "b"]  # all at once, before any result
    assert sorted(name for name, _, _ in finished) == ["a", "b"]
    assert sorted(done for _, done, _ in finished) == [1, 2] and {total for _, _, total in finished} == {2}
    assert [r.backend for r in results] == ["a", "b"]


async def test_one_probe_can_be_cancelled_and_its_connection_is_closed(silent, redis_server):
    targets = plan(_data({"stuck": {"type": "kv_postgres", "host": "127.0.0.1", "port": silent.port, "user": "u"},
                          "fine": redis_server.backend()}), Environment(environ={}))
    accepted = silent.accepted
    run = ProbeRun(targets, timeout=30)
    task = asyncio.ensure_future(run.run())
    while silent.accepted == accepted:  # the probe has connected
        await asyncio.sleep(0.01)
    run.cancel("stuck")
    results = {r.backend: r for r in await asyncio.wait_for(task, 2)}  # (not the 30 s timeout)
    assert results["stuck"].cancelled and results["stuck"].category is Category.OTHER
    assert results["fine"].category is Category.OK and not results["fine"].cancelled
    for _ in range(100):  # the silent server sees the connection go away
        if silent.open_connections == 0:
            break
        await asyncio.sleep(0.01)
    assert silent.open_connections == 0


async def test_cancelling_the_task_cancels_every_probe(silent):
    kinds = [{"type": "kv_postgres", "user": "u"}, {"type": "kv_redis"}, {"type": "kv_mongodb"}, {"type": "sql_postgres", "user": "u"}]
    targets = plan(_data({f"s{i}": {**kind, "host": "127.0.0.1", "port": silent.port} for i, kind in enumerate(kinds)}),
                   Environment(environ={}))
    task = asyncio.ensure_future(run_probes(targets, timeout=30))
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 2)
    for _ in range(200):
        if silent.open_connections == 0:
            break
        await asyncio.sleep(0.01)
    assert silent.open_connections == 0


async def test_unset_required_variable_is_config_incomplete_without_connecting(silent):
    before = silent.accepted
    backend = {"type": "kv_postgres", "host": "127.0.0.1", "port": silent.port, "user": "${env.PG_USER}",
               "password": "${env.PG_PASSWORD}"}
    result = await probe_backend(backend, environ={"PG_USER": "llama"})
    assert result.category is Category.CONFIG_INCOMPLETE
    assert "PG_PASSWORD" in result.message and "--env-file" in result.hint
    assert result.latency_ms is None
    await asyncio.sleep(0.05)
    assert silent.accepted == before  # no connection attempted


async def test_missing_required_field_is_config_incomplete():
    # llama-stack 0.7 requires `user`; ogx 1.5 has a default and goes on to connect
    result = await probe_backend({"type": "sql_postgres", "host": "127.0.0.1"}, release=load_release("0.7"))
    assert result.category is Category.CONFIG_INCOMPLETE and "'user'" in result.message
    result = await probe_backend({"type": "sql_postgres", "host": "127.0.0.1", "port": 1}, release=load_release("ogx-1.5"))
    assert result.category is not Category.CONFIG_INCOMPLETE


async def test_placeholders_resolve_from_env_file_and_environment(postgres, tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"PG_PASSWORD='{postgres.owner_password}'\nPG_PORT={postgres.port}\nPG_HOST=wrong.invalid\n")
    backend = postgres.backend(host="${env.PG_HOST}", port="${env.PG_PORT:=5432}", password="${env.PG_PASSWORD}")
    targets = plan(_data({"pg": backend}), Environment(environ={"PG_HOST": postgres.host}, env_files=[str(env_file)]))
    (result,) = await run_probes(targets)
    assert result.category is Category.OK, result  # the environment's PG_HOST wins over the file's


async def test_passwords_never_appear_in_results_json_or_logs(postgres, redis_server, silent, closed_port, caplog):
    """Every outcome, literal and ${env} passwords, scanned in every form a password may take."""
    secret = postgres.owner_password  # has @ / : % ! so URL encoding changes it
    wrong = "Wr0ng/p@ss:w%rd+x"
    backends = {
        "ok": postgres.backend(),
        "ok_env": postgres.backend("sql_postgres", password="${env.PGPW}"),
        "bad_password": postgres.backend(password=wrong),
        "no_db": postgres.backend(db="absent", password="${env.PGPW}"),
        "reader": postgres.backend(user=postgres.reader, password=postgres.reader_password),
        "tls": postgres.backend(ssl_mode="require"),
        "at_redis": postgres.backend(host=redis_server.host, port=redis_server.port),
        "silent": postgres.backend(host="127.0.0.1", port=silent.port),
        "refused": postgres.backend(host="127.0.0.1", port=closed_port),
        "dns": postgres.backend(host="pg.llama-config-test.invalid"),
        "mongo": {"type": "kv_mongodb", "host": "127.0.0.1", "port": closed_port, "user": "u", "password": secret},
        "mongo_uri": {"type": "kv_mongodb", "host": f"mongodb://u:{quote(secret, safe='')}@127.0.0.1:{closed_port}/"},
        "incomplete": postgres.backend(password=secret, user="${env.UNSET_USER}"),
    }
    caplog.set_level(logging.DEBUG)
    targets = plan(_data(backends), Environment(environ={"PGPW": secret}))
    results = await run_probes(targets, timeout=1)
    assert {r.backend: r.category.value for r in results} == {
        "ok": "ok", "ok_env": "ok", "bad_password": "auth_failed", "no_db": "database_missing",
        "reader": "permission_denied", "tls": "tls", "at_redis": "protocol_mismatch", "silent": "timeout",
        "refused": "refused", "dns": "dns", "mongo": "refused", "mongo_uri": "refused", "incomplete": "config_incomplete",
    }
    text = "\n".join([repr(results), repr(targets), str([r.to_json() for r in results]), caplog.text])
    for password in (secret, wrong, postgres.reader_password):
        for form in {password, quote(password, safe=""), quote_plus(password, safe=""), quote(password)}:
            assert form not in text, f"a password leaked in the form {form!r}"


def test_importing_the_probes_loads_no_driver():
    code = ("import sys, llama_config.model.probes, llama_config.tui.commands.test_connections\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('asyncpg', 'redis', 'pymongo', 'aiosqlite')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip() == "[]"
