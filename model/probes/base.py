"""What the backend probes share: how they report, and how network errors are classified.

Classification looks at exception classes and error numbers only (errno, SQLSTATE, server
error codes), walking `__cause__` / `__context__`, because drivers wrap the socket error they
got (redis-py raises its ConnectionError while handling a ConnectionRefusedError, pymongo
raises AutoReconnect from it). Message texts are shown to people, never parsed.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
from dataclasses import dataclass
from typing import Iterator

from .result import Category
from .target import ProbeTarget


class ProbeFailure(Exception):
    """A probe's classified failure: raised by the probes, turned into a ProbeResult by the runner."""

    def __init__(self, category: Category, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.category = category
        self.message = message
        self.hint = hint


@dataclass
class Success:
    message: str
    server_version: str | None = None


class Progress:
    """What a running probe is doing; the runner words a timeout from it."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.stage = "connect"  # what the probe waits for once connected: "answer PING", ...
        self.connected = False  # a connection (TCP at least) is established
        self.note: str | None = None  # what a side check learnt meanwhile ("the port accepts connections but never answers")
        self.server_version: str | None = None  # known once connected, reported with a later failure too

    def accepted(self, waiting_for: str) -> None:
        """A TCP connection to the server's address is established (by the driver or a side
        check); a timeout from now on is about an answer that did not come (`waiting_for`)."""
        if not self.connected:
            self.connected = True
            if self.stage == "connect":
                self.stage = waiting_for


def seconds(value: float) -> str:
    """5 -> "5 s", 0.25 -> "0.25 s"."""
    return f"{value:g} s"


def causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, then what it was raised from or while handling, depth first, each once."""
    seen: set[int] = set()
    stack = [exc]
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        nested = list(getattr(e, "exceptions", ()) or ()) if isinstance(e, BaseExceptionGroup) else []
        stack.extend(reversed([x for x in (e.__cause__, e.__context__, *nested) if x is not None]))


_UNREACHABLE = {errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EHOSTDOWN, errno.EADDRNOTAVAIL}


def network_failure(exc: BaseException, target: ProbeTarget) -> ProbeFailure | None:
    """The category of a socket-level failure anywhere in `exc`'s chain, or None."""
    where = target.address
    host = target.settings.get("host")
    for e in causes(exc):
        if isinstance(e, socket.gaierror):
            return ProbeFailure(
                Category.DNS,
                f"cannot resolve the host name '{host}' ({e.strerror or 'lookup failed'})",
                f"is the host name '{host}' spelled right and resolvable from here (DNS, /etc/hosts)?",
            )
        if isinstance(e, ConnectionRefusedError) or (isinstance(e, OSError) and e.errno == errno.ECONNREFUSED):
            return ProbeFailure(Category.REFUSED, f"connection refused by {where}", f"is the server running on {where}?")
        if isinstance(e, ssl.SSLCertVerificationError):
            return ProbeFailure(
                Category.TLS,
                f"the TLS certificate of {where} does not verify ({e.verify_message or 'verification failed'})",
                "check ca_cert_path and that the certificate was issued for this host name",
            )
        if isinstance(e, ssl.SSLError):
            return ProbeFailure(Category.TLS, f"TLS handshake with {where} failed ({e.reason or type(e).__name__})",
                                "check the server's TLS setup and ssl_mode")
        if isinstance(e, TimeoutError):
            return ProbeFailure(Category.TIMEOUT, f"{where} did not answer in time", timeout_hint(target))
        if isinstance(e, OSError) and e.errno in _UNREACHABLE:
            return ProbeFailure(Category.OTHER, f"{where} is unreachable from here ({e.strerror})",
                                "check the network route to the host (VPN, firewall, container network)")
    return None


def timeout_hint(target: ProbeTarget) -> str:
    return f"is {target.address} the right address, reachable from here (firewall, VPN), and is the server up?"


def no_answer_hint(target: ProbeTarget) -> str:
    """For a timeout after the connection was made: the address is reachable, the answer is missing."""
    kind = server_kind(target)
    return (f"something accepts connections on {target.address} but does not answer as {kind} would: is it the {kind} port "
            "(not a proxy or another service), and is the server overloaded or stuck?")


def server_kind(target: ProbeTarget) -> str:
    if target.api is not None:  # a provider: remote::pgvector -> PostgreSQL, remote::vllm -> vllm
        return "PostgreSQL" if target.type == "remote::pgvector" else target.type.split("::")[-1]
    return {"postgres": "PostgreSQL", "redis": "Redis", "mongodb": "MongoDB"}.get(target.type.split("_", 1)[-1], "the server")


def closed_without_answer(target: ProbeTarget, handshake: str) -> ProbeFailure:
    """The port accepts connections and then closes or resets them without a byte."""
    port = target.settings.get("port")
    return ProbeFailure(Category.PROTOCOL_MISMATCH, f"{target.address} closed the connection without answering the {handshake}",
                        f"is {port} the {server_kind(target)} port, and does the server take plain-text (non-TLS) clients?")


def oversized_answer(exc: BaseException, target: ProbeTarget) -> ProbeFailure | None:
    """A driver reading a line (asyncio's StreamReader, 64 KiB at most) got more without a line
    end: whatever answers is no server of this kind. The read stays bounded by that limit."""
    if not any(isinstance(e, asyncio.LimitOverrunError) for e in causes(exc)):
        return None
    kind = server_kind(target)
    return ProbeFailure(Category.PROTOCOL_MISMATCH,
                        f"{target.address} does not speak the {kind} protocol (it sent a line longer than the client reads)",
                        f"is {target.settings.get('port')} the {kind} port?")


async def watch_tcp(target: ProbeTarget, progress: Progress, handshake: str) -> None:
    """Once the probe has waited a moment, find out on a side connection whether host:port
    accepts connections at all, so a timeout can say "connected, no answer" instead of
    "couldn't connect". Runs until cancelled; never raises a failure of its own."""
    host, port = target.settings.get("host"), target.settings.get("port")
    if not host or not isinstance(port, int) or "://" in str(host):
        return
    await asyncio.sleep(min(0.5, progress.timeout / 4))
    try:
        reachable = not progress.connected and await tcp_failure(target) is None
    except Exception:  # an address getaddrinfo cannot take: the probe itself reports it
        return
    if reachable:
        progress.accepted(f"answer the {handshake}")


async def tcp_failure(target: ProbeTarget, host: str | None = None, port: int | None = None) -> ProbeFailure | None:
    """Why nothing can be reached at host:port, trying each address itself; None when one accepts.

    For the cases the driver's exception does not tell: asyncio's create_connection joins the
    errors of several addresses (localhost -> ::1 and 127.0.0.1) into a plain
    OSError("Multiple exceptions: ..."), and pymongo reports a failed connection as
    AutoReconnect without the socket error it came from.
    """
    host = host or target.settings.get("host")
    port = port or target.settings.get("port")
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        return network_failure(exc, target)
    errors: list[OSError] = []
    for family, type_, proto, _, address in infos:
        sock = socket.socket(family, type_, proto)
        sock.setblocking(False)
        try:
            await loop.sock_connect(sock, address)
            return None
        except OSError as exc:
            errors.append(exc)
        finally:
            sock.close()
    for exc in errors:  # refused anywhere wins: something is wrong with the port, not the route
        if isinstance(exc, ConnectionRefusedError):
            return network_failure(exc, target)
    return network_failure(errors[0], target) if errors else None


async def close_quietly(awaitable, timeout: float = 1.0) -> None:
    """Await a driver's close() for at most `timeout`; a failure to close is not the probe's result."""
    try:
        await asyncio.wait_for(awaitable, timeout)
    except Exception:
        pass


def unexpected(exc: BaseException, target: ProbeTarget, what: str) -> ProbeFailure:
    """An error no rule knows: category OTHER with the exception's class and text (redacted later)."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return ProbeFailure(Category.OTHER, f"{what} failed: {type(exc).__name__}{': ' + detail if detail else ''}",
                        f"check that {target.address} is a {target.type.split('_', 1)[-1]} server and the settings are right")
