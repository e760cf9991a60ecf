"""Training and saved models: `stockrnn.train`, `stockrnn.load` and the `Model` they return,
whose `predict` and `backtest` are the commands of the same names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from stockrnn.api.options import (
    ModelArgs,
    Span,
    Tickers,
    folders,
    tickers_of,
    train_request,
    with_settings,
)
from stockrnn.common.errors import UsageError
from stockrnn.common.limits import flag

if TYPE_CHECKING:
    import pandas as pd

    from stockrnn.api.evaluate import Backtest
    from stockrnn.checkpoint.catalog import ModelRow
    from stockrnn.checkpoint.schema import CheckpointMeta
    from stockrnn.forecast.rollout import Predictor
    from stockrnn.model.loop import FitHooks
    from stockrnn.pipelines.predict import Forecast
    from stockrnn.pipelines.train import TrainSummary


@dataclass(frozen=True, kw_only=True)
class Forecasts:
    """`predict`'s result: one Forecast per ticker, and the notes said about them."""

    forecasts: list[Forecast]
    notes: list[str] = field(default_factory=list)

    def to_frame(self) -> pd.DataFrame:
        """Long layout: unique_id, ds, MODEL, MODEL-lo-80, MODEL-hi-80, ..., naive, drift."""
        from stockrnn.pipelines import export

        return export.forecast_frame(self.forecasts)

    def __iter__(self) -> Any:
        return iter(self.forecasts)

    def __len__(self) -> int:
        return len(self.forecasts)


class Model:
    """A saved model: its settings and test scores (`meta`), and what it can forecast.

    Get one from `stockrnn.train(...)` or `stockrnn.load(name)`. The weights load on the
    first forecast."""

    def __init__(
        self,
        meta: CheckpointMeta,
        *,
        data_dir: Path,
        models_dir: Path,
        summary: TrainSummary | None = None,
    ) -> None:
        self.meta = meta
        self.data_dir, self.models_dir = data_dir, models_dir
        self.summary = summary  # from train: its notes and where it was saved
        self._loaded: tuple[Predictor, CheckpointMeta] | None = None

    @property
    def name(self) -> str:
        return self.meta.name

    @property
    def tickers(self) -> list[str]:
        """The tickers the model was trained on."""
        return [t.symbol for t in self.meta.tickers]

    def __repr__(self) -> str:
        m = self.meta.model
        return f"Model({self.name!r}, {m.cell} {m.hidden}x{m.layers}, tickers={self.tickers})"

    def scores(self) -> pd.DataFrame:
        """Test-split scores beside naive and drift: one row per ticker and one pooled."""
        import pandas as pd

        rows = []
        per = self.meta.metrics.per_ticker
        for label, c in [*per.items(), ("pooled", self.meta.metrics.overall)]:
            for who, s in (("model", c.model), ("naive", c.naive), ("drift", c.drift)):
                if s is not None:
                    rows.append({"ticker": label, "forecast": who, **asdict(s)})
        return pd.DataFrame(rows)

    def predict(
        self,
        tickers: Tickers = None,
        *,
        horizon: int = 5,
        levels: float | Sequence[float] = (80,),
        calendar: str | None = None,
        frame: pd.DataFrame | dict[str, pd.DataFrame] | None = None,
    ) -> Forecasts:
        """Forecast the next `horizon` sessions of each ticker.

        Args:
            tickers: one symbol or several; None: every ticker the model was trained on.
            horizon: sessions ahead, 1 to 60.
            levels: interval coverages in percent (80, or (80, 95)).
            calendar: the exchange whose sessions date the forecast (default: the ticker's).
            frame: bars given in memory instead of the cache: a DataFrame for one ticker, or
                a {ticker: DataFrame} dict; each is checked as a CSV import would be.
        """
        from stockrnn.common.limits import percent_levels
        from stockrnn.pipelines import predict

        names = list(dict.fromkeys(tickers_of(tickers)))  # AAPL twice: forecast once
        bars = _bars(names, frame)
        given, note = percent_levels(levels)
        cfg = predict.ForecastConfig(
            horizon=horizon, levels=given, calendar=calendar, model=self.name
        )
        results = predict.predict(
            self.data_dir, self.models_dir, names, cfg, loaded=self._predictor(), bars=bars
        )
        notes = [note] if note else []
        return Forecasts(forecasts=results, notes=notes + list(_unique(results)))

    def backtest(
        self,
        tickers: Tickers = None,
        *,
        horizon: int = 5,
        levels: float | Sequence[float] = (80,),
        start: Any = None,
        out: Path | str | None = None,
    ) -> Backtest:
        """Score this model, without refitting, on the days after its validation span; see
        `stockrnn.backtest` for the arguments (tickers None: the model's own)."""
        from stockrnn.api.evaluate import backtest

        return backtest(
            tickers or self.tickers,
            model=self.name,
            horizon=horizon,
            levels=levels,
            start=start,
            out=out,
            data_dir=self.data_dir,
            models_dir=self.models_dir,
        )

    def _predictor(self) -> tuple[Predictor, CheckpointMeta]:
        if self._loaded is None:
            from stockrnn.checkpoint import reading

            self._loaded = reading.load_light(self.models_dir, self.name)  # no torch
        return self._loaded


def _unique(results: list[Forecast]) -> dict[str, None]:
    return dict.fromkeys(n for r in results for n in r.notes)


def _bars(
    names: list[str], frame: pd.DataFrame | dict[str, pd.DataFrame] | None
) -> dict[str, tuple[pd.DataFrame, str]]:
    """In-memory bars, checked and cleaned as an import: {ticker: (bars, calendar)}."""
    if frame is None:
        return {}
    from stockrnn.common import symbols
    from stockrnn.data import cleaning
    from stockrnn.data.sources import csvfile

    if not isinstance(frame, dict):
        if len(names) != 1:
            raise UsageError("a DataFrame is one ticker's bars: name exactly that ticker")
        frame = {names[0]: frame}
    out = {}
    tickers_of(list(frame))  # the keys are ticker strings
    for raw, bars in frame.items():
        symbol = symbols.normalize(raw)
        calendar = symbols.calendar_for(symbol)
        cleaned, _, _ = cleaning.clean_bars(csvfile.from_frame(bars).one(symbol), calendar)
        out[symbol] = (cleaned, calendar)
    return out


def train(
    tickers: Tickers = None,
    *,
    name: str = "default",
    overwrite: bool = False,
    split: str | tuple[float, float, float] = (0.7, 0.15, 0.15),
    train_end: Any = None,
    val_end: Any = None,
    options: ModelArgs | None = None,
    predictions_out: Path | str | None = None,
    data_dir: Path | str | None = None,
    models_dir: Path | str | None = None,
    progress: bool = False,
    hooks: FitHooks | None = None,
    **settings: Any,
) -> Model:
    """Train one model on cached tickers, score it on the test split beside naive and drift,
    and save it.

    Args:
        tickers: one symbol or several (cached with `stockrnn.fetch`); None: every cached one.
        name: the saved model's name.
        overwrite: replace an existing model of that name.
        split: train, validation and test fractions ("0.7,0.15,0.15" or a tuple).
        train_end: split at dates instead: the last day of training...
        val_end: ...and of validation.
        options: a ModelArgs; or give its settings by name, e.g. `epochs=20, window=40`:
            cell ("lstm", "gru", "rnn"), hidden, layers, dropout, nonlinearity, bias,
            head ("recursive", "direct"), horizon, window, features ("ohlc", "ohlcv"),
            scaler, covariate (tickers whose returns join the inputs),
            calendar_features, lr, batch_size, epochs, patience, seed, device, precision,
            cuda_graphs, intervals.
        predictions_out: write the test split's one-step forecasts to this CSV.
        data_dir: the data folder (default: the workspace's).
        models_dir: the models folder (default: the workspace's).
        progress: draw progress bars on stderr (on a terminal only).

    Returns the saved Model. Raises a StockrnnError subclass (UsageError for a refused
    setting, DataError for data too short, ...) and never exits the process.
    """
    from stockrnn.pipelines import train as training

    args = with_settings(options, settings)
    flag(overwrite, "overwrite")
    flag(progress, "progress")
    ws = folders(data_dir, models_dir)
    req = train_request(
        args,
        data_dir=ws.data,
        models_dir=ws.models,
        name=name,
        tickers=tickers_of(tickers),
        span=Span(split=split, train_end=train_end, val_end=val_end),
        overwrite=overwrite,
        predictions_out=Path(predictions_out) if predictions_out is not None else None,
    )
    if progress and hooks is None:
        from rich.console import Console

        from stockrnn.render.progress import train_progress

        with train_progress(Console(stderr=True), req.train.patience) as shown:
            summary = training.run(req, shown)
    else:
        summary = training.run(req, hooks)
    return Model(summary.meta, data_dir=ws.data, models_dir=ws.models, summary=summary)


def load(
    name: str = "default",
    *,
    data_dir: Path | str | None = None,
    models_dir: Path | str | None = None,
) -> Model:
    """The saved model `name`, checked whole (CheckpointError if anything in it is off)."""
    from stockrnn.checkpoint import store

    ws = folders(data_dir, models_dir)
    return Model(store.read_meta(ws.models, name), data_dir=ws.data, models_dir=ws.models)


def models(models_dir: Path | str | None = None) -> list[ModelRow]:
    """Every saved model, with its settings and test scores; unreadable ones say why."""
    from stockrnn.checkpoint import catalog

    return catalog.describe_all(folders(None, models_dir).models)


def remove(name: str, *, models_dir: Path | str | None = None) -> None:
    """Delete a saved model (whole, or not at all)."""
    from stockrnn.checkpoint import store

    store.remove(folders(None, models_dir).models, name)


def rename(old: str, new: str, *, models_dir: Path | str | None = None) -> None:
    """Rename a saved model; refused when `new` is taken."""
    from stockrnn.checkpoint import store

    store.rename(folders(None, models_dir).models, old, new)
