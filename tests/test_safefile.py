"""model.safefile: reading config files and saving them without ever losing the original.

Real files only.  Permission tests run the call as the unprivileged user `nobody` when the
tests run as root (root ignores permission bits).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

import llama_config.model.control_chars
import llama_config.model.errors
import llama_config.model.redaction
import llama_config.model.safefile
from llama_config.model.errors import ConfigFileError, ExternalChangeError, SaveError
from llama_config.model.safefile import (
    MAX_CONFIG_BYTES,
    Snapshot,
    atomic_write,
    backup_path,
    has_changed_on_disk,
    read_config_bytes,
)

OLD = b"version: 2\nimage_name: old\n"
NEW = b"version: 2\nimage_name: new\n# \xc3\xa9t\xc3\xa9\n"


def temps_in(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@contextlib.contextmanager
def umask(value: int):
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def write(path: Path, data: bytes, mode: int | None = None) -> Path:
    path.write_bytes(data)
    if mode is not None:
        os.chmod(path, mode)
    return path


# --------------------------------------------------------------------------- reading


def test_read_returns_bytes_and_snapshot(tmp_path: Path) -> None:
    f = write(tmp_path / "run.yaml", OLD, 0o640)
    data, snap = read_config_bytes(str(f))
    assert data == OLD
    assert snap == Snapshot(
        path=str(f),
        target=os.path.realpath(f),
        size=len(OLD),
        mtime_ns=os.stat(f).st_mtime_ns,
        digest=hashlib.sha256(OLD).hexdigest(),
        mode=0o640,
    )


def test_read_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nope.yaml")
    with pytest.raises(ConfigFileError) as info:
        read_config_bytes(path)
    assert info.value.message == "no such file"
    assert info.value.file == path
    assert str(info.value) == f"{path}: error: no such file"


def test_read_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileError) as info:
        read_config_bytes(str(tmp_path))
    assert info.value.message == "is a directory, not a file"
    assert info.value.file == str(tmp_path)


def test_read_too_large_small_limit(tmp_path: Path) -> None:
    f = write(tmp_path / "run.yaml", b"x" * 200)
    with pytest.raises(ConfigFileError) as info:
        read_config_bytes(str(f), max_bytes=100)
    assert info.value.message == "file is 200 bytes; llama-config reads config files up to 100 bytes"
    # At the limit is fine.
    data, _ = read_config_bytes(str(f), max_bytes=200)
    assert data == b"x" * 200


def test_read_too_large_default_limit_without_reading_it(tmp_path: Path) -> None:
    # A sparse 20 MiB file: rejected from its size, without reading 20 MiB.
    f = tmp_path / "huge.yaml"
    with open(f, "wb") as out:
        out.truncate(20 * 1024 * 1024)
    with pytest.raises(ConfigFileError) as info:
        read_config_bytes(str(f))
    assert info.value.message == "file is 20 MiB; llama-config reads config files up to 16 MiB"
    assert MAX_CONFIG_BYTES == 16 * 1024 * 1024


def test_read_just_over_limit_does_not_say_16_of_16(tmp_path: Path) -> None:
    f = tmp_path / "big.yaml"
    with open(f, "wb") as out:
        out.truncate(MAX_CONFIG_BYTES + 1)
    with pytest.raises(ConfigFileError) as info:
        read_config_bytes(str(f))
    assert info.value.message == "file is more than 16 MiB; llama-config reads config files up to 16 MiB"


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc")
def test_read_is_capped_when_size_lies() -> None:
    # /proc files claim size 0 but have content: only the capped read can catch them.
    assert os.stat("/proc/self/status").st_size == 0
    with pytest.raises(ConfigFileError) as info:
        read_config_bytes("/proc/self/status", max_bytes=10)
    assert info.value.message == "file is more than 10 bytes; llama-config reads config files up to 10 bytes"


def test_read_broken_symlink(tmp_path: Path) -> None:
    link = tmp_path / "run.yaml"
    link.symlink_to(tmp_path / "gone.yaml")
    with pytest.raises(ConfigFileError) as info:
        read_config_bytes(str(link))
    assert "broken symlink" in info.value.message
    assert str(tmp_path / "gone.yaml") in info.value.message
    assert info.value.file == str(link)


def test_read_symlink_loop_gives_strerror(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(ConfigFileError) as info:
        read_config_bytes(str(a))
    assert info.value.message == os.strerror(errno.ELOOP)
    assert "Traceback" not in str(info.value)


def test_read_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "run.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigFileError) as info:
        read_config_bytes(str(fifo))
    assert info.value.message == "not a regular file"


def test_read_through_symlink_records_target(tmp_path: Path) -> None:
    real = write(tmp_path / "real.yaml", OLD)
    link = tmp_path / "run.yaml"
    link.symlink_to(real)
    data, snap = read_config_bytes(str(link))
    assert data == OLD
    assert snap.path == str(link)
    assert snap.target == str(real.resolve())


# --------------------------------------------------------------------------- writing


def test_round_trip(tmp_path: Path) -> None:
    f = write(tmp_path / "run.yaml", OLD)
    _, snap = read_config_bytes(str(f))
    new_snap = atomic_write(str(f), NEW, snapshot=snap)
    assert f.read_bytes() == NEW
    data, reread = read_config_bytes(str(f))
    assert data == NEW
    assert new_snap == reread
    assert not has_changed_on_disk(new_snap)
    assert temps_in(tmp_path) == []


def test_consecutive_saves_with_returned_snapshot(tmp_path: Path) -> None:
    f = write(tmp_path / "run.yaml", OLD)
    _, snap = read_config_bytes(str(f))
    snap = atomic_write(str(f), b"one\n", snapshot=snap)
    snap = atomic_write(str(f), b"two\n", snapshot=snap)
    assert f.read_bytes() == b"two\n"
    assert Path(backup_path(str(f))).read_bytes() == b"one\n"


def test_backup_keeps_old_content_and_mode(tmp_path: Path) -> None:
    f = write(tmp_path / "run.yaml", OLD, 0o640)
    _, snap = read_config_bytes(str(f))
    atomic_write(str(f), NEW, snapshot=snap)
    bak = tmp_path / "run.yaml.bak"
    assert backup_path(str(f)) == str(bak)
    assert bak.read_bytes() == OLD
    assert mode_of(bak) == 0o640
    assert f.read_bytes() == NEW


def test_backup_replaces_previous_backup(tmp_path: Path) -> None:
    f = write(tmp_path / "run.yaml", OLD)
    write(tmp_path / "run.yaml.bak", b"ancient\n")
    _, snap = read_config_bytes(str(f))
    atomic_write(str(f), NEW, snapshot=snap)
    assert (tmp_path / "run.yaml.bak").read_bytes() == OLD


def test_no_backup_when_disabled(tmp_path: Path) -> None:
    f = write(tmp_path / "run.yaml", OLD)
    _, snap = read_config_bytes(str(f))
    atomic_write(str(f), NEW, snapshot=snap, backup=False)
    assert f.read_bytes() == NEW
    assert not (tmp_path / "run.yaml.bak").exists()
    assert temps_in(tmp_path) == []


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644, 0o400])
def test_mode_kept(tmp_path: Path, mode: int) -> None:
    f = write(tmp_path / "run.yaml", OLD, mode)
    _, snap = read_config_bytes(str(f))
    with umask(0o022):
        new_snap = atomic_write(str(f), NEW, snapshot=snap)
    assert f.read_bytes() == NEW
    assert mode_of(f) == mode
    assert mode_of(tmp_path / "run.yaml.bak") == mode
    assert new_snap.mode == mode


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
def test_owner_and_group_kept(tmp_path: Path) -> None:
    nobody = pwd.getpwnam("nobody")
    f = write(tmp_path / "run.yaml", OLD, 0o640)
    os.chown(f, nobody.pw_uid, nobody.pw_gid)
    _, snap = read_config_bytes(str(f))
    atomic_write(str(f), NEW, snapshot=snap)
    for p in (f, tmp_path / "run.yaml.bak"):
        st = os.stat(p)
        assert (st.st_uid, st.st_gid) == (nobody.pw_uid, nobody.pw_gid)
        assert stat.S_IMODE(st.st_mode) == 0o640


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o077, 0o600)])
def test_new_file_without_snapshot(tmp_path: Path, mask: int, expected: int) -> None:
    f = tmp_path / "new.yaml"
    with umask(mask):
        snap = atomic_write(str(f), NEW, snapshot=None)
    assert f.read_bytes() == NEW
    assert mode_of(f) == expected
    assert snap.mode == expected
    assert snap.size == len(NEW)
    assert snap.digest == hashlib.sha256(NEW).hexdigest()
    assert not (tmp_path / "new.yaml.bak").exists()
    assert temps_in(tmp_path) == []


def test_overwrite_without_snapshot_keeps_backup(tmp_path: Path) -> None:
    f = write(tmp_path / "run.yaml", OLD, 0o600)
    atomic_write(str(f), NEW, snapshot=None)
    assert f.read_bytes() == NEW
    assert (tmp_path / "run.yaml.bak").read_bytes() == OLD
    assert mode_of(f) == 0o600


def test_symlink_followed(tmp_path: Path) -> None:
    real_dir = tmp_path / "real"
    real_dir.mkdir()
    real = write(real_dir / "config.yaml", OLD, 0o600)
    link = tmp_path / "run.yaml"
    link.symlink_to(real)
    _, snap = read_config_bytes(str(link))
    new_snap = atomic_write(str(link), NEW, snapshot=snap)
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert real.read_bytes() == NEW
    assert mode_of(real) == 0o600
    # The backup sits next to the real file, not next to the link.
    assert (real_dir / "config.yaml.bak").read_bytes() == OLD
    assert not (tmp_path / "run.yaml.bak").exists()
    assert temps_in(tmp_path) == [] and temps_in(real_dir) == []
    assert new_snap.path == str(link)
    assert new_snap.target == str(real.resolve())


def test_relative_symlink_followed(tmp_path: Path) -> None:
    real = write(tmp_path / "config.yaml", OLD)
    link = tmp_path / "run.yaml"
    link.symlink_to("config.yaml")
    _, snap = read_config_bytes(str(link))
    atomic_write(str(link), NEW, snapshot=snap)
    assert os.readlink(link) == "config.yaml"
    assert real.read_bytes() == NEW
    assert (tmp_path / "config.yaml.bak").read_bytes() == OLD


def test_chain_of_two_symlinks(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    real = write(tmp_path / "b" / "real.yaml", OLD, 0o640)
    middle = tmp_path / "a" / "middle.yaml"
    middle.symlink_to(real)
    link = tmp_path / "run.yaml"
    link.symlink_to(middle)
    _, snap = read_config_bytes(str(link))
    assert snap.target == str(real.resolve())
    atomic_write(str(link), NEW, snapshot=snap)
    assert link.is_symlink() and os.readlink(link) == str(middle)
    assert middle.is_symlink() and os.readlink(middle) == str(real)
    assert real.read_bytes() == NEW
    assert mode_of(real) == 0o640
    assert (tmp_path / "b" / "real.yaml.bak").read_bytes() == OLD
    assert not (tmp_path / "a" / "middle.yaml.bak").exists()
    assert not (tmp_path / "run.yaml.bak").exists()


def test_symlink_loop_refused(tmp_path: Path) -> None:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(SaveError) as info:
        atomic_write(str(a), NEW, snapshot=None)
    assert info.value.message.startswith(f"cannot write {a}: ")
    assert a.is_symlink() and b.is_symlink()


def test_writing_onto_a_directory_fails(tmp_path: Path) -> None:
    d = tmp_path / "run.yaml"
    d.mkdir()
    with pytest.raises(SaveError) as info:
        atomic_write(str(d), NEW, snapshot=None)
    assert info.value.message == f"cannot write {d}: {os.strerror(errno.EISDIR)}"
    assert temps_in(tmp_path) == []


def test_missing_directory_fails(tmp_path: Path) -> None:
    path = tmp_path / "no" / "run.yaml"
    with pytest.raises(SaveError) as info:
        atomic_write(str(path), NEW, snapshot=None)
    assert info.value.message == f"cannot write {path}: No such file or directory"
    assert info.value.file == str(path)


# --------------------------------------------------------------------------- external changes


def test_unchanged_file_is_not_reported(tmp_path: Path) -> None:
    f = write(tmp_path / "run.yaml", OLD)
    _, snap = read_config_bytes(str(f))
    assert not has_changed_on_disk(snap)
    # Rewritten with the same bytes (new mtime): still the content we loaded.
    f.write_bytes(OLD)
    os.utime(f, ns=(snap.mtime_ns + 5_000_000_000, snap.mtime_ns + 5_000_000_000))
    assert not has_changed_on_disk(snap)
    atomic_write(str(f), NEW, snapshot=snap)
    assert f.read_bytes() == NEW


def test_external_change_refused(tmp_path: Path) -> None:
    f = write(tmp_path / "run.yaml", OLD)
    _, snap = read_config_bytes(str(f))
    theirs = b"version: 2\nimage_name: theirs!\n"
    f.write_bytes(theirs)
    assert has_changed_on_disk(snap)
    with pytest.raises(ExternalChangeError) as info:
        atomic_write(str(f), NEW, snapshot=snap)
    assert info.value.message == (
        f"{f} changed on disk since it was loaded; "
        "reload it, or save with --force to overwrite those changes"
    )
    assert info.value.file == str(f)
    assert isinstance(info.value, SaveError)
    assert f.read_bytes() == theirs
    assert not (tmp_path / "run.yaml.bak").exists()
    assert temps_in(tmp_path) == []


def test_same_size_same_mtime_change_is_detected(tmp_path: Path) -> None:
    # Only the sha256 can tell: same size, and the mtime put back as it was.
    f = write(tmp_path / "run.yaml", OLD)
    _, snap = read_config_bytes(str(f))
    theirs = OLD.replace(b"old", b"OLD")
    assert len(theirs) == len(OLD)
    f.write_bytes(theirs)
    os.utime(f, ns=(snap.mtime_ns, snap.mtime_ns))
    assert has_changed_on_disk(snap)
    with pytest.raises(ExternalChangeError):
        atomic_write(str(f), NEW, snapshot=snap)
    with pytest.raises(ExternalChangeError):
        atomic_write(str(f), NEW, snapshot=snap, backup=False)
    assert f.read_bytes() == theirs
    assert temps_in(tmp_path) == []


def test_deleted_file_counts_as_changed(tmp_path: Path) -> None:
    f = write(tmp_path / "run.yaml", OLD, 0o600)
    _, snap = read_config_bytes(str(f))
    f.unlink()
    assert has_changed_on_disk(snap)
    with pytest.raises(ExternalChangeError):
        atomic_write(str(f), NEW, snapshot=snap)
    assert not f.exists()
    assert temps_in(tmp_path) == []
    # Forced: recreated, as private as it was, with no backup (there was nothing to keep).
    with umask(0o022):
        atomic_write(str(f), NEW, snapshot=snap, force=True)
    assert f.read_bytes() == NEW
    assert mode_of(f) == 0o600
    assert not (tmp_path / "run.yaml.bak").exists()


def test_repointed_symlink_counts_as_changed(tmp_path: Path) -> None:
    one = write(tmp_path / "one.yaml", OLD)
    two = write(tmp_path / "two.yaml", OLD)
    link = tmp_path / "run.yaml"
    link.symlink_to(one)
    _, snap = read_config_bytes(str(link))
    link.unlink()
    link.symlink_to(two)
    assert has_changed_on_disk(snap)
    with pytest.raises(ExternalChangeError):
        atomic_write(str(link), NEW, snapshot=snap)
    assert one.read_bytes() == OLD and two.read_bytes() == OLD


def test_force_overwrites_external_change(tmp_path: Path) -> None:
    f = write(tmp_path / "run.yaml", OLD, 0o640)
    _, snap = read_config_bytes(str(f))
    theirs = b"theirs\n"
    f.write_bytes(theirs)
    atomic_write(str(f), NEW, snapshot=snap, force=True)
    assert f.read_bytes() == NEW
    assert mode_of(f) == 0o640
    # The backup holds what was on disk (their change), so nothing is lost.
    assert (tmp_path / "run.yaml.bak").read_bytes() == theirs


# --------------------------------------------------------------------------- failures


def test_temp_files_cleaned_up_after_failure(tmp_path: Path) -> None:
    # The backup cannot be renamed onto a directory: the save fails after both temporary
    # files were written, and must leave neither behind.
    f = write(tmp_path / "run.yaml", OLD, 0o600)
    (tmp_path / "run.yaml.bak").mkdir()
    _, snap = read_config_bytes(str(f))
    with pytest.raises(SaveError) as info:
        atomic_write(str(f), NEW, snapshot=snap)
    assert not isinstance(info.value, ExternalChangeError)
    assert info.value.message.startswith(f"cannot write {f}: ")
    assert "backup" in info.value.message
    assert info.value.file == str(f)
    assert f.read_bytes() == OLD
    assert mode_of(f) == 0o600
    assert (tmp_path / "run.yaml.bak").is_dir()
    assert temps_in(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.yaml", "run.yaml.bak"]


def test_non_bytes_data_leaves_no_trace(tmp_path: Path) -> None:
    f = write(tmp_path / "run.yaml", OLD)
    with pytest.raises(TypeError):
        atomic_write(str(f), "text, not bytes", snapshot=None)  # type: ignore[arg-type]
    assert f.read_bytes() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.yaml"]


@pytest.fixture
def tiny_fs():
    """A real 64 KiB tmpfs, to run out of space for real.  Needs root and mount."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    mnt = tempfile.mkdtemp(prefix="llama-config-fullfs-")
    res = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", mnt], capture_output=True
    )
    if res.returncode != 0:
        os.rmdir(mnt)
        pytest.skip(f"cannot mount a tmpfs here: {res.stderr.decode().strip()}")
    try:
        yield Path(mnt)
    finally:
        subprocess.run(["umount", mnt], check=False)
        os.rmdir(mnt)


def test_disk_full(tiny_fs: Path) -> None:
    f = write(tiny_fs / "run.yaml", OLD, 0o640)
    write(tiny_fs / "run.yaml.bak", b"previous backup\n")
    _, snap = read_config_bytes(str(f))
    with pytest.raises(SaveError) as info:
        atomic_write(str(f), b"x" * (1024 * 1024), snapshot=snap)
    assert info.value.message == f"cannot write {f}: No space left on device"
    assert f.read_bytes() == OLD
    assert mode_of(f) == 0o640
    assert (tiny_fs / "run.yaml.bak").read_bytes() == b"previous backup\n"
    assert temps_in(tiny_fs) == []
    # Space is back once the temporary file is gone: a normal save works.
    atomic_write(str(f), NEW, snapshot=snap)
    assert f.read_bytes() == NEW


# --------------------------------------------------------------------------- permissions

_RUNNER = textwrap.dedent(
    """
    import json, sys
    sys.path.insert(0, sys.argv[1])
    from llama_config.model.safefile import read_config_bytes, atomic_write
    op, path = sys.argv[2], sys.argv[3]
    try:
        if op == "read":
            read_config_bytes(path)
        else:
            atomic_write(path, b"new\\n", snapshot=None)
        print(json.dumps({"error": None}))
    except Exception as exc:
        print(json.dumps({"error": type(exc).__name__, "message": exc.message, "file": exc.file}))
    """
)


def _python_for(user: str) -> str | None:
    """An interpreter `user` can run (ours may live under /root, which nobody can enter)."""
    for candidate in (sys.executable, "/usr/bin/python3", shutil.which("python3")):
        if not candidate:
            continue
        try:
            res = subprocess.run(
                [candidate, "-I", "-c", "pass"], user=user, capture_output=True, timeout=30
            )
        except (OSError, subprocess.SubprocessError):
            continue
        if res.returncode == 0:
            return candidate
    return None


def python_for_nobody() -> str:
    """An interpreter the user `nobody` can run; skips the test when there is none."""
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("no user `nobody` to drop root privileges to")
    python = _python_for("nobody")
    if python is None:
        pytest.skip("no Python interpreter the user `nobody` can run")
    return python


@pytest.fixture
def sandbox():
    """A directory under the system temp dir that `nobody` can reach (pytest's tmp_path may
    sit under 0o700 parents), holding a copy of the module for the subprocess to import."""
    base = Path(tempfile.mkdtemp(prefix="llama-config-perm-"))
    os.chmod(base, 0o755)
    try:
        pkg = base / "lib" / "llama_config" / "model"
        pkg.mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        # safefile and what it imports
        for module in (llama_config.model.control_chars, llama_config.model.errors, llama_config.model.redaction, llama_config.model.safefile):
            shutil.copy(module.__file__, pkg / os.path.basename(module.__file__))
        for d in (base / "lib", pkg.parent, pkg):
            os.chmod(d, 0o755)
        for p in pkg.iterdir():
            os.chmod(p, 0o644)
        work = base / "work"
        work.mkdir()
        yield base / "lib", work
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _call_unprivileged(lib: Path, op: str, path: Path) -> dict:
    """Run read_config_bytes / atomic_write without the power to ignore permission bits."""
    if os.geteuid() != 0:
        try:
            if op == "read":
                read_config_bytes(str(path))
            else:
                atomic_write(str(path), b"new\n", snapshot=None)
        except ConfigFileError as exc:
            return {"error": type(exc).__name__, "message": exc.message, "file": exc.file}
        return {"error": None}
    res = subprocess.run(
        [python_for_nobody(), "-I", "-B", "-c", _RUNNER, str(lib), op, str(path)],
        user="nobody",
        capture_output=True,
        text=True,
        timeout=60,
        cwd="/",
    )
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


def test_no_read_permission(sandbox) -> None:
    lib, work = sandbox
    os.chmod(work, 0o755)
    f = write(work / "run.yaml", OLD, 0o600)
    if os.geteuid() != 0:
        os.chmod(f, 0o000)
    result = _call_unprivileged(lib, "read", f)
    assert result == {
        "error": "ConfigFileError",
        "message": "permission denied: cannot read",
        "file": str(f),
    }
    os.chmod(f, 0o600)
    assert f.read_bytes() == OLD


def test_directory_not_writable(sandbox) -> None:
    lib, work = sandbox
    f = write(work / "run.yaml", OLD, 0o666)  # the file itself is writable: only the dir is not
    os.chmod(work, 0o555)
    try:
        result = _call_unprivileged(lib, "write", f)
    finally:
        os.chmod(work, 0o755)
    assert result == {
        "error": "SaveError",
        "message": f"cannot write {f}: Permission denied",
        "file": str(f),
    }
    assert f.read_bytes() == OLD
    assert mode_of(f) == 0o666
    assert sorted(p.name for p in work.iterdir()) == ["run.yaml"]


def test_writable_directory_as_other_user_keeps_mode(sandbox) -> None:
    # Not the owner: chown is refused (EPERM) and ignored; the save still succeeds.
    lib, work = sandbox
    os.chmod(work, 0o777)
    f = write(work / "run.yaml", OLD, 0o664)
    result = _call_unprivileged(lib, "write", f)
    assert result == {"error": None}
    assert f.read_bytes() == b"new\n"
    assert mode_of(f) == 0o664
    assert (work / "run.yaml.bak").read_bytes() == OLD
    assert temps_in(work) == []
