"""The editor's backend actions: add, rename and delete a backend (every reference follows a
rename; a delete moves the users to another backend of the family, or is refused while they
use it), and create one for a reference or for quotas. Each asks what it needs in a dialog
(screens/backend_dialogs.py), then makes one undoable change through the session."""

from __future__ import annotations

from typing import TYPE_CHECKING

from llama_config.model.data_location import backend_data
from llama_config.model.operations import backend_family, backends, backends_of_family
from llama_config.model.yamlpath import format_path

from .widgets.config_tree import NodeRef

if TYPE_CHECKING:
    from llama_config.model.session import EditSession

    from .widgets.detail import DetailPane


class BackendActions:
    """Mixed into ConfigEditorApp (app.py), whose session, form (detail), change(), flash(),
    notify() and push_screen() these use; the keys are bound on the tree."""

    session: "EditSession | None"
    detail: "DetailPane"

    def _selected_backend(self) -> str | None:
        current = self.detail.current if self.session is not None else None
        if current is not None and current.kind == "backend":
            return str(current.path[-1])
        return None

    def _backend_to_act_on(self) -> str | None:
        """The selected backend, for rename / delete. They are reachable from the command
        palette, which lists them everywhere: with none selected, say why nothing happens."""
        name = self._selected_backend()
        if self.session is not None and name is None:
            self.notify("Select a backend in the tree first", timeout=4)
        return name

    def action_add_backend(self) -> None:
        from .screens.backend_dialogs import AddBackendDialog

        session = self.session
        if session is None:
            return
        existing = list(backends(session.doc))

        def done(result: tuple[str, str, dict] | None) -> None:
            if result:
                name, type_name, fields = result
                self.change(f"Added backend {name}", lambda: session.add_backend(name, type_name, fields), NodeRef("backend", ("storage", "backends", name)))

        self.push_screen(AddBackendDialog(self.session.release(), existing), done)

    def action_rename_backend(self) -> None:
        from .screens.backend_dialogs import RenameDialog

        session, name = self.session, self._backend_to_act_on()
        if session is None or name is None:
            return
        users = len(session.user_labels(name))

        def done(new: str | None) -> None:
            if not new or new == name:
                return
            result = self.change("", lambda: session.rename_backend(name, new), NodeRef("backend", ("storage", "backends", new)))
            if result is not None:
                self.flash(f"Renamed {name} to {new}; {result.count} reference{'s' if result.count != 1 else ''} changed")

        self.push_screen(RenameDialog(name, users, data=backend_data(session.doc, name, session.env)), done)

    def action_delete_backend(self) -> None:
        from .screens.backend_dialogs import DeleteDialog

        session, name = self.session, self._backend_to_act_on()
        if session is None or name is None:
            return
        users = session.user_labels(name)
        family = backend_family(session.doc, name)
        alternatives = [b for b in backends_of_family(session.doc, family or "") if b != name] if family else []

        def done(answer: tuple[bool, str | None]) -> None:
            confirmed, repoint = answer
            if confirmed:
                moved = f"; {len(users)} reference{'s' if len(users) != 1 else ''} now use {repoint}" if users else ""
                self.change(f"Deleted backend {name}{moved}", lambda: session.delete_backend(name, repoint), NodeRef("backends", ("storage", "backends")))

        self.push_screen(DeleteDialog(name, users, alternatives, data=backend_data(session.doc, name, session.env)), done)

    def action_create_backend_for(self, path: list, family: str) -> None:
        from .screens.backend_dialogs import AddBackendDialog

        session = self.session
        if session is None:
            return
        ref_path = tuple(path)
        existing = list(backends(session.doc))

        def done(result: tuple[str, str, dict] | None) -> None:
            if not result:
                return
            name, type_name, fields = result

            def edit() -> None:
                from llama_config.model import operations

                operations.add_backend(session.doc, name, type_name, fields)
                operations.set_reference(session.doc, ref_path, family, name, None)

            self.change(f"Added backend {name} and pointed {format_path(ref_path)} at it", lambda: session.run(f"add backend {name} for {format_path(ref_path)}", edit))

        self.push_screen(AddBackendDialog(self.session.release(), existing, family=family), done)

    def action_create_quota_backend(self) -> None:
        session = self.session
        if session is None:
            return
        existing = backends(session.doc)
        name = "kv_quota" if "kv_quota" not in existing else "kv_quota_2"

        def edit() -> None:
            from llama_config.model import operations

            operations.add_backend(session.doc, name, "kv_sqlite", {"db_path": "./quotas.db"})
            if session.doc.node_at(("server", "quota")) is not None:
                operations.set_reference(session.doc, ("server", "quota", "kvstore"), "kv", name, "quota")

        self.change(f"Added backend {name} (kv_sqlite at ./quotas.db)", lambda: session.run(f"add backend {name} for quotas", edit))
