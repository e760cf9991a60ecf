"""A predict result built by hand, for the renderers' tests."""

from __future__ import annotations

import pandas as pd

from stockrnn.pipelines.predict import Forecast, ForecastRow


def forecast_of(history: int = 120, horizon: int = 5) -> Forecast:
    """`history` closes rising 0.1 a day, then `horizon` forecast days with an 80% band."""
    dates = pd.bdate_range("2024-01-02", periods=history + horizon)
    closes = pd.Series([100 + i * 0.1 for i in range(history)], index=dates[:history])
    rows = [
        ForecastRow(
            ticker="AAA",
            date=f"{d:%Y-%m-%d}",
            step=k + 1,
            open=110.0,
            high=111.0,
            low=109.0,
            close=110.0 + k,
            change=k,
            change_pct=k,
            bands={"lo-80": 105.0 + k, "hi-80": 115.0 + k},
            naive=112.0,
            drift=112.1,
            last_close=112.0,
            last_date=f"{dates[history - 1]:%Y-%m-%d}",
            model="m",
        )
        for k, d in enumerate(dates[history:])
    ]
    return Forecast(
        ticker="AAA",
        model="m",
        last_date=rows[0].last_date,
        last_close=112.0,
        levels=(80,),
        rows=rows,
        history=closes,
    )
