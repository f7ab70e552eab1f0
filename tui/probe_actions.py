"""The editor's connection tests: `t` on a backend or a provider, or all of them from the
palette. The probes (model/probes/) run in one worker group, so a new run replaces the one
still going; the tree's labels and the open form show each result as it comes in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from llama_config.model.yamlpath import Path

if TYPE_CHECKING:
    from llama_config.model.session import EditSession

    from .widgets.config_tree import ConfigTree
    from .widgets.detail import DetailPane


class ProbeActions:
    """Mixed into ConfigEditorApp (app.py), whose session, tree, detail, selection
    (_selected_backend, _selected), notify() and run_worker() these use."""

    session: "EditSession | None"
    tree: "ConfigTree"
    detail: "DetailPane"

    def action_test_backend(self) -> None:
        """t: test the selected backend, or what the selected provider's config points at."""
        name = self._selected_backend()
        if name is not None:
            self._start_probes([name])
            return
        ref = self._selected("provider")
        if ref is not None:
            self._start_probes([], provider=ref.path)

    def action_test_all(self) -> None:
        if self.session is not None:
            self._start_probes(None, provider=("providers",))

    def _start_probes(self, names: list[str] | None, provider: Path | None = None) -> None:
        """Probe the backends in `names` (None: all) and the providers at or under `provider`
        (a provider's path, or ("providers",) for every enabled one that has a probe)."""
        from llama_config.model.probes import plan

        from .widgets.probe_status import provider_targets

        session = self.session
        assert session is not None
        try:
            targets = plan(session.data, session.env, names, session.release()) if names != [] else []
        except KeyError as exc:
            self.notify_error(f"no backend {exc}")
            return
        if provider is not None:
            found, why_not = provider_targets(session, provider)
            targets += found
            if why_not and not targets:
                self.notify(why_not, timeout=6)
                return
        if not targets:
            self.notify("There are no backends to test", timeout=3)
            return
        # one group per kind of work: a new test run replaces the one still going
        self.run_worker(self._probe(targets), group="probes", exclusive=True, exit_on_error=False)

    async def _probe(self, targets: list) -> None:
        from llama_config.model.probes import ProbeRun

        from .widgets.probe_status import probe_key

        state = self.tree.probe_state
        for target in targets:
            state.pop(probe_key(target.api, target.name), None)
        run = ProbeRun(targets, on_start=lambda target: self._probe_started(probe_key(target.api, target.name)), on_result=self._probe_finished)
        what = "backend" if all(t.api is None for t in targets) else "connection"
        self.notify(f"Testing {len(targets)} {what}{'s' if len(targets) != 1 else ''}…", timeout=3)
        results = await run.run()
        failed = [r for r in results if not r.ok]
        if failed:
            self.notify(", ".join(f"{r.backend}: {r.category}" for r in failed), title=f"{len(failed)} of {len(results)} unreachable", severity="error", timeout=8)
        else:
            self.notify(f"All {len(results)} reachable", title="Connection tests", timeout=4)

    def _probe_started(self, key: str) -> None:
        self.tree.probe_state[key] = None  # running
        self.tree.refresh_probe_labels()

    def _probe_finished(self, result: Any) -> None:
        from .widgets.probe_status import probe_key

        key = probe_key(result.api, result.backend)
        self.tree.probe_state[key] = result
        self.tree.refresh_probe_labels()
        current = self.detail.current
        if current is not None and current.kind in ("backend", "provider") and self.detail.probe_key_of(current) == key:
            self.detail.show(current)
