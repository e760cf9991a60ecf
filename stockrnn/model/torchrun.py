"""`stockrnn train --nproc N`: the same command under torchrun, N processes on this machine.

It is `torchrun --standalone --nproc-per-node N -m stockrnn train ...` run in-process through
torch.distributed.run, so nothing distributed is home-made: torchrun starts the processes,
gives each its rank, forwards Ctrl-C, and ends them all when one fails. What torchrun tells
each process (its world size and rank) is read here, in one place, without importing torch.
"""

from __future__ import annotations

import os
import sys

from stockrnn.common.errors import EXIT_CODES, EXIT_INTERRUPTED


def world_size() -> int:
    """How many processes torchrun started for this training (1 when not under torchrun)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def rank() -> int:
    """This process's global rank under torchrun (0 when not under torchrun)."""
    return int(os.environ.get("RANK", "0"))


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

    # The agent's own log lines (rendezvous, restarts, per-worker failure dumps) would bury the
    # one line the failing worker prints.
    logging.getLogger("torch.distributed.elastic").setLevel(logging.CRITICAL)
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # torchrun's own default, without its warning
    args = get_args_parser().parse_args(
        ["--standalone", f"--nproc-per-node={nproc}", "--module", "stockrnn", *argv]
    )
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
    except (SignalException, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    return 0
