"""The detail pane: what the selected tree node is, as a form.

Views only read the session and describe what the operator may change; every change goes
through the app (`ConfigEditorApp.apply_*`), which asks the session (the model) to make it.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widget import Widget
from textual.widgets import Button, Collapsible, Label, Select, Static, Switch

from llama_config.model import operations
from llama_config.model.facts import type_tag_of
from llama_config.model.references import provider_label
from llama_config.model.session import EditSession
from llama_config.model.yamlpath import Path, format_path

from .config_tree import NodeRef
from .probe_status import probe_key
from .probe_status import status as probe_status
from .reconcile import adopt_button, adopt_input, adopt_select, reconcile
from .steady_input import SteadyInput

QUOTA_PATH: Path = ("server", "quota")
AUTH_PATH: Path = ("server", "auth", "provider_config")
SERVER_FORM_SKIP = ("auth", "quota", "cors")  # each has its own node
QUOTA_FORM_SKIP = ("kvstore", "period")  # the counters' backend picker; the one period there is
REFERENCE_FORM_SKIP = ("backend", "table_name", "namespace")  # the backend picker and partition input


class ReferenceSelect(Select[str]):
    """Choose the backend of a reference: only backends of the right family are offered. A
    backend the file names that is not one of them is shown as what the file says, with why
    (`wrong`), never as a blank the form would differ from the file by."""

    def __init__(self, path: Path, family: str, options: list[str], value: str | None, wrong: str = "", **kwargs) -> None:
        self.ref_path = path
        self.family = family
        choices = [(name, name) for name in options]
        if isinstance(value, str) and value not in options:
            choices.append((f"{value} ({wrong or f'not a {family}_* backend'})", value))
        super().__init__(choices, value=value if isinstance(value, str) else Select.NULL, prompt=f"not set: choose a {family}_* backend", **kwargs)
        if isinstance(value, str) and value not in options:
            self.add_class("-invalid")

    def adopt(self, new: "ReferenceSelect") -> bool:
        return adopt_select(self, new, "ref_path", "family")


class PartitionInput(SteadyInput):
    """The namespace or table name of a reference."""

    def __init__(self, path: Path, key: str, value: str, **kwargs) -> None:
        self.ref_path = path
        self.key = key
        self.original = value
        super().__init__(value=value, placeholder=key, select_on_focus=False, **kwargs)

    def adopt(self, new: "PartitionInput") -> bool:
        return adopt_input(self, new, "ref_path", "key")


class ActionButton(Button):
    """A button that runs an app action with arguments when pressed."""

    def __init__(self, label: str, action: str, *, variant: str = "default", **kwargs) -> None:
        super().__init__(label, variant=variant, **kwargs)  # type: ignore[arg-type]
        self.app_action = action

    def adopt(self, new: "ActionButton") -> bool:
        return adopt_button(self, new, "app_action")

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        await self.app.run_action(self.app_action)


def fix_action(fix) -> str:
    """The app action that applies a quick fix (model/quick_fixes.py), as one undoable step."""
    return f"quick_fix({list(fix.path)!r}, {fix.new!r}, {fix.rename_key!r})"


def fix_button(diagnostic, doc) -> "ActionButton | None":
    """`Fix: rename db_pth to db_path` under a finding that suggests its own repair."""
    from llama_config.model.quick_fixes import quick_fix

    fix = quick_fix(diagnostic, doc)
    if fix is None:
        return None
    return ActionButton(f"Fix: {fix.label}", fix_action(fix), variant="warning", classes="fix-key", compact=True)


class _UsersList(Collapsible):
    """The folded list of a backend's users; the next backend's list takes its place in
    place, open or folded as the operator left it."""

    def adopt(self, new: "_UsersList") -> bool:
        lines = self.query(".users-lines")
        if not lines:
            return False
        self.title = new.title
        lines.first(Static).update(new._contents_list[0].content)  # noqa: SLF001 (a Collapsible keeps its children there)
        return True


def _users(who: list[str]) -> Widget:
    """`Used by 14` with the list folded away: fourteen references were a wall of text."""
    if not who:
        return Static(Text("Used by nothing", style="yellow"), classes="detail-users")
    lines = Static("\n".join(f"• {user}" for user in who), markup=False, classes="users-lines")
    return _UsersList(lines, title=f"Used by {len(who)}", collapsed=True, id="backend-users", classes="detail-users")


def _heading(title: str, subtitle: str = "") -> Static:
    text = Text(title, style="bold")
    if subtitle:
        text.append(f"  {subtitle}", style="dim")
    return Static(text, classes="detail-title")


class DetailPane(VerticalScroll):
    @on(Select.Changed, "#quota-period")
    def period_chosen(self, event: Select.Changed) -> None:
        """Choosing `day` where the file says something else (the file's value is shown)."""
        if event.value == "day" and self.session.doc.value_at(QUOTA_PATH + ("period",), "day") != "day":
            self.app.change("Set server.quota.period", lambda: self.session.set_value(QUOTA_PATH + ("period",), "day"))

    def _period_rows(self, quota: dict) -> list:
        """The period as the file has it: `day`, the only one the server supports, or the
        file's other value marked invalid with the reason (choosing day fixes it)."""
        from .fields import text_of

        rows: list = [Label(Text.assemble(("period", "bold"), ("  a fixed UTC day: the only period the server supports", "dim")))]
        period = quota.get("period", "day")
        if period == "day":
            rows.append(Select([("day", "day")], value="day", allow_blank=False, id="quota-period", disabled=True))
            return rows
        written = text_of(period)
        rows.append(Select([("day", "day"), (f"{written} (as the file says: not supported)", written)], value=written, allow_blank=False, id="quota-period", classes="-invalid"))
        rows.append(Static(Text(f"✗ the file says period: {written}, but the server supports only day (a fixed UTC day): choose day to fix it", style="bold red"), classes="field-problem detail-problem"))
        return rows

    def __init__(self, session: EditSession, **kwargs) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.current: NodeRef | None = None
        self._pending: NodeRef | None = None  # highlighted, not built yet (show_soon)

    def show(self, ref: NodeRef | None) -> None:
        """Show `ref` now: the widgets already on screen take the new view's state where they
        can (tui/widgets/reconcile.py), so one frame goes from the old view to the new."""
        self.current = ref
        self._pending = None
        widgets = list(getattr(self, f"_view_{ref.kind}", self._view_section)(ref)) if ref is not None else []
        view = self.view
        if view is None:
            self.mount(Vertical(*widgets, classes="detail-view"))
            return
        with self.app.batch_update():
            reconcile(view, widgets)

    def show_soon(self, ref: NodeRef) -> None:
        """Show `ref` once the messages already queued are handled: a held arrow key moves the
        cursor many times, and only where it stops is built."""
        self.current = ref
        if self._pending is None:
            self.call_later(self._show_pending)
        self._pending = ref

    def _show_pending(self) -> None:
        if self._pending is not None and self.is_attached:
            self.show(self._pending)

    @property
    def view(self) -> Vertical | None:
        views = [child for child in self.children if child.has_class("detail-view")]
        return views[0] if views else None

    def focus_first_field(self) -> bool:
        """Focus the form's first field (enter on a tree node); False when the view has none."""
        for widget in self.query("Input, Select, Switch"):
            if widget.focusable:
                widget.focus()
                return True
        return False

    # -- views ---------------------------------------------------------------------------

    def _diagnostics_for(self, path: Path, skip: set | frozenset = frozenset()) -> list[Static]:
        out = []
        for d in self.session.diagnostics:
            if d.path[: len(path)] == path and d.severity != "info" and d not in skip:
                style = "bold red" if d.severity == "error" else "yellow"
                out.append(Static(Text.assemble((f"{d.severity}: ", style), d.message, (f"  [{d.code}]", "dim")), classes="detail-problem"))
                if (button := fix_button(d, self.session.doc)) is not None:
                    out.append(button)
        return out

    def _view_section(self, ref: NodeRef) -> list:
        titles = {
            "storage": ("Storage", "backends are declared once and referenced by name"),
            "backends": ("Backends", "a: add a backend"),
            "stores": ("Stores", "the server's own stores and the backend each uses"),
            "providers": ("Providers", "grouped by API; their references to backends are listed below each"),
            "api": (f"API {ref.path[-1] if ref.path else ''}", "a: add a provider; select one to edit it"),
        }
        title, subtitle = titles.get(ref.kind, (ref.kind, ""))
        widgets: list = [_heading(title, subtitle)]
        if ref.kind == "backends":
            widgets.append(Horizontal(ActionButton("Add backend", "add_backend", variant="primary", id="add-backend"), classes="detail-actions"))
        if ref.kind in ("providers", "api"):
            widgets.append(Horizontal(ActionButton("Add provider", "add_provider", variant="primary", id="add-provider"), classes="detail-actions"))
        widgets += self._diagnostics_for(ref.path)
        return widgets

    def _view_backend(self, ref: NodeRef) -> list:
        name = ref.path[-1]
        backend = self.session.doc.value_at(ref.path)
        backend = backend if isinstance(backend, dict) else {}
        kind = type_tag_of(backend) or "?"
        widgets: list = [_heading(f"Backend {name}", kind)]
        widgets += self._diagnostics_for(ref.path)
        widgets.append(_users(self.session.user_labels(name)))
        widgets += self.connection_status(ref)
        widgets.append(
            Horizontal(
                # compact: one line, so the three fit an 80-column terminal
                ActionButton("Test connection", "test_backend", id="test-backend", compact=True),
                ActionButton("Rename", "rename_backend", id="rename-backend", compact=True),
                ActionButton("Delete", "delete_backend", variant="error", id="delete-backend", compact=True),
                classes="detail-actions compact-actions",
            )
        )
        release = self.session.release()
        if kind not in release.backend_types:
            widgets.append(Static(f"{release.name} has no backend type {kind!r}: fix `type` to one of {', '.join(release.backend_types)}", classes="detail-problem"))
            return widgets
        widgets += self._form(ref.path)
        return widgets

    def probe_key_of(self, ref: NodeRef) -> str:
        """The connection test state's key of a backend or provider node."""
        if ref.kind == "backend":
            return str(ref.path[-1])
        from llama_config.model.provider_ops import id_of

        return probe_key(str(ref.path[1]), id_of((self.session.doc.value_at(ref.path) or {}).get("provider_id")))

    def connection_status(self, ref: NodeRef) -> list:
        return [probe_status(self.session, self.app.query_one("#tree").probe_state, self.probe_key_of(ref))]

    def _form(self, path: Path, skip: tuple[str, ...] = ("type",), data: dict | None = None) -> list:
        """A row per field the target release declares for the mapping at `path` (`data`: a
        stand-in for the file where the mapping is not written yet)."""
        # forms load on first use, not before the first frame
        from llama_config.model.releases.fields import fields_of

        from .fields import FieldRow, value_in

        values = self.session.doc.value_at(path)
        rows = []
        for spec in fields_of(self.session.release(), data or self.session.data, path, skip=skip):
            value = value_in(values, spec.key)
            rows.append(FieldRow(spec, path + spec.key, value, self.session.resolved(value, secret=spec.secret)))
        return rows

    def _reference_rows(self, path: Path, family: str) -> list:
        value = self.session.doc.value_at(path)
        value = value if isinstance(value, dict) else {}
        key = "namespace" if family == "kv" else "table_name"
        options = operations.backends_of_family(self.session.doc, family)
        current = value.get("backend")
        widgets: list = []
        wrong = ""
        if isinstance(current, str) and current not in options:
            actual = operations.backend_family(self.session.doc, current)
            wrong = f"a {actual}_* backend, not a {family}_* one" if actual else "no such backend"
            reason = f"'{current}' is a {actual}_* backend, but this reference needs a {family}_* backend" if actual else f"there is no backend named '{current}'"
            widgets.append(Static(Text(f"✗ {reason}.", style="bold red"), classes="detail-problem"))
            if options:
                widgets.append(ActionButton(f"Point it at {options[0]}", f"fix_reference({list(path)!r}, {family!r}, {options[0]!r})", variant="warning", id="fix-reference"))
            else:
                widgets.append(ActionButton(f"Create a {family}_sqlite backend for it", f"create_backend_for({list(path)!r}, {family!r})", variant="warning", id="fix-reference"))
        widgets.append(Label(Text.assemble(("backend", "bold"), (f"  a {family}_* backend", "dim"))))
        widgets.append(ReferenceSelect(path, family, options, current if isinstance(current, str) else None, wrong, id="reference-backend"))
        widgets.append(Label(Text.assemble((key, "bold"), ("  keeps this store's data apart from others on the same backend", "dim"))))
        partition = value.get(key)
        widgets.append(PartitionInput(path, key, "" if partition is None else str(partition), id="reference-partition"))
        return widgets

    def _view_store(self, ref: NodeRef) -> list:
        store = ref.path[-1]
        from llama_config.model.releases.fields import field_at

        field = field_at(self.session.release(), self.session.data, ref.path)
        description = field.description if field else ""
        widgets: list = [_heading(f"Store {store}", f"needs a {ref.family}_* backend"), Static(description, classes="field-help detail-description", markup=False)]
        widgets += self._diagnostics_for(ref.path)
        widgets += self._reference_rows(ref.path, ref.family)
        if isinstance(self.session.doc.value_at(ref.path), dict):
            widgets += self._form(ref.path, skip=REFERENCE_FORM_SKIP)  # write-queue knobs, where the release has them
        return widgets

    def _view_reference(self, ref: NodeRef) -> list:
        provider = self.session.doc.value_at(ref.path[:3]) or {}
        widgets: list = [_heading(format_path(ref.path[4:]), f"of {provider_label(ref.path[1], provider)}; needs a {ref.family}_* backend")]
        widgets += self._diagnostics_for(ref.path)
        widgets += self._reference_rows(ref.path, ref.family)
        if isinstance(self.session.doc.value_at(ref.path), dict):
            widgets += self._form(ref.path, skip=REFERENCE_FORM_SKIP)
        return widgets

    def _view_provider(self, ref: NodeRef) -> list:
        from .provider_form import provider_form

        return provider_form(self, ref.path)

    def _view_resource(self, ref: NodeRef) -> list:
        from .provider_form import resource_form

        return resource_form(self, ref.path)

    def _view_server(self, ref: NodeRef) -> list:
        server = self.session.doc.value_at(("server",))
        server = server if isinstance(server, dict) else {}
        widgets: list = [_heading("Server", "port, host and TLS; auth and quota below")]
        widgets += self._diagnostics_for(("server",))
        widgets += self._form(("server",), skip=SERVER_FORM_SKIP)
        return widgets

    def _view_auth(self, ref: NodeRef) -> list:
        provider = self.session.doc.value_at(AUTH_PATH)
        provider = provider if isinstance(provider, dict) else None
        kind = type_tag_of(provider) if provider else None
        widgets: list = [_heading("Authentication", kind or "off: every caller is anonymous")]
        widgets += self._diagnostics_for(("server", "auth"))
        auth_types = self.session.release().auth_types
        options = [(name, name) for name in auth_types]
        widgets.append(Label(Text.assemble(("provider type", "bold"), ("  how callers prove who they are", "dim"))))
        widgets.append(Select(options, value=kind if kind in auth_types else Select.NULL, prompt="no authentication", id="auth-type"))
        if provider is not None and kind in auth_types:
            widgets += self._form(AUTH_PATH)
            widgets.append(Horizontal(ActionButton("Remove authentication", "remove_auth", variant="error", id="remove-auth"), classes="detail-actions"))
        return widgets

    def _view_quota(self, ref: NodeRef) -> list:
        quota = self.session.doc.value_at(QUOTA_PATH)
        enabled = isinstance(quota, dict)
        widgets: list = [_heading("Request quota", "per-client daily limits; over the limit the server answers 429")]
        widgets += self._diagnostics_for(QUOTA_PATH)
        release = self.session.release()
        if not release.has_quota:
            widgets.append(Static(Text(f"{release.name} has no request quotas (removed in ogx 1.0, #5750): server.quota has no effect. "
                                       "Limit requests in front of the server instead (a gateway or proxy).", style="yellow"), classes="detail-problem"))
            return widgets
        widgets.append(Horizontal(Label("Quotas enabled  "), Switch(value=enabled, id="quota-enabled"), classes="detail-switch"))
        auth = self.session.doc.value_at(AUTH_PATH)
        if not isinstance(auth, dict):
            widgets.append(
                Static(
                    Text("Quotas require authentication: without server.auth every client is counted by IP against the "
                         "anonymous limit, and the authenticated limit never applies.", style="yellow"),
                    classes="detail-problem",
                )
            )
            widgets.append(ActionButton("Configure authentication…", "configure_auth", variant="warning", id="configure-auth"))
        kv = operations.backends_of_family(self.session.doc, "kv")
        if not kv:
            widgets.append(Static(Text("No kv_* backend exists for the counters.", style="yellow")))
            widgets.append(ActionButton("Create kv_sqlite backend at ./quotas.db", "create_quota_backend", variant="primary", id="create-quota-backend"))
        if not enabled:
            return widgets
        widgets += self._form(QUOTA_PATH, skip=QUOTA_FORM_SKIP)
        widgets += self._period_rows(quota)
        widgets.append(Static(Text("Counters (kvstore)", style="bold")))
        widgets += self._reference_rows(QUOTA_PATH + ("kvstore",), "kv")
        return widgets

