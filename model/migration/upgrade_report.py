"""What an upgrade did, step by step, each with the upstream change it follows."""

from __future__ import annotations

from ..redaction import redact_text
from ..releases import display_name
from .upgrade import PRE_03, Upgrade


def upgrade_report(result: Upgrade, name: str) -> list[str]:
    """The report, every line through the redaction rule (model.redaction)."""
    source = "pre-0.3 (llama-stack 0.2)" if result.source == PRE_03 else display_name(result.source)
    if not result.results:
        lines = [f"{name}: nothing to do: the file already reads as {display_name(result.target)} reads it (from {source})"]
    else:
        lines = [f"{name}: upgraded from {source} to {display_name(result.target)}"]
    for step, line, outcome in result.results:
        lines.append(f"  [{display_name(line)}] {step.title}  ({step.upstream})")
        lines += [f"    {d}" for d in outcome.done]
        lines += [f"    MANUAL: {m}" if not m.startswith(("  ", "REMOVED")) else f"    {m}" for m in outcome.manual]
        lines += [f"    note: {n}" for n in outcome.notes]
    if result.manual:
        lines.append(f"  {len([m for m in result.manual if not m.startswith('  ')])} item(s) above need a human (MANUAL / REMOVED): "
                     "upgrade exits 1 unless --force")
    if result.results and name.endswith("run.yaml") and display_name(result.target) != display_name(result.source) and result.target != "0.3":
        lines.append("  note: since llama-stack 0.4 the server's own file is called config.yaml; renaming run.yaml is your choice (nothing was renamed)")
    return [redact_text(line) for line in lines]
