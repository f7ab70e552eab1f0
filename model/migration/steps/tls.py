"""TLS required by `ogx run` unless `server.insecure` (ogx 1.2).

Checked in ogx 1.2.5 cli/stack/run.py: without server.tls_certfile / tls_keyfile, `ogx run`
exits with "TLS required: set tls_certfile/tls_keyfile in server config or pass '--insecure'"
unless --insecure or server.insecure: true (release data server.tls_required_unless_insecure).
Never switched off here: whether the server may serve plain HTTP is the operator's decision.
"""

from __future__ import annotations

from ...document import Document
from . import Context, Outcome, Step


def _detect(doc: Document, ctx: Context) -> bool:
    if not ctx.after.data["server"].get("tls_required_unless_insecure"):
        return False
    server = doc.data.get("server")
    server = server if isinstance(server, dict) else {}
    return not (server.get("tls_certfile") and server.get("tls_keyfile")) and str(server.get("insecure", "")).lower() not in ("true", "1")


def _apply(doc: Document, ctx: Context) -> Outcome:
    line = doc.position(("server",), key=True)[0] if "server" in doc.data else None
    where = f" (server: line {line})" if line else ""
    return Outcome(manual=[
        f"server{where}: {ctx.after.name} refuses to start without TLS: set server.tls_certfile and server.tls_keyfile, "
        "or, behind a TLS-terminating proxy, server.insecure: true (or `ogx run --insecure`); not changed here"
    ])


STEP = Step(
    name="tls-required",
    line="ogx-1.2",
    upstream="ogx 1.2.0 (cli/stack/run.py: TLS required unless --insecure / server.insecure)",
    title="TLS required unless server.insecure (reported, never switched off)",
    detect=_detect,
    apply=_apply,
)
