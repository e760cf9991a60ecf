"""Loaded by every Python process the DDP tests start (on PYTHONPATH): in torchrun workers,
STOCKRNN_TEST_DDP makes one rank fail, or marks each finished epoch, at loop._train_pass.

  die:R:E     rank R exits with code 7 as epoch E starts
  mark:DIR    rank 0 touches DIR/epoch-N after each epoch's training pass
"""

import os

_mode = os.environ.get("STOCKRNN_TEST_DDP", "")
if _mode and "RANK" in os.environ:
    from pathlib import Path

    from stockrnn.model import loop

    _rank, _real, _calls = int(os.environ["RANK"]), loop._train_pass, [0]

    def _patched(*args, **kwargs):
        _calls[0] += 1
        kind, _, rest = _mode.partition(":")
        if kind == "die":
            rank, epoch = (int(x) for x in rest.split(":"))
            if _rank == rank and _calls[0] == epoch:
                os._exit(7)
        out = _real(*args, **kwargs)
        if kind == "mark" and _rank == 0:
            Path(rest, f"epoch-{_calls[0]}").touch()
        return out

    loop._train_pass = _patched
