"""kv_mongodb: connect with pymongo's AsyncMongoClient, as upstream's MongoDBKVStoreImpl does
(host, port, username, password; `host` may be a mongodb:// URI), and read the configured
collection, which needs the `find` privilege on the configured database.

pymongo retries server selection until its timeout; its heartbeat events tell at once when
every seed address failed, so a refused port is reported in milliseconds, not after the timeout.
"""

from __future__ import annotations

import asyncio

from .base import ProbeFailure, Progress, Success, causes, close_quietly, network_failure, tcp_failure
from .result import Category
from .target import ProbeTarget

DRIVERS = ("pymongo", "pymongo.monitoring")
HANDSHAKE = "MongoDB handshake"
UNAUTHORIZED, AUTHENTICATION_FAILED = 13, 18  # MongoDB server error codes


def _heartbeat_watch(loop: asyncio.AbstractEventLoop, failed: asyncio.Future, seeds: list):
    from pymongo import monitoring

    class Watch(monitoring.ServerHeartbeatListener):
        """Resolves `failed` with the error once every seed address has failed a heartbeat."""

        def __init__(self) -> None:
            self.down: dict = {}

        def started(self, event) -> None:
            pass

        def succeeded(self, event) -> None:
            self.down.pop(event.connection_id, None)

        def failed(self, event) -> None:
            self.down[event.connection_id] = event.reply
            if seeds and set(seeds) <= set(self.down):
                loop.call_soon_threadsafe(lambda: failed.done() or failed.set_result(event.reply))

    return Watch()


async def probe(target: ProbeTarget, progress: Progress) -> Success:
    from pymongo import AsyncMongoClient, errors

    s = target.settings
    loop = asyncio.get_running_loop()
    failed: asyncio.Future = loop.create_future()
    seeds: list = []
    ms = int((progress.timeout + 5) * 1000)  # our own timeout fires first
    credentials = {k: v for k, v in {"host": s.get("host"), "port": s.get("port"), "username": s.get("user"),
                                     "password": s.get("password")}.items() if v is not None}
    client = AsyncMongoClient(  # what upstream passes, plus timeouts and no retries
        **credentials, serverSelectionTimeoutMS=ms, connectTimeoutMS=ms, socketTimeoutMS=ms,
        retryReads=False, retryWrites=False, appname="llama-config", connect=False,
        event_listeners=[_heartbeat_watch(loop, failed, seeds)],
    )
    seeds.extend(client.topology_description.server_descriptions())  # (host, port) of each seed
    work = asyncio.ensure_future(_work(client, s, progress))
    work.add_done_callback(_retrieve)
    try:
        await asyncio.wait({work, failed}, return_when=asyncio.FIRST_COMPLETED)
        if work.done():
            return work.result()
        error = failed.result()  # every seed failed its first check: pymongo would retry until its timeout
    except errors.ServerSelectionTimeoutError as exc:
        error = exc
    finally:
        work.cancel()  # pymongo may take a while to notice; closing the client ends it for sure
        await close_quietly(client.close())
    failure = classify(error, target) or network_failure(error, target)
    if failure is None and len(seeds) == 1 and isinstance(error, errors.ConnectionFailure) and not isinstance(error, errors.NetworkTimeout):
        # pymongo's AutoReconnect carries no socket error: try the address ourselves
        failure = await tcp_failure(target, *seeds[0]) or ProbeFailure(
            Category.PROTOCOL_MISMATCH,
            f"{target.address} accepts connections but closes them without answering the MongoDB handshake",
            f"is {seeds[0][1]} the MongoDB port, and does the server take plain (non-TLS) connections?",
        )
    raise failure or error


def _retrieve(task: asyncio.Task) -> None:
    if not task.cancelled():
        task.exception()  # retrieved, so asyncio does not log it as lost


async def _work(client, settings, progress: Progress) -> Success:
    db, collection = settings.get("db"), settings.get("collection_name")
    progress.stage = f"answer a find on {db}.{collection}"
    await client[db][collection].find_one({}, projection={"_id": 1})
    progress.connected = True
    info = await client.server_info()
    return Success(f"authenticated and read {db}.{collection}" if settings.get("user") else f"read {db}.{collection} (no user configured)",
                   f"MongoDB {info.get('version')}" if info.get("version") else None)


def classify(exc: BaseException, target: ProbeTarget) -> ProbeFailure | None:
    from pymongo import errors

    s = target.settings
    where = target.address
    if isinstance(exc, errors.OperationFailure):
        if exc.code == AUTHENTICATION_FAILED:
            origin = target.origins.get("password")
            return ProbeFailure(Category.AUTH_FAILED, f"{where} refused the login of user '{s.get('user')}'",
                                f"check user '{s.get('user')}', its password" + (f" ({origin})" if origin else "") +
                                " and the database it was created in (authSource)")
        if exc.code == UNAUTHORIZED:
            return ProbeFailure(Category.PERMISSION_DENIED, f"user '{s.get('user')}' may not read {s.get('db')}.{s.get('collection_name')}",
                                f"grant the user the readWrite role on database {s.get('db')}")
        return ProbeFailure(Category.OTHER, f"{where} answered with error {exc.code} ({exc})", "see the MongoDB server log")
    if isinstance(exc, errors.ServerSelectionTimeoutError):
        details = exc.details
        descriptions = details.server_descriptions().values() if hasattr(details, "server_descriptions") else ()
        for description in descriptions:
            if description.error is not None:
                found = classify(description.error, target) or network_failure(description.error, target)
                if found is not None:
                    return found
        return None  # no better cause: the runner reports the timeout
    if isinstance(exc, errors.ProtocolError):
        return ProbeFailure(Category.PROTOCOL_MISMATCH, f"{where} does not speak the MongoDB protocol ({exc})",
                            f"is {s.get('port')} the MongoDB port?")
    if isinstance(exc, errors.ConfigurationError):
        if any(type(e).__module__.startswith("dns.") for e in causes(exc)):
            return ProbeFailure(Category.DNS, f"the DNS lookup for {where} failed ({exc})",
                                "check the host name of the mongodb+srv:// URI")
        return ProbeFailure(Category.OTHER, f"the connection settings are not usable ({exc})", "check host, port, user and password")
    return None

