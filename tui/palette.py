"""Command palette (ctrl+p): every editor action, plus a jump to every backend and store."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from llama_config.model.operations import backends
from llama_config.model.references import iter_providers


class EditorCommands(Provider):
    def _commands(self) -> list[tuple[str, str, object]]:
        app = self.app
        session = getattr(app, "session", None)
        commands: list[tuple[str, str, object]] = [
            ("Save", "show the diff and write the file (ctrl+s)", app.action_save),
            ("Undo", "undo the last change (ctrl+z)", app.action_undo),
            ("Redo", "redo what was undone (ctrl+y)", app.action_redo),
            ("Search", "find a backend, store, provider or field (/)", app.action_search),
            ("Add backend", "declare a new storage backend (a)", app.action_add_backend),
            ("Rename backend", "rename the selected backend and every reference (r)", app.action_rename_backend),
            ("Delete backend", "delete the selected backend (d)", app.action_delete_backend),
            ("Add provider", "choose an API, then a provider type (a on a provider)", app.action_add_provider),
            ("Rename provider", "rename the selected provider; registered resources follow (r on a provider)", app.action_rename_provider),
            ("Switch provider on/off", "an ${env.X:+id} toggle, or the plain id (e on a provider)", app.action_toggle_provider),
            ("Remove provider", "remove the selected provider; its resources removed or moved (d on a provider)", app.action_remove_provider),
            ("Move provider up", "within its API (shift+up on a provider)", partial(app.action_move_provider, -1)),
            ("Move provider down", "within its API (shift+down on a provider)", partial(app.action_move_provider, 1)),
            ("Add model / registered resource", "served by the selected provider (m on a provider)", app.action_add_resource),
            ("Remove registered resource", "the selected model, vector store, ... (d on it)", app.action_remove_resource),
            ("Test connection", "test the live connection of the selected backend (t on a backend)", app.action_test_backend),
            ("Test all connections", "test every backend's connection at once (T)", app.action_test_all),
            ("Reload the file from disk", "read the file again; asks first when there are unsaved changes (ctrl+o)", app.action_reload_from_disk),
            ("Fix the highlighted problem", "the repair it suggests, undoable (f in the problems list)", app.action_fix_problem),
            ("Reveal passwords", "show or hide password fields (ctrl+r)", app.action_reveal),
            ("Help", "keys, or help for the focused field (f1)", app.action_help),
            ("Quit", "leave the editor (ctrl+q)", app.action_quit),
        ]
        if session is not None:
            commands.append(("Go to server settings", "port, host, TLS", partial(app.go_to, ("server",), "server")))
            commands.append(("Go to authentication", "server.auth", partial(app.go_to, ("server", "auth"), "auth")))
            if session.release().has_quota or session.doc.value_at(("server", "quota")) is not None:  # ogx has none
                commands.append(("Go to quota", "server.quota: request limits", partial(app.go_to, ("server", "quota"), "quota")))
            for name in backends(session.doc):
                commands.append((f"Go to backend {name}", "storage.backends", partial(app.go_to, ("storage", "backends", name), "backend")))
            from llama_config.model.releases import available_lines, display_name

            commands.append(("Server release: detect from the file", "judge the file against the release it was written for", partial(app.choose_release, None)))
            for line in reversed(available_lines()):
                commands.append((f"Server release: {display_name(line)}", "judge the file against this release; every check reruns", partial(app.choose_release, line)))
            from llama_config.model.provider_ops import id_of

            from .widgets.config_tree import shown_stores

            for store, _, present in shown_stores(session.doc, session.release()):
                title = f"Go to store {store}" if present else f"Add store {store} (not set in the file)"
                commands.append((title, "storage.stores", partial(app.go_to, ("storage", "stores", store), "store")))
            for api, index, provider in iter_providers(session.data):
                provider_id = id_of(provider.get("provider_id"))
                commands.append((f"Go to provider {provider_id} ({api})", str(provider.get("provider_type")), partial(app.go_to, ("providers", api, index), "provider")))
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)  # type: ignore[arg-type]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)  # type: ignore[arg-type]
