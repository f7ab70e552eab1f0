"""Seeded fuzz test: every command, in-process, on mutated corpus files.

Each case takes a file from tests/corpus/ or tests/files/reliability/, applies one to three
mutations (tests/fuzz_mutations.py: byte flips, deleted/duplicated lines, indentation shifts,
tricky scalars, tags, anchors and aliases, alias bombs, BOMs, CR/CRLF, NEL/LS/PS line breaks,
comments, quoted and explicit keys, directives and document markers, folded plain values, deep
nesting, huge keys, truncation), plants a secret in a third of them, and runs one command on it.
For every case:
- no exit 3 (internal error) and no traceback;
- the planted secret (a secret-named key's value or a URL's password) is printed nowhere;
- no hang (a generous per-case alarm detects one; it is not a timing assertion);
- when llama-config reads the file, its data is what yaml.safe_load (the server's loader) reads;
- a command that fails leaves the file byte for byte as it was (read-only commands always do);
- `set` with nothing to change (no assignment, or a value equal to the current one) re-saves
  the file byte-identical;
- after a successful edit the file's data is yaml.safe_load's, with exactly the intended change.

LLAMA_CONFIG_FUZZ_SEED and LLAMA_CONFIG_FUZZ_CASES override the seed and the number of cases
for long campaigns (a failing case prints both, and the mutations, to reproduce it).
test-connections runs with a 0.05 s timeout, and a guard refuses every connection and name
lookup that would leave this machine.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import random
import re
import signal
import socket
import threading
from pathlib import Path

import pytest
import yaml

from llama_config.model.document import Document
from llama_config.model.errors import ConfigFileError
from llama_config.model.fields import parse_value
from llama_config.model.redaction import is_secret_key
from llama_config.model.releases import load_release, parse_server
from llama_config.model.releases.detect import detect
from llama_config.model.releases import available_lines
from llama_config.model.yamldata import copy_data, same_data
from llama_config.model.yamlpath import format_path, parse_path
from tests.fuzz_mutations import SCALARS, mutate, plant_secret
from llama_config.tui.cli import main
from llama_config.tui.safe_output import ControlSafe

SEED = int(os.environ.get("LLAMA_CONFIG_FUZZ_SEED", "20260903"))
CASES = int(os.environ.get("LLAMA_CONFIG_FUZZ_CASES", "500"))
HANG_SECONDS = 60  # a hang detector only: a case takes milliseconds
# what no output may hold (model/control_chars.py): a config's own text, which goes out as it
# is, cannot hold these raw, and a bare CR is its line break
_TERMINAL_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x80-\x84\x86-\x9f\ud800-\udfff]")

TESTS = Path(__file__).parent
SOURCES = sorted((TESTS / "corpus").rglob("*.yaml")) + sorted((TESTS / "files" / "reliability").rglob("*.yaml"))

# command name -> weight
COMMANDS = {
    "validate": 3, "validate-json": 2, "show": 3, "set": 6, "set-same": 3, "set-nothing": 2, "unset": 4,
    "rename-backend": 3, "migrate-dry-run": 2, "migrate-write": 3, "test-connections": 2, "schema": 1, "init": 1,
    "upgrade-dry-run": 2, "upgrade-write": 3, "add-provider": 3, "remove-provider": 3, "rename-provider": 3,
}  # fmt: skip
READ_ONLY = {"validate", "validate-json", "show", "migrate-dry-run", "upgrade-dry-run", "test-connections", "schema", "init"}
NEW_BACKEND = "kv_fuzz_renamed"


def _typed(text: str, data: dict, path: tuple, argv: list[str]):
    """What `set` makes of `text` at `path`: typed as the command's --server release, else as
    the one the file was written for."""
    server = argv[argv.index("--server") + 1] if "--server" in argv else None
    return parse_value(text, data, path, load_release(parse_server(server) if server else detect(data).line))


class Hang(BaseException):
    """Raised by the watchdog; a BaseException so the CLI's `except Exception` lets it through."""


@contextlib.contextmanager
def watchdog(seconds: int):
    def fire(signum, frame):
        raise Hang(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


_LOCAL = {None, "localhost", "127.0.0.1", "::1", "ip6-localhost"}


@pytest.fixture
def no_network(monkeypatch):
    """Names other than localhost do not resolve and only loopback addresses connect."""
    real_getaddrinfo, real_connect, real_connect_ex = socket.getaddrinfo, socket.socket.connect, socket.socket.connect_ex

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in _LOCAL and not str(name).startswith("127."):
            raise socket.gaierror(socket.EAI_NONAME, "fuzz test: no name lookups off this machine")
        return real_getaddrinfo(host, *args, **kwargs)

    def allowed(address) -> bool:
        return not isinstance(address, tuple) or str(address[0]) in _LOCAL or str(address[0]).startswith("127.")

    def connect(self, address):
        if not allowed(address):
            raise OSError(errno.ENETUNREACH, "fuzz test: no connections off this machine")
        return real_connect(self, address)

    def connect_ex(self, address):
        return real_connect_ex(self, address) if allowed(address) else errno.ENETUNREACH

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


def pyyaml_load(data: bytes):
    """yaml.safe_load's result, or the exception it raises. In a fresh thread: PyYAML recurses
    per nesting level, and it must start from an empty stack, as it does in the server."""
    box: list = []

    def load():
        try:
            box.append(("ok", yaml.safe_load(data)))
        except BaseException as exc:  # RecursionError included
            box.append(("error", exc))

    thread = threading.Thread(target=load)
    thread.start()
    thread.join()
    return box[0]


def our_load(data: bytes):
    try:
        return Document.from_bytes(data)
    except ConfigFileError:
        return None


def walk_paths(data, limit: int = 3000) -> list[tuple[tuple, object]]:
    """(path, value) of the mappings' entries and the lists' items, breadth first, each shared
    container once (an alias does not multiply the walk)."""
    out, seen, queue = [], set(), [((), data)]
    while queue and len(out) < limit:
        path, value = queue.pop(0)
        if isinstance(value, (dict, list)):
            if id(value) in seen:
                continue
            seen.add(id(value))
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in items:
                if isinstance(key, (str, int)) and not isinstance(key, bool):
                    out.append((path + (key,), child))
                    queue.append((path + (key,), child))
    return out


def with_set(data, path: tuple, value):
    """`data` after `set path=value` as the command defines it: mappings created where the path
    has none (or a null)."""
    out = copy_data(data)
    target = out
    for part in path[:-1]:
        if isinstance(target, dict) and not isinstance(target.get(part), (dict, list)):
            target[part] = {}
        target = target[part]
    target[path[-1]] = value
    return out


def without(data, path: tuple):
    out = copy_data(data)
    target = out
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return out


_ABSENT = object()


def renamed_back(data, old: str, new: str, stores_before):
    """`data` after a rename, with the rename undone: the backend's key and every `backend:`
    value that names it go back to `old`; stores the rename wrote out are dropped, and
    `storage.stores` is put back as it was when it was not a mapping (or _ABSENT)."""
    out = copy_data(data)
    backends = out.get("storage", {}).get("backends")
    if isinstance(backends, dict) and new in backends:
        items = list(backends.items())
        backends.clear()
        backends.update((old if k == new else k, v) for k, v in items)
    stack, seen = [out], set()
    while stack:
        value = stack.pop()
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, dict):
            if value.get("backend") == new:
                value["backend"] = old
            stack.extend(v for v in value.values() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend(v for v in value if isinstance(v, (dict, list)))
    stores = out.get("storage", {}).get("stores")
    if isinstance(stores, dict) and stores_before is _ABSENT:
        del out["storage"]["stores"]
    elif isinstance(stores, dict) and not isinstance(stores_before, dict):
        out["storage"]["stores"] = stores_before
    elif isinstance(stores, dict):
        for name in [k for k in stores if k not in stores_before]:
            del stores[name]
    return out


def _held_as_a_secret(data, secret: str) -> bool:
    """Whether every value that holds `secret` is one the redaction rule must mask: a
    secret-named key's value (a placeholder's default included), or a URL's password. (A
    mutation may have made it a key, a comment's text or part of another value.)"""
    held = False
    for path, value in walk_paths(data, limit=100_000):
        if any(isinstance(part, str) and secret in part for part in path):
            return False  # a key
        if not isinstance(value, str) or secret not in value:
            continue
        if f":{secret}@" in value and value.count(secret) == 1:
            held = True
        elif value in (secret, f"{secret} more", f"${{env.FUZZ_PW:={secret}}}") and is_secret_key(path[-1]):
            held = True
        else:
            return False
    return held


def _cli_path(rng: random.Random, paths: list[tuple[tuple, object]], want) -> tuple | None:
    """A random path among `paths` whose value passes `want` and that the CLI can spell."""
    candidates = [p for p, v in paths if want(v)]
    rng.shuffle(candidates)
    for path in candidates[:20]:
        try:
            if parse_path(format_path(path)) == path:
                return path
        except ValueError:
            continue
    return None


def _scalar_text(value) -> str:
    """How an operator would type `value` on the command line."""
    if isinstance(value, str):
        return value
    return yaml.safe_dump(value, default_flow_style=True).removesuffix("\n...\n").strip()


class Case:
    def __init__(self, index: int, tmp_path: Path):
        self.rng = rng = random.Random(f"{SEED}-{index}")
        self.source = rng.choice(SOURCES)
        self.data, self.mutations = mutate(self.source.read_bytes(), rng)
        # a third of the files hold a secret no output may show (its own Random: the cases of a
        # seed stay the cases they were)
        planting = random.Random(f"{SEED}-{index}-secret")
        self.secret = None
        if planting.random() < 0.35:
            self.data, self.secret = plant_secret(self.data, planting)
            self.mutations.append("plant_secret")
        self.command = rng.choices(list(COMMANDS), weights=list(COMMANDS.values()))[0]
        self.file = tmp_path / "run.yaml"
        self.file.write_bytes(self.data)
        self.tmp_path = tmp_path

    def describe(self) -> str:
        return (f"seed {SEED}: {self.source.relative_to(TESTS)} + {', '.join(self.mutations)}; "
                f"reproduce with LLAMA_CONFIG_FUZZ_SEED={SEED}")  # fmt: skip


def _argv(case: Case, py_data):
    """The command line for the case and what a successful run must have done to the data
    (a function of the data before; None when only "PyYAML reads what we read" is checked)."""
    rng, file = case.rng, str(case.file)
    server = ["--server", rng.choice(available_lines())] if rng.random() < 0.3 else []
    paths = walk_paths(py_data) if isinstance(py_data, dict) else []
    write = (["--force"] if rng.random() < 0.5 else []) + (["--no-backup"] if rng.random() < 0.5 else [])
    command = case.command
    if command == "validate":
        return ["validate", file, *server], None
    if command == "validate-json":
        return ["validate", file, "--json", *server], None
    if command == "show":
        return ["show", file, *server], None
    if command == "schema":
        return ["schema"], None
    if command == "init":
        return ["init", file, "--no-input"], None
    if command == "test-connections":
        return ["test-connections", file, "--timeout", "0.05", *(["--json"] if rng.random() < 0.5 else [])], None
    if command == "migrate-dry-run":
        return ["migrate", file, "--dry-run", *server], None
    if command == "migrate-write":
        return ["migrate", file, "--write", *write, *server], None
    if command == "set-nothing":
        return ["set", file, *server], "same"
    if command == "set-same":
        path = _cli_path(rng, paths, lambda v: v is None or isinstance(v, (str, int, float, bool)))
        if path is None:
            return ["set", file], "same"
        text = _scalar_text(dict(paths)[path])
        return ["set", file, f"{format_path(path)}={text}", *server], ("set", path, text)
    if command == "set":
        choice = rng.random()
        if choice < 0.5 and (path := _cli_path(rng, paths, lambda v: not isinstance(v, (dict, list)))):
            pass
        elif choice < 0.8 and (parent := _cli_path(rng, paths, lambda v: isinstance(v, dict))):
            path = parent + (rng.choice(["fuzz_key", "port", "db_path", "backend", "namespace", "a b", "x.y"]),)
        else:
            path = rng.choice([("server", "port"), ("storage", "backends", "kv_fuzz"), ("image_name",), ("storage", "stores", "metadata", "backend")])
        text = rng.choice(SCALARS + ["8322", "{type: kv_sqlite, db_path: /tmp/fuzz.db}", "kv_default"])
        return ["set", file, f"{format_path(path)}={text}", *write, *server], ("set", path, text)
    if command == "unset":
        path = _cli_path(rng, paths, lambda v: True) or ("server", "port")
        return ["set", file, "--unset", format_path(path), *write, *server], ("unset", path)
    if command in ("upgrade-dry-run", "upgrade-write"):
        to = rng.choice(available_lines() + ("latest", "0.2", "9.9"))
        how = ["--dry-run"] if command == "upgrade-dry-run" else ["--write", *write]
        return ["upgrade", file, "--to", to, *how, *(["--from", rng.choice(available_lines())] if rng.random() < 0.2 else [])], None
    if command == "add-provider":
        release = load_release(parse_server(server[1]) if server else detect(py_data if isinstance(py_data, dict) else {}).line)
        # (mostly arguments that work, so that the edit itself is what gets fuzzed)
        api = rng.choice(sorted(release.providers)) if rng.random() < 0.9 else "no_such_api"
        types = sorted(release.providers.get(api, {}))
        kind = rng.choice(types) if types and rng.random() < 0.9 else "remote::no-such-type"
        values = [f"{rng.choice(['base_url', 'api_key', 'url', 'db_path', 'fuzz'])}={rng.choice(SCALARS)}" for _ in range(rng.choice([0, 0, 0, 1, 2]))]
        ident = ["--id", rng.choice(["fuzz", "x y", "${env.X:+fuzz}", ""])] if rng.random() < 0.25 else []
        return ["add-provider", file, api, kind, *values, *ident, *write, *server], None
    if command in ("remove-provider", "rename-provider"):
        entries = [(path[1], value.get("provider_id")) for path, value in paths if len(path) == 3 and path[0] == "providers" and isinstance(value, dict)]
        api, ident = rng.choice(entries) if entries else ("inference", "ollama")
        api, ident = str(api), str(ident)
        if command == "rename-provider":
            return ["rename-provider", file, api, ident, rng.choice(["fuzz-renamed", ident, "x y", ""]), *write, *server], None
        resources = rng.choice([[], ["--remove-resources"], ["--move-resources-to", rng.choice([e[1] for e in entries] or ["x"])]])
        return ["remove-provider", file, api, ident, *[str(r) for r in resources], *write, *server], None
    if command == "rename-backend":
        backends = (py_data or {}).get("storage", {}) if isinstance(py_data, dict) else {}
        backends = backends.get("backends") if isinstance(backends, dict) else None
        names = [k for k in backends if isinstance(k, str)] if isinstance(backends, dict) else []
        old = rng.choice(names) if names else "kv_default"
        return ["rename-backend", file, old, NEW_BACKEND, *write, *server], ("rename", old)
    raise AssertionError(command)


def _is_unchanged(data, path: tuple, text: str, argv: list[str]) -> bool:
    """Whether `set path=text` sets the value it already has."""
    current = dict(walk_paths(data)).get(path, _ABSENT)
    return current is not _ABSENT and same_data(_typed(text, data, path, argv), current)


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    # (the streams console_main gives a command: see tui/safe_output.py)
    with contextlib.redirect_stdout(ControlSafe(out)), contextlib.redirect_stderr(ControlSafe(err)), watchdog(HANG_SECONDS):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("index", range(CASES))
def test_fuzz_case(index, tmp_path, monkeypatch, no_network):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))  # `~/...` SQLite paths stay inside the test's directory
    monkeypatch.delenv("LLAMA_CONFIG_DEBUG", raising=False)
    monkeypatch.delenv("LLAMA_CONFIG_SERVER", raising=False)
    for colours in ("FORCE_COLOR", "TTY_COMPATIBLE"):  # (rich would colour show's output: escapes the check below takes for a value's)
        monkeypatch.delenv(colours, raising=False)
    case = Case(index, tmp_path)
    where = case.describe()

    py_status, py_data = pyyaml_load(case.data)
    ours = our_load(case.data)
    if ours is not None:  # what we read, the server reads the same
        assert py_status == "ok", f"{where}: llama-config reads a file PyYAML refuses ({py_data!r})"
        assert same_data(ours.data, py_data), f"{where}: llama-config reads other data than PyYAML"
    old_data = ours.data if ours is not None else None

    argv, intent = _argv(case, old_data)
    code, out, err = _run(argv)
    after = case.file.read_bytes()
    where += f"; command: {' '.join(argv[:1] + argv[2:])}; exit {code}; stderr: {err[-2000:]}"

    assert code != 3 and "internal error" not in err, where
    assert "Traceback" not in err and "Traceback" not in out, where
    control = _TERMINAL_CONTROL.search(out + err)
    assert control is None, f"{where}: {control[0]!r} printed: a terminal would act on it, or cannot take it"
    if case.secret and py_status == "ok" and _held_as_a_secret(py_data, case.secret):
        assert case.secret not in out + err, f"{where}: a secret was printed"
    if code != 0 or case.command in READ_ONLY:
        assert after == case.data, f"{where}: the file changed"
        return
    if intent == "same" or (intent and intent[0] == "set" and _is_unchanged(old_data, intent[1], intent[2], argv)):
        assert after == case.data, f"{where}: a save with nothing to change is not byte-identical"
        return
    status, new_data = pyyaml_load(after)
    assert status == "ok", f"{where}: PyYAML cannot read the saved file: {new_data!r}"
    reread = our_load(after)
    assert reread is not None and same_data(reread.data, new_data), f"{where}: the saved file reads differently than PyYAML reads it"
    if intent is None:  # migrate, upgrade and the provider commands: their edits are tested in their own tests
        return
    if intent[0] == "set":
        expected = with_set(old_data, intent[1], _typed(intent[2], old_data, intent[1], argv))
    elif intent[0] == "unset":
        expected = without(old_data, intent[1])
    else:
        storage = old_data.get("storage")
        stores = storage.get("stores", _ABSENT) if isinstance(storage, dict) else _ABSENT
        expected = old_data
        new_data = renamed_back(new_data, intent[1], NEW_BACKEND, stores)
    assert same_data(new_data, expected), f"{where}: the saved data is not the intended change"
