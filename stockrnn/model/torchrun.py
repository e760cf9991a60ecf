"""`stockrnn train --nproc N`: the same command under torchrun, N processes on this machine.

It is `torchrun --standalone --nproc-per-node N -m stockrnn train ...` run in-process through
torch.distributed.run, so nothing distributed is home-made: torchrun starts the processes,
gives each its rank, forwards Ctrl-C, and ends them all when one fails. What torchrun tells
each process (its world size and rank) is read here, in one place, without importing torch.
"""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
import time

from stockrnn.common import collector
from stockrnn.common.errors import (
    EXIT_CODES,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    DistributedError,
    Terminated,
    UsageError,
)

TIMEOUT_ENV = "STOCKRNN_DIST_TIMEOUT"  # seconds a rank waits on the others
DEFAULT_TIMEOUT = 300.0


def _count(name: str, default: int, low: int) -> int:
    text = os.environ.get(name, str(default))
    try:
        value = int(text)
    except ValueError:
        value = low - 1
    if value < low:
        raise UsageError(f"{name}={text[:20]!r} is not a whole number of at least {low}")
    return value


def world_size() -> int:
    """How many processes torchrun started for this training (1 when not under torchrun)."""
    return _count("WORLD_SIZE", 1, 1)


def rank() -> int:
    """This process's global rank under torchrun (0 when not under torchrun)."""
    return _count("RANK", 0, 0)


def local_rank() -> int:
    return _count("LOCAL_RANK", 0, 0)


def timeout_s() -> float:
    """How long a rank waits on the others before it calls them lost."""
    text = os.environ.get(TIMEOUT_ENV, str(DEFAULT_TIMEOUT))
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= 86400:  # NaN and infinities fail this too
        raise UsageError(f"{TIMEOUT_ENV}={text[:20]!r} must be seconds, above 0 and at most 86400")
    return value


def check_environment() -> None:
    """What torchrun tells a process, checked once before any command: a value that is not a
    number, or a WORLD_SIZE above 1 in a process torchrun did not start, is one clear line."""
    world, this = world_size(), rank()
    local_rank()
    timeout_s()
    if world > 1 and not os.environ.get("MASTER_ADDR"):
        raise UsageError(
            f"WORLD_SIZE={world} is set, but this process was not started by torchrun "
            "(no MASTER_ADDR): unset WORLD_SIZE, or run `stockrnn train --nproc N`"
        )
    if this >= world:
        raise UsageError(f"RANK={this} is not below WORLD_SIZE={world}")
    if world > 1:  # a training process: armed first thing, before torch is even imported
        die_with_launcher()


_launcher: int | None = None  # the pid of the process that started this one


def die_with_launcher() -> None:
    """End this process when its launcher dies, even by kill -9: Linux signals it at once
    (PR_SET_PDEATHSIG), and a watchdog thread polls the parent everywhere else, so no orphan
    trains on and writes a model after its command has ended. A launcher already gone (this
    process was adopted by init before it got here) ends it at once."""
    global _launcher
    if _launcher is not None:
        return
    _launcher = os.getppid()
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass  # the watchdog below still ends this process
    if _launcher == 1:
        raise DistributedError("the launcher of this training has gone; nothing was written")
    threading.Thread(target=_watch, args=(_launcher,), daemon=True, name="launcher").start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os.kill(os.getpid(), signal.SIGTERM)


def launcher_alive() -> bool:
    """Whether the process that started this one still runs (True when not under torchrun)."""
    return _launcher is None or os.getppid() == _launcher


def without_nproc(argv: list[str]) -> list[str]:
    """The command line minus `--nproc N` / `--nproc=N` (each worker trains, not launches)."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--nproc":
            skip = True
        elif not arg.startswith("--nproc="):
            out.append(arg)
    return out


def launch(nproc: int, argv: list[str]) -> int:
    """Run `stockrnn <argv>` in `nproc` processes; the exit code of the first that failed."""
    import logging

    from torch.distributed.elastic.multiprocessing.api import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError
    from torch.distributed.run import get_args_parser, run

    # The agent's own log lines (rendezvous, restarts, per-worker failure dumps, "Received 15
    # death signal") would bury the one line the failing worker prints. Each of torch's elastic
    # modules sets its logger's own level at import (elastic.utils.logging._setup_logger), so
    # the parent's level alone does not reach them.
    for name, logger in [*logging.Logger.manager.loggerDict.items()]:
        if name.startswith("torch.distributed") and isinstance(logger, logging.Logger):
            logger.setLevel(logging.CRITICAL)
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # torchrun's own default, without its warning
    args = get_args_parser().parse_args(
        ["--standalone", f"--nproc-per-node={nproc}", "--module", "stockrnn", *argv]
    )
    collector.resume()  # loaded; the wait on the workers that follows may be long
    try:
        run(args)  # type: ignore[no-untyped-call]
    except ChildFailedError as exc:
        failed, failure = exc.get_first_failure()
        code = failure.exitcode if failure.exitcode > 0 else 128 - failure.exitcode
        if failed != 0 or code not in EXIT_CODES:  # rank 0 has printed its own error line
            how = f"exit code {code}" if failure.exitcode > 0 else f"signal {-failure.exitcode}"
            print(
                f"error: training process {failed} of {nproc} failed ({how}); the others were "
                "stopped and no checkpoint was written",
                file=sys.stderr,
            )
        return code
    except (SignalException, KeyboardInterrupt) as exc:
        terminated = isinstance(exc, Terminated) or getattr(exc, "sigval", None) == signal.SIGTERM
        if not terminated:
            return EXIT_INTERRUPTED  # Ctrl-C: rank 0 kept the best epoch and said so
        print(
            "terminated: the training processes were stopped; no checkpoint was written",
            file=sys.stderr,
        )
        return EXIT_TERMINATED
    return 0
