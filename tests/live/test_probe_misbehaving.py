"""Listeners that misbehave, for every network probe: one that resets each connection, one that
closes it at once, one that sends a 64 MiB banner without a line end, and one that accepts and
never answers. The first three are something other than the configured server
(protocol_mismatch, the same verdict for PostgreSQL, Redis and MongoDB); the last is a timeout
whose message says the connection was made and the answer did not come."""

from __future__ import annotations

import pytest

from llama_config.model.probes import Category

from .helpers import probe_backend
from .servers import MisbehavingServer

pytestmark = pytest.mark.live

TYPES = ["kv_postgres", "sql_postgres", "kv_redis", "kv_mongodb"]
BANNER = b"A" * (64 << 20)
HANDSHAKES = {"kv_postgres": "the PostgreSQL startup message", "sql_postgres": "the PostgreSQL startup message",
              "kv_redis": "the Redis handshake", "kv_mongodb": "a find on ogx.ogx_kvstore"}  # the newest release's defaults


@pytest.fixture(scope="module", params=["reset", "close", "banner"])
def misbehaving(request):
    server = MisbehavingServer(request.param, BANNER if request.param == "banner" else b"")
    yield server
    server.stop()


def _backend(type_: str, port: int) -> dict:
    return {"type": type_, "host": "127.0.0.1", "port": port, "user": "u", "password": "not-the-point-9"}


@pytest.mark.parametrize("type_", TYPES)
async def test_a_listener_that_resets_closes_or_floods_is_protocol_mismatch(misbehaving, type_):
    result = await probe_backend(_backend(type_, misbehaving.port), timeout=3)
    assert result.category is Category.PROTOCOL_MISMATCH, result
    assert f"127.0.0.1:{misbehaving.port}" in result.message
    assert f"is {misbehaving.port} the" in result.hint and "port" in result.hint
    assert result.latency_ms < 1500  # found out from the wire, not by waiting for the timeout


@pytest.mark.parametrize("type_", TYPES)
async def test_a_huge_banner_is_read_only_up_to_a_bound(type_):
    server = MisbehavingServer("banner", BANNER)
    try:
        result = await probe_backend(_backend(type_, server.port), timeout=3)
    finally:
        server.stop()
    assert result.category is Category.PROTOCOL_MISMATCH, result
    # what the clients took is bounded by their read limits and the socket buffers, not 64 MiB
    assert server.sent < 8 << 20, server.sent


@pytest.mark.parametrize("type_", TYPES)
async def test_a_listener_that_never_answers_says_it_connected_and_got_no_answer(silent, type_):
    result = await probe_backend(_backend(type_, silent.port), timeout=1)
    assert result.category is Category.TIMEOUT, result
    assert result.message.startswith(f"connected to 127.0.0.1:{silent.port}, but it did not answer {HANDSHAKES[type_]} within 1 s")
    assert "couldn't connect" not in result.message
    assert result.hint.startswith(f"something accepts connections on 127.0.0.1:{silent.port} but does not answer")
    assert "reachable" not in result.hint  # the address is reachable: the hint must not doubt it


async def test_a_closed_port_still_says_it_could_not_connect(closed_port):
    result = await probe_backend({"type": "kv_redis", "host": "127.0.0.1", "port": closed_port}, timeout=1)
    assert result.category is Category.REFUSED
