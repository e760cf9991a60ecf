import numpy as np
import pandas as pd
import pytest
import torch
from helpers.bars import make_bars
from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

from stockrnn.common.errors import DataError, UsageError
from stockrnn.dataset import features
from stockrnn.dataset.config import FEATURE_SETS, DataConfig, Part
from stockrnn.dataset.loading import Series
from stockrnn.dataset.sampling import build
from stockrnn.dataset.splits import Cuts, cut_dates, no_test_days, part_codes
from stockrnn.model.windows import Windows

NAMES = FEATURE_SETS["ohlc"]


def series(n=200, seed=0, symbol="AAA", **kw):
    return Series.from_frame(symbol, make_bars(n, seed=seed, **kw), NAMES)


def test_features_are_log_ratios_to_previous_close() -> None:
    frame = make_bars(5)
    rel = features.log_relative(frame, NAMES)
    assert rel.shape == (4, 4)
    assert rel[2, 3] == pytest.approx(np.log(frame["close"].iloc[3] / frame["close"].iloc[2]))
    assert rel[2, 0] == pytest.approx(np.log(frame["open"].iloc[3] / frame["close"].iloc[2]))


def test_prices_rebuild_from_relative_values() -> None:
    frame = make_bars(6)
    rel = features.log_relative(frame, NAMES)[None, 1:]  # (1, 4 steps, 4)
    prices = features.to_prices(np.array([frame["close"].iloc[1]]), rel)
    assert np.allclose(prices[0, :, 3], frame["close"].iloc[2:])
    assert np.allclose(prices[0, :, 0], frame["open"].iloc[2:])


def test_fraction_split_cuts_the_sessions_of_one_ticker() -> None:
    s = series(1001)  # 1000 feature rows
    cuts = cut_dates([s], DataConfig())
    assert cuts == Cuts(s.dates[699], s.dates[849])
    part = part_codes(s, cuts)
    assert (part[:700] == 0).all() and (part[700:850] == 1).all() and (part[850:] == 2).all()


def test_fraction_split_is_one_date_across_tickers() -> None:
    """Tickers over different years share one train end and one validation end, so no
    ticker is tested on days before another ticker's training data ends."""
    early = series(600, start="2000-01-03", symbol="OLD")  # ends in 2002
    late = series(600, start="2010-01-04", seed=4, symbol="NEW")
    cuts = cut_dates([early, late], DataConfig())
    union = early.dates.union(late.dates)
    assert cuts.train_end == union[int(0.7 * len(union)) - 1]
    assert cuts.val_end == union[int(0.7 * len(union)) + int(0.15 * len(union)) - 1]
    samples, scaler = build([early, late], DataConfig(window=20))
    test_rows = samples.targets[Part.test]
    assert (samples.owner[test_rows] == 1).all()  # OLD has no test days at all
    seen = np.concatenate([samples.targets[Part.train], samples.targets[Part.val]])
    dates = np.concatenate([early.dates, late.dates])
    assert dates[seen].max() < dates[test_rows].min()
    assert scaler.fit_end <= cuts.train_end
    assert no_test_days([early, late], cuts) == [
        f"OLD has no test days: its data ends {early.dates[-1]:%Y-%m-%d}, and the test span "
        f"starts after {cuts.val_end:%Y-%m-%d}"
    ]


def test_date_split_and_sample_owned_by_target() -> None:
    s = series(300)
    cfg = DataConfig(window=20, train_end=s.dates[150].date(), val_end=s.dates[220].date())
    samples, _ = build([s], cfg)
    train, val, test = (samples.targets[p] for p in Part)
    assert train.max() == 150 and val.min() == 151 and val.max() == 220 and test.min() == 221
    assert train.min() == 20  # the first window fits entirely in the data
    assert set(train).isdisjoint(test) and set(val).isdisjoint(test)


def test_windows_are_strided_views_not_copies() -> None:
    samples, _ = build([series(300), series(250, seed=3, symbol="BBB")], DataConfig(window=30))
    win = Windows(samples, torch.device("cpu"))
    assert win.view.data_ptr() == win.data.data_ptr()  # a view on the one array
    assert win.view.untyped_storage().nbytes() == samples.scaled.nbytes
    rows = samples.targets[Part.train][[0, 5, -1]]
    x = win.inputs(torch.from_numpy(rows)).numpy()  # (batch, window, features)
    for b, t in enumerate(rows):
        assert np.array_equal(x[b], samples.scaled[t - 30 : t])
    assert np.array_equal(win.targets(torch.from_numpy(rows)).numpy(), samples.scaled[rows])


def test_windows_never_cross_tickers() -> None:
    a, b = series(300), series(250, seed=3, symbol="BBB")
    samples, _ = build([a, b], DataConfig(window=30))
    every = np.concatenate(list(samples.targets.values()))
    start = every - 30
    assert (samples.owner[start] == samples.owner[every]).all()


def test_scaler_sees_training_rows_only() -> None:
    a = series(400)
    b = series(400)
    b.rel[300:] *= 50  # wild values after the train part
    sa, scaler_a = build([a], DataConfig())
    sb, scaler_b = build([b], DataConfig())
    assert np.array_equal(scaler_a.shift, scaler_b.shift)
    assert np.array_equal(scaler_a.scale, scaler_b.scale)
    ref = StandardScaler().fit(a.rel[sa.parts[0] == 0])
    assert np.allclose(scaler_a.shift, ref.mean_) and np.allclose(scaler_a.scale, ref.scale_)


@pytest.mark.parametrize(
    ("kind", "ref"),
    [
        ("standard", StandardScaler()),
        ("minmax", MinMaxScaler(feature_range=(-1, 1))),
        ("robust", RobustScaler()),
    ],
)
def test_scalers_equal_scikit_learns(kind, ref) -> None:
    from stockrnn.dataset.scaling import Scaler

    rows = np.random.default_rng(4).standard_t(3, size=(500, 4)) * [1, 2, 0.5, 3] + [0, 1, 2, 3]
    mine = Scaler.fit(kind, rows)
    np.testing.assert_allclose(
        mine.transform(rows), ref.fit_transform(rows), rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(mine.inverse(mine.transform(rows)), rows, rtol=1e-12)


@pytest.mark.parametrize(
    ("kw", "msg"),
    [
        ({"window": 1}, "--window"),
        ({"split": (0.6, 0.2, 0.1)}, "sum to 1"),
        ({"scaler": "zscore"}, "--scaler"),
        (
            {
                "train_end": pd.Timestamp("2021-01-01").date(),
                "val_end": pd.Timestamp("2020-01-01").date(),
            },
            "before --val-end",
        ),
    ],
)
def test_bad_data_config(kw, msg) -> None:
    with pytest.raises(UsageError, match=msg):
        DataConfig(**kw).validate()


def test_too_few_rows_names_ticker_and_minimum() -> None:
    with pytest.raises(DataError, match=r"TINY has 50 rows.*at least 62"):
        build([series(50, symbol="TINY")], DataConfig(window=60))
