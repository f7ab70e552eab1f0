"""A small HTTP/1.1 client on asyncio streams for the provider probes: one request per connection.

The stdlib has no async HTTP client and the probes must stay cancellable and bounded, so this
sends one request (`Connection: close`) and reads the status line, the headers and a body of at
most `MAX_BODY` bytes (Content-Length, chunked, or up to EOF). No redirects are followed (the
servers' own clients, httpx/openai, do not follow them either), no proxy is used.

Failures surface as the exceptions the socket and ssl modules raise, so `network_failure`
classifies them like the backend probes' (DNS, refused, TLS, timeout); an answer that is not
HTTP is a `ProbeFailure` (protocol_mismatch).
"""

from __future__ import annotations

import asyncio
import json
import ssl
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import urlsplit

from .base import ProbeFailure, Progress
from .result import Category

MAX_BODY = 8 << 20  # a model list of thousands of entries fits; a stray download does not
USER_AGENT = "llama-config-probe"


@dataclass(frozen=True)
class Endpoint:
    """Where requests go: scheme, host, port and the base path ("/v1"), never credentials."""

    scheme: str
    host: str
    port: int
    path: str = ""

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    @property
    def origin(self) -> str:
        return f"{self.scheme}://{self.address}"

    def url(self, path: str = "") -> str:
        return f"{self.origin}{self.joined(path)}"

    def joined(self, path: str) -> str:
        """The base path and `path`, one slash between them ("/v1" + "models" -> "/v1/models")."""
        base = self.path.rstrip("/")
        return f"{base}/{path.lstrip('/')}" if path else (base or "/")


def parse_endpoint(text: str, default_scheme: str = "http") -> Endpoint:
    """`http://h:8000/v1` -> Endpoint; a URL without a scheme ("localhost:9200") gets `default_scheme`.
    Raises ValueError for what no client could connect to (no host, a bad port, another scheme)."""
    text = text.strip()
    if "://" not in text:
        text = f"{default_scheme}://{text}"
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValueError(f"the URL scheme must be http or https, not '{parts.scheme}'")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("the URL's port is not a number from 0 to 65535") from None
    if not parts.hostname:
        raise ValueError("the URL has no host")
    return Endpoint(scheme, parts.hostname, port or (443 if scheme == "https" else 80), parts.path)


@dataclass
class Response:
    status: int
    reason: str
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not."""
        return json.loads(self.body.decode("utf-8"))

    def preview(self, limit: int = 60) -> str:
        """The body's start, on one line, for a message ("<html><head><title>..." )."""
        text = self.body[:limit * 2].decode("utf-8", "replace")
        text = " ".join(text.split())
        return text[:limit] + ("…" if len(text) > limit or len(self.body) > limit * 2 else "")


def tls_context(verify: Any) -> ssl.SSLContext:
    """What httpx's `verify=` means: True (system CAs), False (no check), or a CA bundle path."""
    if verify is False:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if isinstance(verify, str) and verify:
        try:
            return ssl.create_default_context(cafile=verify)
        except (OSError, ssl.SSLError) as exc:
            raise ProbeFailure(Category.TLS, f"the CA bundle {verify} cannot be used ({type(exc).__name__})",
                               "the TLS verify setting must be true, false or the path of a PEM CA bundle") from None
    return ssl.create_default_context()


async def request(endpoint: Endpoint, path: str, progress: Progress, *, method: str = "GET",
                  headers: Mapping[str, str] | None = None, body: bytes | None = None,
                  verify: Any = True) -> Response:
    """One request to `endpoint` (`path` joined to its base path); the whole answer read."""
    context = tls_context(verify) if endpoint.scheme == "https" else None
    reader, writer = await asyncio.open_connection(
        endpoint.host, endpoint.port, ssl=context, server_hostname=endpoint.host if context else None,
        limit=1 << 16,
    )
    target = endpoint.joined(path)
    progress.accepted(f"answer {method} {target}")
    try:
        lines = [f"{method} {target} HTTP/1.1", f"Host: {endpoint.address if endpoint.port not in (80, 443) else endpoint.host}",
                 f"User-Agent: {USER_AGENT}", "Accept: application/json", "Connection: close"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if body is not None:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b""))
        await writer.drain()
        return await _read_response(reader, endpoint, method, target)
    finally:
        writer.close()
        try:
            await asyncio.wait_for(writer.wait_closed(), 1)
        except Exception:  # the result stands; a TLS close_notify that never comes is not ours to wait for
            pass


def _not_http(endpoint: Endpoint, what: bytes) -> ProbeFailure:
    shown = what[:40].decode("ascii", "replace").strip() or repr(what[:20])
    return ProbeFailure(Category.PROTOCOL_MISMATCH, f"{endpoint.address} does not speak HTTP (it answered {shown!r})",
                        f"is {endpoint.port} the server's HTTP port, and is the scheme ({endpoint.scheme}) right?")


async def _read_response(reader: asyncio.StreamReader, endpoint: Endpoint, method: str, target: str) -> Response:
    try:
        status_line = await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as exc:
        if not exc.partial:
            raise ProbeFailure(Category.PROTOCOL_MISMATCH, f"{endpoint.address} closed the connection without answering {method} {target}",
                               f"is {endpoint.port} the server's HTTP port, and is the scheme ({endpoint.scheme}) right?") from None
        raise _not_http(endpoint, exc.partial) from None
    except asyncio.LimitOverrunError:
        raise _not_http(endpoint, await reader.read(40)) from None
    parts = status_line.decode("latin-1").strip().split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise _not_http(endpoint, status_line)
    response = Response(int(parts[1]), parts[2] if len(parts) > 2 else "")
    while True:
        try:
            line = (await reader.readuntil(b"\n")).decode("latin-1").strip()
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            raise _not_http(endpoint, status_line) from None
        if not line:
            break
        name, _, value = line.partition(":")
        response.headers[name.strip().lower()] = value.strip()
    if method == "HEAD" or response.status in (204, 304) or 100 <= response.status < 200:
        return response
    response.body = await _read_body(reader, response, endpoint)
    return response


def _too_big(endpoint: Endpoint) -> ProbeFailure:
    return ProbeFailure(Category.PROTOCOL_MISMATCH, f"{endpoint.address} sent an answer larger than {MAX_BODY >> 20} MiB",
                        "is the URL the server's API, not a file download?")


async def _read_body(reader: asyncio.StreamReader, response: Response, endpoint: Endpoint) -> bytes:
    if "chunked" in response.headers.get("transfer-encoding", "").lower():
        chunks: list[bytes] = []
        size_total = 0
        while True:
            size_line = (await reader.readuntil(b"\n")).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                raise _not_http(endpoint, size_line) from None
            if size == 0:
                return b"".join(chunks)
            size_total += size
            if size_total > MAX_BODY:
                raise _too_big(endpoint)
            chunks.append(await reader.readexactly(size))
            await reader.readuntil(b"\n")
    length = response.headers.get("content-length")
    if length is not None and length.strip().isdigit():
        if int(length) > MAX_BODY:
            raise _too_big(endpoint)
        try:
            return await reader.readexactly(int(length))
        except asyncio.IncompleteReadError as exc:
            return exc.partial  # cut short: what came is judged (as JSON it will not parse)
    data = await reader.read(MAX_BODY + 1)
    while data and len(data) <= MAX_BODY:
        more = await reader.read(MAX_BODY + 1 - len(data))
        if not more:
            break
        data += more
    if len(data) > MAX_BODY:
        raise _too_big(endpoint)
    return data
