"""`/`: search every backend, store, provider and field, and jump to it."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from llama_config.model.facts import type_tag_of
from llama_config.model.operations import backends
from llama_config.model.references import find_references, iter_providers
from llama_config.model.session import EditSession
from llama_config.model.yamlpath import Path, format_path

from ..widgets.detail import AUTH_PATH, QUOTA_FORM_SKIP, QUOTA_PATH, SERVER_FORM_SKIP


@dataclass(frozen=True)
class SearchTarget:
    label: str  # what is shown and matched
    kind: str  # tree node kind to select
    path: Path  # node path
    field: Path = ()  # a field inside the node's form to focus


PROVIDER_FIELDS_UP_TO = 200  # providers whose schema fields are listed too (beyond: only what the file has)


def owner_of(path: Path, refs: set[Path]) -> tuple[str, Path] | None:
    """The tree node (kind, path) whose form shows the value at `path`."""
    head = path[:1]
    if head == ("storage",) and len(path) >= 3 and path[1] in ("backends", "stores"):
        return ("backend" if path[1] == "backends" else "store"), path[:3]
    if head == ("providers",) and len(path) >= 3:
        ref = next((path[:n] for n in range(len(path), 4, -1) if path[:n] in refs), None)
        return ("reference", ref) if ref else ("provider", path[:3])
    if head == ("registered_resources",) and len(path) >= 3:
        return "resource", path[:3]
    if head == ("server",):
        for kind in ("auth", "quota"):
            if path[1:2] == (kind,):
                return kind, ("server", kind)
        return "server", ("server",)
    return None


def value_targets(session: EditSession, refs: set[Path]) -> list[SearchTarget]:
    """Every value written in the file, by its dotted path (`server.port = 8321`): a search
    matches values and config keys. Secret values are left out (their keys stay findable)."""
    from llama_config.model.redaction import is_secret_path

    secrets = session.secret_fields()
    out: list[SearchTarget] = []
    stack: list[tuple[Path, object]] = [((), session.data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack += [(path + (k,), v) for k, v in reversed(list(value.items())) if isinstance(k, str)]
        elif isinstance(value, list):
            stack += [(path + (i,), v) for i, v in reversed(list(enumerate(value)))]
        else:
            owner = owner_of(path, refs)
            if owner is None or value is None:
                continue
            shown = "••••" if is_secret_path(path, secrets) else str(value)
            out.append(SearchTarget(f"{format_path(path)} = {shown}", owner[0], owner[1], path))
    return out


def search_targets(session: EditSession) -> list[SearchTarget]:
    from llama_config.model.releases.fields import fields_of, nested_fields

    data = session.data
    release = session.release()
    targets: list[SearchTarget] = []
    for name, backend in backends(session.doc).items():
        kind = type_tag_of(backend) or "?"
        path = ("storage", "backends", name)
        targets.append(SearchTarget(f"backend {name} ({kind})", "backend", path))
        for spec in fields_of(release, data, path):
            targets.append(SearchTarget(f"{name}.{spec.name}  field of backend {name}", "backend", path, path + spec.key))
    from ..widgets.config_tree import shown_stores

    for store, spec, present in shown_stores(session.doc, release):
        targets.append(SearchTarget(f"store {store} ({spec.get('family')})" + ("" if present else ": not set, add it"), "store", ("storage", "stores", store)))
    from llama_config.model.provider_ops import id_of

    providers = list(iter_providers(data))
    for api, index, provider in providers:
        path = ("providers", api, index)
        provider_id = id_of(provider.get("provider_id"))
        targets.append(SearchTarget(f"provider {provider_id} ({api}, {provider.get('provider_type')})", "provider", path))
        if len(providers) <= PROVIDER_FIELDS_UP_TO:
            for spec in nested_fields(release, data, path + ("config",)):
                targets.append(SearchTarget(f"{provider_id}.{spec.name}  field of provider {provider_id}", "provider", path, path + ("config",) + spec.key))
    refs = [ref for ref in find_references(data, release=release) if ref.path[0] == "providers"]
    for ref in refs:
        targets.append(SearchTarget(f"{format_path(ref.path)} → {ref.backend}", "reference", ref.path))
    targets += value_targets(session, {ref.path for ref in refs})
    targets.append(SearchTarget("server (port, host, TLS)", "server", ("server",)))
    for spec in fields_of(release, data, ("server",), skip=SERVER_FORM_SKIP):
        targets.append(SearchTarget(f"server.{spec.name}", "server", ("server",), ("server",) + spec.key))
    targets.append(SearchTarget("auth (server.auth)", "auth", ("server", "auth")))
    for spec in fields_of(release, data, AUTH_PATH):
        targets.append(SearchTarget(f"auth.{spec.name}", "auth", ("server", "auth"), AUTH_PATH + spec.key))
    if release.has_quota:
        targets.append(SearchTarget("quota (server.quota)", "quota", ("server", "quota")))
        for spec in fields_of(release, {"server": {"quota": {}}}, QUOTA_PATH, skip=QUOTA_FORM_SKIP):
            targets.append(SearchTarget(f"quota.{spec.name}", "quota", QUOTA_PATH, QUOTA_PATH + spec.key))
    return targets


class SearchDialog(ModalScreen[SearchTarget | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel"), Binding("down", "results", "Results", show=False)]
    LIMIT = 200

    def __init__(self, session: EditSession) -> None:
        super().__init__(id="search-dialog")
        self.targets = search_targets(session)
        self.shown: list[SearchTarget] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-tall"):
            yield Static("Search backends, stores, providers, fields, keys and values", classes="dialog-title")
            yield Input(placeholder="type to search, enter to jump", id="search-input")
            yield OptionList(id="search-results")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#search-input").focus()

    @on(Input.Changed, "#search-input")
    def changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, query: str) -> None:
        words = query.lower().split()
        self.shown = [t for t in self.targets if all(w in t.label.lower() for w in words)][: self.LIMIT]
        results = self.query_one("#search-results", OptionList)
        results.clear_options()
        for index, target in enumerate(self.shown):
            results.add_option(Option(Text(target.label), id=str(index)))
        if self.shown:
            results.highlighted = 0

    @on(Input.Submitted, "#search-input")
    def submitted(self) -> None:
        results = self.query_one("#search-results", OptionList)
        if self.shown:
            self.dismiss(self.shown[results.highlighted or 0])

    @on(OptionList.OptionSelected, "#search-results")
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.shown[int(event.option_id or 0)])

    def action_results(self) -> None:
        self.query_one("#search-results").focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
