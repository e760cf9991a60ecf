import json
from dataclasses import replace

import numpy as np
import pytest
import torch
from helpers.bars import cache_bars, make_bars
from helpers.requests import tiny_request

from stockrnn.checkpoint import weights
from stockrnn.evaluate import metrics
from stockrnn.model import loop
from stockrnn.model.config import ModelConfig
from stockrnn.pipelines import train


def saved_weights(models_dir, name="m"):
    model, _ = weights.load(models_dir, name)
    return {k: v.clone() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_each_cell_trains_saves_and_reloads_identically(small_request, cell) -> None:
    req = small_request(cell=cell)
    summary = train.run(req)
    assert summary.meta.model.cell == cell and summary.meta.fit.epochs_run == 3
    model, meta = weights.load(req.models_dir, "m")
    assert meta.metrics.overall.naive.rel_mae == 1.0
    torch.manual_seed(req.train.seed)
    from stockrnn.model.network import Forecaster

    fresh = Forecaster(ModelConfig(cell=cell, hidden=8))
    assert any(
        not torch.equal(a, b)
        for a, b in zip(fresh.state_dict().values(), model.state_dict().values(), strict=True)
    )


def test_same_seed_is_bit_identical(small_request, tmp_path) -> None:
    train.run(small_request())
    first = saved_weights(tmp_path / "models")
    train.run(small_request(overwrite=True))
    second = saved_weights(tmp_path / "models")
    assert all(torch.equal(first[k], second[k]) for k in first)


def test_metadata_records_everything(small_request, tmp_path) -> None:
    train.run(small_request())
    meta = json.loads((tmp_path / "models" / "m" / "meta.json").read_text())
    assert meta["features"] == ["open", "high", "low", "close"]
    assert meta["scaler"]["kind"] == "standard" and len(meta["scaler"]["shift"]) == 4
    assert {t["symbol"] for t in meta["tickers"]} == {"AAA", "BBB"}
    assert all(
        len(t["sha256"]) == 64 and t["train_end"] < t["val_end"] < t["test_start"]
        for t in meta["tickers"]
    )
    assert meta["scaler"]["fit_end"] == max(t["train_end"] for t in meta["tickers"])
    assert meta["train"]["seed"] == 42 and meta["versions"]["torch"]
    assert 0 <= meta["intervals"]["test_coverage_80"] <= 1


def test_test_rows_never_touch_training(small_request, tmp_path) -> None:
    """Scale every price after the val part by 1.37: scaler, weights and val loss stay put."""
    train.run(small_request())
    before = saved_weights(tmp_path / "models")
    meta_before = json.loads((tmp_path / "models" / "m" / "meta.json").read_text())
    for sym, n, seed, price in (("AAA", 260, 1, 100.0), ("BBB", 240, 2, 40.0)):
        frame = make_bars(n, seed=seed, price=price)
        cut = meta_before["tickers"][0 if sym == "AAA" else 1]["test_start"]
        frame.loc[cut:, ["open", "high", "low", "close"]] *= 1.37
        cache_bars(tmp_path / "data", sym, frame)
    train.run(small_request(overwrite=True))
    after = saved_weights(tmp_path / "models")
    meta_after = json.loads((tmp_path / "models" / "m" / "meta.json").read_text())
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert meta_before["scaler"] == meta_after["scaler"]
    assert meta_before["fit"]["best_val_loss"] == meta_after["fit"]["best_val_loss"]
    assert meta_before["intervals"]["half_widths"] == meta_after["intervals"]["half_widths"]


def test_low_priced_training_forecasts_higher_priced_test(tmp_path) -> None:
    """Prices climb ~6x from the train span to the test span; forecasts must keep up."""
    frame = make_bars(1200, seed=5, price=10, drift=0.007, vol=0.01)
    cache_bars(tmp_path / "data", "UP", frame)
    req = tiny_request(tmp_path, window=20, hidden=16, epochs=4, patience=4)
    summary = train.run(req)
    tickers = summary.meta.tickers[0]
    train_top = frame.loc[: tickers.train_end, "close"].max()
    test_low = frame.loc[tickers.test_start :, "close"].min()
    assert test_low > 3 * train_top
    m = summary.meta.metrics.overall.model
    assert m.mape < 2.0 and m.rel_mae < 1.3


def test_early_stopping_restores_best(small_request) -> None:
    req = small_request(epochs=40)
    # noisy enough that val loss stops improving early
    req = replace(req, train=replace(req.train, patience=2, lr=0.05))
    summary = train.run(req)
    fit = summary.meta.fit
    assert fit.epochs_run < 40 and fit.epochs_run - fit.best_epoch == 2


def test_ctrl_c_keeps_best_so_far(small_request) -> None:
    req = small_request(epochs=10)

    def interrupt(e) -> None:
        if e.epoch == 3:
            raise KeyboardInterrupt

    summary = train.run(req, loop.FitHooks(on_epoch=interrupt))
    assert summary.meta.fit.interrupted and summary.meta.fit.epochs_run == 3
    assert weights.load(req.models_dir, "m")[1].fit.interrupted


def test_metrics_by_hand() -> None:
    actual = np.array([10.0, 11.0, 12.0, 12.0])
    naive = np.array([9.0, 10.0, 11.0, 13.0])
    pred = np.array([9.5, 10.5, 10.5, 12.5])
    m = metrics.score(pred, actual, naive)
    assert m.mae == pytest.approx(0.75) and m.rel_mae == pytest.approx(0.75)
    assert m.diracc == pytest.approx(100 * 3 / 4)  # row 3 predicted down, went up
    assert m.skill == pytest.approx(25.0)
    assert metrics.score(naive, actual, naive).diracc is None


def test_short_tickers_skipped_only_when_not_asked_for(small_request, tmp_path) -> None:
    cache_bars(tmp_path / "data", "TINY", make_bars(8, seed=3))
    summary = train.run(small_request(epochs=1))
    assert {t.symbol for t in summary.meta.tickers} == {"AAA", "BBB"}
    assert any("TINY has 8 rows" in r for r in summary.notes)
    req = small_request(epochs=1, overwrite=True)
    req = replace(req, tickers=("AAA", "TINY"))
    from stockrnn.common.errors import DataError

    with pytest.raises(DataError, match="TINY has 8 rows"):
        train.run(req)


def test_checkpoint_reloads_to_identical_weights(small_request, monkeypatch) -> None:
    saved = {}
    real = weights.save

    def keep(models_dir, name, state, meta, **kw):
        saved.update({k: v.detach().clone() for k, v in state.items()})
        return real(models_dir, name, state, meta, **kw)

    monkeypatch.setattr(weights, "save", keep)
    req = small_request()
    train.run(req)
    loaded = saved_weights(req.models_dir)
    assert saved.keys() == loaded.keys()
    assert all(torch.equal(saved[k], loaded[k]) for k in saved)
