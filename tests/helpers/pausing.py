"""Runs the stockrnn CLI with a pause before its first atomic rename (crash tests only).

Usage: python tests/helpers/pausing.py MARKER ARGS...: the process writes its pid to MARKER,
then sleeps 60 s at the first rename of a temp file, so a test can kill or interrupt it at the
worst moment.
The hook lives here, in the test launcher: the package has none.
"""

import os
import sys
import time
from pathlib import Path

from stockrnn.cli.main import main


def pausing_replace(marker: Path):
    real = os.replace

    def replace(src, dst, *args, **kwargs):
        if ".tmp-" in os.fspath(src) and not marker.exists():
            marker.write_text(str(os.getpid()))
            time.sleep(60)
        return real(src, dst, *args, **kwargs)

    return replace


if __name__ == "__main__":
    os.replace = pausing_replace(Path(sys.argv[1]))
    sys.argv = ["stockrnn", *sys.argv[2:]]
    main()
