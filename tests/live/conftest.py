"""Fixtures for the live connection tests: real servers, started once per session.

A server that cannot start (binaries missing) skips the tests that need it, unless
LLAMA_CONFIG_REQUIRE_LIVE=1 (set by .ci/run): then those tests fail, so CI never passes by
skipping them.
"""

from __future__ import annotations

import pytest

from .helpers import started
from .servers import PostgresServer, RedisServer, SilentServer, free_port, start_postgres, start_redis

@pytest.fixture(scope="session")
def postgres() -> PostgresServer:
    """PostgreSQL 15 on 127.0.0.1, scram-sha-256, roles OWNER (may create tables) and READER (may not)."""
    server = started(start_postgres)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server() -> RedisServer:
    server = started(start_redis)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def silent() -> SilentServer:
    """A listener that accepts connections and never answers."""
    server = SilentServer()
    yield server
    server.stop()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    return free_port()
