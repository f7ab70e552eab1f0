"""kv_redis: connect and PING, as upstream's RedisKVStoreImpl (redis.asyncio, redis://host:port).

The client is redis-py with its defaults, as the server uses it (this redis-py starts with a
HELLO handshake), except that retries are off (no backoff, zero retries), so a failure
takes milliseconds instead of several seconds of reconnect attempts. INFO gives the version;
a server that forbids INFO (ACL) is still reachable, just without a version.
"""

from __future__ import annotations

from .base import ProbeFailure, Progress, Success, close_quietly, closed_without_answer, network_failure, oversized_answer, tcp_failure
from .result import Category
from .target import ProbeTarget

DRIVERS = ("redis.asyncio", "redis.asyncio.retry", "redis.backoff")
HANDSHAKE = "Redis handshake"


async def probe(target: ProbeTarget, progress: Progress) -> Success:
    from redis.asyncio import Redis
    from redis.asyncio.retry import Retry
    from redis.backoff import NoBackoff
    from redis.exceptions import ConnectionError as RedisConnectionError, ResponseError

    s = target.settings
    client = Redis(
        host=s["host"], port=s["port"],
        socket_connect_timeout=progress.timeout + 5, socket_timeout=progress.timeout + 5,  # ours fires first
        retry=Retry(NoBackoff(), 0), retry_on_error=[],
        single_connection_client=True, driver_info=None,
    )
    try:
        try:
            await client.initialize()  # the TCP connection
        except RedisConnectionError as exc:
            if network_failure(exc, target) is None:  # localhost's ::1 and 127.0.0.1 errors joined
                failure = await tcp_failure(target)
                if failure is not None:
                    raise failure from exc
            raise
        progress.connected = True
        progress.stage = "answer PING"
        await client.ping()
        progress.stage = "answer INFO"
        try:
            info = await client.info("server")
        except ResponseError:  # NOPERM and friends: reachable all the same
            info = {}
    finally:
        await close_quietly(client.aclose())
    name = str(info.get("server_name") or "Redis").capitalize() if info else None
    version = f"{name} {info['redis_version']}" if info.get("redis_version") else None
    return Success(f"{target.address} answered PING", version)


def classify(exc: BaseException, target: ProbeTarget) -> ProbeFailure | None:
    from redis import exceptions as rx

    where = target.address
    if isinstance(exc, rx.AuthenticationError):  # NOAUTH / WRONGPASS (before ConnectionError: a subclass)
        return ProbeFailure(Category.AUTH_FAILED, f"{where} requires authentication ({exc})",
                            "upstream's kv_redis has no password field: the server must accept clients without AUTH")
    if isinstance(exc, rx.NoPermissionError):
        return ProbeFailure(Category.PERMISSION_DENIED, f"{where} refused the command ({exc})",
                            "the default user's ACL must allow the KV commands (GET, SET, SCAN, DEL, PING)")
    if isinstance(exc, rx.InvalidResponse):
        return ProbeFailure(Category.PROTOCOL_MISMATCH, f"{where} does not speak the Redis protocol ({exc})",
                            f"is {target.settings.get('port')} the Redis port?")
    if isinstance(exc, rx.TimeoutError):
        return None  # network_failure finds the socket timeout underneath
    if isinstance(exc, rx.ConnectionError) and network_failure(exc, target) is None:
        return closed_without_answer(target, HANDSHAKE)
    oversized = oversized_answer(exc, target)
    if oversized is not None:
        return oversized
    if isinstance(exc, rx.ResponseError):
        return ProbeFailure(Category.OTHER, f"{where} answered PING with an error ({exc})", "see the Redis server log")
    return None
