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
from llama_config.model.references import Reference, iter_providers
from llama_config.model.session import EditSession
from llama_config.model.yamlpath import Path

from .probe_status import badge, probe_key


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
        # not in the footer: on a provider with a change to undo the keys are 86 columns and
        # f1 fell off an 80-column screen; `/` is what every pager and k9s search with (f1 lists it)
        Binding("slash", "node('search')", "Find", id="tree.search", show=False, tooltip="Search backends, stores, providers and fields"),
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
        Binding("t", "node('test_backend')", "Test", id="tree.test_backend", tooltip="Test the live connection of this backend, or the endpoint this provider points at"),
        Binding("T", "node('test_all')", "Test all", id="tree.test_all", tooltip="Test every backend, and every provider endpoint that has a probe, at once"),
        # on a provider T works too, out of the footer: its keys fill an 80-column line already
        Binding("T", "node('test_all', 'provider')", "Test all", id="tree.test_all_quiet", show=False),
        Binding("shift+up", "node('move_provider(-1)')", "Move up", show=False, id="tree.move_up", tooltip="Move the provider up within its API"),
        Binding("shift+down", "node('move_provider(1)')", "Move down", show=False, id="tree.move_down", tooltip="Move the provider down within its API"),
        Binding("q", "app.quit", "Quit", id="tree.quit", show=False),
    ]
    # which node kinds each key works on (None: every node)
    _NODE_KEYS: dict[str, tuple[str, ...] | None] = {
        "search": None,
        "test_all": ("storage", "backends", "backend", "stores", "store", "reference", "providers", "api"),
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
        "test_backend": ("backend", "provider"),
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
        self._defaults: dict[str, str] = {}  # unset store -> the backend the release uses for it
        self._backend_nodes: dict[str, TreeNode[NodeRef]] = {}
        self._provider_nodes: list[TreeNode[NodeRef]] = []  # of the groups filled so far
        # connection tests: backend name -> None while running, else its ProbeResult
        self.probe_state: dict[str, object] = {}

    # -- building ------------------------------------------------------------------------

    def rebuild(self) -> None:
        """Redraw from the session, keeping what was expanded and where the cursor was.

        An edit rarely changes which nodes there are: then only the labels that changed are
        set, and Textual redraws just those lines. Otherwise the tree is built anew."""
        data = self.session.data
        self._refs = self.session.references()
        # path -> family, for the labels: scanning the list per label was quadratic
        # (2.3 s to open a 5,000-provider group)
        self._families = {ref.path: ref.family for ref in self._refs}
        self._severities(self.session.diagnostics)
        self._defaults = self.session.unset_store_defaults()
        self._users = {}
        # (a store left unset uses the release's default backend: it counts as that one's user)
        for backend in [ref.backend for ref in self._refs] + list(self._defaults.values()):
            if isinstance(backend, str):
                self._users[backend] = self._users.get(backend, 0) + 1
        if self.root.children:
            try:
                self._lay_out(data, _Patch())
                return
            except _Mismatch:
                pass
        expanded = {node.data.path + (node.data.kind,) for node in self._walk(self.root) if node.is_expanded and node.data}
        cursor = self.cursor_node.data if self.cursor_node is not None else None
        self.clear()
        self._lay_out(data, _Fresh(expanded))
        if cursor is not None:
            self.select_path(cursor.path, kind=cursor.kind, focus=False)

    def _lay_out(self, data: dict, add: "_Fresh | _Patch") -> None:
        """Every node in order, through `add` (which makes them, or checks and relabels them)."""
        root = self.root
        storage = add(root, self._label("Storage", ("storage",)), NodeRef("storage", ("storage",)), expand=True)
        backends = operations.backends(self.session.doc)
        bnode = add(storage, self._label(f"Backends ({len(backends)})", ("storage", "backends"), exact=True), NodeRef("backends", ("storage", "backends")), expand=True)
        self._backend_nodes = {}
        self._provider_nodes = []
        for name, backend in backends.items():
            self._backend_nodes[name] = add(bnode, self._backend_label(name, backend), NodeRef("backend", ("storage", "backends", name)), leaf=True)
        add.done(bnode)
        snode = add(storage, self._label("Stores", ("storage", "stores"), exact=True), NodeRef("stores", ("storage", "stores")), expand=True)
        stores = self.session.doc.value_at(("storage", "stores"))
        stores = stores if isinstance(stores, dict) else {}
        release = self.session.release()
        for store, spec, _ in shown_stores(self.session.doc, release):
            add(snode, self._reference_label(store, ("storage", "stores", store), stores.get(store)), NodeRef("store", ("storage", "stores", store), spec.get("family")), leaf=True)
        add.done(snode)
        add.done(storage)
        providers = add(root, self._label("Providers", ("providers",)), NodeRef("providers", ("providers",)), expand=True)
        apis: dict[str, int] = {}
        for api, _, _ in iter_providers(data):
            apis[api] = apis.get(api, 0) + 1
        for api, count in apis.items():
            path = ("providers", api)
            node = add(providers, self._label(f"{api} ({count})", path), NodeRef("api", path))
            if add.filled(node):
                self._fill_api(node, add)
                add.open(node)
        add.done(providers)
        server = add(root, self._label("Server", ("server",), exact=True), NodeRef("server", ("server",)), expand=True)
        add(server, self._label("Auth", ("server", "auth")), NodeRef("auth", ("server", "auth")), leaf=True)
        if release.has_quota or "quota" in (self.session.doc.value_at(("server",)) or {}):
            add(server, self._label("Quota", ("server", "quota")), NodeRef("quota", ("server", "quota")), leaf=True)
        add.done(server)
        add.done(root)

    def _fill_api(self, node: TreeNode[NodeRef], add: "_Fresh | _Patch | None" = None) -> None:
        if add is None:  # opened by the operator (or a jump): build it once
            if node.children:
                return
            add = _Fresh(set())
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
            pnode = add(node, self._provider_label(provider, path), NodeRef("provider", path), expand=bool(refs or served), allow_expand=bool(refs or served))
            self._provider_nodes.append(pnode)
            for ref in refs:
                add(pnode, self._reference_label(".".join(map(str, ref.path[4:])), ref.path, self.session.doc.value_at(ref.path)), NodeRef("reference", ref.path, ref.family), leaf=True)
            for resource_path, entry in served:
                label = Text(resource_title(str(resource_path[1]), entry), style="magenta")
                add(pnode, self._mark(label, resource_path), NodeRef("resource", resource_path), leaf=True)
            add.done(pnode)
            resources.pop(id_of(provider.get("provider_id")), None)
        # resources naming no provider of this API: under the group, so the problems list can jump to them
        for missing, entries in resources.items():
            for resource_path, entry in entries:
                label = Text(resource_title(str(resource_path[1]), entry), style="magenta")
                label.append(f"  (no {api} provider '{missing}')", style="red")
                add(node, self._mark(label, resource_path), NodeRef("resource", resource_path), leaf=True)
        add.done(node)

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
        key = probe_key(str(path[1]), state.provider_id)
        if key in self.probe_state:
            label.append("  ")
            label.append_text(badge(self.session, self.probe_state, key))
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
            label.append_text(badge(self.session, self.probe_state, name))
        return self._mark(label, ("storage", "backends", name))

    def refresh_probe_labels(self) -> None:
        """Redraw only the labels of what has been tested (connection test progress)."""
        from llama_config.model.provider_ops import id_of

        backends = operations.backends(self.session.doc)
        for name, node in self._backend_nodes.items():
            if name in backends:
                node.set_label(self._backend_label(name, backends[name]))
        for node in self._provider_nodes:
            provider = self.session.doc.value_at(node.data.path)
            if isinstance(provider, dict) and probe_key(str(node.data.path[1]), id_of(provider.get("provider_id"))) in self.probe_state:
                node.set_label(self._provider_label(provider, node.data.path))

    def _reference_label(self, name: str, path: Path, value: object) -> Text:
        text = Text(name, style="bold")
        if not isinstance(value, dict):
            default = self._defaults.get(str(path[-1])) if path[:2] == ("storage", "stores") else None
            text.append("  not set" + (f" → {default} by default" if default else ""), style="dim")
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
            return bool(operations.backends(self.session.doc)) or kind in ("providers", "api", "provider")
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


class _Mismatch(Exception):
    """The tree on screen does not have the nodes the document now needs."""


class _Fresh:
    """Adds each node to an empty tree."""

    def __init__(self, expanded: set) -> None:
        self.expanded = expanded  # path + kind of each node that was open before

    def __call__(self, parent, label, data, *, leaf=False, expand=False, allow_expand=True):
        if leaf:
            return parent.add_leaf(label, data)
        return parent.add(label, data, expand=expand, allow_expand=allow_expand)

    def filled(self, node) -> bool:
        """Should this provider group show its providers (it was open)?"""
        return node.data.path + ("api",) in self.expanded

    def open(self, node) -> None:
        node.expand()

    def done(self, parent) -> None:
        pass


class _Patch:
    """Walks the nodes on screen in the same order, relabelling those whose label changed (and
    renaming those whose path did: a renamed backend); raises _Mismatch where the shape
    differs, so the caller builds the tree anew."""

    def __init__(self) -> None:
        self.next: dict[int, int] = {}  # id(parent) -> index of its next child

    def __call__(self, parent, label, data, *, leaf=False, expand=False, allow_expand=True):
        index = self.next.get(id(parent), 0)
        children = parent.children
        if index >= len(children):
            raise _Mismatch
        node = children[index]
        if node.data is None or node.data.kind != data.kind or node.allow_expand != (not leaf and allow_expand):
            raise _Mismatch
        if node.data != data:  # the same place in the tree, for another name (a rename)
            node.data = data
        self.next[id(parent)] = index + 1
        if node.label != label:
            node.set_label(label)
        return node

    def filled(self, node) -> bool:
        return bool(node.children)  # a group filled before is kept filled (and patched)

    def open(self, node) -> None:
        pass  # open or closed, as the operator left it

    def done(self, parent) -> None:
        if self.next.get(id(parent), 0) != len(parent.children):
            raise _Mismatch


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
