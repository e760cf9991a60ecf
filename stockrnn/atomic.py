"""Atomic file writes: temp file in the same folder, fsync, then rename over the target.

A crash, SIGKILL or Ctrl-C at any moment leaves either the old file or the new one, never a
half-written file. Several files are committed together by writing every temp file first and
renaming them last, so the window where they disagree is two renames long (store.py closes
it for the data cache by keeping the old CSV linked until the manifest lands).
"""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from stockrnn.errors import StorageError

# Test-only hook: when set to a path, the writer creates that file and sleeps before renaming,
# so a test can kill the process at the worst moment.
PAUSE_ENV = "STOCKRNN_TEST_PAUSE_BEFORE_RENAME"


def storage_error(path: Path, exc: OSError) -> StorageError:
    if exc.errno == errno.ENOSPC:
        why = "no space left on device"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "permission denied"
    else:
        why = exc.strerror or str(exc)
    return StorageError(f"cannot write {path}: {why}; the previous file is unchanged")


def _pause_for_tests() -> None:
    marker = os.environ.get(PAUSE_ENV)
    if marker:
        Path(marker).write_text(str(os.getpid()))
        time.sleep(60)


def _write_temp(path: Path, data: bytes) -> Path:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
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
        _pause_for_tests()
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
