"""Saves never show a config to other users, never leave FILE.bak changed by a failed save, and
survive `kill -9` at any point (model.safefile.atomic_write).

Real processes and real file systems: another user (`nobody`) watches the directory during
saves; failures are real kernel errors (an immutable file, a full or read-only tmpfs); a child
process saving in a loop is killed with SIGKILL at seeded random moments.
"""

from __future__ import annotations

import fcntl
import json
import os
import pwd
import random
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import threading
from pathlib import Path

import pytest

from llama_config.model.errors import SaveError
from llama_config.model.safefile import TEMP_MARK, atomic_write, read_config_bytes, remove_stale_temps
from tests.test_safefile import mode_of, python_for_nobody, sandbox, tiny_fs, write  # noqa: F401 (fixtures)

REPO = Path(__file__).resolve().parent.parent
SECRET = b"password: hunter2-TOP-SECRET\n"


def ours(directory: Path) -> list[str]:
    """Our temporary files in `directory` (left over, or of a save in progress)."""
    return sorted(p.name for p in directory.iterdir() if TEMP_MARK in p.name)


def needs_root_and_nobody() -> str:
    if os.geteuid() != 0:
        pytest.skip("watching as another user needs root to switch users")
    return python_for_nobody()


# --------------------------------------------------------------------------- another user watching

# Polls the directory as fast as it can; for every temporary file of ours it sees, records its
# mode and tries to read it. Prints one line per new file seen, then a JSON summary at the end.
_WATCHER = textwrap.dedent(
    """
    import json, os, stat, sys
    directory, stop, mark = sys.argv[1], sys.argv[2], sys.argv[3]
    seen, modes, read, errors = set(), set(), 0, set()
    print("ready", flush=True)
    while not os.path.exists(stop):
        for entry in os.scandir(directory):
            if mark not in entry.name:
                continue
            try:
                mode = stat.S_IMODE(os.stat(entry.path).st_mode)
            except OSError:
                continue
            modes.add(mode)
            if entry.name not in seen:
                seen.add(entry.name)
                print("seen", flush=True)
            try:
                with open(entry.path, "rb") as f:
                    if f.read():
                        read += 1
            except OSError as exc:
                errors.add(type(exc).__name__)
    print(json.dumps({"seen": len(seen), "modes": sorted(modes), "read": read, "errors": sorted(errors)}), flush=True)
    """
)


def _watch_while(directory: Path, watcher: list[str], save) -> dict:
    """Run `save()` repeatedly while `watcher` polls `directory`, until it has seen 20 of our
    temporary files (or 400 saves); return its summary."""
    stop = directory.parent / "stop"
    proc = subprocess.Popen(watcher + ["-c", _WATCHER, str(directory), str(stop), TEMP_MARK],
                            stdout=subprocess.PIPE, text=True, cwd="/")
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    seen = threading.Semaphore(0)
    lines: list[str] = []

    def reader() -> None:
        for line in proc.stdout:
            lines.append(line)
            if line.strip() == "seen":
                seen.release()

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        count = 0
        for _ in range(400):
            save()
            while seen.acquire(blocking=False):
                count += 1
            if count >= 20:
                break
    finally:
        stop.touch()
        proc.wait(timeout=60)
        thread.join(timeout=60)
    return json.loads(lines[-1])


@pytest.fixture
def shared_dir():
    """A directory every user can list and enter (pytest's tmp_path may sit under 0o700)."""
    base = Path(tempfile.mkdtemp(prefix="llama-config-watch-"))
    os.chmod(base, 0o755)
    work = base / "work"
    work.mkdir(mode=0o755)
    os.chmod(work, 0o755)
    try:
        yield work
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_other_user_never_reads_a_save_in_progress(shared_dir: Path) -> None:
    python = needs_root_and_nobody()
    f = write(shared_dir / "run.yaml", SECRET, 0o600)
    big = SECRET * 60_000  # ~1.7 MiB: writing and fsyncing it keeps each temporary file around
    old_umask = os.umask(0o022)
    try:
        summary = _watch_while(
            shared_dir,
            ["setpriv", "--reuid=nobody", "--regid=nogroup" if _has_group("nogroup") else "--regid=nobody",
             "--clear-groups", python, "-I", "-B"],
            lambda: atomic_write(str(f), big, snapshot=None),
        )
    finally:
        os.umask(old_umask)
    print(f"watcher as nobody: {summary}")
    assert summary["seen"] > 0, summary  # it did watch saves in progress
    assert summary["read"] == 0, summary
    assert summary["modes"] == [0o600], summary
    assert mode_of(f) == 0o600
    assert ours(shared_dir) == []


def test_save_as_unprivileged_user_creates_temps_with_the_final_mode(shared_dir: Path, sandbox) -> None:
    # The saver is `nobody`, with a umask that would give 0644; root watches the modes.
    python = needs_root_and_nobody()
    lib, _ = sandbox
    nobody = pwd.getpwnam("nobody")
    os.chown(shared_dir, nobody.pw_uid, nobody.pw_gid)
    f = write(shared_dir / "run.yaml", SECRET, 0o600)
    os.chown(f, nobody.pw_uid, nobody.pw_gid)
    saver = textwrap.dedent(
        """
        import os, sys
        sys.path.insert(0, sys.argv[1])
        from llama_config.model.safefile import atomic_write
        os.umask(0o022)
        for line in sys.stdin:
            atomic_write(sys.argv[2], b"password: s3cret\\n" * 100_000, snapshot=None)
            print("saved", flush=True)
        """
    )
    proc = subprocess.Popen([python, "-I", "-B", "-c", saver, str(lib), str(f)], user="nobody", cwd="/",
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def save() -> None:
        proc.stdin.write("\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "saved"

    try:
        summary = _watch_while(shared_dir, [sys.executable, "-I", "-B"], save)
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
    assert summary["seen"] > 0, summary
    assert summary["modes"] == [0o600], summary
    assert mode_of(f) == 0o600 and os.stat(f).st_uid == nobody.pw_uid
    assert ours(shared_dir) == []


def _has_group(name: str) -> bool:
    import grp

    try:
        grp.getgrnam(name)
    except KeyError:
        return False
    return True


# --------------------------------------------------------------------------- stale temporary files


def test_next_save_removes_temps_a_killed_save_left(tmp_path: Path) -> None:
    f = write(tmp_path / "run.yaml", b"old\n", 0o600)
    stale = [write(tmp_path / f".run.yaml{TEMP_MARK}0123456789ab.tmp", SECRET, 0o600),
             write(tmp_path / f".run.yaml.bak{TEMP_MARK}ba9876543210.tmp", SECRET, 0o600)]
    keep = [write(tmp_path / f".other.yaml{TEMP_MARK}0123456789ab.tmp", b"x"),  # another file's
            write(tmp_path / ".run.yaml.1234.tmp", b"x"),  # not our naming
            write(tmp_path / f".run.yaml{TEMP_MARK}notatempfile", b"x")]
    planted = tmp_path / f".run.yaml{TEMP_MARK}5555aaaa5555.tmp"  # a symlink is never followed
    planted.symlink_to(tmp_path / "victim")
    write(tmp_path / "victim", b"victim\n")
    # A save in progress in another process holds its lock: its file must survive.
    busy = write(tmp_path / f".run.yaml{TEMP_MARK}b0b0b0b0b0b0.tmp", b"in progress\n", 0o600)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); "
         "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); sys.stdin.read()", str(busy)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        atomic_write(str(f), b"new\n", snapshot=None)
        assert f.read_bytes() == b"new\n"
        assert not any(p.exists() for p in stale)
        assert all(p.exists() for p in keep)
        assert planted.is_symlink() and (tmp_path / "victim").read_bytes() == b"victim\n"
        assert busy.exists()
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    # Its process is gone: now it is stale too.
    assert remove_stale_temps(str(tmp_path), "run.yaml") == [busy.name]


# --------------------------------------------------------------------------- failed saves


def _state(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file() and not p.is_symlink()}


def test_failure_of_the_last_rename_puts_the_previous_backup_back(tmp_path: Path, monkeypatch) -> None:
    # The file is made immutable (chattr +i) just before it is replaced: the kernel refuses the
    # rename after the backup was already renamed into place, so the backup must be put back.
    f = write(tmp_path / "run.yaml", b"current\n", 0o600)
    write(tmp_path / "run.yaml.bak", b"previous backup\n", 0o600)
    if subprocess.run(["chattr", "+i", str(f)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here (needs root and a file system with the flag)")
    subprocess.run(["chattr", "-i", str(f)], check=True)
    before = _state(tmp_path)
    real_replace = os.replace

    def replace_onto_immutable(src, dst, *args, **kwargs):
        if str(dst) == str(f):
            subprocess.run(["chattr", "+i", str(f)], check=True)
        return real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace_onto_immutable)
    try:
        with pytest.raises(SaveError) as info:
            atomic_write(str(f), b"new\n", snapshot=None)
    finally:
        subprocess.run(["chattr", "-i", str(f)], check=True)
    assert info.value.message == f"cannot write {f}: Operation not permitted"
    assert _state(tmp_path) == before
    assert ours(tmp_path) == []
    # Without an earlier backup, the one just made is removed again.
    (tmp_path / "run.yaml.bak").unlink()
    monkeypatch.setattr(os, "replace", replace_onto_immutable)
    try:
        with pytest.raises(SaveError):
            atomic_write(str(f), b"new\n", snapshot=None)
    finally:
        subprocess.run(["chattr", "-i", str(f)], check=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.yaml"]


def test_disk_full_while_writing_the_backup(tiny_fs: Path) -> None:
    # 40 KiB file on a 64 KiB file system: the 1 KiB new content fits, its backup copy does not.
    f = write(tiny_fs / "run.yaml", b"a" * 40_000, 0o640)
    write(tiny_fs / "run.yaml.bak", b"previous backup\n")
    before = _state(tiny_fs)
    _, snap = read_config_bytes(str(f))
    with pytest.raises(SaveError) as info:
        atomic_write(str(f), b"b" * 1024, snapshot=snap)
    assert info.value.message == f"cannot write {f}: No space left on device (while saving the backup {f}.bak)"
    assert _state(tiny_fs) == before
    assert ours(tiny_fs) == []


def test_read_only_file_system(tiny_fs: Path) -> None:
    f = write(tiny_fs / "run.yaml", b"current\n", 0o600)
    write(tiny_fs / "run.yaml.bak", b"previous backup\n")
    before = _state(tiny_fs)
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_fs)], check=True)
    try:
        with pytest.raises(SaveError) as info:
            atomic_write(str(f), b"new\n", snapshot=None)
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(tiny_fs)], check=True)
    assert "read-only" in info.value.message
    assert _state(tiny_fs) == before


def test_directory_made_read_only_during_the_save_as_unprivileged_user(sandbox) -> None:
    # `nobody` saves; its directory turns read-only between writing the temporary files and
    # renaming them (a real EACCES). FILE and FILE.bak stay; the temporary files cannot be
    # removed from a read-only directory, but they are private, and the next save removes them.
    needs_root_and_nobody()
    lib, work = sandbox
    nobody = pwd.getpwnam("nobody")
    os.chown(work, nobody.pw_uid, nobody.pw_gid)
    f = write(work / "run.yaml", b"current\n", 0o600)
    write(work / "run.yaml.bak", b"previous backup\n", 0o600)
    for p in (f, work / "run.yaml.bak"):
        os.chown(p, nobody.pw_uid, nobody.pw_gid)
    before = _state(work)
    script = textwrap.dedent(
        """
        import json, os, sys
        sys.path.insert(0, sys.argv[1])
        from llama_config.model.safefile import atomic_write
        from llama_config.model.errors import SaveError
        real_replace, directory = os.replace, os.path.dirname(sys.argv[2])
        def replace(src, dst, *a, **k):
            os.chmod(directory, 0o555)
            return real_replace(src, dst, *a, **k)
        os.replace = replace
        try:
            atomic_write(sys.argv[2], b"new\\n", snapshot=None)
            print(json.dumps(None))
        except SaveError as exc:
            print(json.dumps(exc.message))
        """
    )
    res = subprocess.run([python_for_nobody(), "-I", "-B", "-c", script, str(lib), str(f)], user="nobody",
                         capture_output=True, text=True, timeout=60, cwd="/")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout) == f"cannot write {f}: Permission denied (while saving the backup {f}.bak)"
    os.chmod(work, 0o755)
    left = ours(work)
    assert {n: c for n, c in _state(work).items() if n not in left} == before
    assert left  # the read-only directory kept them ...
    assert {mode_of(work / n) for n in left} == {0o600}  # ... private
    atomic_write(str(f), b"new\n", snapshot=None)
    assert ours(work) == []  # ... until the next save


# --------------------------------------------------------------------------- kill -9 during saves

_SAVER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[1])
    from llama_config.model.safefile import atomic_write
    contents = [b"A" * 300_000, b"B" * 200_000]
    print("ready", flush=True)
    i = 0
    while True:
        atomic_write(sys.argv[2], contents[i % 2], snapshot=None)
        i += 1
    """
)


def test_kill_9_at_random_moments_leaves_old_or_new_and_nothing_readable(tmp_path: Path) -> None:
    f = write(tmp_path / "run.yaml", b"initial\n", 0o600)
    valid = {b"initial\n", b"A" * 300_000, b"B" * 200_000}
    rng = random.Random(20261122)
    left_behind = 0
    for _ in range(25):
        proc = subprocess.Popen([sys.executable, "-I", "-B", "-c", _SAVER, str(REPO), str(f)], stdout=subprocess.PIPE)
        assert proc.stdout.readline() == b"ready\n"
        try:
            proc.wait(timeout=rng.uniform(0.0, 0.15))
        except subprocess.TimeoutExpired:
            pass
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        assert f.read_bytes() in valid
        assert mode_of(f) == 0o600
        bak = tmp_path / "run.yaml.bak"
        assert not bak.exists() or bak.read_bytes() in valid
        temps = ours(tmp_path)
        left_behind += bool(temps)
        for name in temps:  # a killed save's leftovers are as private as the file
            assert stat.S_IMODE(os.lstat(tmp_path / name).st_mode) & 0o077 == 0, name
    # The next save cleans up whatever the kills left.
    atomic_write(str(f), b"final\n", snapshot=None)
    assert f.read_bytes() == b"final\n"
    assert ours(tmp_path) == []
    print(f"kills that left a temporary file behind: {left_behind} of 25")
