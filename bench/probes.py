"""Connection-test figures, each against a baseline measured in the same run (medians).

    python bench/probes.py [--runs N]     # prints Markdown table rows for the README

1. 20 backends of which 10 never answer (a listener that accepts and stays silent), the others
   PostgreSQL, Redis, SQLite and a closed port, per-probe timeout 2 s: wall time of testing all
   of them. Baseline: the timeout. Goal: under 1.25x.
2. Probe of a healthy local PostgreSQL (kv_postgres: connect, log in, CREATE TABLE + writes in
   a rolled-back transaction, close) against a bare `asyncpg.connect` + `SELECT 1` + close with
   the same settings, interleaved. Goal: under 1.5x.

It starts its own throwaway PostgreSQL 15 and Redis the way the live tests do
(tests/live/servers.py).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from llama_config.model.envvars import Environment  # noqa: E402
from llama_config.model.probes import Category, plan, probe, run_probes, target_for  # noqa: E402
from tests.live.servers import ServerUnavailable, SilentServer, free_port, start_postgres, start_redis  # noqa: E402

TIMEOUT = 2.0


def twenty_backends(pg, redis, silent: SilentServer, directory: Path) -> dict:
    kinds = [{"type": "kv_postgres", "user": "u"}, {"type": "kv_redis"}, {"type": "kv_mongodb"}]
    backends = {f"silent_{i}": {**kinds[i % 3], "host": "127.0.0.1", "port": silent.port} for i in range(10)}
    backends |= {f"pg_{i}": pg.backend("sql_postgres" if i % 2 else "kv_postgres") for i in range(4)}
    backends |= {f"redis_{i}": redis.backend() for i in range(3)}
    backends |= {
        "kv_sqlite": {"type": "kv_sqlite", "db_path": str(directory / "kv.db")},
        "sql_sqlite": {"type": "sql_sqlite", "db_path": str(directory / "sql.db")},
        "refused": {"type": "kv_redis", "host": "127.0.0.1", "port": free_port()},
    }
    assert len(backends) == 20
    return backends


async def wall_times(backends: dict, runs: int) -> list[float]:
    targets = plan({"storage": {"backends": backends}}, Environment(environ={}))
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        results = await run_probes(targets, timeout=TIMEOUT)
        times.append(time.perf_counter() - start)
        silent = [r for r in results if r.backend.startswith("silent")]
        assert all(r.category is Category.TIMEOUT for r in silent), silent
        assert sum(r.ok for r in results) == 9, [r for r in results if not r.ok and r not in silent]
    return times


async def latencies(pg, runs: int) -> tuple[float, float]:
    import asyncpg

    target = target_for("pg", pg.backend(), Environment(environ={}))

    async def probed() -> float:
        start = time.perf_counter()
        result = await probe(target, TIMEOUT)
        elapsed = time.perf_counter() - start
        assert result.ok, result
        return elapsed

    async def bare() -> float:
        start = time.perf_counter()
        conn = await asyncpg.connect(host=pg.host, port=pg.port, user=pg.owner, password=pg.owner_password, database=pg.database)
        await conn.fetchval("SELECT 1")
        await conn.close()
        return time.perf_counter() - start

    for _ in range(3):  # warm up: imports, PostgreSQL's caches
        await probed()
        await bare()
    probes, bares = [], []
    for i in range(runs):  # interleaved, alternating which goes first
        pair = (probed, bare) if i % 2 == 0 else (bare, probed)
        for measure in pair:
            (probes if measure is probed else bares).append(await measure())
    return statistics.median(probes), statistics.median(bares)


def probe_rows(runs: int = 5) -> list[str]:
    """The README's table rows for the connection tests (starts and stops its own servers)."""
    try:
        pg = start_postgres()
    except ServerUnavailable as exc:
        return [f"| connection tests | not measured: {exc} | — | — |"]
    try:
        redis = start_redis()
    except ServerUnavailable as exc:
        pg.stop()
        return [f"| connection tests | not measured: {exc} | — | — |"]
    silent = SilentServer()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            walls = asyncio.run(wall_times(twenty_backends(pg, redis, silent, Path(tmp)), runs))
        pairs = max(61, runs * 12)
        probe_s, bare_s = asyncio.run(latencies(pg, pairs))
    finally:
        silent.stop()
        redis.stop()
        pg.stop()
    wall = statistics.median(walls)
    wall_ratio, latency_ratio = wall / TIMEOUT, probe_s / bare_s
    return [
        f"| `test-connections`: 20 backends, 10 never answer, timeout {TIMEOUT:g} s, all at once | {wall:.2f} s (median of {runs}) "
        f"| the timeout: {TIMEOUT:g} s | {wall_ratio:.2f}x (goal < 1.25x) {'✅' if wall_ratio < 1.25 else '❌'} |",
        f"| probe of a healthy local PostgreSQL 15 (login, CREATE TABLE + writes rolled back, close) | {probe_s * 1000:.1f} ms (median of {pairs}, interleaved) "
        f"| bare `asyncpg.connect` + `SELECT 1` + close: {bare_s * 1000:.1f} ms "
        f"| {latency_ratio:.2f}x (goal < 1.5x) {'✅' if latency_ratio < 1.5 else '❌'} |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs of the 20-backend test (latency pairs: 12x as many, at least 61)")
    args = parser.parse_args()
    print("\n".join(probe_rows(args.runs)))


if __name__ == "__main__":
    main()
