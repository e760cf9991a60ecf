"""Multi-day forecasts: roll the many-to-one model forward, feeding each predicted day back in.

Prices are rebuilt from the predicted log ratios, dates come from the exchange calendar, and
each day gets a split-conformal interval that widens with the horizon (see intervals.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from stockrnn import checkpoint, features, intervals, store, trading_calendar
from stockrnn.dataset import Scaler
from stockrnn.errors import DataError
from stockrnn.limits import STALE_SESSIONS, check_days, check_level


@dataclass
class ForecastConfig:
    """What `stockrnn predict` asks for."""

    days: int = 5  # sessions ahead, 1..MAX_DAYS
    level: float = 0.8  # interval coverage
    calendar: str = trading_calendar.DEFAULT_CALENDAR
    model: str = "default"

    def validate(self) -> None:
        check_days(self.days, "--days")
        check_level(self.level)


@torch.no_grad()
def roll(model: torch.nn.Module, window: torch.Tensor, steps: int) -> torch.Tensor:
    """Recursive forecast: (batch, window, features) -> (batch, steps, features), scaled."""
    outs = []
    for _ in range(steps):
        nxt = model(window)  # (batch, features)
        outs.append(nxt)
        window = torch.cat([window[:, 1:], nxt[:, None]], dim=1)  # slide by one day
    return torch.stack(outs, dim=1)


def scaler_of(meta: dict[str, Any]) -> Scaler:
    s = meta["scaler"]
    return Scaler(s["kind"], np.asarray(s["shift"], np.float64), np.asarray(s["scale"], np.float64))


def relative_forecast(
    model: torch.nn.Module, scaler: Scaler, rel: np.ndarray, steps: int
) -> np.ndarray:
    """Predicted log ratios (batch, steps, features) from unscaled (batch, window, features)."""
    x = torch.from_numpy(scaler.transform(rel).astype(np.float32))
    return scaler.inverse(roll(model, x, steps).numpy().astype(np.float64))


def usable_frame(frame: pd.DataFrame, meta: dict[str, Any], symbol: str) -> pd.DataFrame:
    """Refuse data the checkpoint cannot use (too short, or lacking a needed feature)."""
    window = int(meta["data"]["window"])
    for name in features.lacking(frame, meta["features"]):
        raise DataError(f"model {meta['name']!r} needs {name}, which {symbol}'s data lacks")
    if len(frame) < window + 1:
        raise DataError(
            f"{symbol} has {len(frame)} rows; model {meta['name']!r} needs {window + 1}"
        )
    return frame


def changed_note(meta: dict[str, Any], symbol: str, frame: pd.DataFrame) -> str | None:
    """A note when the ticker's history up to the model's last day differs from what it saw."""
    seen = next((t for t in meta["tickers"] if t.get("symbol") == symbol), None)
    if seen is None or not seen.get("sha256") or not seen.get("last_date"):
        return None
    if pd.Timestamp(seen["last_date"]) > frame.index[-1]:
        return (
            f"{symbol}'s data changed since model {meta['name']!r} was trained: it now ends "
            f"{frame.index[-1]:%Y-%m-%d}, before the {seen['last_date']} the model saw"
        )
    if store.history_sha256(frame, seen["last_date"]) != seen["sha256"]:
        return (
            f"{symbol}'s data changed since model {meta['name']!r} was trained (re-imported "
            f"or re-adjusted history through {seen['last_date']}): its scores and intervals "
            "describe the old data"
        )
    return None


def forecast_one(
    model: torch.nn.Module,
    meta: dict[str, Any],
    frame: pd.DataFrame,
    symbol: str,
    cfg: ForecastConfig,
    hint: str = "",
) -> dict[str, Any]:
    """The forecast rows and header facts for one ticker (`hint`: how to refresh its data)."""
    window = int(meta["data"]["window"])
    frame = usable_frame(frame, meta, symbol)
    trading_calendar.check_covers(cfg.calendar, frame.index[-1].date(), symbol)
    rel = features.relative(frame.iloc[-(window + 1) :], meta["features"])[None]
    pred = relative_forecast(model, scaler_of(meta), rel, cfg.days)
    last_close = float(frame["close"].iloc[-1])
    prices = features.to_prices(np.array([last_close]), pred)[0]  # (steps, 4)
    lo, hi = intervals.band(
        prices[None, :, 3], intervals.half_width(meta["intervals"]["half_widths"], cfg.level)
    )
    last_date = frame.index[-1].date()
    dates = trading_calendar.next_sessions(cfg.calendar, last_date, cfg.days)
    rows = [
        {
            "ticker": symbol,
            "date": d.isoformat(),
            "step": i + 1,
            "open": p[0],
            "high": p[1],
            "low": p[2],
            "close": p[3],
            "change": p[3] - last_close,
            "change_pct": 100 * (p[3] / last_close - 1),
            "lo": lo[0, i],
            "hi": hi[0, i],
            "last_close": last_close,
            "last_date": last_date.isoformat(),
            "model": meta["name"],
        }
        for i, (d, p) in enumerate(zip(dates, prices.tolist(), strict=True))
    ]
    return {
        "ticker": symbol,
        "rows": [{k: _plain(v) for k, v in r.items()} for r in rows],
        "notes": _notes(meta, symbol, cfg, frame, hint),
        "last_close": last_close,
        "last_date": last_date.isoformat(),
        "history": frame["close"].iloc[-120:],
    }


def _plain(v: Any) -> Any:
    return float(v) if isinstance(v, np.floating) else v


def _notes(
    meta: dict[str, Any], symbol: str, cfg: ForecastConfig, frame: pd.DataFrame, hint: str
) -> list[str]:
    last = frame.index[-1].date()
    notes = [note] if (note := changed_note(meta, symbol, frame)) else []
    if symbol not in {t["symbol"] for t in meta["tickers"]}:
        notes.append(
            f"{symbol} was not in model {meta['name']!r}'s training data; the model "
            "works on relative moves, so the forecast still applies"
        )
    behind = trading_calendar.sessions_since(cfg.calendar, last)
    if behind > STALE_SESSIONS:
        notes.append(f"{symbol}'s data is stale: last bar {last}, {behind} sessions ago; {hint}")
    return notes


def predict(
    data_dir: Path, models_dir: Path, tickers: list[str], cfg: ForecastConfig
) -> list[dict[str, Any]]:
    """Forecast every ticker with the named model."""
    cfg.validate()
    trading_calendar.get(cfg.calendar, date.today())  # an unknown calendar fails early
    model, meta = checkpoint.load(models_dir, cfg.model)
    out = []
    for symbol in tickers:
        frame, manifest = store.load(data_dir, symbol)
        out.append(forecast_one(model, meta, frame, symbol, cfg, store.refresh_hint(manifest)))
    return out
