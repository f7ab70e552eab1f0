"""Remove, rename, switch on and off, and reorder providers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..document import Document, EditError
from ..envvars import find_placeholders, has_placeholder
from ..releases import Release
from ..sequence_edits import delete_items, move_item
from ..yamlpath import Path
from .lookup import PROVIDERS, api_and_index, find_provider, id_of, provider_ids, providers_of
from .resources import ResourceUse, describe_uses, resources_naming

PROVIDER_ID = re.compile(r"^[A-Za-z0-9_.:\-]+$")
VARIABLE = re.compile(r"^[A-Z_][A-Z0-9_]*$")


class ProviderInUse(EditError):
    """A provider that registered resources still name: the caller decides what happens to them."""


@dataclass
class RemoveResult:
    resources: list[ResourceUse] = field(default_factory=list)  # removed, or moved to another provider
    unlisted_api: bool = False  # the API had no provider left and was taken out of `apis:`


def remove_provider(
    doc: Document, api: str, provider_id: str, release: Release,
    remove_resources: bool = False, move_resources_to: str | None = None,
) -> RemoveResult:  # fmt: skip
    """Remove a provider. Refused while registered resources name it, unless they are removed
    with it or moved to `move_resources_to` (another provider of the same API). The API leaves
    `apis:` when no provider of it is left (an API listed without one stops most releases)."""
    path, _ = api_and_index(doc, api, provider_id)
    uses = resources_naming(doc, api, provider_id, release)
    if uses and move_resources_to is not None:
        if move_resources_to == provider_id:
            raise EditError(f"cannot move the resources of '{provider_id}' to itself")
        target = providers_of(doc, api)[find_provider(doc, api, move_resources_to)][1].get("provider_id")
        doc.set_scalars([(u.provider_path, target) for u in uses])
    elif uses and remove_resources:
        by_kind: dict[str, list[int]] = {}
        for use in uses:
            by_kind.setdefault(use.kind, []).append(use.path[-1])
        for kind, indexes in by_kind.items():
            delete_items(doc, ("registered_resources", kind), indexes)
    elif uses:
        raise ProviderInUse(
            f"the {api} provider '{provider_id}' serves {len(uses)} registered resource{'s' if len(uses) != 1 else ''}: "
            f"{describe_uses(uses)}; remove them with it, or move them to another {api} provider"
        )
    only = len(providers_of(doc, api)) == 1
    entries = doc.value_at(PROVIDERS + (api,))
    if only and len(entries) == 1 and len(doc.value_at(PROVIDERS)) > 1:
        doc.delete(PROVIDERS + (api,))  # `inference: []` would be left otherwise
    else:
        delete_items(doc, PROVIDERS + (api,), [path[-1]])
    listed = doc.value_at(("apis",))
    unlisted = only and isinstance(listed, list) and api in listed
    if unlisted:
        delete_items(doc, ("apis",), [i for i, a in enumerate(listed) if a == api])
    return RemoveResult(uses, unlisted)


def _with_id(raw: object, old: str, new: str) -> object:
    """`raw` naming `new` instead of `old`: the id itself, or the value of its toggle. An id
    written as another type (`provider_id: 42`, `!!binary ...`) is found by its text
    (lookup.id_of): it becomes the new string too."""
    if raw == old or (raw is not None and not isinstance(raw, str) and id_of(raw) == old):
        return new
    if isinstance(raw, str) and has_placeholder(raw) and id_of(raw) == old:
        place = find_placeholders(raw)[0]
        return raw[: place.start] + f"${{env.{place.name}:{place.op}{new}}}" + raw[place.end :]
    return raw


def rename_provider(doc: Document, api: str, old: str, new: str, release: Release) -> list[ResourceUse]:
    """Rename a provider's id; the registered resources that name it follow (one edit).
    Returns those resources."""
    path, provider = api_and_index(doc, api, old)
    if not isinstance(new, str) or not PROVIDER_ID.match(new):
        raise EditError(f"'{new}' is not a usable provider_id (letters, digits, _ . : -)")
    if new in provider_ids(doc, api):
        raise EditError(f"providers.{api} already has a provider '{new}'")
    uses = resources_naming(doc, api, old, release)
    changes: list[tuple[Path, object]] = [(path + ("provider_id",), _with_id(provider.get("provider_id"), old, new))]
    changes += [(u.provider_path, _with_id(doc.value_at(u.provider_path), old, new)) for u in uses]
    doc.set_scalars(changes)
    return uses


def default_toggle_variable(provider: dict, provider_id: str) -> str:
    """The variable a toggle uses unless told: the one the provider's URL comes from, as
    upstream's starter does (`${env.OLLAMA_URL:+ollama}`), else ENABLE_<ID>."""
    config = provider.get("config") if isinstance(provider.get("config"), dict) else {}
    for key in ("base_url", "url", "uri", "host"):
        places = find_placeholders(config.get(key)) if isinstance(config.get(key), str) else []
        if places:
            return places[0].name
    return "ENABLE_" + re.sub(r"[^A-Z0-9]+", "_", provider_id.upper()).strip("_")


def set_toggle(doc: Document, api: str, provider_id: str, variable: str | None) -> str:
    """Make the provider on only while `variable` is set (`${env.VAR:+id}`), or, with None,
    always on (its plain id). Returns the provider_id as written now."""
    path, provider = api_and_index(doc, api, provider_id)
    name = id_of(provider.get("provider_id"))
    if variable is not None and not VARIABLE.match(variable):
        raise EditError(f"'{variable}' is not a variable name the server substitutes (upper-case letters, digits, _)")
    written = f"${{env.{variable}:+{name}}}" if variable else name
    doc.set(path + ("provider_id",), written)
    return written


def move_provider(doc: Document, api: str, provider_id: str, to: int) -> None:
    """Move a provider to position `to` among its API's providers (the first one is the
    default some releases pick, e.g. for `provider_id: all`)."""
    index = find_provider(doc, api, provider_id)
    move_item(doc, PROVIDERS + (api,), index, to)
