"""What an HTTP answer means for a provider probe: the shared part of the HTTP-based probes.

The status code decides (401/403 auth, 404 wrong path, 3xx a redirect the server's client will
not follow, anything else not 2xx an error); a 2xx body that should be JSON and is not means
something else answers there (a web UI, a proxy's error page).
"""

from __future__ import annotations

import ssl
from typing import Any

from .base import ProbeFailure, Progress, network_failure, tcp_failure
from .http_client import Endpoint, Response, request
from .result import Category
from .target import ProbeTarget


def key_hint(target: ProbeTarget, field: str) -> str:
    origin = target.origins.get(field)
    return f"check {field}" + (f" ({origin})" if origin else f" in {target.config_path}")


def check_status(response: Response, target: ProbeTarget, endpoint: Endpoint, path: str, *,
                 key_field: str, keyed: bool, not_found_hint: str) -> None:
    """Raise the ProbeFailure a non-2xx answer to GET `path` means."""
    status = response.status
    where = f"{endpoint.joined(path)} on {endpoint.address}"
    said = f"HTTP {status}{' ' + response.reason if response.reason else ''}"
    if status in (401, 403):
        sent = "with the configured key" if keyed else "without a key"
        raise ProbeFailure(Category.AUTH_FAILED, f"{where} refused the request {sent} ({said})", key_hint(target, key_field))
    if status == 404:
        raise ProbeFailure(Category.NOT_FOUND, f"{where} does not exist ({said})", not_found_hint)
    if 300 <= status < 400:
        location = response.headers.get("location", "?")
        raise ProbeFailure(Category.OTHER, f"{where} redirects ({said}) to {location}",
                           "the server's client does not follow redirects: use the URL it redirects to")
    if not 200 <= status < 300:
        detail = f": {response.preview()}" if response.body else ""
        raise ProbeFailure(Category.OTHER, f"{where} answered {said}{detail}", "see the server's log")


def json_body(response: Response, endpoint: Endpoint, path: str) -> Any:
    """The 2xx body as JSON, or the protocol_mismatch failure of a body that is not JSON."""
    try:
        return response.json()
    except (ValueError, UnicodeDecodeError):
        kind = response.content_type or "no content type"
        shown = f": {response.preview()!r}" if response.body else " (an empty body)"
        raise ProbeFailure(Category.PROTOCOL_MISMATCH,
                           f"{endpoint.joined(path)} on {endpoint.address} answered {kind}, not JSON{shown}",
                           "is the URL the server's API (not a web page, a proxy's login or error page)?") from None


async def fetch(target: ProbeTarget, path: str, progress: Progress, *, headers: dict[str, str] | None = None,
                method: str = "GET", body: bytes | None = None) -> Response:
    """`request` to the target's endpoint with its TLS setting and network.headers; a connection
    failure whose class does not tell the cause (asyncio joins the errors of ::1 and 127.0.0.1
    into one plain OSError) is explained by trying each address."""
    extra = target.settings.get("network", {}).get("headers") if isinstance(target.settings.get("network"), dict) else None
    sent = {str(k): str(v) for k, v in (extra or {}).items() if isinstance(v, (str, int))} if isinstance(extra, dict) else {}
    sent.update(headers or {})
    try:
        return await request(target.settings["_endpoint"], path, progress, method=method, headers=sent, body=body,
                             verify=target.settings.get("_verify", True))
    except OSError as exc:
        if not isinstance(exc, ssl.SSLError) and network_failure(exc, target) is None:
            failure = await tcp_failure(target)
            if failure is not None:
                raise failure from exc
        raise


def classify(exc: BaseException, target: ProbeTarget) -> ProbeFailure | None:
    """TLS failures worded for an HTTP provider (the rest is network_failure's)."""
    for e in (exc, exc.__cause__, exc.__context__):
        if isinstance(e, ssl.SSLCertVerificationError):
            return ProbeFailure(Category.TLS, f"the TLS certificate of {target.address} does not verify ({e.verify_message or 'verification failed'})",
                                "set network.tls.verify to the CA bundle that signed it (or false to skip the check), "
                                "and check that the certificate is for this host name")
        if isinstance(e, ssl.SSLError):
            return ProbeFailure(Category.TLS, f"TLS handshake with {target.address} failed ({e.reason or type(e).__name__})",
                                "does the server speak TLS on this port? (http:// vs https:// in the URL)")
    return None
