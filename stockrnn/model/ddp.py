"""Distributed data-parallel training under torchrun: one model, several processes.

torchrun (torch.distributed.run) starts the processes and sets RANK, WORLD_SIZE and LOCAL_RANK;
this module joins them into one process group (gloo on CPU, NCCL on CUDA) with a timeout, so a
rank that dies makes the others fail with a clear error instead of waiting forever. Every rank
reads the same cached data and builds the same samples; train.fit splits each global batch
into disjoint rank shards and scales the loss so DDP's averaged gradient equals one process's.
"""

from __future__ import annotations

import signal
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

import numpy as np
import torch
import torch.distributed as dist

from stockrnn.common.errors import DistributedError
from stockrnn.model import torchrun

R = TypeVar("R", torch.Tensor, np.ndarray)


@dataclass(frozen=True)
class TrainingGroup:
    """This process's place among the training processes."""

    rank: int
    world: int
    local_rank: int
    device: torch.device  # where collectives run: NCCL reduces CUDA tensors only

    @property
    def main(self) -> bool:
        return self.rank == 0

    def shard(self, rows: R) -> R:
        """This rank's disjoint share of a batch of rows (every world-th row)."""
        return rows[self.rank :: self.world]

    def sum(self, value: torch.Tensor) -> torch.Tensor:
        """The sum of `value` over every rank, as a new tensor on the group's device."""
        out = value.detach().to(self.device, copy=True)
        try:
            dist.all_reduce(out)
        except (RuntimeError, dist.DistError) as exc:
            raise peer_lost_error(exc) from exc
        return out


def peer_lost_error(exc: BaseException) -> DistributedError:
    return DistributedError(
        f"a training process stopped or timed out ({str(exc).splitlines()[0][:160]}); "
        "no checkpoint was written by this run"
    )


_group: TrainingGroup | None = None


def join_group(device: torch.device) -> TrainingGroup | None:
    """The process group when launched by torchrun with more than one process, else None;
    joined on first use."""
    global _group
    world = torchrun.world_size()
    if world <= 1:
        return None
    if _group is None:
        rank, local = torchrun.rank(), torchrun.local_rank()
        backend = "nccl" if device.type == "cuda" else "gloo"
        timeout = timedelta(seconds=torchrun.timeout_s())
        try:
            dist.init_process_group(backend, timeout=timeout)
        except (RuntimeError, ValueError, dist.DistError) as exc:
            raise DistributedError(f"could not join the training processes: {exc}") from exc
        on = torch.device("cuda", local) if backend == "nccl" else torch.device("cpu")
        _group = TrainingGroup(rank, world, local, on)
        catch_signals()
    return _group


def seed_rank(seed: int, group: TrainingGroup) -> None:
    """Each rank its own dropout stream (rank 0 keeps the one process's): with the same seed
    everywhere, every rank would drop the same units of its different rows. So with dropout,
    N processes equal one in distribution, not bit for bit."""
    if group.rank:
        torch.manual_seed(seed + group.rank)


def device_for(device: torch.device, group: TrainingGroup) -> torch.device:
    """On CUDA under torchrun, each local rank takes its own card."""
    if device.type == "cuda":
        torch.cuda.set_device(group.local_rank)
        return torch.device("cuda", group.local_rank)
    return device


def wrap(model: torch.nn.Module, device: torch.device) -> torch.nn.Module:
    from torch.nn.parallel import DistributedDataParallel

    ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(model, device_ids=ids)


def close() -> None:
    global _group
    if _group is not None and dist.is_initialized():
        dist.destroy_process_group()
    _group = None


_signalled = False


def _on_interrupt(signum: int, frame: object) -> None:
    global _signalled
    if _signalled:
        return  # rank 0 is writing the checkpoint: let it finish
    _signalled = True
    raise KeyboardInterrupt


def _on_terminate(signum: int, frame: object) -> None:
    if _signalled:
        return
    raise SystemExit(128 + signum)  # the launcher ends us because another process failed


def catch_signals() -> None:
    """In a torchrun worker: Ctrl-C reaches the launcher, which forwards SIGINT to every
    process; the first stops training as Ctrl-C does in one process (rank 0 keeps the best
    epoch), and later ones are ignored while rank 0 writes. SIGTERM is the launcher ending
    the survivors of a failed process: they exit quietly (the failed one said why)."""
    signal.signal(signal.SIGINT, _on_interrupt)
    signal.signal(signal.SIGTERM, _on_terminate)


def interrupted() -> bool:
    """Whether this process was signalled; waits briefly, since a Ctrl-C that stopped the
    other ranks first can reach this one a moment after their sockets closed."""
    if not _signalled:
        try:
            time.sleep(0.5)
        except KeyboardInterrupt:
            pass
    return _signalled
