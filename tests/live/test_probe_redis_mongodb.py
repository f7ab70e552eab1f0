"""kv_redis against a real Redis; kv_mongodb's failure paths for real.

No MongoDB server can be installed here (Debian has no mongodb package), so the MongoDB
probe is tested against a closed port, a listener that never answers, an unresolvable host,
a PostgreSQL server (another protocol) and a URI carrying a password; its success, auth and
permission paths are not exercised against a live server.
"""

from __future__ import annotations

import pytest

from llama_config.model.probes import Category

from .helpers import probe_backend, started
from .servers import start_redis

pytestmark = pytest.mark.live


async def test_redis_ping_is_ok_with_version(redis_server):
    result = await probe_backend(redis_server.backend())
    assert result.category is Category.OK
    assert result.server_version.startswith("Redis ") and result.message.endswith("answered PING")


async def test_redis_closed_port_is_refused_at_once(closed_port):
    # redis-py's own retries back off for seconds: had they run, the probe's timeout would
    # have fired first and the answer would be a timeout (no clock is read here)
    result = await probe_backend({"type": "kv_redis", "host": "127.0.0.1", "port": closed_port}, timeout=1)
    assert result.category is Category.REFUSED


async def test_redis_listener_that_never_answers_is_timeout(silent):
    result = await probe_backend({"type": "kv_redis", "host": "127.0.0.1", "port": silent.port}, timeout=0.5)
    assert result.category is Category.TIMEOUT and "within 0.5 s" in result.message


async def test_redis_pointed_at_postgres_is_protocol_mismatch(postgres):
    result = await probe_backend({"type": "kv_redis", "host": postgres.host, "port": postgres.port})
    assert result.category is Category.PROTOCOL_MISMATCH


async def test_redis_unresolvable_host_is_dns():
    result = await probe_backend({"type": "kv_redis", "host": "cache.llama-config-test.invalid"})
    assert result.category is Category.DNS


async def test_redis_that_requires_a_password_is_auth_failed():
    server = started(start_redis, "--requirepass", "only-the-server-knows")
    try:
        result = await probe_backend(server.backend())
        assert result.category is Category.AUTH_FAILED
        assert "no password field" in result.hint
    finally:
        server.stop()


async def test_mongodb_closed_port_is_refused_without_waiting_for_server_selection(closed_port):
    # pymongo alone retries until its server selection timeout, which is set past the probe's:
    # without the heartbeat watch the answer would be a timeout
    result = await probe_backend({"type": "kv_mongodb", "host": "127.0.0.1", "port": closed_port}, timeout=1)
    assert result.category is Category.REFUSED


async def test_mongodb_listener_that_never_answers_is_timeout(silent):
    result = await probe_backend({"type": "kv_mongodb", "host": "127.0.0.1", "port": silent.port}, timeout=0.5)
    assert result.category is Category.TIMEOUT and "within 0.5 s" in result.message


async def test_mongodb_unresolvable_host_is_dns():
    result = await probe_backend({"type": "kv_mongodb", "host": "mongo.llama-config-test.invalid"})
    assert result.category is Category.DNS


async def test_mongodb_pointed_at_postgres_is_protocol_mismatch(postgres):
    result = await probe_backend({"type": "kv_mongodb", "host": postgres.host, "port": postgres.port})
    assert result.category is Category.PROTOCOL_MISMATCH


async def test_mongodb_uri_with_a_password_never_shows_it(closed_port):
    uri = f"mongodb://admin:Pa%40ss%2Fw0rd@127.0.0.1:{closed_port}/?authSource=admin"
    result = await probe_backend({"type": "kv_mongodb", "host": uri})
    assert result.category is Category.REFUSED
    text = repr(result) + str(result.to_json())
    for form in ("Pa%40ss%2Fw0rd", "Pa@ss/w0rd"):
        assert form not in text
