"""How many threads torch may use: the cores this process may run on, shared among the
stockrnn workers on this machine, unless `--threads` says otherwise.

torch's default is every core the machine has, in every process. When several processes
share the cores (two `tune` workers on one study, torchrun's local ranks, a job pinned by
taskset or a container's cpuset), their OpenMP threads spin against each other: on a 2-core
machine two small tunes took 10.1 s with 2 threads each and 6.1 s with 1 (docs/performance.md),
and one trial under heavier load went from 4 s to 189 s.
"""

from __future__ import annotations

import os

from stockrnn.common.limits import check_threads


def cores() -> int:
    """The cores this process may run on (its affinity mask where the OS has one)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def local_workers() -> int:
    """stockrnn processes sharing this machine's cores by design: torchrun's local ranks."""
    try:
        return max(1, int(os.environ.get("LOCAL_WORLD_SIZE", "1")))
    except ValueError:
        return 1


def use(given: int | None = None, sharing: int = 1) -> int:
    """Set torch's intra-op threads: `given`, else this process's share of its cores among
    `sharing` x the local torchrun ranks workers. Returns the count set."""
    import torch

    check_threads(given)
    count = given or max(1, cores() // (max(1, sharing) * local_workers()))
    if torch.get_num_threads() != count:
        torch.set_num_threads(count)
    return count
