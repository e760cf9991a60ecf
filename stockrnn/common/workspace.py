"""The data and models folders: paths inside them never pass through a symbolic link.

A link inside `data/` or `models/` could point anywhere (`models/NAME -> /home/you`), and a
write or delete through it would land outside the workspace; so every path stockrnn reads,
writes or deletes there is checked here. The folders themselves may be links (a user's choice
of disk). Output files the user names (--predictions-out, --plot-file) are checked for
writability before any long work starts.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from pathlib import Path

from stockrnn.common.errors import StorageError, UsageError

# Windows refuses these as file names, with or without an extension, in any case.
RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}


def reserved_reason(name: str) -> str | None:
    """Why `name` cannot be a file name on every system, or None when it can."""
    if name.endswith("."):
        return "ends with a dot"
    if name.split(".")[0].upper() in RESERVED:
        return "is a reserved device name on Windows"
    return None


def inside(root: Path, *parts: str) -> Path:
    """root/parts, refusing any existing component below `root` that is a symbolic link."""
    path = root
    for part in parts:
        path = path / part
        if path.is_symlink():
            raise StorageError(
                f"{path} is a symbolic link: stockrnn never follows links out of {root}"
            )
    return path


def read_regular(path: Path, limit: int | None = None) -> bytes:
    """The bytes of `path`, which must be a regular file, not a link (O_NOFOLLOW where the OS
    has it) nor a FIFO or device, which could block the read forever; OSError otherwise, or
    when it is over `limit` bytes."""
    nonblocking = getattr(os, "O_NONBLOCK", 0)  # opening a FIFO must not wait for a writer
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | nonblocking)
    with open(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        if limit is not None and info.st_size > limit:
            raise OSError(errno.EFBIG, f"larger than {limit} bytes", str(path))
        if nonblocking:
            os.set_blocking(fd, True)
        data = fh.read(info.st_size + 1)  # what fstat saw (read(n) sets n bytes aside first)
    if len(data) > info.st_size:
        raise OSError(errno.EAGAIN, "it grew while being read", str(path))
    return data


def check_folder(folder: Path) -> None:
    """Fail now, not after long work, when `folder` cannot be created or written."""
    probe = folder
    while not probe.exists() and not probe.is_symlink() and probe != probe.parent:
        probe = probe.parent
    if not probe.is_dir():
        raise StorageError(f"cannot write {folder}: {probe} is not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise StorageError(f"cannot write {folder}: permission denied")


def check_output(path: Path, option: str, workspace: Sequence[Path] = ()) -> None:
    """An output file the user named: never inside the `workspace` folders (data/, models/:
    it would overwrite a cache file or a checkpoint), not a folder, in a writable folder."""
    resolved = path.resolve()
    for root in workspace:
        if resolved.is_relative_to(root.resolve()):
            raise UsageError(
                f"{option} {path} is inside {root}, which holds stockrnn's own files: "
                "write it somewhere else"
            )
    if path.is_dir():
        raise UsageError(f"{option} {path} is a folder; give a file name")
    if not path.parent.is_dir():
        raise StorageError(f"cannot write {path}: folder {path.parent} does not exist")
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise StorageError(f"cannot write {path}: permission denied")


def check_outputs(paths: dict[str, Path | None], workspace: Sequence[Path] = ()) -> None:
    """check_output for each option given a path (None: not given)."""
    for option, path in paths.items():
        if path is not None:
            check_output(path, option, workspace)
