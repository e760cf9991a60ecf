"""Walk-forward evaluation: `stockrnn.backtest` (the `backtest` command) and its result."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stockrnn.api.options import (
    ModelArgs,
    Tickers,
    as_day,
    folders,
    tickers_of,
    train_request,
    with_settings,
)
from stockrnn.common import workspace
from stockrnn.common.choices import Head
from stockrnn.common.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

    from stockrnn.pipelines.backtest import BacktestHooks, BacktestReport


@dataclass(frozen=True, kw_only=True)
class Backtest:
    """`backtest`'s result: scores per step and overall beside naive and drift (`report`),
    and every forecast behind them (`to_frame`)."""

    report: BacktestReport
    notes: list[str]

    def to_frame(self) -> pd.DataFrame:
        """Long layout: unique_id, ds, cutoff, y, MODEL, MODEL-lo-80, MODEL-hi-80, naive,
        drift; one row per origin (cutoff) and target day with a known actual."""
        from stockrnn.pipelines import export

        r = self.report
        return export.backtest_frame(r.paths, r.model or "stockrnn", r.levels)

    def scores(self) -> pd.DataFrame:
        """One row per step (and overall) and forecast: model, naive and drift."""
        import pandas as pd

        rows = []
        groups = [(f"step {i + 1}", c) for i, c in enumerate(self.report.per_step)]
        for label, c in [*groups, ("overall", self.report.overall)]:
            for who, s in (("model", c.model), ("naive", c.naive), ("drift", c.drift)):
                if s is not None:
                    rows.append({"step": label, "forecast": who, **asdict(s)})
        return pd.DataFrame(rows)


def backtest(
    tickers: Tickers,
    *,
    model: str | None = None,
    folds: int = 5,
    horizon: int = 5,
    levels: float | Sequence[float] = (80,),
    start: Any = None,
    out: Path | str | None = None,
    predictions_out: Path | str | None = None,
    options: ModelArgs | None = None,
    data_dir: Path | str | None = None,
    models_dir: Path | str | None = None,
    hooks: BacktestHooks | None = None,
    **settings: Any,
) -> Backtest:
    """Walk-forward evaluation beside the naive and drift baselines, with Diebold-Mariano
    tests (Holm-adjusted over the steps).

    Args:
        tickers: one symbol or several, cached.
        model: score this saved model without refitting, on the days after its validation
            span (from `start`, no earlier); None: refit per fold (expanding window).
        folds: walk-forward folds (refitting only).
        horizon: days forecast from each origin (1 to 60).
        levels: interval coverages to check, in percent (80, or (80, 95)).
        out: write every forecast in the long layout (CSV, or Parquet for .parquet).
        predictions_out: the same forecasts, one CSV row per origin and step with its fold.
        options: a ModelArgs for the refitted models, as for `stockrnn.train`.
        **settings: or its settings by name (`epochs=20`).
    """
    from stockrnn.common.limits import percent_levels
    from stockrnn.pipelines import backtest as pipeline
    from stockrnn.pipelines import export

    if model is not None and (options is not None or settings):
        raise UsageError("training settings do not apply to model=, which evaluates a saved model")
    if start is not None and model is None:
        raise UsageError("start applies to a saved model; walk-forward folds set their own")
    ws = folders(data_dir, models_dir)
    names = tickers_of(tickers)
    if not names:
        raise UsageError("give at least one ticker to backtest")
    outputs = {"--out": out, "--predictions-out": predictions_out}
    paths = {k: Path(v) for k, v in outputs.items() if v is not None}
    workspace.check_outputs(dict(paths), (ws.data, ws.models))
    if "--out" in paths:
        export.check_format(paths["--out"])
    args = with_settings(options, settings)
    args = replace(args, horizon=horizon if args.head == Head.direct else 1)
    req = train_request(
        args, data_dir=ws.data, models_dir=ws.models, name="backtest", tickers=names
    )
    given, note = percent_levels(levels)
    cfg = pipeline.BacktestConfig(
        folds=folds,
        horizon=horizon,
        levels=given,
        start=as_day(start, "--start"),
        model=model,
        predictions_out=paths.get("--predictions-out"),
    )
    report = pipeline.run(req, ws.models, cfg, hooks)
    result = Backtest(report=report, notes=[note] if note else [])
    if "--out" in paths:
        export.write(result.to_frame(), paths["--out"])
    return result
