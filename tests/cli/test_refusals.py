"""Long commands: conflicts refused up front, outputs checked before work, Ctrl-C aborts
cleanly, and saved-model backtests name one consistent first date."""

import io
import json
from dataclasses import replace

import pandas as pd
import pytest
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner
from rich.console import Console

from stockrnn.cli.main import app
from stockrnn.dataset import loading
from stockrnn.pipelines import backtest, predict, request
from stockrnn.pipelines import train as training

runner = cli_runner()


@pytest.fixture
def ws(tmp_path):
    cache_bars(tmp_path / "data", "AAA", make_bars(300, seed=1))
    return tmp_path


def dirs(ws) -> list[str]:
    return ["--data-dir", str(ws / "data"), "--models-dir", str(ws / "models")]


def tiny(*extra: str) -> list[str]:
    return ["--window", "5", "--epochs", "1", "--hidden", "4", *extra]


def train(ws, *extra: str):
    return runner.invoke(app, ["train", *dirs(ws), *tiny(*extra)])


def one_line(res, code: int, text: str) -> None:
    assert res.exit_code == code, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and text in lines[0], res.stderr


@pytest.mark.parametrize(
    ("argv", "text"),
    [
        (["backtest", "AAA", "--start", "2021-01-04"], "--start applies to --model"),
        (["backtest", "AAA", "--model", "m", "--hidden", "8"], "--hidden: training options"),
        (["backtest", "AAA", "--model", "m", "--epochs", "3", "--lr", "0.1"], "--lr"),
        (["predict", "AAA", "--json", "--csv"], "choose one"),
        (["fetch", "AAA", "--source", "yahoo", "--csv", "x.csv"], "cannot be combined"),
        (["fetch", "AAA", "--csv", "x.csv", "--period", "5y"], "--period applies"),
        (["fetch", "--all"], "apply to --csv"),
        (["fetch"], "give one, e.g. `stockrnn fetch AAPL`"),
        (["train", "--seed", str(10**30)], "--seed must be between"),
        (["train", "--seed", "-1"], "--seed must be between"),
    ],
)
def test_conflicting_or_inapplicable_options(ws, argv, text, monkeypatch) -> None:

    monkeypatch.setattr(loading, "load_series", lambda *a: pytest.fail("loaded data"))
    res = runner.invoke(app, [*argv, *(dirs(ws) if argv[0] != "fetch" else [])])
    one_line(res, 2, text)


def test_output_paths_checked_before_any_work(ws, monkeypatch) -> None:
    monkeypatch.setattr(backtest, "fit_series", lambda *a, **k: pytest.fail("trained first"))
    missing = ws / "no" / "such" / "dir"
    res = runner.invoke(
        app, ["backtest", "AAA", *dirs(ws), "--predictions-out", str(missing / "p.csv")]
    )
    one_line(res, 11, "does not exist")
    monkeypatch.setattr(
        "stockrnn.pipelines.train.fit_series", lambda *a, **k: pytest.fail("trained first")
    )
    one_line(train(ws, "--timings", str(missing / "t.json")), 11, "does not exist")
    one_line(train(ws, "--timings", str(ws)), 2, "is a folder")
    assert not (ws / "models").exists()


def test_plot_file_checked_before_forecasting(ws, monkeypatch) -> None:
    assert train(ws).exit_code == 0

    monkeypatch.setattr(predict, "predict", lambda *a: pytest.fail("forecast first"))
    res = runner.invoke(app, ["predict", "AAA", *dirs(ws), "--plot-file", str(ws / "x" / "c.png")])
    one_line(res, 11, "does not exist")


def test_ctrl_c_in_backtest_exits_130_and_writes_nothing(ws, monkeypatch) -> None:
    real = backtest.fit_series
    calls = []

    def interrupt_second_fold(series, req, hooks):
        calls.append(hooks.keep_on_interrupt)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(series, req, hooks)

    monkeypatch.setattr(backtest, "fit_series", interrupt_second_fold)
    out = ws / "p.csv"
    res = runner.invoke(
        app,
        ["backtest", "AAA", *dirs(ws), *tiny("--folds", "3"), "--predictions-out", str(out)],
    )
    assert res.exit_code == 130 and "interrupted" in res.stderr
    assert not out.exists() and calls == [False, False]


def _small(req, **train):
    """`req` with a window of 5, 4 hidden units and the given TrainConfig settings."""
    return replace(
        req,
        data=replace(req.data, window=5),
        model=replace(req.model, hidden=4),
        train=replace(req.train, **train),
    )


def test_ctrl_c_mid_fold_is_not_scored(ws) -> None:
    """A fold's training loop lets Ctrl-C through instead of keeping a half-trained model."""
    from stockrnn.model.loop import FitHooks

    def interrupt(e) -> None:
        if e.epoch == 2:
            raise KeyboardInterrupt

    req = request.TrainRequest(
        data_dir=ws / "data", models_dir=ws / "models", name="bt", tickers=("AAA",)
    )
    req = _small(req, epochs=5)
    hooks = backtest.BacktestHooks(fit=FitHooks(on_epoch=interrupt, keep_on_interrupt=True))
    with pytest.raises(KeyboardInterrupt):
        backtest.run(req, ws / "models", backtest.BacktestConfig(folds=2, horizon=1), hooks)


def test_backtest_progress_names_fold_and_epoch(ws) -> None:
    from stockrnn.render.progress import backtest_progress

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=120)
    req = request.TrainRequest(
        data_dir=ws / "data", models_dir=ws / "models", name="bt", tickers=("AAA",)
    )
    req = _small(req, epochs=2)
    folds = []
    with backtest_progress(console, 2, "AAA") as hooks:
        real = hooks.on_fold
        hooks.on_fold = lambda k, n: (folds.append((k, n)), real(k, n))
        backtest.run(req, ws / "models", backtest.BacktestConfig(folds=2, horizon=1), hooks)
    assert folds == [(1, 2), (2, 2)]
    assert "fold 2/2" in buf.getvalue() and "epoch" in buf.getvalue()


def test_saved_model_start_default_and_refusal_agree(ws) -> None:
    assert train(ws, "--name", "m").exit_code == 0
    meta = json.loads((ws / "models" / "m" / "meta.json").read_text())
    first = pd.Timestamp(meta["split"]["val_end"]) + pd.Timedelta(days=1)
    early = (first - pd.Timedelta(days=1)).strftime("%Y-%m-%d")
    res = runner.invoke(app, ["backtest", "AAA", "--model", "m", "--start", early, *dirs(ws)])
    one_line(res, 2, f"use --start {first:%Y-%m-%d} or later")
    assert f"through {meta['split']['val_end']}" in res.stderr
    ok = runner.invoke(
        app,
        ["backtest", "AAA", "--model", "m", "--start", f"{first:%Y-%m-%d}", "--json", *dirs(ws)],
    )
    default = runner.invoke(app, ["backtest", "AAA", "--model", "m", "--json", *dirs(ws)])
    assert ok.exit_code == 0 and default.exit_code == 0, default.output
    folds = [json.loads(r.stdout)["folds"][0] for r in (ok, default)]
    assert folds[0]["test_start"] == folds[1]["test_start"]
    assert pd.Timestamp(folds[1]["test_start"]) >= first


def test_ticker_without_out_of_sample_days_is_reported(ws) -> None:
    cache_bars(ws / "data", "OLD", make_bars(120, seed=2, start="2015-01-02"))
    res = train(ws, "--name", "m")
    assert res.exit_code == 0, res.output
    assert "OLD has no test days: its data ends" in res.stderr
    res = runner.invoke(app, ["backtest", "AAA", "OLD", "--model", "m", *dirs(ws)])
    assert res.exit_code == 0, res.output
    assert "OLD has no days to score: its data ends" in res.stderr


def test_train_progress_shows_batches_within_an_epoch(ws) -> None:
    from stockrnn.render.progress import train_progress

    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=120)
    req = request.TrainRequest(
        data_dir=ws / "data", models_dir=ws / "models", name="p", tickers=("AAA",)
    )
    req = _small(req, epochs=1, batch_size=8)
    with train_progress(console, 1) as hooks:
        seen = []
        real = hooks.on_batch
        hooks.on_batch = lambda done, total: (seen.append((done, total)), real(done, total))
        training.run(req, hooks)
    assert seen[-1][0] == seen[-1][1] and len(seen) > 10  # every batch reported
    assert "batches" in buf.getvalue() and "epoch 1" in buf.getvalue()


def test_old_checkpoint_format_says_retrain(ws) -> None:
    assert train(ws, "--name", "m").exit_code == 0
    path = ws / "models" / "m" / "meta.json"
    meta = json.loads(path.read_text())
    meta["format_version"] = 1
    path.write_text(json.dumps(meta))
    res = runner.invoke(app, ["predict", "AAA", "--model", "m", *dirs(ws)])
    one_line(res, 10, "retrain it with `stockrnn train --name m --overwrite`")
