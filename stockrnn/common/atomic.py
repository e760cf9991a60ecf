"""Atomic file writes: temp file in the same folder, fsync, then rename over the target.

A crash, SIGKILL or Ctrl-C at any moment leaves either the old file or the new one, never a
half-written file. Several files are committed together by writing every temp file first and
renaming them last.

Two callers, two ways to make a pair of files agree, on purpose:
- checkpoints (checkpoint.py) write their weights under a new content-addressed name first,
  then rename meta.json, which names those weights: that one rename is the commit, and a crash
  before it leaves the old meta.json pointing at the old weights. This works because nothing
  reads the weights except through meta.json.
- the data cache (store.py) keeps `T.csv` at a fixed name, because users read and edit it
  with their own tools; so the CSV and its manifest are two renames, and the old CSV stays
  hard-linked as `.T.csv.prev` until the manifest lands. A read after a crash between the
  renames sees a CSV whose sha256 disagrees with the manifest and puts the old one back.
"""

from __future__ import annotations

import errno
import glob
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from stockrnn.common.errors import StorageError


def storage_error(path: Path, exc: OSError) -> StorageError:
    if exc.errno == errno.ENOSPC:
        why = "no space left on device"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "permission denied"
    else:
        why = exc.strerror or str(exc)
    return StorageError(f"cannot write {path}: {why}; the previous file is unchanged")


def _write_temp(path: Path, data: bytes) -> Path:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)  # a stale one from a dead process with our pid
        # O_EXCL (and O_NOFOLLOW where the OS has it; Windows has not, and there O_EXCL
        # alone refuses a planted link, which exists): never write through a link
        fd = os.open(
            tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644
        )
        with open(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise storage_error(path, exc) from exc
    return tmp


def write_files(items: Sequence[tuple[Path, bytes]]) -> None:
    """Write every (path, bytes) pair atomically; all temp files land before any rename."""
    temps: list[tuple[Path, Path]] = []
    try:
        for path, data in items:
            temps.append((_write_temp(path, data), path))
        for tmp, path in temps:
            os.replace(tmp, path)
    except OSError as exc:
        raise storage_error(items[0][0], exc) from exc
    finally:
        for tmp, _ in temps:
            tmp.unlink(missing_ok=True)
    _fsync_dir(items[0][0].parent)


def write_bytes(path: Path, data: bytes) -> None:
    """Atomically replace `path` with `data`."""
    write_files([(path, data)])


_TEMP = re.compile(r"\..+\.tmp-(\d+)")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid < 2**31  # another user's live process (an absurd pid: not a process)
    return True


def sweep(folder: Path, prefix: str = ".") -> list[Path]:
    """Remove the temp files a killed process left in `folder` (`.NAME.tmp-PID` with PID no
    longer running, names starting with `prefix`); call it holding the lock they were
    written under. Returns what was removed."""
    gone = []
    for path in folder.glob(f"{glob.escape(prefix)}*") if folder.is_dir() else []:
        match = _TEMP.fullmatch(path.name)
        if match and not path.is_symlink() and not _alive(int(match.group(1))):
            path.unlink(missing_ok=True)
            gone.append(path)
    return gone


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def locked(lock_path: Path, timeout: float = 120.0) -> Iterator[None]:
    """Hold an inter-process lock so concurrent commands on the same files take turns."""
    from filelock import FileLock, Timeout

    if lock_path.is_symlink():  # FileLock would open (and truncate) the link's target
        raise StorageError(f"{lock_path} is a symbolic link: refusing to lock through it")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(lock_path), timeout=timeout)
        lock.acquire()
    except Timeout as exc:
        raise StorageError(f"{lock_path} is held by another stockrnn process") from exc
    except OSError as exc:
        raise storage_error(lock_path, exc) from exc
    try:
        yield
    finally:
        lock.release()
