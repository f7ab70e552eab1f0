"""Carry out a migration plan on a Document, keeping every line that does not move.

Here: the plan, what the file must not hold (text the line edit cannot move, anchored store
configs), repeated copies of keys we edit under dropped, and the old `${env.X:default}`
placeholders and store types to rewrite. Then one line edit (rewrite.py) moves the settings
blocks under `storage.backends` and writes the references where the old configs were.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..document import Document, EditError
from ..envvars import lint_placeholders
from ..intended import Intended
from ..redaction import shown_repr
from ..references import none_where_not_written
from ..variables import scalar_values
from ..yamlpath import Path, format_path
from ..yamltree import ALIAS, MAP, SCALAR
from ..releases import Release
from .plan import MigrationError, Plan, all_or_nothing, make_plan
from .rewrite import Rewrite
from .steps.repeated_keys import drop_repeats, repeated_key_paths
from .stores import AddedStore, add_startup_stores

_OLD_SYNTAX = ("env-old-default-syntax", "env-old-conditional-syntax")


@dataclass
class Migration:
    plan: Plan
    placeholders: list[tuple[Path, str, str]] = field(default_factory=list)  # (path, old, new)
    dropped: list[tuple[Path, list[int]]] = field(default_factory=list)  # repeated keys removed: (path, lines)
    renamed_references: bool = False
    added_stores: list[AddedStore] = field(default_factory=list)  # stores the target release needs
    release: Release | None = None

    @property
    def changed(self) -> bool:
        return bool(self.plan.places or self.placeholders or self.dropped or self.renamed_references or self.added_stores)


def needs_migration(doc: Document) -> bool:
    """Whether `migrate` would change anything (old store configs, old placeholders)."""
    plan = make_plan(doc.data)
    return bool(plan.places or plan.rename_references or plan.problems or _old_placeholders(doc)[0])


def migrate(doc: Document, release: Release | None = None) -> Migration:
    """Convert `doc` in place to the v0.3 storage format; MigrationError (nothing changed) when
    something in it cannot be converted. With a target `release`, the stores its startup needs
    and the converted file lacks are added (stores.py)."""
    assignments, skipped = _old_placeholders(doc)
    values = [(path, new) for path, _, new in assignments]
    plan, planned = _planned(doc, values)
    if plan.problems:
        raise MigrationError("; ".join(plan.problems))
    result = Migration(plan, renamed_references=plan.rename_references, release=release)
    plan.notes += skipped
    if not (plan.places or assignments or plan.rename_references):
        return result
    _refuse_unmovable_text(doc, moves_blocks=bool(plan.places))
    _refuse_explicit_keys(doc, plan)
    _refuse_shared_holders(doc, plan)
    with all_or_nothing(doc):
        removed = _drop_empty_storage(doc) if plan.places else []
        plan.notes += removed
        result.dropped = _drop_repeats(doc, plan, [path for path, _ in values])
        if result.dropped:  # the plan follows the copies that stay, where they stand now
            plan, planned = _planned(doc, values)
            result.plan = plan
            plan.notes += skipped + removed
        _refuse_shared_values(doc, plan)
        result.placeholders = assignments
        # placeholders and store types are rewritten in the same edit as the moves (one re-parse
        # however many stores), or on their own when nothing moves
        values += _retype_assignments(plan)
        renames = [(("storage", "references"), "stores")] if plan.rename_references else []
        if renames or not plan.places:
            doc.set_scalars(values, renames)
            values = []
        added = None
        if plan.places:
            rewrite, values = Rewrite(doc, plan, values, release, planned), []  # (it lets go of them before its re-parse)
            added = rewrite.run()
        if added is None and release is not None:
            added = add_startup_stores(doc, release)
        result.added_stores = added or []
    return result


# -- preparing -----------------------------------------------------------------------------


def _planned(doc: Document, values: list[tuple[Path, str]]) -> tuple[Plan, tuple[str, Intended]]:
    """The plan, made on the data as it reads with the placeholders rewritten (their values are
    part of what makes two store configs the same database), and (the text, that data): where
    the check of the edit starts while the text is still that one."""
    planned = doc.intended_with(values)
    return make_plan(planned.data, none_where_not_written(doc)), (doc.text, planned)


_BARE_CR = re.compile(r"\r(?!\n)")


def _refuse_unmovable_text(doc: Document, moves_blocks: bool) -> None:
    """Text the migration's line edits cannot work on, refused up front with what to change."""
    text = doc.text
    bom = text.find("\ufeff")
    if bom != -1:
        line, column = _line_column(text, bom)
        raise MigrationError(
            f"line {line} column {column} holds a byte order mark (U+FEFF) inside the text (a file starting with two "
            "of them, or one in mid-file), which the server's YAML loader reads as part of a key or refuses; delete it, then migrate"
        )
    cr = _BARE_CR.search(text)
    if cr is not None and moves_blocks:
        line, _ = _line_column(text, cr.start())
        raise MigrationError(
            f"the file ends its lines with a bare CR (classic Mac OS line ends, first after line {line}); "
            "convert it to LF or CRLF line ends, then migrate"
        )
    if doc.root.flow and moves_blocks:
        raise MigrationError(
            f"the file is written as one {{...}} flow mapping (line {doc.root.line + 1}); write it in block style "
            "(one key per line), then migrate"
        )


def _line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of `index`; a bare CR ends a line too, as YAML reads it."""
    before = text[:index].replace("\r\n", "\n").replace("\r", "\n")
    return before.count("\n") + 1, index - max(text.rfind("\n", 0, index), text.rfind("\r", 0, index))


def _drop_empty_storage(doc: Document) -> list[str]:
    """`storage:` or `storage: null` holds nothing: the new storage section takes its place."""
    node = doc.node_at(("storage",))
    if node is None or node.resolved.kind != SCALAR or node.resolved.value is not None:
        return []
    line = doc.key_node_at(("storage",)).line + 1
    doc.delete(("storage",))
    return [f"removed the empty storage key (line {line}); the new storage section replaces it"]


def _old_placeholders(doc: Document) -> tuple[list[tuple[Path, str, str]], list[str]]:
    """(path, old, new) for every value written with the pre-0.3 placeholder syntax, and notes
    for the ones that cannot be rewritten here."""
    assignments: list[tuple[Path, str, str]] = []
    notes: list[str] = []
    modern: dict[str, str] = {}  # (one value is often written in every provider: one new string for all)
    for path, node in scalar_values(doc.root, (), holding="${env.", text=doc.text):
        value = node.value
        if not isinstance(value, str) or "${env." not in value:
            continue
        new = modern.get(value)
        if new is None:
            new = modern[value] = modernize_placeholders(value)
        if new == value:
            continue
        if node.style in ("|", ">") or node.anchor:
            notes.append(f"{format_path(path)}: rewrite {shown_repr(path, value)} as {shown_repr(path, new)} by hand (a block scalar or an anchored value)")
            continue
        assignments.append((path, value, new))
    # a key written twice (same value) is walked twice: one assignment for its path
    unique = list({path: (path, value, new) for path, value, new in assignments}.values())
    return unique, notes


def modernize_placeholders(value: str) -> str:
    """`${env.X:default}` -> `${env.X:=default}`, `${env.X+v}` -> `${env.X:+v}` (what the old
    forms meant); anything else is left as written."""
    for problem in reversed(lint_placeholders(value)):
        if problem.code not in _OLD_SYNTAX:
            continue
        text = value[problem.start : problem.end]
        name_end = next(i for i, c in enumerate(text) if i >= len("${env.") and c in ":+")
        op = "=" if text[name_end] == ":" else "+"
        value = value[: problem.start] + text[:name_end] + ":" + op + text[name_end + 1 :] + value[problem.end :]
    return value


def _refuse_shared_values(doc: Document, plan: Plan) -> None:
    """A store config written with YAML anchors (`kvstore: &kv {...}` then `kvstore: *kv`, or
    `<<: *base`) cannot move as text: the aliases would point at nothing."""
    if "&" not in doc.text and "*" not in doc.text:
        return  # (no anchor or alias can be written without one: no walk of every store config)
    for place in plan.places:
        node = doc.node_at(place.path)
        shared = next((n for n in node.walk() if n.anchor or n.kind == ALIAS), None) if node is not None else None
        if shared is not None:
            how = f"*{shared.raw}" if shared.kind == ALIAS else f"&{shared.anchor}"
            raise MigrationError(
                f"{format_path(place.path)} uses the YAML anchor or alias {how} (line {shared.line + 1}); "
                "write its settings out in full, then migrate"
            )


def _refuse_explicit_keys(doc: Document, plan: Plan) -> None:
    """A store config whose key is written `? name` (its settings below a `:` line of their
    own): its lines are not a key's block the move can cut. Asked before any edit."""
    if not doc.may_hold_explicit_keys():
        return  # (no look at every store config)
    for place in plan.places:
        key, parent = doc.key_node_at(place.path), doc.node_at(place.path[:-1])
        if key is not None and not parent.resolved.flow and doc._explicit_key_column(key) is not None:
            raise MigrationError(
                f"{format_path(place.path)} is written as an explicit key (`? {key.raw}`, line {key.line + 1}); "
                f"write it as `{key.raw}:` with its settings below, then migrate"
            )
        # (a `?` alone on the line above a key, at the store config or inside it: its lines move as text)
        value = doc.node_at(place.path)
        below = [k for node in value.walk() if node.kind == MAP and not node.flow for k, _ in node.items] if value is not None else []
        for inner in [key, *below] if key is not None else ():
            try:
                doc.refuse_split_explicit_key(inner, f"cannot move {format_path(place.path)}", then="migrate")
            except EditError as exc:
                raise MigrationError(str(exc)) from None



def _refuse_shared_holders(doc: Document, plan: Plan) -> None:
    """A mapping that holds a store config and is used again elsewhere (`config: &x` then
    `<<: *x` or `*x`): the store config would move there too. Asked before any edit, so the
    lines said are the file's."""
    users = doc._alias_users()
    for place in plan.places if users else ():
        for depth in range(1, len(place.path)):
            holder = doc.node_at(place.path[:depth])
            alias = next(iter(users.get(id(holder.resolved), ())), None) if holder is not None else None
            if alias is not None:
                raise MigrationError(
                    f"{format_path(place.path[:depth])} holds {format_path(place.path)} and is used again as *{alias.raw} "
                    f"(line {alias.line + 1}): moving the store config would change it there too; write that copy out "
                    "in full, then migrate"
                )


def _drop_repeats(doc: Document, plan: Plan, edited: list[Path]) -> list[tuple[Path, list[int]]]:
    """Keys written twice (with one value) on the way to what we edit: keep the last copy."""
    if not doc.repeated_keys:  # (the load found every key written twice: none, nothing to look up)
        return []
    paths = {("storage",), ("storage", "backends"), ("storage", "stores")}
    edits = [p.path for p in plan.places] + [p.target for p in plan.places] + edited
    for full in edits:
        paths |= {full[:n] for n in range(1, len(full) + 1) if isinstance(full[n - 1], str)}
    # and inside what moves (a store config's `type:` written twice is retyped in one copy)
    edited_at = set(edits)
    paths |= {path for path in repeated_key_paths(doc) if any(path[:n] in edited_at for n in range(1, len(path) + 1))}
    return drop_repeats(doc, paths)


def _retype_assignments(plan: Plan) -> list[tuple[Path, str]]:
    """A store's pre-0.3 `type` (sqlite) becomes its backend type (kv_sqlite) where it stands,
    in the settings that move to storage.backends: the first of each new backend's (the text
    of the others goes)."""
    firsts = (backend.places[0] for backend in plan.new_backends)
    return [
        (place.settings_path + ("type",), place.new_type)
        for place in firsts
        if not place.is_draft_quota and place.settings.get("type") != place.new_type
    ]


__all__ = ["Migration", "migrate", "modernize_placeholders", "needs_migration"]
