"""An editing session: one document, its diagnostics, and undo / redo.

The editor calls only this (and the modules it names); every change is one undoable step, and
the diagnostics are recomputed after each one.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Iterator

from . import operations
from .diagnostics import Diagnostic
from .document import Document, EditError
from .envvars import Environment, describe, has_placeholder, resolve
from .errors import ExternalChangeError
from .replay import Operation, Replay, replay
from .yamlpath import Path, format_path


def _push(stack: list, step: tuple) -> None:
    """Put a step on an undo or redo stack; the step below it lets go of its parse."""
    if stack and stack[-1][3] is not None:
        stack[-1] = stack[-1][:3] + (None,)
    stack.append(step)


class EditSession:
    def __init__(
        self, doc: Document, env: Environment | None = None, *, validate_now: bool = True, server: str | None = None,
    ) -> None:  # fmt: skip
        self.doc = doc
        self.env = env or Environment()
        self.server = server  # the --server the operator chose; None: detected from the file
        self.target = ""  # which release checks the file, and why (set by release())
        self._release: tuple[tuple, Any] | None = None
        self._references: tuple[tuple, list] | None = None
        self._entry_references: tuple[Any, dict] = (None, {})  # (release, providers.API[i] -> (its text, its references))
        # (text before, what the step did, the edits since the file's text before it, its parse
        # or None). The edits are None where no sequence of operations leads from the file to
        # that text (a step made without one, undoing past a save or a reload). Only the step
        # next in line keeps its parse (Document.parsed): undo and redo need no parse.
        self._undo: list[tuple[str, str, tuple[Operation, ...] | None, tuple | None]] = []
        self._redo: list[tuple[str, str, tuple[Operation, ...] | None, tuple | None]] = []
        self._ops: tuple[Operation, ...] | None = ()  # the edits from the file's text to this one
        self.diagnostics: list[Diagnostic] = []
        self.validated = False
        self._checks = None  # validation.PassCache: each pass re-checks only the providers an edit changed
        if validate_now:  # the editor validates after its first frame instead
            self.revalidate()

    @classmethod
    def open(cls, path: str, env: Environment | None = None, *, validate_now: bool = True, server: str | None = None) -> "EditSession":
        from .manifests.opening import open_editable  # FILE, or FILE#CONFIGMAP/KEY of a manifest

        return cls(open_editable(path), env, validate_now=validate_now, server=server)

    # -- state ---------------------------------------------------------------------------

    @property
    def modified(self) -> bool:
        return self.doc.modified

    @property
    def data(self) -> dict:
        return self.doc.data

    def revalidate(self) -> list[Diagnostic]:
        from .validation import validate  # imported on first use: the editor's first frame does not wait for it

        release = self.release()
        self.diagnostics = validate(self.doc, self.env, release=release, cache=self._pass_cache())
        self.validated = True
        return self.diagnostics

    def _pass_cache(self):
        """What each validation pass keeps for the next (validation.PassCache), made on first use."""
        from .validation import PassCache

        if self._checks is None:
            self._checks = PassCache()
        return self._checks

    def release(self):
        """The release the file is judged against: the chosen one, else detected (again after
        every edit: an edit can change what the file says about its release)."""
        from .releases import display_name, load_release, parse_server
        from .releases.detect import detect

        key = (self.server, self.doc.text)  # forms ask on every redraw: detect once per text
        if self._release is not None and self._release[0] == key:
            return self._release[1]
        if self.server:
            line = parse_server(self.server)
            self.target = f"{display_name(line)} (chosen)"
        else:
            found = detect(self.doc.data)
            self.target = found.describe()
            line = found.line
        self._release = (key, load_release(line))
        return self._release[1]

    def references(self) -> list:
        """Every backend reference in the file (model.references), found once per document
        text: the tree, the form and "used by" all ask after each edit, and a scan of 5,000
        providers costs ~100 ms."""
        key = (self.doc.text, id(self.release()))
        if self._references is None or self._references[0] != key:
            self._references = (key, self._scan_references())
        return self._references[1]

    def _scan_references(self) -> list:
        """find_references, where each provider entry whose text the last scan saw takes its
        references from that scan: an edit changes one provider, and they depend on the entry
        alone (where its text alone makes its value: Document.written_once)."""
        from .references import find_references

        release = self.release()
        texts = self._pass_cache().entry_texts(self.doc) or {}
        last = self._entry_references[1] if self._entry_references[0] is release else {}

        def known(path: tuple) -> list | None:
            seen = last.get(path)
            return seen[1] if seen is not None and seen[0] == texts.get(path) else None

        refs = find_references(self.doc.data, release=release, known=known if last else None)
        by_entry: dict[tuple, list] = {}
        for ref in refs:
            if ref.path[0] == "providers":
                by_entry.setdefault(ref.path[:3], []).append(ref)
        self._entry_references = (release, {path: (text, by_entry.get(path, [])) for path, text in texts.items()})
        return refs

    def users_of(self, backend: str) -> list:
        return [ref for ref in self.references() if ref.backend == backend]

    def unset_store_defaults(self) -> dict[str, str]:
        """Unset store -> the backend the release uses for it (operations.unset_store_defaults)."""
        from .operations import unset_store_defaults

        return unset_store_defaults(self.doc, self.release())

    def implicit_users_of(self, backend: str) -> list[str]:
        """The stores left unset that the release points at `backend`."""
        return [store for store, name in self.unset_store_defaults().items() if name == backend]

    def user_labels(self, backend: str) -> list[str]:
        """Everything that uses `backend`, one line each: its references, then the unset stores."""
        from .operations import implicit_user_label
        from .yamlpath import format_path

        return [f"{r.owner}  ({format_path(r.path)})" for r in self.users_of(backend)] + [
            implicit_user_label(store, backend) for store in self.implicit_users_of(backend)
        ]

    def secret_fields(self):
        """The fields the target release marks secret in this file (model.release_secrets)."""
        from .release_secrets import release_secret_fields

        return release_secret_fields(self.data, self.release())

    def choose_release(self, server: str | None) -> None:
        """Judge the file against another release (None: detect it again); every check reruns."""
        self.server = server
        self.revalidate()

    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    def resolved(self, value: Any, *, secret: bool = False) -> str:
        """What the server will see for a placeholder value and where it comes from ("" for plain values)."""
        if not has_placeholder(value):
            return ""
        return describe(resolve(value, self.env), secret=secret)

    # -- steps ---------------------------------------------------------------------------

    @contextmanager
    def step(self, label: str, edit: Callable[[], Any] | None = None) -> Iterator[None]:
        """Group edits into one undoable step; on error the document is left as it was.
        `edit` is what `run` runs: kept so the step can be replayed on a reloaded file."""
        parsed = self.doc.parsed()
        before = self.doc.text
        try:
            yield
        except Exception:
            if self.doc.text != before:
                self.doc.restore(before, parsed)
            raise
        if self.doc.text != before:
            _push(self._undo, (before, label, self._ops, parsed))
            self._redo.clear()
            done = Operation(label, edit, before, self.doc.text) if edit is not None else None
            self._ops = self._ops + (done,) if self._ops is not None and done is not None else None
        self.revalidate()

    def run(self, label: str, edit: Callable[[], Any]) -> Any:
        """One step made by `edit`, which must read `self.doc` when called (not before), so
        that replaying it after a reload edits the reloaded document."""
        with self.step(label, edit):
            return edit()

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> str | None:
        return self._travel(self._undo, self._redo)

    def redo(self) -> str | None:
        return self._travel(self._redo, self._undo)

    def _travel(self, source: list, target: list) -> str | None:
        """Undo (or redo) one step: its text comes back, the current one goes on the other stack."""
        if not source:
            return None
        text, label, ops, parsed = source.pop()
        _push(target, (self.doc.text, label, self._ops, self.doc.parsed()))
        self.doc.restore(text, parsed)
        self._ops = ops
        self.revalidate()
        return label

    # -- edits the editor offers ---------------------------------------------------------

    def set_value(self, path: Path, value: Any) -> None:
        self.run(f"set {format_path(path)}", lambda: self.doc.set(path, value))

    def unset(self, path: Path) -> None:
        self.run(f"remove {format_path(path)}", lambda: self.doc.delete(path))

    def add_backend(self, name: str, type_name: str, fields: dict[str, Any]) -> None:
        self.run(f"add backend {name}", lambda: operations.add_backend(self.doc, name, type_name, fields))

    def rename_backend(self, old: str, new: str) -> operations.RenameResult:
        return self.run(f"rename backend {old} to {new}", lambda: operations.rename_backend(self.doc, old, new, self.release()))

    def delete_backend(self, name: str, repoint_to: str | None = None) -> list:
        return self.run(f"delete backend {name}", lambda: operations.delete_backend(self.doc, name, repoint_to, self.release()))

    def set_reference(self, path: Path, family: str, backend: str, partition: str | None) -> None:
        self.run(f"point {format_path(path)} at {backend}", lambda: operations.set_reference(self.doc, path, family, backend, partition))

    def enable_quota(self, backend: str, namespace: str, anonymous: int, authenticated: int) -> None:
        self.run("turn quotas on", lambda: operations.enable_quota(self.doc, backend, namespace, anonymous, authenticated))

    def disable_quota(self) -> None:
        self.run("turn quotas off", lambda: operations.disable_quota(self.doc))

    # -- files ---------------------------------------------------------------------------

    def save(self, *, force: bool = False) -> None:
        """Safe save over the loaded file; ExternalChangeError when it changed on disk."""
        self.doc.save(force=force)
        self._new_base()

    def _new_base(self) -> None:
        """The file now holds another text: earlier steps' edits no longer lead from it."""
        self._undo = [(text, label, None, parsed) for text, label, _, parsed in self._undo]
        self._redo = [(text, label, None, parsed) for text, label, _, parsed in self._redo]
        self._ops = ()

    def changed_on_disk(self) -> bool:
        from .safefile import has_changed_on_disk

        return self.doc.snapshot is not None and has_changed_on_disk(self.doc.snapshot)

    @property
    def can_replay(self) -> bool:
        """Whether the edits since the file was loaded (or saved) are known as operations."""
        return self._ops is not None

    @property
    def edits_since_load(self) -> int:
        return len(self._ops or ())

    def reload(self) -> None:
        """Load the file from disk again (after an external change); undo history is dropped."""
        fresh = self.doc.reloaded()
        self.doc = fresh
        self._undo.clear()
        self._redo.clear()
        self._ops = ()
        self.revalidate()

    def reload_and_replay(self) -> Replay:
        """Load the file as it is on disk now and apply the operator's edits to it again, in
        order; report those that no longer apply. One undo step goes back to the text before
        (the operator's edits over the file as it was loaded)."""
        if self._ops is None:
            raise EditError("the edits since the last save cannot be re-applied (an undo went past the save, or a step was not recorded)")
        before, ops = self.doc.text, self._ops
        fresh = self.doc.reloaded()  # ConfigFileError: nothing changed
        self.doc = fresh
        applied, report = replay(ops, lambda: self.doc)
        self._new_base()
        _push(self._undo, (before, f"reload from disk and re-apply {len(ops)} edit{'s' if len(ops) != 1 else ''}", None, None))
        self._ops = tuple(applied)
        self.revalidate()
        return report


__all__ = ["EditSession", "EditError", "ExternalChangeError"]
