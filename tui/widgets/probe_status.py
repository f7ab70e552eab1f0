"""Connection test results in the editor: what `t` / `T` probe, and how a result reads in the
tree (a badge) and in the form (a status block).

Backends and providers share one state, `ConfigTree.probe_state`, keyed by `probe_key`: the
backend's name, or `providers.<api>[<provider_id>]`.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.widgets import Static

from llama_config.model.session import EditSession
from llama_config.model.yamlpath import Path

NOT_TESTED = "Connection: not tested yet (t tests it, T tests every backend and provider)"


def probe_key(api: str | None, name: str) -> str:
    return name if api is None else f"providers.{api}[{name}]"


def provider_targets(session: EditSession, path: Path) -> tuple[list, str]:
    """The probe targets of the provider at `path` (or of every provider, for ("providers",)),
    and why there are none for a single provider (disabled, or no probe for its type)."""
    from llama_config.model.probes.provider_target import HEALTH_CHECKED, plan_providers
    from llama_config.model.provider_ops import provider_state

    targets, _ = plan_providers(session.data, session.env, session.release())
    if len(path) < 3:
        return targets, ""
    api, index = str(path[1]), int(path[2])
    chosen = [t for t in targets if t.api == api and t.index == index]
    if chosen:
        return chosen, ""
    state = provider_state(session.doc.value_at(path) or {}, session.env)
    if not state.on:
        return [], f"{state.provider_id} is off here ({state.why}): the server does not start it, so there is nothing to test"
    health = ", ".join(sorted(t.split("::")[1] for t in HEALTH_CHECKED))
    return [], f"No live check for {state.provider_type}: probes exist for OpenAI-compatible inference servers, pgvector, {health}"


def is_stale(session: EditSession, key: str, result: Any) -> bool:
    """A result is stale once anything its probe used has been edited (or the environment changed)."""
    current = current_fingerprints(session).get(key)
    return current is None or current != getattr(result, "fingerprint", None)


_fingerprints: tuple[tuple, dict[str, str]] | None = None  # (what they were planned from, key -> fingerprint)


def current_fingerprints(session: EditSession) -> dict[str, str]:
    """What each backend's and provider's probe would use now, by probe key: planned once per
    document text, not once per badge (a tree of many tested providers asked for each)."""
    global _fingerprints
    from llama_config.model.probes import plan
    from llama_config.model.probes.provider_target import plan_providers

    release = session.release()
    source = (session.doc.text, id(session.env), id(release))
    if _fingerprints is None or _fingerprints[0] != source:
        targets = plan(session.data, session.env, None, release) + plan_providers(session.data, session.env, release)[0]
        _fingerprints = (source, {probe_key(t.api, t.name): t.fingerprint for t in targets})
    return _fingerprints[1]


def badge(session: EditSession, state: dict, key: str) -> Text:
    """`● ok 12 ms`, `● refused`, `◌ testing…` after a tree label."""
    result = state.get(key)
    if result is None:
        return Text("◌ testing…", style="dim")
    stale = is_stale(session, key, result)
    if getattr(result, "ok", False):
        text = Text(f"● ok {getattr(result, 'latency_ms', 0) or 0:.0f} ms", style="dim green" if stale else "green")
    else:
        text = Text(f"● {getattr(result, 'category', 'failed')}", style="dim red" if stale else "bold red")
    if stale:
        text.append(" (stale)", style="dim")
    return text


def status(session: EditSession, state: dict, key: str) -> Static:
    """The form's block: not tested, testing, or the result with its message and hint."""
    if key not in state:
        return Static(Text(NOT_TESTED, style="dim"), classes="detail-probe")
    result = state[key]
    if result is None:
        return Static(Text("Connection: testing…", style="dim"), classes="detail-probe")
    text = Text("Connection: ", style="bold")
    if result.ok:
        text.append(f"ok in {result.latency_ms:.0f} ms", style="green")
    else:
        text.append(f"{result.category}", style="bold red")
    if result.server_version:
        text.append(f"  ({result.server_version})", style="dim")
    text.append(f"\n{result.message}")
    if result.hint and not result.ok:
        text.append(f"\nhint: {result.hint}", style="yellow")
    if is_stale(session, key, result):
        text.append("\nstale: this (or its environment) changed since the test; press t to test again", style="dim")
    return Static(text, classes="detail-probe")
