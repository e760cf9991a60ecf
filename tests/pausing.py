"""Runs the stockrnn CLI with a pause before its first atomic rename (crash tests only).

Usage: python tests/pausing.py MARKER ARGS...: the process writes its pid to MARKER, then sleeps
60 s before renaming, so a test can kill or interrupt it at the worst moment.
"""

import os
import sys
import time
from pathlib import Path

from stockrnn.cli.main import main
from stockrnn.common import atomic


def pause(marker: Path) -> None:
    marker.write_text(str(os.getpid()))
    time.sleep(60)


if __name__ == "__main__":
    target = Path(sys.argv[1])
    atomic.before_rename = lambda: pause(target)
    sys.argv = ["stockrnn", *sys.argv[2:]]
    main()
