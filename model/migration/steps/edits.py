"""Edits the upgrade steps share, all through the Document API (each verified by a re-parse).

Something a newer release no longer reads is commented out, not deleted: its text stays in the
file (under a `# llama-config upgrade: ...` line saying why), so nothing the operator wrote is lost.
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Iterator

from ...document import Document, EditError
from ...line_blocks import KeyBlock
from ...masked_diff import masked_region
from ...release_secrets import secret_names_of_every_release
from ...text_positions import lines_with_ends
from ...yamlpath import Path, format_path

MARK = "llama-config upgrade:"


def providers(doc: Document) -> Iterator[tuple[str, int, dict]]:
    """(api, index, provider entry) of every provider written in the file."""
    section = doc.data.get("providers")
    for api, entries in (section.items() if isinstance(section, dict) else ()):
        for i, entry in enumerate(entries if isinstance(entries, list) else ()):
            if isinstance(entry, dict):
                yield api, i, entry


def line_of(doc: Document, path: Path, key: bool = True) -> int:
    return doc.position(path, key=key)[0]


def quoted_lines(doc: Document, path: Path) -> list[str]:
    """The file's lines that hold the value at `path`, as `LINE: text` (for the report)."""
    node = doc.node_at(path)
    if node is None:
        return []
    key = doc.key_node_at(path) if isinstance(path[-1], str) else None
    first = (key or node).line
    start, end = doc._line_start((key or node).start), doc._line_end(max(node.start, node.end - 1))
    # its secrets masked as every output masks them, and, for a value inside {...} / [...],
    # those of the values around it on its lines: all of the outermost {...} / [...] is looked at
    top = len(path)
    while top > 0 and doc._in_flow(path[:top]):
        top -= 1
    lines = masked_region(doc.text, start, end, doc.node_at(path[:top]), path[:top], secret_names_of_every_release())
    return [f"{first + i + 1}: {line.rstrip()}" for i, line in enumerate(lines[:12])] + (["    ..."] if len(lines) > 12 else [])


def _covering(doc: Document, paths: list[Path]) -> list[Path]:
    """The paths to comment out: when every key or item of a container goes, the container goes
    instead (an empty `shields:` would read as null, which the server refuses)."""
    chosen = set(paths)
    changed = True
    while changed:
        changed = False
        for parent in {p[:-1] for p in chosen if len(p) > 1}:
            value = doc.value_at(parent)
            children = [parent + (k,) for k in value] if isinstance(value, dict) else [parent + (i,) for i in range(len(value))] if isinstance(value, list) else []
            if children and all(c in chosen for c in children) and len(parent) > 0:
                chosen -= set(children)
                chosen.add(parent)
                changed = True
    # a path under another chosen one goes with it
    return sorted((p for p in chosen if not any(p[: len(q)] == q and p != q for q in chosen)), key=_text_order)


def _text_order(path: Path) -> list[tuple]:
    """Paths in the order of the text: list indexes as numbers (item 10 after item 9: as
    strings "10" came first, and removing from the end deleted the wrong item)."""
    return [(0, part, "") if isinstance(part, int) else (1, 0, str(part)) for part in path]


def _block(doc: Document, path: Path) -> KeyBlock:
    return doc.item_block(path) if isinstance(path[-1], int) else doc.key_block(path)


def comment_out(doc: Document, paths: list[Path], why: str | Callable[[Path], str]) -> list[str]:
    """Comment out the keys / list items at `paths` (one verified line edit for all of them),
    each under a `# llama-config upgrade: WHY` line at its own indentation (`why`: the same for
    all, or each path's own, asked for the path commented out). Returns the report's
    lines: where each was and its text. A value inside a {...} / [...] cannot be commented out
    by lines: it is removed with the document's ordinary edits and quoted in the report."""
    paths = [p for p in _covering(doc, paths) if doc.node_at(p) is not None]
    if not paths:
        return []
    _refuse_anchors_used_elsewhere(doc, paths)
    report: list[str] = []
    edits: list[tuple[int, int, str]] = []
    flow: list[Path] = []
    expected = copy.deepcopy(doc.data)
    nl = doc.style.newline
    for path in paths:
        try:
            block = _block(doc, path)
        except EditError:
            flow.append(path)
            continue
        report.append(f"{format_path(path)} (line {line_of(doc, path)}):")
        report += [f"    {line}" for line in quoted_lines(doc, path)]
        col = block.column
        lines = [line if not line.strip() else line[:col] + "# " + line[col:] for line in lines_with_ends(doc.text, block.line_start, block.end)]
        new = " " * col + f"# {MARK} {why(path) if callable(why) else why}" + nl
        if isinstance(path[-1], int) and len(lines) == 1:
            new = ""  # a one-line list item (`- safety`) speaks for itself; the report says why
        edits.append((block.line_start, block.end, new + "".join(lines)))
    for path in sorted((p for p in paths if p not in flow), key=_text_order, reverse=True):
        _remove(expected, path)
    if edits:
        doc.replace_lines(edits, expected)
    for path in sorted(flow, key=_text_order, reverse=True):
        # (quoted as the lines that hold it, secrets masked: the value itself may be an alias's whole expansion)
        report.append(f"{format_path(path)} (line {line_of(doc, path)}; written inside {{...}}/[...], removed):")
        report += [f"    {line}" for line in quoted_lines(doc, path)]
        remove(doc, path)
    return report


def _refuse_anchors_used_elsewhere(doc: Document, paths: list[Path]) -> None:
    """An anchor (`&name`) in what goes, used by an alias (`*name`) in what stays: the alias would
    point at nothing. Refused, with where each stands."""
    found = doc.anchor_used_outside([doc.node_at(path) for path in paths])
    if found is not None:
        index, node, alias = found
        raise EditError(
            f"{format_path(paths[index])} holds the YAML anchor &{node.anchor}, which *{alias.raw} at line {alias.line + 1} "
            "uses; write that value out in full there, then upgrade"
        )


def remove(doc: Document, path: Path) -> None:
    """Delete a key, or a list item (the list is written again without it)."""
    if isinstance(path[-1], int):
        items = list(doc.value_at(path[:-1]))
        del items[path[-1]]
        doc.set(path[:-1], items)
    else:
        doc.delete(path)


def _remove(data: Any, path: Path) -> None:
    for part in path[:-1]:
        data = data[part]
    del data[path[-1]]


def backend_of_family(doc: Document, family: str) -> str | None:
    """The first declared backend of `family` (kv / sql), by its type prefix."""
    backends = doc.value_at(("storage", "backends"))
    for name, config in (backends.items() if isinstance(backends, dict) else ()):
        if isinstance(config, dict) and str(config.get("type", "")).startswith(f"{family}_"):
            return name
    return None


def sql_backend(doc: Document, release) -> tuple[str, list[str]]:
    """A SQL backend for a store that must now be SQL: one the file declares (`sql_default`
    first), else the release's default (`sql_default`, filled in when the file declares no
    backends), else a new SQLite one, added to storage.backends. Returns its name and what was
    done."""
    from ...releases.defaults import backend_config
    from ..stores import _distro, _free_name

    declared = doc.value_at(("storage", "backends"))
    declared = declared if isinstance(declared, dict) else {}
    if str((declared.get("sql_default") or {}).get("type", "")).startswith("sql_"):
        return "sql_default", []
    found = backend_of_family(doc, "sql")
    if found:
        return found, []
    defaults = release.data["storage"].get("default_backends") or {}
    if not declared and "sql_default" in defaults:
        return "sql_default", []
    name = _free_name(set(declared), "sql_default")
    config = backend_config(release, "sql_sqlite", _distro(doc.data))
    doc.set(("storage", "backends", name), config)
    return name, [f"added storage.backends.{name} ({config.get('type')} {config.get('db_path', '')}): the file had no SQL backend"]


def kv_to_sql_reference(doc: Document, path: Path, new_key: str, backend: str, table: str) -> None:
    """`{backend: kv_x, namespace: N}` at `path` becomes `{backend: SQL, table_name: N}` under
    `new_key`, each value edited where it stands (comments and layout stay)."""
    ref = doc.value_at(path)
    assignments = [(path + ("backend",), backend)] if isinstance(ref, dict) and "backend" in ref else []
    renames = [(path + ("namespace",), "table_name")] if isinstance(ref, dict) and "namespace" in ref else []
    if new_key != path[-1]:
        renames.append((path, new_key))  # after the keys inside it: their paths are the old ones
    doc.set_scalars(assignments, renames)
    moved = path[:-1] + (new_key,)
    if not assignments:
        doc.set(moved + ("backend",), backend)
    if not isinstance(ref, dict) or "namespace" not in ref:
        doc.set(moved + ("table_name",), table)
