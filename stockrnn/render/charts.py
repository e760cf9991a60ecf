"""Charts of recent closes, the forecast and its band: in the terminal (plotext) or as a PNG."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from stockrnn.common.errors import StockrnnError

if TYPE_CHECKING:
    from stockrnn.pipelines.predict import Forecast


def _series(
    result: Forecast,
) -> tuple[list[str], list[float], list[str], list[float], list[float], list[float]]:
    hist, rows = result.history, result.rows
    return (
        [d.strftime("%Y-%m-%d") for d in hist.index],
        [float(v) for v in hist],
        [r.date for r in rows],
        [r.close for r in rows],
        [r.lo for r in rows],
        [r.hi for r in rows],
    )


def terminal(result: Forecast) -> str:
    """A plotext chart as text."""
    import plotext as plt

    hd, hv, fd, fv, lo, hi = _series(result)
    plt.clear_figure()
    plt.date_form("Y-m-d")
    plt.plot(hd, hv, label="close", marker="braille")
    plt.plot([hd[-1], *fd], [hv[-1], *fv], label="forecast", marker="braille", color="cyan")
    plt.plot(fd, lo, label="band", marker="dot", color="gray")
    plt.plot(fd, hi, marker="dot", color="gray")
    plt.title(f"{result.ticker}: last {len(hd)} closes and the forecast")
    plt.plotsize(100, 25)
    return str(plt.build())


def png(results: list[Forecast], path: Path) -> None:
    """The same chart as a PNG file (needs the optional matplotlib extra)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise StockrnnError("--plot-file needs matplotlib: pip install 'stockrnn[png]'") from exc
    import pandas as pd

    from stockrnn.common import atomic

    fig, axes = plt.subplots(len(results), 1, figsize=(10, 4 * len(results)), squeeze=False)
    for ax, result in zip(axes[:, 0], results, strict=True):
        hd, hv, fd, fv, lo, hi = _series(result)
        fdates = pd.to_datetime(fd)
        ax.plot(pd.to_datetime(hd), hv, label="close")
        ax.plot([pd.Timestamp(hd[-1]), *fdates], [hv[-1], *fv], label="forecast")
        ax.fill_between(fdates, lo, hi, alpha=0.3, label="interval")
        ax.set_title(f"{result.ticker} (model {result.model})")
        ax.legend()
    fig.tight_layout()
    import io

    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    atomic.write_bytes(path, buf.getvalue())
