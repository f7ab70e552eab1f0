"""What a migration did, in a few lines for the operator."""

from __future__ import annotations

from typing import Iterable

from ..summary import at_most
from ..redaction import SecretFields, redact_text, secret_fields, shown_value
from ..yamlpath import format_path
from .apply import Migration
from .plan import Place


def report_lines(migration: Migration, name: str, extra_secrets: Iterable[str] | SecretFields = ()) -> list[str]:
    """The report, with every line through the one redaction rule (model.redaction): no URL
    password and no value of a secret field, also not as a placeholder's default."""
    return [redact_text(line) for line in _lines(migration, name, secret_fields(extra_secrets))]


def _moved_line(place: Place) -> str:
    ref, was = format_path(place.reference_path), format_path(place.path)
    return f"    {ref}  {place.partition_key} {place.partition}" + (f"  (was {was})" if was != ref else f"  (was an inline {place.new_type} config)")


def _lines(migration: Migration, name: str, extra_secrets: SecretFields) -> list[str]:
    plan = migration.plan
    if not migration.changed:
        lines = [f"{name}: nothing to do: the file already uses the v0.3 storage format (storage.backends + references)"]
        return lines + [f"  note: {note}" for note in plan.notes]
    lines = [f"{name}: migrated to the v0.3 storage format (llama-stack #3697)"]
    moved = [b for b in plan.backends if b.places]
    if moved:
        stores = sum(len(b.places) for b in moved)
        new = len(plan.new_backends)
        lines.append(
            f"  {stores} store config{'s' if stores != 1 else ''} became {'references' if stores != 1 else 'a reference'} to "
            f"{len(moved)} backend{'s' if len(moved) != 1 else ''} ({new} new under storage.backends):"
        )
    for backend in moved:
        lines.append(f"  {backend.name}  {backend.type}  {backend.where()}{'  (already declared)' if backend.existing else ''}")
        lines += at_most(backend.places, _moved_line, "    ")
    if migration.placeholders:
        n = len(migration.placeholders)
        lines.append(f"  {n} placeholder{'s' if n != 1 else ''} rewritten from the old syntax (${{env.X:default}} is now ${{env.X:=default}}, ${{env.X+v}} is ${{env.X:+v}}):")
        lines += at_most(migration.placeholders, lambda item: f"    {format_path(item[0])}: {shown_value(item[0], item[2], extra_secrets)}", "    ")
    for path, removed in migration.dropped:
        at = ", ".join(str(n) for n in removed)
        lines.append(f"  removed the repeated {format_path(path)} at line {at} (an identical copy; the server reads the last one)")
    if migration.renamed_references:
        lines.append("  renamed storage.references (a v0.3 pre-release name) to storage.stores")
    for added in migration.added_stores:
        release = migration.release.name if migration.release else "the server"
        key = "namespace" if added.family == "kv" else "table_name"
        on = f"a new {added.new_backend['type']} backend" if added.new_backend else "a declared backend"
        lines.append(f"  added storage.stores.{added.store}  {key} {added.partition} on {added.backend} ({on}): {release} refuses to start without it")
        if added.new_backend:
            lines.append(f"    storage.backends.{added.backend}  {added.new_backend['type']}  {added.new_backend.get('db_path', '')}")
    notes = list(plan.notes)
    unset = plan.unset_stores if migration.release is None else []  # with a target release they are added
    if unset:
        stores = " and ".join(f"storage.stores.{s}" for s in unset)
        notes.insert(0,
            f"the old file set no {' or '.join(s + '_store' for s in unset)}, so {stores} {'is' if len(unset) == 1 else 'are'} "
            "not set either; a v0.3 server needs them: point them at a backend (llama-config edit, or set)"
        )  # fmt: skip
    return lines + [f"  note: {note}" for note in notes]
