"""Charts of recent closes, the forecast and its band: in the terminal (plotext) or as a PNG."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from stockrnn.common.errors import StockrnnError

if TYPE_CHECKING:
    from stockrnn.pipelines.predict import Forecast


def _series(
    result: Forecast,
) -> tuple[list[str], list[float], list[str], list[float], list[float], list[float]]:
    """The chart's data: recent closes, the forecast, and its first level's band."""
    from stockrnn.forecast.intervals import band_names

    hist, rows = result.history, result.rows
    lo, hi = band_names(result.levels[:1])
    return (
        [d.strftime("%Y-%m-%d") for d in hist.index],
        [float(v) for v in hist],
        [r.date for r in rows],
        [r.close for r in rows],
        [r.bands[lo] for r in rows],
        [r.bands[hi] for r in rows],
    )


FORECAST_SHARE = 0.25  # of the chart's width, however many closes of history it shows


def theme(plt: Any, color: bool) -> None:
    """Follow the terminal: plotext's own default paints a white canvas, a white box in a dark
    terminal; "pro" draws on the terminal's background in its foreground colour, and "clear"
    drops colour altogether (NO_COLOR, or output that is not a terminal)."""
    plt.theme("pro" if color else "clear")


def positions(history: int, horizon: int, share: float = FORECAST_SHARE) -> list[float]:
    """x positions, 0..100: the history over the first (1 - share) of the width, the forecast's
    days over the rest, so five days ahead stay readable beside 120 days behind."""
    split = 100 * (1 - share)
    past = [split * i / max(history - 1, 1) for i in range(history)]
    return past + [split + 100 * share * (k + 1) / horizon for k in range(horizon)]


def terminal(result: Forecast, color: bool = True) -> str:
    """A plotext chart as text, the forecast given a fixed share of the width."""
    import plotext as plt

    hd, hv, fd, fv, lo, hi = _series(result)
    x = positions(len(hd), len(fd))
    past, ahead = x[: len(hd)], x[len(hd) :]
    plt.clear_figure()
    theme(plt, color)
    plt.plot(past, hv, label="close", marker="braille")
    plt.plot([past[-1], *ahead], [hv[-1], *fv], label="forecast", marker="braille", color="cyan")
    plt.plot(ahead, lo, label=f"{result.levels[0]}% band", marker="dot", color="gray")
    plt.plot(ahead, hi, marker="dot", color="gray")
    ticks = [0, len(hd) // 2, len(hd) - 1]
    plt.xticks([past[i] for i in ticks] + [ahead[-1]], [hd[i] for i in ticks] + [fd[-1]])
    plt.title(f"{result.ticker}: last {len(hd)} closes and the forecast")
    plt.plotsize(100, 25)
    return built(plt, color)


def built(plt: Any, color: bool) -> str:
    """The chart as text; without colour, without the lines' colour codes too."""
    text = str(plt.build())
    return text if color else str(plt.uncolorize(text))


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
