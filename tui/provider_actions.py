"""The editor's provider and registered-resource actions: add, rename, switch off or on, remove
and move a provider; register a model (vector store, tool group) it serves, or remove one. Each
asks what it needs in a dialog (screens/provider_dialogs.py), then makes one undoable change
through the session with model/provider_ops/, and says what it did."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llama_config.model.yamlpath import Path, format_path

from .widgets.config_tree import NodeRef

if TYPE_CHECKING:
    from llama_config.model.session import EditSession

    from .widgets.detail import DetailPane


class ProviderActions:
    """Mixed into ConfigEditorApp (app.py), whose session, selection (_selected), change(),
    refresh_views(), notify() and push_screen() these use; the keys are bound on the tree."""

    session: "EditSession | None"
    detail: "DetailPane"

    def _selected_provider(self) -> tuple[str, str, Path] | None:
        """(api, provider id, path) of the selected provider; says why nothing happens otherwise
        (the palette lists provider commands everywhere)."""
        from llama_config.model.provider_ops import id_of

        ref = self._selected("provider")
        if ref is None or self.session is None:
            self.notify("Select a provider in the tree first", timeout=4)
            return None
        provider = self.session.doc.value_at(ref.path) or {}
        return str(ref.path[1]), id_of(provider.get("provider_id")), ref.path

    def action_add_provider(self) -> None:
        from llama_config.model.provider_ops import add_provider

        from .screens.provider_dialogs import AddProviderDialog

        session = self.session
        if session is None:
            return
        ref = self._selected("api", "provider")
        api = str(ref.path[1]) if ref is not None else None

        def done(new: Any) -> None:
            if new is None:
                return
            result = self.change("", lambda: session.run(
                f"add {new.api} provider {new.provider_id}",
                lambda: add_provider(session.doc, new.api, new.provider_type, session.release(), new.provider_id, new.values, new.add_dependencies),
            ))  # fmt: skip
            if result is None:
                return
            self.refresh_views(NodeRef("provider", result.path))
            said = [f"Added the {new.api} provider {result.provider_id} ({new.provider_type})", *result.notes]
            still = [f.key for f in result.to_fill if f.key not in new.values]
            if still:
                said.append("still to fill: " + ", ".join(still))
            if result.missing_dependencies:
                said.append("nothing serves " + ", ".join(result.missing_dependencies) + " yet: add a provider for it")
            self.notify("\n".join(said), title="Provider added", timeout=8)

        self.push_screen(AddProviderDialog(session.release(), session.doc, api), done)

    def action_rename_provider(self) -> None:
        from llama_config.model.provider_ops import rename_provider, resources_naming

        from .screens.backend_dialogs import RenameDialog

        session, selected = self.session, self._selected_provider()
        if session is None or selected is None:
            return
        api, old, path = selected
        users = len(resources_naming(session.doc, api, old, session.release()))

        def done(new: str | None) -> None:
            if not new or new == old:
                return
            uses = self.change("", lambda: session.run(f"rename {api} provider {old} to {new}", lambda: rename_provider(session.doc, api, old, new, session.release())), NodeRef("provider", path))
            if uses is not None:
                self.notify(f"Renamed {old} to {new}; {len(uses)} registered resource{'s' if len(uses) != 1 else ''} follow{'s' if len(uses) == 1 else ''}", timeout=5)

        self.push_screen(RenameDialog(old, users, what="provider", followers="registered resource"), done)

    def action_toggle_provider(self) -> None:
        """Off: the id becomes an `${env.X:+id}` toggle on a variable unset here; on: the plain id."""
        from llama_config.model.provider_ops import default_toggle_variable, provider_state, set_toggle

        session, selected = self.session, self._selected_provider()
        if session is None or selected is None:
            return
        api, provider_id, path = selected
        provider = session.doc.value_at(path) or {}
        if provider_state(provider, session.env).on:
            variable = default_toggle_variable(provider, provider_id)
            if session.env.lookup(variable).is_set:
                variable = default_toggle_variable({}, provider_id)  # ENABLE_<ID>: unset here, so off
            label = f"{provider_id} is off while {variable} is unset"
        else:
            variable, label = None, f"{provider_id} is on"
        self.change(label, lambda: session.run(f"switch {api} provider {provider_id} {'off' if variable else 'on'}", lambda: set_toggle(session.doc, api, provider_id, variable)), NodeRef("provider", path))

    def action_remove_provider(self) -> None:
        from llama_config.model.provider_ops import provider_ids, remove_provider, resources_naming

        from .screens.provider_dialogs import RemoveProviderDialog

        session, selected = self.session, self._selected_provider()
        if session is None or selected is None:
            return
        api, provider_id, path = selected
        uses = resources_naming(session.doc, api, provider_id, session.release())
        others = [p for p in provider_ids(session.doc, api) if p != provider_id]

        def done(answer: tuple[bool, bool, str | None]) -> None:
            confirmed, remove_resources, move_to = answer
            if not confirmed:
                return
            said = f"Removed the {api} provider {provider_id}"
            if uses:
                said += f"; {len(uses)} registered resource{'s' if len(uses) != 1 else ''} " + (f"now served by {move_to}" if move_to else "removed with it")
            self.change(
                said,
                lambda: session.run(f"remove {api} provider {provider_id}", lambda: remove_provider(session.doc, api, provider_id, session.release(), remove_resources, move_to)),
                NodeRef("providers", ("providers",)),
            )

        self.push_screen(RemoveProviderDialog(api, provider_id, [f"{u.kind[:-1]} {u.name}" for u in uses], others), done)

    def action_move_provider(self, delta: int) -> None:
        from llama_config.model.provider_ops import move_provider, providers_of

        session, selected = self.session, self._selected_provider()
        if session is None or selected is None:
            return
        api, provider_id, path = selected
        to = int(path[2]) + delta
        if not 0 <= to < len(providers_of(session.doc, api)):
            return
        self.change("", lambda: session.run(f"move {api} provider {provider_id}", lambda: move_provider(session.doc, api, provider_id, to)), NodeRef("provider", path[:2] + (to,)))

    def action_add_resource(self) -> None:
        from llama_config.model.provider_ops import add_resource, enabled_provider_ids, id_of, resource_kinds

        from .screens.provider_dialogs import AddResourceDialog
        from .widgets.provider_form import resource_kind_for

        session = self.session
        ref = self._selected("provider", "resource")
        if session is None or ref is None:
            self.notify("Select a provider (or a registered resource) in the tree first", timeout=4)
            return
        release = session.release()
        if ref.kind == "resource":
            kind = str(ref.path[1])
            api = resource_kinds(release).get(kind, "")
            provider_id = (session.doc.value_at(ref.path) or {}).get("provider_id")
        else:
            api = str(ref.path[1])
            kind = resource_kind_for(release, api) or ""
            provider_id = id_of((session.doc.value_at(ref.path) or {}).get("provider_id"))
        if not kind:
            self.notify(f"{release.name} registers no resources served by {api} providers", timeout=4)
            return
        enabled = enabled_provider_ids(session.doc, api, session.env)

        def done(entry: dict | None) -> None:
            if entry:
                path = self.change("", lambda: session.run(f"register {kind[:-1]}", lambda: add_resource(session.doc, kind, entry, session.release(), session.env)))
                if path is not None:
                    self.refresh_views(NodeRef("resource", path))
                    self.notify(f"Registered in {format_path(path)}, served by {entry['provider_id']}", timeout=4)

        self.push_screen(AddResourceDialog(release, kind, enabled, provider_id), done)

    def action_remove_resource(self) -> None:
        from llama_config.model.provider_ops import remove_resource

        session, ref = self.session, self._selected("resource")
        if session is None or ref is None:
            self.notify("Select a registered resource in the tree first", timeout=4)
            return
        kind, index = str(ref.path[1]), int(ref.path[2])
        self.change(f"Removed {format_path(ref.path)}", lambda: session.run(f"remove {format_path(ref.path)}", lambda: remove_resource(session.doc, kind, index)), NodeRef("providers", ("providers",)))
