"""glibc's malloc, told to keep the memory a training step frees for the next step.

By default glibc hands freed memory back to the kernel: a block above its mmap threshold is
unmapped when freed, and the heap is trimmed once its free top passes the trim threshold. A
training step allocates and frees the same activations every time, so at batch 1024 each
step's memory came back as fresh pages that the kernel faulted in and zeroed again: 61,000
page faults a step on the harness task, and 3.3x the epoch time of the same steps with the
memory kept (bench/allocator.py; docs/performance.md, "Memory the allocator keeps"). Raising
both thresholds (mallopt(3), what glibc's MALLOC_MMAP_THRESHOLD_ and MALLOC_TRIM_THRESHOLD_
set) keeps it: the peak is the same, the process just does not shrink between steps.

Only the console script does this (cli.entry), never the library: a notebook that imports
stockrnn keeps its own allocator. A user's own glibc malloc settings win; on other C
libraries (macOS, musl) nothing changes.
"""

from __future__ import annotations

import os
import sys

KEEP = 1 << 30  # bytes: blocks below this come from the heap, and a free top below it stays
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h
USER_SETTINGS = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_")


def keep_freed() -> bool:
    """Raise glibc's trim and mmap thresholds to KEEP; whether they were set."""
    if sys.platform != "linux" or not _glibc() or _user_set():
        return False
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's own C library
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(M_MMAP_THRESHOLD, KEEP)) and bool(mallopt(M_TRIM_THRESHOLD, KEEP))


def _glibc() -> bool:
    try:
        version = os.confstr("CS_GNU_LIBC_VERSION")
    except (ValueError, OSError):  # not a name this system knows
        return False
    return bool(version and version.startswith("glibc"))


def _user_set() -> bool:
    """The user tuned glibc's malloc themselves (environment, or GLIBC_TUNABLES)."""
    return any(v in os.environ for v in USER_SETTINGS) or "glibc.malloc." in os.environ.get(
        "GLIBC_TUNABLES", ""
    )
