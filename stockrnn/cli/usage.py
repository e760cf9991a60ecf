"""`stockrnn --help` as typer renders it at 80 columns, kept so that cli.entry can print it
without importing typer. Regenerate after changing a command's name or summary:

    python -m stockrnn.cli.usage --write

(tests/cli/test_entry.py fails while it is out of date).
"""

TEXT = """\
Usage: stockrnn [OPTIONS] COMMAND [ARGS]...

  Forecast daily stock prices with RNN/LSTM/GRU models, next to the naive and
  drift baselines.

Options:
  --version             Show the version and exit.
  --install-completion  Install completion for the current shell.
  --show-completion     Show completion for the current shell, to copy it or
                        customize the installation.
  -h, --help            Show this message and exit.

Commands:
  fetch      Download daily OHLCV bars into the data folder,...
  list       Show cached tickers with their date ranges and how stale...
  train      Train a many-to-one RNN/LSTM/GRU on cached tickers (none...
  backtest   Walk-forward backtest against the naive and drift baselines...
  predict    Forecast the next trading sessions with a saved model (no...
  tune       Search cell, size, window, learning rate and batch on...
  workspace  Print the workspace in effect: its data and models folders,...
  models     List, remove and rename saved models.
"""


def render() -> str:
    """The top-level help, rendered now by typer at 80 columns."""
    import contextlib
    import io
    import os

    from stockrnn.cli.main import run

    out, before = io.StringIO(), os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"
    try:
        with contextlib.redirect_stdout(out):
            code = run(["--help"])
    finally:
        if before is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = before
    if code != 0 or not out.getvalue().startswith("Usage: stockrnn"):
        raise RuntimeError(f"`stockrnn --help` failed (exit {code}): fix that first")
    return out.getvalue()


def write() -> None:
    """Replace TEXT in this file with render(), atomically."""
    import pathlib

    from stockrnn.common import atomic

    path = pathlib.Path(__file__)
    head, rest = path.read_text().split('TEXT = """\\\n', 1)
    _, tail = rest.split('\n"""\n', 1)
    text = f'{head}TEXT = """\\\n{render().rstrip(chr(10))}\n"""\n{tail}'
    atomic.write_bytes(path, text.encode())


if __name__ == "__main__":  # pragma: no cover
    import sys

    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m stockrnn.cli.usage --write")
    write()
