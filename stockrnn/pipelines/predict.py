"""`stockrnn predict`: the next sessions' prices from a saved model, with dates and intervals.

The forecast itself is rollout.paths from the last day; dates come from the exchange calendar,
and each day gets a split-conformal interval that widens with the horizon (see intervals.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from stockrnn.checkpoint import reading
from stockrnn.checkpoint.data_changes import changed_note, covariate_notes
from stockrnn.checkpoint.schema import CheckpointMeta
from stockrnn.common import collector
from stockrnn.common.errors import DataError, UsageError
from stockrnn.common.limits import STALE_SESSIONS, check_days, percent_levels
from stockrnn.data import cache, manifests, session_table, trading_calendar
from stockrnn.dataset import exog, features
from stockrnn.dataset.config import CLOSE
from stockrnn.dataset.exog import Covariate
from stockrnn.dataset.loading import Series, series_of
from stockrnn.evaluate import baselines
from stockrnn.forecast import intervals
from stockrnn.forecast.intervals import band_names
from stockrnn.forecast.rollout import Predictor, paths


@dataclass(frozen=True, kw_only=True)
class ForecastConfig:
    """What `stockrnn predict` asks for."""

    horizon: int = 5  # sessions ahead, 1..limits.MAX_DAYS
    levels: tuple[int, ...] = (80,)  # interval coverages, in percent
    calendar: str | None = None  # the forecast dates' exchange (None: each ticker's own)
    model: str = "default"

    def validate(self) -> None:
        check_days(self.horizon, "--horizon")
        if percent_levels(self.levels)[0] != tuple(self.levels):
            raise UsageError("levels must be sorted whole percents, e.g. (80, 95)")


@dataclass(frozen=True, kw_only=True)
class ForecastRow:
    """One forecast session (the columns of `predict --format csv` and `json`)."""

    ticker: str
    date: str
    step: int
    open: float
    high: float
    low: float
    close: float
    change: float  # close minus the last close
    change_pct: float
    bands: dict[str, float]  # "lo-80", "hi-80", ... around the close, per level
    naive: float  # the baselines' closes: the last close, and it moved at the mean return
    drift: float
    last_close: float
    last_date: str
    model: str


@dataclass(frozen=True, kw_only=True)
class Forecast:
    """One ticker's forecast, with what a chart needs and notes for the user."""

    ticker: str
    model: str
    last_date: str
    last_close: float
    levels: tuple[int, ...]
    rows: list[ForecastRow]
    history: pd.Series = field(repr=False, metadata={"json": False})  # recent closes, for charts
    notes: list[str] = field(default_factory=list)


def series_for_model(
    frame: pd.DataFrame,
    meta: CheckpointMeta,
    symbol: str,
    *,
    covs: list[Covariate] | None = None,
    calendar: str = trading_calendar.DEFAULT_CALENDAR,
) -> Series:
    """The series the model reads, refused when too short, lacking a needed feature, or when
    a covariate's data is missing or ends before the ticker's."""
    window = meta.data.window
    for name in features.missing_columns(frame, meta.features):
        raise DataError(f"model {meta.name!r} needs {name}, which {symbol}'s data lacks")
    s = series_of(symbol, frame, meta.data, covs or [], calendar=calendar)
    if len(s.rel) < window:  # a covariate starting late cuts the ticker's own rows
        raise DataError(f"{symbol} has {s.size_note()}; model {meta.name!r} needs {window + 1}")
    return s


def forecast_one(
    predictor: Predictor,
    meta: CheckpointMeta,
    frame: pd.DataFrame,
    symbol: str,
    cfg: ForecastConfig,
    *,
    hint: str = "",
    covs: list[Covariate] | None = None,
    calendar: str = trading_calendar.DEFAULT_CALENDAR,
    stored: session_table.Sessions | None = None,
) -> Forecast:
    """The forecast for one ticker (`hint`: how to refresh its data when stale; `covs`: the
    model's covariates as cached; `calendar`: the ticker's exchange as cached, which dates
    the forecast unless the user named another; `stored`: its sessions as fetch kept them)."""
    calendar = cfg.calendar or calendar
    s = series_for_model(frame, meta, symbol, covs=covs, calendar=calendar)
    trading_calendar.check_covers(calendar, s.dates[-1].date(), symbol, stored)
    origin = np.array([len(s.rel) - 1])
    prices = paths(predictor, s, origin, cfg.horizon).prices[0]  # (horizon, 4)
    last_close, last_date = float(s.close[-1]), s.dates[-1].date()
    sigma = predictor.sigma(s, origin)
    bands = {}
    for level in cfg.levels:
        widths = intervals.step_widths(
            meta.intervals.half_widths, level / 100, cfg.horizon, meta.intervals.step_n
        )
        lo, hi = intervals.band(prices[None, :, CLOSE], sigma, widths)
        bands[level] = (lo[0], hi[0])
    dates = trading_calendar.next_sessions(calendar, last_date, cfg.horizon, stored)
    mu = baselines.drift_rate(s.rel[:, CLOSE], len(s.rel))
    naive, drift = (b[0] for b in baselines.forecasts(np.array([last_close]), mu, cfg.horizon))
    rows = []
    for i, (d, p) in enumerate(zip(dates, prices.tolist(), strict=True)):
        rows.append(
            ForecastRow(
                ticker=symbol,
                date=d.isoformat(),
                step=i + 1,
                open=p[0],
                high=p[1],
                low=p[2],
                close=p[3],
                change=p[3] - last_close,
                change_pct=100 * (p[3] / last_close - 1),
                bands=dict(
                    zip(
                        band_names(bands),
                        (float(edge[i]) for lo, hi in bands.values() for edge in (lo, hi)),
                        strict=True,
                    )
                ),
                naive=float(naive[i]),
                drift=float(drift[i]),
                last_close=last_close,
                last_date=last_date.isoformat(),
                model=meta.name,
            )
        )
    return Forecast(
        ticker=symbol,
        model=meta.name,
        last_date=last_date.isoformat(),
        last_close=last_close,
        levels=tuple(cfg.levels),
        rows=rows,
        history=frame["close"].iloc[-120:],
        notes=_notes(meta, symbol, frame, calendar=calendar, hint=hint, stored=stored),
    )


def _notes(
    meta: CheckpointMeta,
    symbol: str,
    frame: pd.DataFrame,
    *,
    calendar: str,
    hint: str,
    stored: session_table.Sessions | None,
) -> list[str]:
    last = frame.index[-1].date()
    notes = [note] if (note := changed_note(meta, symbol, frame)) else []
    if meta.ticker(symbol) is None:
        notes.append(
            f"{symbol} was not in model {meta.name!r}'s training data; the model "
            "works on relative moves, so the forecast still applies"
        )
    behind = trading_calendar.sessions_since(calendar, last, stored=stored)
    if behind > STALE_SESSIONS:
        notes.append(f"{symbol}'s data is stale: last bar {last}, {behind} sessions ago; {hint}")
    return notes


Bars = tuple[pd.DataFrame, str]  # a ticker's bars and its exchange calendar


def predict(
    data_dir: Path,
    models_dir: Path,
    tickers: list[str],
    cfg: ForecastConfig,
    *,
    loaded: tuple[Predictor, CheckpointMeta] | None = None,
    bars: dict[str, Bars] | None = None,
) -> list[Forecast]:
    """Forecast each ticker (none given: every ticker the model was trained on) with the
    named model, or the one already `loaded`; `bars` gives some tickers' bars in memory
    (already validated as an import), the others are read from the cache."""
    cfg.validate()
    kept = session_table.reader(data_dir)
    if cfg.calendar is not None and kept(cfg.calendar) is None:
        trading_calendar.get_calendar(cfg.calendar, date.today())  # an unknown calendar fails early
    predictor, meta = loaded or reading.load_light(models_dir, cfg.model)
    covs = exog.load(data_dir, tuple(meta.data.covariates))
    shared = covariate_notes(meta, covs)  # about every ticker's forecast
    bars = bars or {}
    out = []
    for symbol in tickers or [t.symbol for t in meta.tickers]:
        if symbol in bars:
            frame, calendar = bars[symbol]
            hint = "give newer bars"
        else:
            frame, manifest = cache.load(data_dir, symbol)
            calendar, hint = manifest.calendar, manifests.refresh_hint(manifest)
        out.append(
            forecast_one(
                predictor,
                meta,
                frame,
                symbol,
                cfg,
                hint=hint,
                covs=covs,
                calendar=calendar,
                stored=kept(cfg.calendar or calendar),
            )
        )
        collector.resume()  # one forecast made: what the others need is loaded
    return [replace(f, notes=[*shared, *f.notes]) for f in out]
