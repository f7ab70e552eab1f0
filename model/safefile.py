"""Reading a config file, and saving it so the file on disk is untouched unless the save succeeded.

A save writes a hidden temporary file next to the real file (`.FILE.llama-config-<random>.tmp`,
created with the final mode and owner before any byte is written), fsyncs it and renames it over
the original (`os.replace` is atomic on POSIX), so a crash or a full disk leaves either the old
or the new file, never a half-written one.  The previous version is kept as `<file>.bak`, written
the same way and renamed into place just before the file; if that last rename fails the previous
backup is put back, so a failed save leaves both as they were.  The next save of a file removes
the temporary files a killed save left.  A save is refused when the file changed on disk since
it was loaded, unless forced.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from typing import BinaryIO, Callable

from llama_config.model.errors import ConfigFileError, ExternalChangeError, SaveError

MAX_CONFIG_BYTES = 16 * 1024 * 1024

_CHUNK = 1024 * 1024
_MIB = 1024 * 1024

# fchown errors that only mean "not allowed / not supported here": the save goes on with the
# file owned by us, which is what any editor does when run by a non-root user.
_CHOWN_IGNORED = frozenset({errno.EPERM, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP})
# link() errors of file systems without hard links: the previous backup is copied instead.
_LINK_UNSUPPORTED = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS})


@dataclass(frozen=True)
class Snapshot:
    """What the file looked like when we read (or wrote) it."""

    path: str  # as given by the user
    target: str  # the real file after following symlinks (os.path.realpath)
    size: int
    mtime_ns: int
    digest: str  # sha256 hex of the bytes
    mode: int  # st_mode permission bits


def backup_path(target: str) -> str:
    """Where the previous version of `target` is kept."""
    return target + ".bak"


# --------------------------------------------------------------------------- reading


def read_config_bytes(path: str, *, max_bytes: int = MAX_CONFIG_BYTES) -> tuple[bytes, Snapshot]:
    """Read the whole file at `path`; raise ConfigFileError with one clear sentence if we cannot."""
    try:
        fd = _open_regular(path)
    except FileNotFoundError:
        if os.path.islink(path):
            target = os.path.realpath(path)
            raise ConfigFileError(
                f"broken symlink: it points to {target}, which does not exist", file=path
            ) from None
        raise ConfigFileError("no such file", file=path) from None
    except IsADirectoryError:
        raise ConfigFileError("is a directory, not a file", file=path) from None
    except PermissionError:
        raise ConfigFileError("permission denied: cannot read", file=path) from None
    except OSError as exc:
        raise ConfigFileError(_strerror(exc), file=path) from None

    try:
        with os.fdopen(fd, "rb") as f:
            st = os.fstat(f.fileno())
            # Reject a huge file from its size alone instead of reading it into memory ...
            if st.st_size > max_bytes:
                raise ConfigFileError(_too_large(st.st_size, max_bytes), file=path)
            # ... and cap the read too, in case it grows while we read it.
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise ConfigFileError(_strerror(exc), file=path) from None
    if len(data) > max_bytes:
        raise ConfigFileError(_too_large(None, max_bytes), file=path)

    snapshot = Snapshot(
        path=path,
        target=os.path.realpath(path),
        size=len(data),
        mtime_ns=st.st_mtime_ns,
        digest=hashlib.sha256(data).hexdigest(),
        mode=stat.S_IMODE(st.st_mode),
    )
    return data, snapshot


def has_changed_on_disk(snapshot: Snapshot) -> bool:
    """True when the file at snapshot.path no longer holds the bytes we read.

    Compares size and sha256, not the mtime: tools that copy files may keep the mtime, and two
    writes within the file system's timestamp granularity share one.  A deleted file, a symlink
    now pointing elsewhere, or a file we can no longer read all count as changed, because we
    cannot vouch for them.
    """
    try:
        target = _resolve(snapshot.path)
        if target != snapshot.target:
            return True
        fd = _open_regular(target)
        with os.fdopen(fd, "rb") as f:
            return _differs(f, snapshot)
    except OSError:
        return True


# --------------------------------------------------------------------------- writing


def atomic_write(
    path: str,
    data: bytes,
    *,
    snapshot: Snapshot | None,
    backup: bool = True,
    force: bool = False,
) -> Snapshot:
    """Replace the file at `path` (or the file its symlinks lead to) with `data`, atomically.

    With `snapshot` and not `force`, refuse with ExternalChangeError when the file no longer
    matches it.  On any failure raise SaveError; the file and its backup are then unchanged.
    Returns a Snapshot of what was written.
    """
    data = bytes(data)
    target = path
    doing = ""
    try:
        # Replace the real file, not the symlink: the link stays a link to the new content.
        target = _resolve(path)
        directory, name = os.path.split(target)
        bak = backup_path(target)
        try:
            old = os.stat(target)
        except FileNotFoundError:
            old = None
        if old is not None and not stat.S_ISREG(old.st_mode):
            if stat.S_ISDIR(old.st_mode):
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), target)
            raise OSError(errno.EINVAL, "not a regular file", target)

        # The rename below needs only a writable directory: without this a read-only file (or
        # another user's file in a shared directory) would be silently replaced and change owner.
        if old is not None and not os.access(target, os.W_OK):
            raise SaveError("permission denied: cannot write the file (it is read-only for you); nothing was written", file=path)

        check = snapshot is not None and not force
        # Deleted, or a symlink now leading to another file: not the file we loaded.
        if check and (old is None or target != snapshot.target):
            raise _external_change(path)

        if old is not None:
            mode: int | None = stat.S_IMODE(old.st_mode)
            owner: tuple[int, int] | None = (old.st_uid, old.st_gid)
        elif snapshot is not None and snapshot.target == target:
            # Forced save of a file deleted behind our back: recreate it as private as it was
            # (a config holding secrets must not come back world-readable).
            mode, owner = snapshot.mode, None
        else:
            # Brand-new file: created with 0o666, the kernel applies the umask.
            mode, owner = None, None

        remove_stale_temps(directory, name)
        with _Temps(directory) as temps:
            # Write the new content first, so the window between checking the file on disk and
            # replacing it is as short as possible.
            new_tmp, new_st = temps.write(name, lambda f: f.write(data), mode, owner)

            bak_tmp = None
            if old is not None and (check or backup):
                # One pass over the current file: hash it for the check and copy it for the
                # backup, so the backup holds exactly the bytes we verified.
                fd = _open_regular(target)
                with os.fdopen(fd, "rb") as src:
                    cur = os.fstat(src.fileno())
                    if check and cur.st_size != snapshot.size:
                        raise _external_change(path)
                    digest = hashlib.sha256()

                    def copy(dst: BinaryIO | None) -> None:
                        for chunk in iter(lambda: src.read(_CHUNK), b""):
                            digest.update(chunk)
                            if dst is not None:
                                dst.write(chunk)

                    if backup:
                        doing = f" (while saving the backup {bak})"
                        bak_tmp, _ = temps.write(
                            os.path.basename(bak), copy, stat.S_IMODE(cur.st_mode), (cur.st_uid, cur.st_gid)
                        )
                    else:
                        copy(None)
                doing = ""
                if check and digest.hexdigest() != snapshot.digest:
                    raise _external_change(path)

            if bak_tmp is None:
                os.replace(new_tmp, target)
                temps.renamed(new_tmp)
            else:
                _replace_pair(temps, new_tmp, target, bak_tmp, bak, directory)
    except OSError as exc:
        raise SaveError(f"cannot write {path}: {_strerror(exc)}{doing}", file=path) from None

    _fsync_dir(directory)
    return Snapshot(
        path=path,
        target=target,
        size=len(data),
        mtime_ns=new_st.st_mtime_ns,
        digest=hashlib.sha256(data).hexdigest(),
        mode=stat.S_IMODE(new_st.st_mode),
    )


def _replace_pair(temps: "_Temps", new_tmp: str, target: str, bak_tmp: str, bak: str, directory: str) -> None:
    """Put the backup in place, then the new file; if the second rename fails, put the previous
    backup back, so a failed save leaves both FILE and FILE.bak as they were.

    The backup goes first and is made durable before the file is replaced: after a crash the
    new file never exists without the backup of the old one.
    """
    try:
        previous = temps.set_aside(bak)  # the current FILE.bak under a temporary name, or None
        os.replace(bak_tmp, bak)
    except OSError as exc:
        raise OSError(exc.errno, f"{_strerror(exc)} (while saving the backup {bak})") from None
    temps.renamed(bak_tmp)
    _fsync_dir(directory)
    try:
        os.replace(new_tmp, target)
    except OSError as exc:
        try:
            if previous is None:
                os.unlink(bak)
            else:
                os.replace(previous, bak)
                temps.renamed(previous)
        except OSError:
            raise OSError(exc.errno, f"{_strerror(exc)}; {bak} now holds a copy of the unchanged file") from None
        raise
    temps.renamed(new_tmp)


# --------------------------------------------------------------------------- helpers


def _resolve(path: str) -> str:
    """os.path.realpath, but a symlink loop is an error instead of a path that is still a link."""
    target = os.path.realpath(path)
    if os.path.islink(target):
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
    return target


def _open_regular(path: str) -> int:
    """Open for reading; refuse anything but a regular file.

    O_NONBLOCK so a FIFO does not hang us before we can refuse it; it changes nothing for
    regular files.
    """
    flags = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", path)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _differs(f: BinaryIO, snapshot: Snapshot) -> bool:
    if os.fstat(f.fileno()).st_size != snapshot.size:
        return True
    digest = hashlib.sha256()
    for chunk in iter(lambda: f.read(_CHUNK), b""):
        digest.update(chunk)
    return digest.hexdigest() != snapshot.digest


# Our temporary files are `.FILE.llama-config-<random>.tmp` next to FILE: hidden, and named so
# that a later save can recognise (and remove) the ones a killed save left behind.
TEMP_MARK = ".llama-config-"
TEMP_SUFFIX = ".tmp"


def temp_prefix(name: str) -> str:
    return f".{name}{TEMP_MARK}"


def remove_stale_temps(directory: str, name: str) -> list[str]:
    """Remove the temporary files an earlier, killed save of `name` (or of its backup) left.

    Every save holds an exclusive flock on its temporary files until it ends, and the kernel
    drops the lock of a killed process: a file whose lock we can take belongs to no running
    save.  Files we cannot open (another user's) and anything but regular files are left alone.
    Returns the names removed.
    """
    prefixes = (temp_prefix(name), temp_prefix(os.path.basename(backup_path(name))))
    removed: list[str] = []
    try:
        entries = [e for e in os.scandir(directory or ".") if e.name.startswith(prefixes) and e.name.endswith(TEMP_SUFFIX)]
    except OSError:
        return removed
    flags = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    for entry in entries:
        try:
            fd = os.open(entry.path, flags)
        except OSError:
            continue
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                continue
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # OSError: a save in progress holds it
            if os.path.samestat(st, os.stat(entry.path, follow_symlinks=False)):
                os.unlink(entry.path)
                removed.append(entry.name)
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed


class _Temps:
    """The temporary files of one save.  Each is created with its final mode and owner before
    a byte is written, kept open and flock'ed until the save ends (see remove_stale_temps), and
    removed at the end unless it was renamed into place."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.paths: list[str] = []
        self.fds: list[int] = []

    def __enter__(self) -> "_Temps":
        return self

    def __exit__(self, *exc: object) -> None:
        for tmp in self.paths:
            _unlink_quietly(tmp)
        for fd in self.fds:
            os.close(fd)

    def renamed(self, tmp: str) -> None:
        self.paths.remove(tmp)

    def _fresh(self, name: str) -> str:
        return os.path.join(self.directory, f"{temp_prefix(name)}{secrets.token_hex(6)}{TEMP_SUFFIX}")

    def _keep(self, tmp: str, fd: int) -> None:
        self.paths.append(tmp)
        self.fds.append(fd)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _create(self, name: str, mode: int) -> tuple[str, int]:
        for _ in range(100):
            tmp = self._fresh(name)
            try:
                # O_EXCL: never write through a file or symlink someone planted under this name.
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode)
                break
            except FileExistsError:
                continue
        else:
            raise FileExistsError(errno.EEXIST, "cannot create a temporary file", self.directory)
        self._keep(tmp, fd)
        return tmp, fd

    def write(
        self,
        name: str,
        fill: Callable[[BinaryIO], object],
        mode: int | None,
        owner: tuple[int, int] | None,
    ) -> tuple[str, os.stat_result]:
        """A hidden temporary file for `name`, durable, with its final owner and mode.

        Mode and owner are final before the first byte is written: the file never shows its
        content to anyone the finished file would not.  Without `mode` (a new file) it is
        created 0o666 and the umask decides, as for any file the user creates.
        """
        tmp, fd = self._create(name, 0o666 if mode is None else mode)
        if owner is not None:
            _chown(fd, owner)
        # After chown (which clears setuid/setgid bits), and explicitly: the umask may have
        # taken bits off at creation that the file had.
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb", closefd=False) as f:
            fill(f)
            f.flush()
        os.fsync(fd)
        return tmp, os.fstat(fd)

    def set_aside(self, path: str) -> str | None:
        """A second name (a hard link) for the file or symlink at `path`, so it can be put back;
        None when there is none.  Where hard links are not supported, a copy."""
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            return None
        if not (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):
            return None  # a directory: the rename onto it fails, nothing to put back
        for _ in range(100):
            tmp = self._fresh(os.path.basename(path))
            try:
                os.link(path, tmp, follow_symlinks=False)
                break
            except FileExistsError:
                continue
            except OSError as exc:
                if exc.errno not in _LINK_UNSUPPORTED or not stat.S_ISREG(st.st_mode):
                    raise
                with os.fdopen(_open_regular(path), "rb") as f:
                    cur = os.fstat(f.fileno())
                    import shutil  # only to keep a backup

                    tmp, _ = self.write(os.path.basename(path), lambda dst: shutil.copyfileobj(f, dst, _CHUNK),
                                        stat.S_IMODE(cur.st_mode), (cur.st_uid, cur.st_gid))
                return tmp
        else:
            raise FileExistsError(errno.EEXIST, "cannot create a temporary file", self.directory)
        if stat.S_ISREG(st.st_mode):
            # Locked like our other temporary files, so a concurrent save's cleanup leaves it alone.
            self._keep(tmp, os.open(tmp, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)))
        else:
            self.paths.append(tmp)
        return tmp

def _chown(fd: int, owner: tuple[int, int]) -> None:
    st = os.fstat(fd)
    if (st.st_uid, st.st_gid) == owner:
        return
    try:
        os.fchown(fd, *owner)
    except OSError as exc:
        if exc.errno not in _CHOWN_IGNORED:
            raise
        # Not root: we may still keep the group if we are a member of it.
        try:
            os.fchown(fd, -1, owner[1])
        except OSError as exc2:
            if exc2.errno not in _CHOWN_IGNORED:
                raise


def _fsync_dir(directory: str) -> None:
    """Make the rename durable.  Best effort: some file systems cannot fsync a directory, and
    once the rename is done, reporting the save as failed would be wrong."""
    try:
        fd = os.open(directory or ".", os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _external_change(path: str) -> ExternalChangeError:
    return ExternalChangeError(
        f"{path} changed on disk since it was loaded; "
        "reload it, or save with --force to overwrite those changes",
        file=path,
    )


def _strerror(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _size(n: int) -> str:
    if n >= _MIB:
        return f"{n / _MIB:.1f}".removesuffix(".0") + " MiB"
    if n >= 1024:
        return f"{n / 1024:.1f}".removesuffix(".0") + " KiB"
    return f"{n} bytes"


def _too_large(size: int | None, max_bytes: int) -> str:
    limit = _size(max_bytes)
    # Rounding can make "16.00001 MiB" print as the limit itself; say "more than" instead.
    shown = f"more than {limit}" if size is None or _size(size) == limit else _size(size)
    return f"file is {shown}; llama-config reads config files up to {limit}"
