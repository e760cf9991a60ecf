"""Runs the stockrnn CLI with a barrier before its first tune trial (study-sharing test only).

Usage: python tests/helpers/barrier.py FOLDER COUNT ARGS...: at its first trial the process
writes FOLDER/ready-PID, then waits (up to 120 s) until COUNT such files exist, so every
process of the test is inside the study before any finishes a trial: without it, one worker
could run the whole study while the other is still importing torch.
The hook lives here, in the test launcher: the package has none.
"""

import os
import sys
import time
from pathlib import Path

from stockrnn.cli.main import main
from stockrnn.tuning import search


def barrier_objective(folder: Path, count: int):
    real = search.objective

    def objective(*args, **kwargs):
        score, waited = real(*args, **kwargs), []

        def first_waits(trial):
            if not waited:
                waited.append(True)
                (folder / f"ready-{os.getpid()}").write_text("")
                end = time.monotonic() + 120
                while len(list(folder.glob("ready-*"))) < count and time.monotonic() < end:
                    time.sleep(0.05)
            return score(trial)

        return first_waits

    return objective


if __name__ == "__main__":
    search.objective = barrier_objective(Path(sys.argv[1]), int(sys.argv[2]))
    sys.argv = ["stockrnn", *sys.argv[3:]]
    main()
