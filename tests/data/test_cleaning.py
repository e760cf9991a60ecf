import numpy as np
import pandas as pd
import pytest

from stockrnn.common.errors import DataError
from stockrnn.data.cleaning import clean_bars
from stockrnn.data.sources import csvfile


def test_each_rule_applies_and_is_counted(bars) -> None:
    frame = bars(20)
    frame.iloc[2, 0] = np.nan  # NaN open: row dropped
    frame.iloc[3, 3] = -1.0  # non-positive close: row dropped
    frame.iloc[5, 1] = frame.iloc[5][["open", "close"]].max() - 1  # high below body: repaired
    frame = pd.concat([frame, frame.iloc[[7]]])  # duplicate date
    frame = frame.iloc[::-1]  # descending
    out, adjusted, report = clean_bars(frame)
    assert not adjusted
    assert out.index.is_monotonic_increasing and out.index.is_unique
    assert len(out) == 18
    assert (out["high"] >= out[["open", "close"]].max(axis=1)).all()
    text = " | ".join(report.actions)
    for phrase in (
        "1 unsorted",
        "1 duplicate",
        "1 row(s) with missing",
        "1 row(s) with non-pos",
        "1 row(s) where high/low",
    ):
        assert phrase in text


def test_adj_close_scales_ohlc_and_removes_split(bars) -> None:
    frame = bars(10)
    frame.loc[frame.index[5] :, ["open", "high", "low", "close"]] /= 2  # a 2:1 split, unadjusted
    frame["adj_close"] = bars(10)["close"] / 2
    out, adjusted, report = clean_bars(frame)
    assert adjusted
    moves = out["close"].pct_change().abs().dropna()
    assert moves.max() < 0.1
    assert np.allclose(out["close"], frame["adj_close"])
    assert report.warnings == []


def test_large_jump_reported_as_possible_split(bars) -> None:
    frame = bars(10)
    frame.loc[frame.index[5] :, ["open", "high", "low", "close"]] /= 2
    _, _, report = clean_bars(frame)
    assert any("possible unadjusted split" in w for w in report.warnings)


def test_all_nan_prices_is_an_error(bars) -> None:
    frame = bars(5)
    frame[["open", "high", "low", "close"]] = np.nan
    with pytest.raises(DataError, match="no valid rows"):
        clean_bars(frame)


def test_spy_bad_rows_are_repaired(shared_ohlcv) -> None:
    raw = csvfile.fetch(shared_ohlcv / "SPY.csv").frame
    assert (raw["open"] < raw["low"]).sum() == 2
    out, adjusted, report = clean_bars(raw)
    assert adjusted
    assert (out["open"] >= out["low"]).all()
    assert any(a.startswith("2 row(s) where high/low") for a in report.actions)
