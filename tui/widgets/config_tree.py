"""The tree on the left: Storage (backends, stores), Providers by API, Server (auth, quota).

Provider groups fill in when they are expanded, so a config with thousands of providers
opens as fast as a small one.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from llama_config.model.diagnostics import SEVERITY_ORDER, Diagnostic
from llama_config.model.facts import family_of, type_tag_of
from llama_config.model.releases import store_order
from llama_config.model import operations
from llama_config.model.references import Reference, find_references, iter_providers
from llama_config.model.session import EditSession
from llama_config.model.yamlpath import Path


@dataclass(frozen=True)
class NodeRef:
    kind: str  # storage, backends, backend, stores, store, providers, api, provider, reference, resource, server, auth, quota
    path: Path
    family: str = ""  # for stores and references: "kv" or "sql"


_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim cyan"}
_SEVERITY_MARK = {"error": " ✗", "warning": " !", "info": ""}


class ConfigTree(Tree[NodeRef]):
    # The single-letter keys live on the tree (and the problems list), never on the app: an
    # app-level letter also fires while a form's picker or button has the focus (typing a
    # backend name into a Select quit the editor). Each shows in the footer only on the nodes
    # where it works: check_action turns it down elsewhere, and the next binding of the same
    # letter (a: add provider / add resource / add backend) answers instead.
    BINDINGS = [
        Binding("right", "expand_node", "Expand", show=False),
        Binding("left", "collapse_node", "Collapse", show=False),
        Binding("enter", "open_node", "Open", show=False),
        Binding("slash", "node('search')", "Find", id="tree.search", tooltip="Search backends, stores, providers and fields"),
        Binding("a", "node('add_provider')", "Add", id="tree.add_provider", tooltip="Add a provider: its API, then its type"),
        Binding("a", "node('add_resource', 'resource')", "Add", id="tree.add_resource", tooltip="Register another resource of this kind"),
        Binding("a", "node('add_backend')", "Add", id="tree.add_backend", tooltip="Add a storage backend"),
        Binding("m", "node('add_resource')", "Model", id="tree.add_model", tooltip="Register a model (or vector store, tool group) served by this provider"),
        Binding("r", "node('rename_provider')", "Rename", id="tree.rename_provider", tooltip="Rename the provider; registered resources follow"),
        Binding("r", "node('rename_backend')", "Rename", id="tree.rename_backend", tooltip="Rename the backend; every reference follows"),
        Binding("e", "node('toggle_provider')", "On/off", id="tree.toggle_provider", tooltip="Switch the provider off (an ${env.X:+id} toggle) or on"),
        Binding("d", "node('remove_provider')", "Remove", id="tree.remove_provider", tooltip="Remove the provider (asks about its resources)"),
        Binding("d", "node('remove_resource')", "Remove", id="tree.remove_resource", tooltip="Remove this registered resource"),
        Binding("d", "node('delete_backend')", "Delete", id="tree.delete_backend", tooltip="Delete the backend (moving its users first)"),
        Binding("t", "node('test_backend')", "Test", id="tree.test_backend", tooltip="Test the live connection of this backend"),
        Binding("T", "node('test_all')", "Test all", id="tree.test_all", tooltip="Test every backend's connection at once"),
        Binding("shift+up", "node('move_provider(-1)')", "Move up", show=False, id="tree.move_up", tooltip="Move the provider up within its API"),
        Binding("shift+down", "node('move_provider(1)')", "Move down", show=False, id="tree.move_down", tooltip="Move the provider down within its API"),
        Binding("q", "app.quit", "Quit", id="tree.quit", show=False),
    ]
    # which node kinds each key works on (None: every node)
    _NODE_KEYS: dict[str, tuple[str, ...] | None] = {
        "search": None,
        "test_all": ("storage", "backends", "backend", "stores", "store", "reference"),
        "add_provider": ("providers", "api", "provider"),
        "add_resource": ("provider", "resource"),
        "rename_provider": ("provider",),
        "toggle_provider": ("provider",),
        "remove_provider": ("provider",),
        "remove_resource": ("resource",),
        "move_provider(-1)": ("provider",),
        "move_provider(1)": ("provider",),
        "add_backend": ("storage", "backends", "backend", "stores", "store", "reference"),
        "rename_backend": ("backend",),
        "delete_backend": ("backend",),
        "test_backend": ("backend",),
    }
    # nodes that are groups: enter opens or closes them; on the others it goes to the form
    _GROUPS = ("storage", "backends", "stores", "providers", "api")

    def __init__(self, session: EditSession, **kwargs) -> None:
        super().__init__("config", data=NodeRef("root", ()), **kwargs)
        self.session = session
        self.show_root = False
        # a click selects; only the arrow opens or closes (a click on an expanded node
        # collapsed it), and enter is action_open_node
        self.auto_expand = False
        self.guide_depth = 3
        self._refs: list[Reference] = []
        self._families: dict[Path, str] = {}
        self._marks: dict[Path, str] = {}  # worst severity at a path
        self._marks_under: dict[Path, str] = {}  # worst severity at or below a path
        self._users: dict[str, int] = {}
        self._backend_nodes: dict[str, TreeNode[NodeRef]] = {}
        # connection tests: backend name -> None while running, else its ProbeResult
        self.probe_state: dict[str, object] = {}

    # -- building ------------------------------------------------------------------------

    def rebuild(self) -> None:
        """Rebuild from the session, keeping what was expanded and where the cursor was."""
        expanded = {node.data.path + (node.data.kind,) for node in self._walk(self.root) if node.is_expanded and node.data}
        cursor = self.cursor_node.data if self.cursor_node is not None else None
        data = self.session.data
        self._refs = find_references(data)
        # path -> family, for the labels: scanning the list per label was quadratic
        # (2.3 s to open a 5,000-provider group)
        self._families = {ref.path: ref.family for ref in self._refs}
        self._severities(self.session.diagnostics)
        self.clear()
        storage = self.root.add(self._label("Storage", ("storage",)), NodeRef("storage", ("storage",)), expand=True)
        backends = operations.backends(self.session.doc)
        self._users = {}
        for ref in self._refs:
            if isinstance(ref.backend, str):
                self._users[ref.backend] = self._users.get(ref.backend, 0) + 1
        bnode = storage.add(self._label(f"Backends ({len(backends)})", ("storage", "backends"), exact=True), NodeRef("backends", ("storage", "backends")), expand=True)
        self._backend_nodes = {}
        for name, backend in backends.items():
            self._backend_nodes[name] = bnode.add_leaf(self._backend_label(name, backend), NodeRef("backend", ("storage", "backends", name)))
        snode = storage.add(self._label("Stores", ("storage", "stores"), exact=True), NodeRef("stores", ("storage", "stores")), expand=True)
        stores = self.session.doc.value_at(("storage", "stores"))
        stores = stores if isinstance(stores, dict) else {}
        release = self.session.release()
        for store, spec, _ in shown_stores(self.session.doc, release):
            snode.add_leaf(self._reference_label(store, ("storage", "stores", store), stores.get(store)), NodeRef("store", ("storage", "stores", store), spec.get("family")))
        providers = self.root.add(self._label("Providers", ("providers",)), NodeRef("providers", ("providers",)), expand=True)
        apis: dict[str, int] = {}
        for api, _, _ in iter_providers(data):
            apis[api] = apis.get(api, 0) + 1
        for api, count in apis.items():
            path = ("providers", api)
            node = providers.add(self._label(f"{api} ({count})", path), NodeRef("api", path))
            if path + ("api",) in expanded:
                self._fill_api(node)
                node.expand()
        server = self.root.add(self._label("Server", ("server",), exact=True), NodeRef("server", ("server",)), expand=True)
        server.add_leaf(self._label("Auth", ("server", "auth")), NodeRef("auth", ("server", "auth")))
        if release.has_quota or "quota" in (self.session.doc.value_at(("server",)) or {}):
            server.add_leaf(self._label("Quota", ("server", "quota")), NodeRef("quota", ("server", "quota")))
        if cursor is not None:
            self.select_path(cursor.path, kind=cursor.kind, focus=False)

    def _fill_api(self, node: TreeNode[NodeRef]) -> None:
        if node.children:
            return
        api = node.data.path[1]
        by_provider: dict[Path, list[Reference]] = {}
        for ref in self._refs:
            if ref.path[:2] == ("providers", api):
                by_provider.setdefault(ref.path[:3], []).append(ref)
        from llama_config.model.provider_ops import id_of  # (not before the first frame: it loads the validator)

        resources = self._resources_by_provider(api)
        for a, index, provider in iter_providers(self.session.data):
            if a != api:
                continue
            path = ("providers", api, index)
            refs = by_provider.get(path, [])
            served = resources.get(id_of(provider.get("provider_id")), [])
            pnode = node.add(self._provider_label(provider, path), NodeRef("provider", path), allow_expand=bool(refs or served))
            for ref in refs:
                pnode.add_leaf(self._reference_label(".".join(map(str, ref.path[4:])), ref.path, self.session.doc.value_at(ref.path)), NodeRef("reference", ref.path, ref.family))
            for resource_path, entry in served:
                label = Text(resource_title(str(resource_path[1]), entry), style="magenta")
                pnode.add_leaf(self._mark(label, resource_path), NodeRef("resource", resource_path))
            if refs or served:
                pnode.expand()
            resources.pop(id_of(provider.get("provider_id")), None)
        # resources naming no provider of this API: under the group, so the problems list can jump to them
        for missing, entries in resources.items():
            for resource_path, entry in entries:
                label = Text(resource_title(str(resource_path[1]), entry), style="magenta")
                label.append(f"  (no {api} provider '{missing}')", style="red")
                node.add_leaf(self._mark(label, resource_path), NodeRef("resource", resource_path))

    def _resources_by_provider(self, api: str) -> dict[str, list[tuple[Path, dict]]]:
        """The registered resources of the kinds `api` serves, by the provider id they name."""
        from llama_config.model.provider_ops import id_of, resource_kinds

        out: dict[str, list[tuple[Path, dict]]] = {}
        registered = self.session.doc.value_at(("registered_resources",))
        if not isinstance(registered, dict):
            return out
        for kind, kind_api in resource_kinds(self.session.release()).items():
            entries = registered.get(kind)
            if kind_api != api or not isinstance(entries, list):
                continue
            for index, entry in enumerate(entries):
                if isinstance(entry, dict):
                    out.setdefault(id_of(entry.get("provider_id")), []).append((("registered_resources", kind, index), entry))
        return out

    def _provider_label(self, provider: dict, path: Path) -> Text:
        """`ollama  remote::ollama  on (OLLAMA_URL set)`: the id it stands for, never a raw
        `${env...:+id}` placeholder."""
        from llama_config.model.provider_ops import provider_state

        state = provider_state(provider, self.session.env)
        label = Text.assemble((state.provider_id, "bold"), "  ", (state.provider_type, "cyan"), "  ", ("on" if state.on else "off", "green" if state.on else "yellow"))
        if state.why:
            label.append(f" ({state.why})", style="dim")
        return self._mark(label, path)

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeRef]) -> None:
        if event.node.data is not None and event.node.data.kind == "api":
            self._fill_api(event.node)

    # -- labels --------------------------------------------------------------------------

    def _backend_label(self, name: str, backend: object) -> Text:
        kind = type_tag_of(backend) or "?"
        count = self._users.get(name, 0)
        label = Text.assemble((str(name), "bold"), "  ", (kind, "cyan"), "  ", (f"{count} user{'s' if count != 1 else ''}", "green" if count else "yellow"))
        if name in self.probe_state:
            label.append("  ")
            label.append_text(self._probe_badge(name))
        return self._mark(label, ("storage", "backends", name))

    def _probe_badge(self, name: str) -> Text:
        result = self.probe_state.get(name)
        if result is None:
            return Text("◌ testing…", style="dim")
        stale = probe_is_stale(self.session, name, result)
        if getattr(result, "ok", False):
            text = Text(f"● ok {getattr(result, 'latency_ms', 0):.0f} ms", style="dim green" if stale else "green")
        else:
            text = Text(f"● {getattr(result, 'category', 'failed')}", style="dim red" if stale else "bold red")
        if stale:
            text.append(" (stale)", style="dim")
        return text

    def refresh_backend_labels(self) -> None:
        """Redraw only the backend labels (connection test progress)."""
        backends = operations.backends(self.session.doc)
        for name, node in self._backend_nodes.items():
            if name in backends:
                node.set_label(self._backend_label(name, backends[name]))

    def _reference_label(self, name: str, path: Path, value: object) -> Text:
        text = Text(name, style="bold")
        if not isinstance(value, dict):
            text.append("  not set", style="dim")
            return self._mark(text, path)
        backend = value.get("backend")
        partition = value.get("namespace", value.get("table_name"))
        text.append(" → ")
        target = operations.backends(self.session.doc).get(backend) if isinstance(backend, str) else None
        family = family_of(type_tag_of(target) or "") if isinstance(target, dict) else None
        expected = self._families.get(path)
        if target is None:
            text.append(str(backend), style="bold red")
            text.append(" (no such backend)", style="red")
        elif expected and family != expected:
            text.append(str(backend), style="bold red")
            text.append(f" (not {expected}_*)", style="red")
        else:
            text.append(str(backend), style="green")
        if partition is not None:
            text.append(f"  {partition}", style="dim")
        return self._mark(text, path)

    def _severities(self, diagnostics: list[Diagnostic]) -> None:
        """Worst severity at each path, and under each path (every prefix), computed once per
        rebuild: labels then look it up instead of scanning every diagnostic per node."""
        self._marks = {}
        self._marks_under = {}

        def keep_worst(marks: dict[Path, str], path: Path, severity: str) -> None:
            if path not in marks or SEVERITY_ORDER[severity] < SEVERITY_ORDER[marks[path]]:
                marks[path] = severity

        for d in diagnostics:
            keep_worst(self._marks, d.path, d.severity)
            for n in range(len(d.path) + 1):
                keep_worst(self._marks_under, d.path[:n], d.severity)

    def _mark(self, label: Text, path: Path, exact: bool = False) -> Text:
        worst = (self._marks if exact else self._marks_under).get(path)
        if worst and worst != "info":
            label.append(_SEVERITY_MARK[worst], style=_SEVERITY_STYLE[worst])
        return label

    def _label(self, title: str, path: Path, exact: bool = False) -> Text:
        return self._mark(Text(title, style="bold"), path, exact)

    # -- navigation ----------------------------------------------------------------------

    def _walk(self, node: TreeNode[NodeRef]):
        yield node
        for child in node.children:
            yield from self._walk(child)

    def node_for(self, path: Path, kind: str | None = None) -> TreeNode[NodeRef] | None:
        """The node that shows `path`, or its nearest ancestor; fills provider groups on the way."""
        group: Path | None = path[:2] if path[:1] == ("providers",) and len(path) >= 2 else None
        if path[:1] == ("registered_resources",) and len(path) >= 2:
            from llama_config.model.provider_ops import resource_kinds

            served_by = resource_kinds(self.session.release()).get(str(path[1]))
            group = ("providers", served_by) if served_by else None
        if group is not None:
            for node in self.root.children:
                if node.data and node.data.kind == "providers":
                    for api in node.children:
                        if api.data and api.data.path == group:
                            self._fill_api(api)
        best: TreeNode[NodeRef] | None = None
        best_len = -1
        for node in self._walk(self.root):
            data = node.data
            if data is None or data.kind == "root":
                continue
            if kind is not None and data.path == path and data.kind == kind:
                return node
            n = len(data.path)
            if data.path == path[:n] and n > best_len:
                best, best_len = node, n
        return best

    def select_path(self, path: Path, kind: str | None = None, focus: bool = True) -> TreeNode[NodeRef] | None:
        node = self.node_for(path, kind)
        if node is None:
            return None
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        self.call_after_refresh(self._move_to, node, focus)
        return node

    def _move_to(self, node: TreeNode[NodeRef], focus: bool) -> None:
        self.move_cursor(node)
        self.scroll_to_node(node, animate=False)
        if focus:
            self.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action != "node":
            return True
        node = self.cursor_node
        kind = node.data.kind if node is not None and node.data is not None else ""
        name = str(parameters[0]) if parameters else ""
        kinds = parameters[1:] or self._NODE_KEYS.get(name, ())
        if kinds is not None and kind not in kinds:
            return False
        if name == "add_resource" and kind == "provider":
            from llama_config.tui.widgets.provider_form import resource_kind_for

            return bool(resource_kind_for(self.session.release(), str(node.data.path[1])))
        if name == "test_all":
            return bool(operations.backends(self.session.doc))
        return True

    async def action_node(self, name: str, *kinds: str) -> None:
        await self.app.run_action(name)

    def action_open_node(self) -> None:
        """enter: a group opens or closes; any other node moves the focus to its form's first
        field (one key from the tree to the form, instead of tabbing past its buttons)."""
        node = self.cursor_node
        if node is None or node.data is None:
            return
        self.post_message(Tree.NodeSelected(node))  # the tree's own enter, for whoever listens
        if node.data.kind in self._GROUPS or not self.app.query_one("#detail").focus_first_field():
            if node.allow_expand:
                node.toggle()

    def action_expand_node(self) -> None:
        if self.cursor_node is not None and self.cursor_node.allow_expand:
            self.cursor_node.expand()

    def action_collapse_node(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.is_expanded and node.allow_expand:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self.move_cursor(node.parent)


def shown_stores(doc, release) -> list[tuple[str, dict, bool]]:
    """(store, its spec, set in the file) for the stores the tree, search and the palette offer:
    those the file sets, and the unset ones the server needs (unset optional stores stay out
    of the way)."""
    stores = doc.value_at(("storage", "stores"))
    stores = stores if isinstance(stores, dict) else {}
    return [
        (store, spec, store in stores)
        for store, spec in sorted(release.stores.items(), key=lambda item: store_order(item[0]))
        if store in stores or spec.get("startup") != "optional"
    ]


def resource_title(kind: str, entry: object) -> str:
    """`model llama3.2:3b`: a registered resource by its kind and id."""
    from llama_config.model.provider_ops.resources import ID_KEYS

    name = next((str(entry[k]) for k in ID_KEYS if isinstance(entry, dict) and entry.get(k) is not None), "?")
    return f"{kind[:-1].replace('_', ' ')} {name}"


def probe_is_stale(session: EditSession, name: str, result: object) -> bool:
    """A connection result is stale once anything the probe used has been edited."""
    from llama_config.model.probes import plan

    try:
        current = plan(session.data, session.env, [name], session.release())
    except KeyError:
        return True
    return not current or current[0].fingerprint != getattr(result, "fingerprint", None)
