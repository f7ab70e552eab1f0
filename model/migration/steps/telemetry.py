"""The `telemetry` section and API removed (llama-stack #4127).

Checked in the packages: llama-stack 0.3.5 builds the telemetry API only when top-level
`telemetry.enabled` is true (core/resolver.py; release data `conditional_apis`); 0.4.7 has no
`telemetry` field in StackRunConfig (core/datatypes.py) and no telemetry API in its Api enum, so a
provider listed under it fails at startup. Tracing is OpenTelemetry's, set by its own OTEL_*
variables (core/build.py installs opentelemetry-sdk). The section, the API entry and its
providers are commented out.
"""

from __future__ import annotations

from ...document import Document
from . import Context, Outcome, Step
from .edits import comment_out

WHY = "llama-stack 0.4 has no telemetry section or API (#4127); tracing uses the OTEL_* variables"


def _paths(doc: Document) -> list[tuple]:
    data = doc.data
    paths: list[tuple] = [("telemetry",)] if "telemetry" in data else []
    apis = data.get("apis")
    paths += [("apis", i) for i, a in enumerate(apis if isinstance(apis, list) else ()) if a == "telemetry"]
    providers = data.get("providers")
    if isinstance(providers, dict) and "telemetry" in providers:
        paths.append(("providers", "telemetry"))
    return paths


def _apply(doc: Document, ctx: Context) -> Outcome:
    lines = comment_out(doc, _paths(doc), WHY)
    return Outcome(done=["commented out what 0.4 no longer reads (telemetry):"] + [f"  {line}" for line in lines],
                   notes=["tracing from 0.4 on: set OTEL_EXPORTER_OTLP_ENDPOINT (and the other OTEL_* variables) in the server's environment"])


STEP = Step(
    name="telemetry",
    line="0.4",
    upstream="llama-stack #4127 (0.4.0: core/datatypes.py has no telemetry field; Api has no telemetry)",
    title="telemetry section and API removed",
    detect=lambda doc, ctx: bool(_paths(doc)),
    apply=_apply,
)
