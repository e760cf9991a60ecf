"""glibc's malloc, told to keep the memory a training step frees for the next step.

By default glibc hands freed memory back to the kernel: a block above its mmap threshold is
unmapped when freed, and the heap is trimmed once its free top passes the trim threshold. A
training step allocates and frees the same activations every time, so at batch 1024 each
step's memory came back as fresh pages that the kernel faulted in and zeroed again: 45,000
page faults a step on the harness task, and the same epochs took 0.38x the time with the
memory kept (bench/allocator.py; docs/performance.md, "Memory the allocator keeps"). Raising
both thresholds (mallopt(3), what glibc's MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_
set) keeps it: the process holds on to its high-water mark instead of shrinking between steps.

Only the console script does this, for the commands that train (cli.entry), never the library:
a notebook that imports stockrnn keeps its own allocator. A user's own glibc threshold
settings win; on other C libraries (macOS, musl, Windows) nothing changes.
"""

from __future__ import annotations

import os
import sys

KEEP = 1 << 30  # bytes: blocks below this come from the heap, and a free top below it stays
OLD_GLIBC_MMAP_MAX = 32 << 20  # older glibc refuses an mmap threshold above HEAP_MAX_SIZE / 2
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h
USER_SETTINGS = ("TRIM_THRESHOLD", "MMAP_THRESHOLD", "TOP_PAD", "MMAP_MAX")  # MALLOC_<name>_
USER_TUNABLES = ("trim_threshold", "mmap_threshold", "top_pad", "mmap_max")  # glibc.malloc.<name>


def keep_freed() -> bool:
    """Raise glibc's trim and mmap thresholds; whether both were set (again: a no-op)."""
    if sys.platform != "linux" or not _glibc() or _user_set():
        return False
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's own C library
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    # The mmap threshold first: the same two calls the other way round left a 505-ticker
    # train's peak at 1,590 MiB against 482 MiB (glibc 2.36; bench/memory.py), for reasons
    # not pinned down; the trim threshold alone changed nothing (bench/allocator.py).
    mapped = bool(mallopt(M_MMAP_THRESHOLD, KEEP) or mallopt(M_MMAP_THRESHOLD, OLD_GLIBC_MMAP_MAX))
    trimmed = bool(mallopt(M_TRIM_THRESHOLD, KEEP))
    return mapped and trimmed


def _glibc() -> bool:
    try:
        version = os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError, AttributeError):  # a name this system lacks; no confstr
        return False
    return bool(version and version.startswith("glibc"))


def _user_set() -> bool:
    """The user set glibc's malloc thresholds themselves (environment, or GLIBC_TUNABLES)."""
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    return any(f"MALLOC_{name}_" in os.environ for name in USER_SETTINGS) or any(
        f"glibc.malloc.{name}" in tunables for name in USER_TUNABLES
    )
