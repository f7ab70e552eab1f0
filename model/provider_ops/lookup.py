"""Finding a provider by its id, and its state under an environment (for the tree's label).

A provider's id as an operator names it is what its `provider_id` is written as, or, for the
toggle `${env.OLLAMA_URL:+ollama}` (on only when OLLAMA_URL is set), the id it stands for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..document import Document, EditError
from ..envvars import Environment, disables_provider, find_placeholders, has_placeholder, resolve
from ..facts import placeholder_hint
from ..redaction import redact_text, shown_value
from ..yamlpath import Path

PROVIDERS: Path = ("providers",)


def id_of(raw: Any) -> str:
    """The id a written provider_id stands for: `${env.X:+ollama}` -> "ollama"."""
    if isinstance(raw, str) and has_placeholder(raw):
        return placeholder_hint(raw) or raw
    return "" if raw is None else shown_value(("provider_id",), raw)  # (a mapping written there: short, secrets masked)


def providers_of(doc: Document, api: str) -> list[tuple[int, dict]]:
    """(index, provider) of the providers written under `providers.<api>`."""
    providers = doc.value_at(PROVIDERS)
    entries = providers.get(api) if isinstance(providers, dict) else None
    return [(i, p) for i, p in enumerate(entries) if isinstance(p, dict)] if isinstance(entries, list) else []


def provider_ids(doc: Document, api: str) -> list[str]:
    return [id_of(p.get("provider_id")) for _, p in providers_of(doc, api)]


def find_provider(doc: Document, api: str, provider_id: str) -> int:
    """The index of the provider of `api` named `provider_id` (as written or as its toggle's id)."""
    for index, provider in providers_of(doc, api):
        raw = provider.get("provider_id")
        if provider_id in (raw, id_of(raw)):
            return index
    ids = provider_ids(doc, api)
    known = f"its providers: {', '.join(ids)}" if ids else "it has no providers"
    raise EditError(f"there is no {api} provider '{redact_text(provider_id)}' ({known})")


def api_and_index(doc: Document, api: str, provider_id: str) -> tuple[Path, dict]:
    """(path of the provider, the provider) for `api` and `provider_id`."""
    index = find_provider(doc, api, provider_id)
    return PROVIDERS + (api, index), doc.value_at(PROVIDERS + (api, index))


@dataclass(frozen=True)
class ProviderState:
    provider_id: str  # as it resolves (or the toggle's id when it resolves to nothing)
    provider_type: str
    on: bool
    why: str  # "OLLAMA_URL set", "OLLAMA_URL unset", "" for an id written plainly

    @property
    def label(self) -> str:
        """`ollama  remote::ollama  on (OLLAMA_URL set)`."""
        state = ("on" if self.on else "off") + (f" ({self.why})" if self.why else "")
        return f"{self.provider_id}  {self.provider_type}  {state}"


def provider_state(provider: dict, env: Environment | None = None) -> ProviderState:
    """Whether the server starts `provider` under `env`, and why, for a label."""
    raw = provider.get("provider_id")
    ptype = provider.get("provider_type")
    ptype = ptype if isinstance(ptype, str) else "?"
    if not has_placeholder(raw):
        why = "" if not disables_provider(raw) else ("provider_id is empty" if raw in (None, "") else f"provider_id is {id_of(raw)}")
        return ProviderState(id_of(raw), ptype, not disables_provider(raw), why)
    resolution = resolve(raw, env or Environment())
    notes = []
    for source in resolution.variables:
        notes.append(f"{source.name} {'set' if source.is_set else 'empty' if source.value == '' else 'unset'}")
    if resolution.missing:
        return ProviderState(id_of(raw), ptype, False, "; ".join(notes) + ": the server will not start")
    value = resolution.value
    on = not disables_provider(value)
    shown = str(value) if on else id_of(raw)
    if on and len(find_placeholders(raw)) == 1 and find_placeholders(raw)[0].op == "=" and resolution.used_default:
        notes.append("default")
    return ProviderState(shown, ptype, on, "; ".join(notes))


def resolve_ids(doc: Document, path: Path) -> Path:
    """`providers.inference.ollama...` (written `providers.inference[ollama]`) with the provider's
    index for its id; other paths as they are. EditError (naming the ids) for an unknown id."""
    if len(path) >= 3 and path[0] == "providers" and isinstance(path[2], str) and isinstance(doc.value_at(path[:2]), list):
        return path[:2] + (find_provider(doc, str(path[1]), path[2]),) + path[3:]
    return path
