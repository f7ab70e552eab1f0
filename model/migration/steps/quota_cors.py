"""`server.quota` and `server.cors` removed in ogx 1.0 (#5750).

Checked in ogx 1.0.4 core/datatypes.py: ServerConfig has neither field (release data
server.quota / server.cors false, both under server.ignored_keys), and core/server/server.py
installs no quota middleware: the keys are ignored without a word, so requests are no longer
counted or limited. The sections are kept in the file, commented out, for the record and for
whoever puts a rate limit in front of the server.
"""

from __future__ import annotations

from ...document import Document
from . import Context, Outcome, Step
from .edits import comment_out

KEYS = ("quota", "cors")


def _paths(doc: Document, ctx: Context) -> list[tuple]:
    server = doc.data.get("server")
    ignored = ctx.after.data["server"].get("ignored_keys") or {}
    return [("server", k) for k in KEYS if isinstance(server, dict) and k in server and k in ignored]


def _apply(doc: Document, ctx: Context) -> Outcome:
    paths = _paths(doc, ctx)
    out = Outcome(done=["commented out what ogx 1.0 no longer reads (server.quota / server.cors):"])
    out.done += [f"  {line}" for line in comment_out(doc, paths, "ogx 1.0 removed server quota and cors (#5750): ignored, kept for the record")]
    if ("server", "quota") in paths:
        out.manual.append("server.quota: ogx has no request quotas (#5750 removed the middleware): requests are no longer "
                          "counted or limited; put a rate limit in front of the server (ingress, API gateway) if you relied on it")
    if ("server", "cors") in paths:
        out.manual.append("server.cors: ogx sends no CORS headers of its own any more: browser clients from other origins "
                          "need them from a proxy in front of the server")
    return out


STEP = Step(
    name="quota-cors",
    line="ogx-1.0",
    upstream="ogx #5750 (1.0.0: core/datatypes.py ServerConfig without quota / cors)",
    title="server.quota and server.cors removed (kept commented out)",
    detect=lambda doc, ctx: bool(_paths(doc, ctx)),
    apply=_apply,
)
