"""Helpers of the live tests: start a server or skip (fail under LLAMA_CONFIG_REQUIRE_LIVE=1),
probe one backend in process, write a config file."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from llama_config.model.envvars import Environment
from llama_config.model.probes import ProbeResult, probe, target_for

from .servers import ServerUnavailable

REQUIRE_LIVE = os.environ.get("LLAMA_CONFIG_REQUIRE_LIVE") == "1"


def unavailable(reason: str) -> None:
    if REQUIRE_LIVE:
        pytest.fail(f"LLAMA_CONFIG_REQUIRE_LIVE=1 but a live test server is unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


def started(start, *args):
    """start(*args), or skip (fail with LLAMA_CONFIG_REQUIRE_LIVE=1) when the server cannot start."""
    try:
        return start(*args)
    except ServerUnavailable as exc:
        unavailable(str(exc))


async def probe_backend(backend: dict, timeout: float = 2.0, environ: dict[str, str] | None = None,
                        name: str = "b", **kwargs) -> ProbeResult:
    """Probe one storage.backends entry as the server would see it (environment `environ` only)."""
    target = target_for(name, backend, Environment(environ=environ or {}), **kwargs)
    return await probe(target, timeout)


def write_config(path: Path, backends: dict, stores: dict | None = None, **top: Any) -> Path:
    """A run config with these backends (and stores) at `path`."""
    config: dict[str, Any] = {"version": 2, "image_name": "live", **top, "storage": {"backends": backends}}
    if stores:
        config["storage"]["stores"] = stores
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path
