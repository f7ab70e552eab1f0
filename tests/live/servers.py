"""Throwaway PostgreSQL 15 and Redis servers on free loopback ports.

Shared by the live-test fixtures (tests/live/conftest.py) and the probe benchmark
(bench/probes.py), so both talk to servers set up the same way:

* PostgreSQL 15 from /usr/lib/postgresql/15/bin, initialised in a fresh directory with
  scram-sha-256 password authentication for every TCP and local connection, listening on
  127.0.0.1 only (no Unix socket). initdb and postgres refuse to run as root, so as root both
  run as `nobody`, which owns the data directory. Two login roles: OWNER owns DATABASE (and so
  may create tables in its public schema), READER may connect but, PostgreSQL 15 having
  revoked CREATE on public from PUBLIC, may not create tables.
* Redis (`redis-server` on PATH) without persistence (`--save '' --appendonly no`).

`ServerUnavailable` means the binaries are missing or the server did not come up; the fixtures
turn it into a skip, or a failure when LLAMA_CONFIG_REQUIRE_LIVE=1.
"""

from __future__ import annotations

import os
import pwd
import shutil
import selectors
import signal
import socket
import struct
import threading
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

PG_BIN = Path(os.environ.get("LLAMA_CONFIG_PG_BIN", "/usr/lib/postgresql/15/bin"))
UNPRIVILEGED_USER = "nobody"

# Passwords with characters that URL encoding changes, so a leak of either form is caught.
OWNER, OWNER_PASSWORD = "llama", "S3cr@t/pw:%owner!"
READER, READER_PASSWORD = "reader", "R3ad#er pw+?&"
SUPERUSER, SUPERUSER_PASSWORD = "pgadmin", "Sup3r+admin/pw"
DATABASE = "llamastack"


class ServerUnavailable(RuntimeError):
    """The server binaries are missing or the server did not start."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, what: str, log: Path | None, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            detail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise ServerUnavailable(f"{what} exited with code {proc.returncode}\n{detail}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise ServerUnavailable(f"{what} did not listen on 127.0.0.1:{port} within {seconds:.0f} s")


def _stop(proc: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@dataclass
class PostgresServer:
    host: str
    port: int
    directory: Path
    process: subprocess.Popen | None = field(default=None, repr=False)
    database: str = DATABASE
    owner: str = OWNER
    owner_password: str = field(default=OWNER_PASSWORD, repr=False)
    reader: str = READER
    reader_password: str = field(default=READER_PASSWORD, repr=False)

    def backend(self, type_: str = "kv_postgres", **overrides) -> dict:
        """A storage.backends entry for this server, as OWNER unless overridden."""
        return {"type": type_, "host": self.host, "port": self.port, "db": self.database,
                "user": self.owner, "password": self.owner_password, **overrides}

    def stop(self) -> None:
        _stop(self.process, signal.SIGINT)  # "fast" shutdown
        shutil.rmtree(self.directory, ignore_errors=True)


def _run_as() -> dict:
    """subprocess arguments that drop root to UNPRIVILEGED_USER (nothing when not root)."""
    if os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam(UNPRIVILEGED_USER)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _chown_tree(path: Path) -> None:
    if os.geteuid() != 0:
        return
    entry = pwd.getpwnam(UNPRIVILEGED_USER)
    for root, dirs, files in os.walk(path):
        for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
            os.chown(name, entry.pw_uid, entry.pw_gid)


def start_postgres() -> PostgresServer:
    """initdb + postgres on a free port, the two roles and the database; stop() removes it all."""
    initdb, postgres = PG_BIN / "initdb", PG_BIN / "postgres"
    if not (initdb.exists() and postgres.exists()):
        raise ServerUnavailable(f"PostgreSQL 15 is not installed ({PG_BIN} has no initdb/postgres)")
    directory = Path(tempfile.mkdtemp(prefix="llama-config-pg-"))
    data = directory / "data"
    pwfile = directory / "pwfile"
    pwfile.write_text(SUPERUSER_PASSWORD + "\n")
    _chown_tree(directory)
    as_user = _run_as()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": str(directory)}
    server = PostgresServer("127.0.0.1", free_port(), directory)
    try:
        result = subprocess.run(
            [str(initdb), "-D", str(data), "-U", SUPERUSER, f"--pwfile={pwfile}", "--auth=scram-sha-256",
             "--encoding=UTF8", "--no-sync", "--no-instructions"],
            capture_output=True, text=True, env=env, cwd=directory, timeout=120, **as_user,
        )
        if result.returncode != 0:
            raise ServerUnavailable(f"initdb failed: {result.stderr.strip()[-2000:]}")
        pwfile.unlink()
        log = directory / "postgres.log"
        with open(log, "wb") as out:
            server.process = subprocess.Popen(
                [str(postgres), "-D", str(data), "-p", str(server.port), "-c", "listen_addresses=127.0.0.1",
                 "-c", "unix_socket_directories=", "-c", "fsync=off", "-c", "synchronous_commit=off",
                 "-c", "full_page_writes=off", "-c", "max_connections=60", "-c", "ssl=off"],
                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=directory, start_new_session=True, **as_user,
            )
        _wait_for_port(server.port, server.process, "postgres", log)
        _setup_roles(server)
    except BaseException:
        server.stop()
        raise
    return server


def _setup_roles(server: PostgresServer) -> None:
    import asyncio

    import asyncpg

    async def setup() -> None:
        deadline = time.monotonic() + 30
        while True:  # the port opens a moment before the server accepts logins
            try:
                conn = await asyncpg.connect(host=server.host, port=server.port, user=SUPERUSER,
                                             password=SUPERUSER_PASSWORD, database="postgres", ssl=False, timeout=5)
                break
            except (asyncpg.CannotConnectNowError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.05)
        try:
            quote = lambda s: "'" + s.replace("'", "''") + "'"  # noqa: E731
            await conn.execute(f"CREATE ROLE {OWNER} LOGIN PASSWORD {quote(OWNER_PASSWORD)}")
            await conn.execute(f"CREATE ROLE {READER} LOGIN PASSWORD {quote(READER_PASSWORD)}")
            await conn.execute(f"CREATE DATABASE {DATABASE} OWNER {OWNER}")
        finally:
            await conn.close()

    asyncio.run(setup())


@dataclass
class RedisServer:
    host: str
    port: int
    directory: Path
    process: subprocess.Popen | None = field(default=None, repr=False)

    def backend(self, **overrides) -> dict:
        return {"type": "kv_redis", "host": self.host, "port": self.port, **overrides}

    def stop(self) -> None:
        _stop(self.process)
        shutil.rmtree(self.directory, ignore_errors=True)


def start_redis(*extra_args: str) -> RedisServer:
    binary = shutil.which("redis-server")
    if not binary:
        raise ServerUnavailable("redis-server is not installed")
    directory = Path(tempfile.mkdtemp(prefix="llama-config-redis-"))
    server = RedisServer("127.0.0.1", free_port(), directory)
    log = directory / "redis.log"
    with open(log, "wb") as out:
        server.process = subprocess.Popen(
            [binary, "--port", str(server.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(directory), "--daemonize", "no", "--protected-mode", "yes", *extra_args],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        _wait_for_port(server.port, server.process, "redis-server", log)
    except BaseException:
        server.stop()
        raise
    return server


class SilentServer:
    """A TCP listener on 127.0.0.1 that accepts every connection and never sends a byte.

    Runs in a thread, so it works whatever event loop a test uses. `accepted` counts the
    connections ever made, `open_connections` those the client has not closed yet.
    """

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.setblocking(False)
        self.port: int = self._listener.getsockname()[1]
        self.accepted = 0
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ)
        self._thread = threading.Thread(target=self._serve, name="silent-server", daemon=True)
        self._thread.start()

    @property
    def open_connections(self) -> int:
        with self._lock:
            return len(self._open)

    def _serve(self) -> None:
        while not self._stop.is_set():
            for key, _ in self._selector.select(timeout=0.05):
                sock = key.fileobj
                if sock is self._listener:
                    try:
                        conn, _ = self._listener.accept()
                    except BlockingIOError:
                        continue
                    conn.setblocking(False)
                    self._selector.register(conn, selectors.EVENT_READ)
                    with self._lock:
                        self.accepted += 1
                        self._open.add(conn)
                    continue
                try:
                    data = sock.recv(65536)  # read and ignore whatever the client sends
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if not data:  # the client closed its end
                    self._selector.unregister(sock)
                    sock.close()
                    with self._lock:
                        self._open.discard(sock)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        with self._lock:
            for conn in self._open:
                conn.close()
            self._open.clear()
        self._selector.close()
        self._listener.close()


class MisbehavingServer:
    """A TCP listener on 127.0.0.1 that does one thing to every connection it accepts, in a thread:

    * "reset": closes it at once with SO_LINGER 0, so the client gets a TCP RST;
    * "close": closes it at once, an orderly FIN, without a byte;
    * "banner": sends `banner` (say 64 MiB of text without a line end) and then keeps it open,
      reading and ignoring whatever comes, so only the client's own limits end the exchange.

    `sent` counts the banner bytes the clients took (a client that reads a bounded prefix and
    hangs up takes far fewer than a banner of 64 MiB).
    """

    def __init__(self, action: str, banner: bytes = b"") -> None:
        assert action in ("reset", "close", "banner")
        self.action = action
        self.banner = banner
        self.sent = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._thread = threading.Thread(target=self._serve, name=f"{action}-server", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            if self.action == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
            elif self.action == "close":
                conn.close()
            else:
                thread = threading.Thread(target=self._send_banner, args=(conn,), daemon=True)
                self._threads.append(thread)
                thread.start()

    def _send_banner(self, conn: socket.socket) -> None:
        conn.settimeout(0.05)
        view = memoryview(self.banner)
        try:
            while not self._stop.is_set():
                if view:
                    try:
                        n = conn.send(view[: 1 << 16])
                        view = view[n:]
                        self.sent += n
                    except TimeoutError:
                        pass
                try:
                    if conn.recv(65536) == b"" and not view:
                        return
                except TimeoutError:
                    pass
        except OSError:  # the client hung up
            return
        finally:
            conn.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        for thread in self._threads:
            thread.join(timeout=5)
        self._listener.close()
