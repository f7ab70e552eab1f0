"""Running probes: one backend (`probe`), or all of them concurrently (`ProbeRun`, `run_probes`).

Every probe runs under its own timeout, so testing twenty backends takes about as long as the
slowest one. Cancelling a probe (or the whole run) closes its connection at once and reports
the backend as cancelled; cancelling the task that awaits `ProbeRun.run()` cancels every probe
and re-raises.
"""

from __future__ import annotations

import asyncio
import importlib
import sys
import time
from typing import Callable, Iterable, Sequence

from .base import Progress, ProbeFailure, Success, network_failure, no_answer_hint, seconds, timeout_hint, unexpected, watch_tcp
from .provider_target import HEALTH_CHECKED, OPENAI_COMPATIBLE
from .result import Category, ProbeResult, redact
from .target import ProbeTarget

DEFAULT_TIMEOUT = 5.0

# type -> module with DRIVERS (modules to import first), `async def probe(target, progress) -> Success`
# and `def classify(exc, target) -> ProbeFailure | None`; optionally HANDSHAKE, what the driver
# waits for once connected, when the module cannot tell itself that the TCP connection is made
_MODULES = {
    "kv_sqlite": "sqlite_probe",
    "sql_sqlite": "sqlite_probe",
    "kv_postgres": "postgres_probe",
    "sql_postgres": "postgres_probe",
    "kv_redis": "redis_probe",
    "kv_mongodb": "mongodb_probe",
    "remote::pgvector": "pgvector_probe",
    **{t: "openai_probe" for t in OPENAI_COMPATIBLE},
    **{t: "health_probe" for t in HEALTH_CHECKED},
}

OnStart = Callable[[ProbeTarget], object]
OnResult = Callable[[ProbeResult], object]


def _result(target: ProbeTarget, category: Category, message: str, hint: str | None = None, *,
            latency: float | None = None, version: str | None = None, cancelled: bool = False) -> ProbeResult:
    """The one place a ProbeResult is made, so every text goes through redaction."""
    hide = target.secrets
    return ProbeResult(
        backend=target.name,
        type=target.type,
        category=category,
        message=redact(message, hide) or "",
        hint=redact(hint, hide),
        latency_ms=None if latency is None else round(latency * 1000, 1),
        server_version=redact(version, hide),
        address=redact(target.address, hide),
        cancelled=cancelled,
        fingerprint=target.fingerprint,
        api=target.api,
    )


def _incomplete(target: ProbeTarget) -> ProbeResult | None:
    """The result for a target that cannot be probed as configured, without connecting."""
    if target.missing_variables:
        names = target.missing_variables
        listed = ", ".join(names)
        verb = "is" if len(names) == 1 else "are"
        return _result(
            target, Category.CONFIG_INCOMPLETE,
            f"needs {listed}, which {verb} unset or empty; the server will not start without {'it' if len(names) == 1 else 'them'}",
            f"set {listed} in the environment or in a file passed with --env-file",
        )
    if target.missing_fields:
        listed = ", ".join(f"'{f}'" for f in target.missing_fields)
        return _result(target, Category.CONFIG_INCOMPLETE, f"the required field {listed} is not set",
                       f"add {listed} to {target.config_path}")
    if target.problem or target.type not in _MODULES:
        kind = "backend" if target.api is None else "provider"
        return _result(target, Category.OTHER, target.problem or f"unknown {kind} type '{target.type}'",
                       "run `llama-config validate` on the file for details")
    return None


async def probe(target: ProbeTarget, timeout: float = DEFAULT_TIMEOUT) -> ProbeResult:
    """Test one backend. Never raises for a failed test; cancellation propagates (after cleanup)."""
    early = _incomplete(target)
    if early is not None:
        return early
    module = await _load(target.type)
    progress = Progress(timeout)
    start = time.perf_counter()
    failure: ProbeFailure | None = None
    success: Success | None = None
    try:
        async with asyncio.timeout(timeout) as deadline:
            success = await _watched(module, target, progress)
    except ProbeFailure as exc:
        failure = exc
    except TimeoutError as exc:
        if deadline.expired():
            failure = _timed_out(target, progress)
        else:
            failure = module.classify(exc, target) or network_failure(exc, target) or unexpected(exc, target, "connecting")
    except Exception as exc:  # a driver error: classified by class and code
        failure = module.classify(exc, target) or network_failure(exc, target) or unexpected(exc, target, "connecting")
    latency = time.perf_counter() - start
    if failure is not None:
        return _result(target, failure.category, failure.message, failure.hint, latency=latency, version=progress.server_version)
    assert success is not None
    return _result(target, Category.OK, success.message, latency=latency, version=success.server_version)


async def _load(type_name: str):
    """The probe module for a type, its driver imported now (in a thread: the loop keeps running)."""
    module = importlib.import_module(f"{__package__}.{_MODULES[type_name]}")
    missing = [name for name in module.DRIVERS if name not in sys.modules]
    if missing:
        await asyncio.to_thread(lambda: [importlib.import_module(name) for name in missing])
    return module


async def _watched(module, target: ProbeTarget, progress: Progress) -> Success:
    """module.probe, with a side check of the TCP connection for drivers that do not say when it is made."""
    handshake = getattr(module, "HANDSHAKE", None)
    if handshake is None:
        return await module.probe(target, progress)
    watcher = asyncio.ensure_future(watch_tcp(target, progress, handshake))
    try:
        return await module.probe(target, progress)
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)


def _timed_out(target: ProbeTarget, progress: Progress) -> ProbeFailure:
    limit = seconds(progress.timeout)
    hint = timeout_hint(target)
    if progress.connected:
        message = f"connected to {target.address}, but it did not {progress.stage} within {limit}"
        if not target.type.endswith("_sqlite"):
            hint = no_answer_hint(target)
    else:
        message = f"couldn't connect to {target.address} within {limit}"
    if progress.note:
        message += f" ({progress.note})"
    return ProbeFailure(Category.TIMEOUT, message, hint)


def cancelled_result(target: ProbeTarget, latency: float | None = None) -> ProbeResult:
    return _result(target, Category.OTHER, "the test was cancelled before it finished", None, latency=latency, cancelled=True)


class ProbeRun:
    """All probes of one "test connections" action, run concurrently.

        run = ProbeRun(targets, timeout=5, on_start=..., on_result=...)
        results = await run.run()        # in target order; on_result fires as each finishes
        run.cancel("kv_pg")              # from elsewhere in the loop: that probe reports cancelled
        run.cancel()                     # every unfinished probe reports cancelled; run() returns

    `on_start(target)` and `on_result(result)` are plain callables, called in the event loop.
    """

    def __init__(self, targets: Iterable[ProbeTarget], *, timeout: float = DEFAULT_TIMEOUT,
                 on_start: OnStart | None = None, on_result: OnResult | None = None) -> None:
        self.targets: list[ProbeTarget] = list(targets)
        self.timeout = timeout
        self.on_start = on_start
        self.on_result = on_result
        self.results: dict[str, ProbeResult] = {}
        self._tasks: dict[str, asyncio.Task] = {}
        self._cancelled: set[str] = set()

    @property
    def total(self) -> int:
        return len(self.targets)

    @property
    def finished(self) -> int:
        return len(self.results)

    def cancel(self, name: str | None = None) -> None:
        """Stop one probe (by backend name, or a provider's `ProbeTarget.key`) or all unfinished ones; each reports `cancelled`."""
        for key, task in self._tasks.items():
            if (name is None or key == name) and not task.done():
                self._cancelled.add(key)
                task.cancel()

    async def _one(self, target: ProbeTarget) -> ProbeResult:
        start = time.perf_counter()
        try:
            result = await probe(target, self.timeout)
        except asyncio.CancelledError:
            if target.key not in self._cancelled:
                raise  # the whole run is being cancelled from outside
            result = cancelled_result(target, time.perf_counter() - start)
        self.results[target.key] = result
        if self.on_result is not None:
            self.on_result(result)
        return result

    async def run(self) -> list[ProbeResult]:
        if self.on_start is not None:
            for target in self.targets:
                self.on_start(target)
        # drivers first (in a thread), so no probe's latency includes another one's import
        await asyncio.gather(*(_load(t) for t in {t.type for t in self.targets if t.type in _MODULES}))
        for target in self.targets:
            self._tasks[target.key] = asyncio.create_task(self._one(target), name=f"probe {target.key}")
        tasks = list(self._tasks.values())
        try:
            await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        return [self.results[t.key] for t in self.targets]


async def run_probes(targets: Sequence[ProbeTarget], *, timeout: float = DEFAULT_TIMEOUT,
                     on_start: OnStart | None = None, on_result: OnResult | None = None) -> list[ProbeResult]:
    """Test every target concurrently; the results in the order of `targets`."""
    return await ProbeRun(targets, timeout=timeout, on_start=on_start, on_result=on_result).run()
