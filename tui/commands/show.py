"""`llama-config show FILE`: the backend / store / provider tree, each backend with its users."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any, Callable, Iterable, Iterator

from rich.console import Console
from rich.markup import RE_TAGS, escape as _rich_escape
from rich.text import Text
from rich.tree import Tree

from llama_config.model.control_chars import escape_bidi, escape_controls
from llama_config.model.envvars import Environment, resolve
from llama_config.model.operations import implicit_user_label, unset_store_defaults
from llama_config.model.redaction import MASK, SecretFields, redact_text, shown_value
from llama_config.model.release_secrets import release_secret_fields
from llama_config.model.references import Reference, backend_users, find_references, iter_providers
from llama_config.model.releases import Release
from llama_config.model.releases.detect import release_of
from llama_config.model.second_core import may_fork, on_both_cores
from llama_config.model.facts import family_of, type_tag_of
from llama_config.model.validation import is_newer_format, is_old_format
from llama_config.model.variables import variables_used
from llama_config.model.yamlpath import format_path
from llama_config.tui.safe_output import raw

from .batch import ErrorPrinter, load_all, lone_error, plural, read_sources, several, worst
from .common import EXIT_BAD_INPUT, EXIT_OK, environment


def _resolved(backend: dict, env: Environment | None) -> dict:
    """The backend with ${env.X} placeholders substituted from `env` (unset ones kept as written)."""
    if env is None:
        return backend
    out = {}
    for key, value in backend.items():
        r = resolve(value, env)
        out[key] = value if r.missing else r.value
    return out


def backend_summary(backend: dict, env: Environment | None = None) -> str:
    """Where a backend's data lives, in one line (never the password: see build_tree)."""
    backend = _resolved(backend, env)
    kind = type_tag_of(backend) or "?"
    if kind.endswith("_sqlite"):
        return _text(backend.get("db_path", "?"), "db_path")
    host, port = _text(backend.get("host", "localhost"), "host"), backend.get("port")
    where = f"{host}:{_text(port, 'port')}" if port is not None else host
    if kind.endswith("_postgres"):
        user = backend.get("user")
        user_at = _text(user, "user") + "@" if user else ""
        return f"{user_at}{where}/{_text(backend.get('db', 'llamastack'), 'db')}"
    if kind == "kv_mongodb":
        return f"{where}/{_text(backend.get('db', ''), 'db')}"
    return where


def _text(value: object, *path: object) -> str:
    """A value for a label: a mapping or list written where a name or number belongs is shown
    short, with its secrets masked (model.redaction.shown_value)."""
    return shown_value(tuple(path), value)


def _ref_label(ref: Reference, backends: dict) -> str:
    target = backends.get(ref.backend) if isinstance(ref.backend, str) else None
    partition = f"{ref.partition_key} {escape(_text(ref.partition, *ref.path, ref.partition_key))}" if ref.partition is not None else f"no {ref.partition_key}"
    arrow = f"→ [bold]{escape(_text(ref.backend, *ref.path, 'backend'))}[/]"
    if target is None:
        return f"{arrow} [red]✗ no such backend[/]  {partition}"
    family = family_of(type_tag_of(target) or "")
    if family and family != ref.family:
        return f"{arrow} [red]✗ {type_tag_of(target)} is not a {ref.family}_* backend[/]  {partition}"
    return f"{arrow}  {partition}"


class _Later:
    """A label made when it is printed, made safe then (_safe_label). One per backend user and
    per provider line, the bulk of a large file's tree: on two cores each process makes only
    the labels of its own half of the lines (print_tree)."""

    __slots__ = ("make", "args")

    def __init__(self, make: Callable[..., str], *args: Any) -> None:
        self.make, self.args = make, args

    def __str__(self) -> str:
        return _safe_label(self.make(*self.args))

    def __rich__(self) -> str:  # (rich, printing the tree itself, reads it as markup)
        return str(self)


def _user_label(ref: Reference) -> str:
    partition = f" ({escape(_text(ref.partition, *ref.path, ref.partition_key))})" if ref.partition is not None else ""
    return f"{escape(ref.owner)}{partition}  [dim]{escape(format_path(ref.path))}[/]"


def _provider_label(provider: dict, where: tuple) -> str:
    pid = provider.get("provider_id")
    return f"{escape(_text(pid, *where, 'provider_id'))}  [cyan]{escape(_text(provider.get('provider_type', '?'), *where, 'provider_type'))}[/]"


def _provider_ref_label(ref: Reference, backends: dict) -> str:
    return f"{escape(format_path(ref.path[4:]))} [dim]({ref.family})[/] {_ref_label(ref, backends)}"


def build_tree(
    doc, name: str, env: Environment | None = None, extra_secrets: Iterable[str] | SecretFields = (), release: Release | None = None,
) -> list[Tree]:  # fmt: skip
    """The tree `show` prints. `extra_secrets`: secret fields beyond the secret-named ones
    (dotted paths or keys, see model.redaction); `release`: the one the file is judged against
    (default: detected), whose reference fields and store defaults apply."""
    data = doc.data
    fmt = "pre-0.3 format" if is_old_format(data) else ("newer format" if is_newer_format(data) else "v0.3 format")
    distro = data.get("distro_name") or data.get("image_name") or "?"
    storage = data.get("storage") if isinstance(data.get("storage"), dict) else {}
    backends = storage.get("backends") if isinstance(storage.get("backends"), dict) else {}
    release = release_of(data, release)
    refs = find_references(data, release=release)
    users = backend_users(refs)
    defaults = unset_store_defaults(doc, release)  # unset stores use these backends

    root = Tree(f"[bold]{escape(name)}[/]  {escape(_text(distro, 'distro_name'))}, {fmt}")
    st = root.add("[bold]Storage[/]")
    bnode = st.add(f"Backends ({len(backends)})")
    for bname, backend in backends.items():
        if not isinstance(backend, dict):
            bnode.add(f"[red]{escape(str(bname))}: not a mapping[/]")
            continue
        used = users.get(bname, [])
        implicit = [store for store, backend in defaults.items() if backend == bname]
        count = len(used) + len(implicit)
        badge = f"[green]used by {count}[/]" if count else "[yellow]unused[/]"
        b = bnode.add(f"[bold]{escape(str(bname))}[/]  [cyan]{escape(_text(backend.get('type', '?'), 'storage', 'backends', bname, 'type'))}[/]  {escape(backend_summary(backend, env))}  {badge}")
        for ref in used:
            b.add(_Later(_user_label, ref))
        for store in implicit:
            b.add(f"[dim]{escape(implicit_user_label(store, bname))}[/]")
    stores = [r for r in refs if r.path[:2] == ("storage", "stores")]
    snode = st.add(f"Stores ({len(stores)} set" + (f", {len(defaults)} unset)" if defaults else ")"))
    for ref in stores:
        snode.add(f"{escape(str(ref.path[2]))} [dim]({ref.family})[/] {_ref_label(ref, backends)}")
    for store, backend in defaults.items():
        missing = "" if backend in backends else "  [red]✗ no such backend[/]"
        snode.add(f"{escape(store)} [dim]({release.store_family(store)}) unset → {escape(backend)} by default[/]{missing}")

    pnode = root.add("[bold]Providers[/]")
    by_api: dict[str, Tree] = {}
    provider_refs: dict[tuple, list[Reference]] = {}
    for ref in refs:
        if ref.path[0] == "providers":
            provider_refs.setdefault(ref.path[:3], []).append(ref)
    for api, index, provider in iter_providers(data):
        if api not in by_api:
            count = len(data["providers"][api])
            by_api[api] = pnode.add(f"[bold]{escape(api)}[/] ({count})")
        p = by_api[api].add(_Later(_provider_label, provider, ("providers", api, index)))
        for ref in provider_refs.get(("providers", api, index), []):
            p.add(_Later(_provider_ref_label, ref, backends))

    server = data.get("server") if isinstance(data.get("server"), dict) else {}
    srv = root.add("[bold]Server[/]")
    srv.add(f"port {escape(_text(server.get('port', 8321), 'server', 'port'))}" + (f", host {escape(_text(server['host'], 'server', 'host'))}" if server.get("host") else "") + (", TLS" if server.get("tls_certfile") else ""))
    auth = server.get("auth")
    provider = auth.get("provider_config") if isinstance(auth, dict) else None
    srv.add(f"auth: {escape(_text(type_tag_of(provider) or provider.get('type'), 'server', 'auth', 'provider_config', 'type')) if isinstance(provider, dict) else '[yellow]none[/]'}")
    quota = server.get("quota")
    if isinstance(quota, dict):
        qref = next((r for r in refs if r.path == ("server", "quota", "kvstore")), None)
        q = srv.add(
            f"quota: anonymous {escape(_text(quota.get('anonymous_max_requests', 100), 'server', 'quota'))}/day, "
            f"authenticated {escape(_text(quota.get('authenticated_max_requests', 1000), 'server', 'quota'))}/day"
        )
        if qref:
            q.add(f"kvstore [dim](kv)[/] {_ref_label(qref, backends)}")
    else:
        srv.add("quota: [dim]none[/]")
    _add_variables(root, doc, env, extra_secrets)
    _redact_labels(root)
    return [root]


def _redact_labels(tree: Tree) -> None:
    """_safe_label over every label made now (a _Later one is made safe when it is made)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node.label, str):
            node.label = _safe_label(node.label)
        stack.extend(node.children)


def _safe_label(label: str) -> str:
    """The one redaction rule (model.redaction) over a label, whatever value it quotes: no URL
    password, no `password=...`. Values of secret fields are never put in a label. No control
    character or bidirectional override either (model.control_chars): the tree goes to the
    terminal unfiltered, with rich's colours."""
    return escape_bidi(escape_controls(redact_text(label)))


def _add_variables(root: Tree, doc, env: Environment | None, extra_secrets: Iterable[str] | SecretFields) -> None:
    """The environment variables the file uses and how each is set now (never a secret's value)."""
    uses = variables_used(doc, env, extra_secrets)
    if not uses:
        return
    node = root.add(f"[bold]Environment variables[/] ({len(uses)})")
    for use in uses:
        source = use.source
        if source is not None and source.is_set:
            state = f"[green]set[/] ({escape(source.origin)})"
        elif use.required:
            state = "[bold red]unset: required, the server will not start[/]"
        elif use.defaults:
            defaults = [MASK] * len(use.defaults) if use.secret else [escape(redact_text(d)) for d in use.defaults]
            state = "unset → default " + ", ".join(f"'{d}'" for d in defaults)
        else:
            state = "[dim]unset (optional)[/]"
        where = ", ".join(format_path(p) for p in use.paths[:3]) + (f" (+{len(use.paths) - 3} more)" if len(use.paths) > 3 else "")
        node.add(f"[bold]{escape(use.name)}[/]  {state}  [dim]{escape(where)}[/]")


# rich's Tree guides: (continuation under a last child, under another child, a child, the last child)
_GUIDES = ("    ", "│   ", "├── ", "└── ")


def tree_lines(tree: Tree, prefix: str = "", child_prefix: str = "") -> Iterator[tuple[str, "str | _Later"]]:
    """(guide prefix, label markup) of every node, depth first: the lines rich's Tree prints.

    rich lays out the whole tree in memory before printing its first line (50,000 providers:
    half a minute and half a gigabyte); writing the lines one by one takes a second."""
    yield prefix, tree.label
    for i, child in enumerate(tree.children):
        last = i == len(tree.children) - 1
        yield from tree_lines(child, child_prefix + _GUIDES[3 if last else 2], child_prefix + _GUIDES[0 if last else 1])


_TAG = re.compile(r"\[[a-z#/@][^[]*?]")  # RE_TAGS without its leading backslashes: it can skip to each `[`
_TAG_START = re.compile(r"\[[a-z#/@]")


def escape(text: str) -> str:
    """rich.markup.escape, which changes only a `[` tag or a trailing backslash: most labels
    have neither and are returned as they are (400,000 regex passes on 50,000 providers; a
    path's `[0]` is not a tag)."""
    return text if not text.endswith("\\") and ("[" not in text or not _TAG_START.search(text)) else _rich_escape(text)


def plain_text(markup: str) -> str:
    """What rich prints for `markup` without colours (its tags dropped and escapes applied, as
    rich.markup.render(markup, emoji=False) does), without building styled Text for every line.
    Emoji codes are not replaced: they would turn a value as written (`provider_id: db:key:1`)
    into another (`db🔑1`)."""
    if "\\" not in markup:  # (no escapes: every match of RE_TAGS is a tag, dropped; most labels)
        return _TAG.sub("", markup)
    parts: list[str] = []
    position = 0
    for match in RE_TAGS.finditer(markup):
        full, escapes, _ = match.groups()
        start, end = match.span()
        if start > position:
            parts.append(markup[position:start])
        position = end
        if escapes:
            backslashes, escaped = divmod(len(escapes), 2)
            parts.append("\\" * backslashes)
            if escaped:
                parts.append(full[len(escapes):])
    if position < len(markup):
        parts.append(markup[position:])
    return "".join(parts)


def print_tree(tree: Tree, console: Console, size: int = 0) -> None:
    """Print `tree` line by line; `size`: the length of the file's text. A large file's lines
    go out in two halves, the second one's labels made on the second core meanwhile
    (model/second_core.py); a terminal gets them one by one, in colour."""
    if console.is_terminal:  # colours; the terminal wraps long lines
        for prefix, label in tree_lines(tree):
            console.print(Text(prefix, style="tree.line") + Text.from_markup(str(label), emoji=False), soft_wrap=True)
        return
    out = console.file

    def write(lines: Iterable[tuple[str, str | _Later]]) -> None:
        for prefix, label in lines:
            out.write(_plain_line(prefix, label))

    if not may_fork(size):
        write(tree_lines(tree))
        return
    lines = list(tree_lines(tree))
    half = len(lines) // 2
    _, second = on_both_cores(lambda: write(lines[:half]), lambda: "".join(_plain_line(prefix, label) for prefix, label in lines[half:]), size)
    out.write(second)


def _plain_line(prefix: str, label: str | _Later) -> str:
    """A tree line as rich prints it without colours; a label's own line breaks continue under
    the guides."""
    text = plain_text(str(label))
    if "\n" not in text:
        return prefix + text + "\n"
    lines = text.split("\n")
    guide = prefix[: len(prefix) - 4] + ("    " if prefix.endswith(_GUIDES[3]) else "│   ") if prefix else ""
    return prefix + lines[0] + "".join("\n" + guide + line for line in lines[1:]) + "\n"


def run(args: argparse.Namespace) -> int:
    env = environment(args) if args.env_file else None  # a malformed env file: exit 2 with its line
    sources = read_sources(args, configs_only=True)
    console = Console(file=raw(sys.stdout), highlight=False)
    print_error = ErrorPrinter()
    statuses = []
    for loaded in load_all(args, sources):
        if loaded.error is not None:
            print_error(loaded.error)
            statuses.append(EXIT_BAD_INPUT)
            continue
        for tree in build_tree(loaded.doc, loaded.source.label, env, release_secret_fields(loaded.doc.data, loaded.release), loaded.release):
            print_tree(tree, console, len(loaded.doc.text))
        statuses.append(EXIT_OK)
    status = worst(*statuses)
    if several(args, sources) and not lone_error(sources, status):
        unreadable = statuses.count(EXIT_BAD_INPUT)
        console.file.flush()  # the trees before the summary, also when both go to one terminal
        print(f"{plural(len(sources), 'file')}: {len(sources) - unreadable} shown" + (f", {unreadable} unreadable" if unreadable else ""), file=sys.stderr)
    return status
