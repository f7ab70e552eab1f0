"""Live connection tests of storage backends ("probes"): async, cancellable, no UI.

Each probe does what the server will do with a backend (open the SQLite file, log in to
PostgreSQL and check the store's table can be created, PING Redis, read the MongoDB
collection) and reports a `ProbeResult` with a `Category`. Drivers (asyncpg, aiosqlite,
redis, pymongo) are imported only when a probe of their kind runs.

    from llama_config.model.probes import plan, run_probes, ProbeRun
    targets = plan(doc.data, env)                    # placeholders resolved, no I/O
    results = await run_probes(targets, timeout=5)   # all concurrently, each with its timeout

Providers (`plan_providers(doc.data, env)`): OpenAI-compatible inference servers list their
models (GET {base_url}/models), pgvector logs in and checks the `vector` extension, remote
vector databases answer their health call; the same runner, categories and redaction.

For a UI: `ProbeRun(targets, on_start=..., on_result=...)`, `await run.run()` in a worker, and
`run.cancel(name)` / `run.cancel()`; see runner.py.
"""

from .provider_target import PROBED_TYPES, plan_providers
from .result import JSON_KEYS, PROVIDER_JSON_KEYS, Category, ProbeResult, redact
from .runner import DEFAULT_TIMEOUT, ProbeRun, cancelled_result, probe, run_probes
from .target import ProbeTarget, declared_backends, plan, target_for

__all__ = [
    "Category",
    "DEFAULT_TIMEOUT",
    "JSON_KEYS",
    "PROBED_TYPES",
    "PROVIDER_JSON_KEYS",
    "ProbeResult",
    "ProbeRun",
    "ProbeTarget",
    "cancelled_result",
    "declared_backends",
    "plan",
    "plan_providers",
    "probe",
    "redact",
    "run_probes",
    "target_for",
]
