"""A checkpoint's meta.json checked whole, before anything is built from it: every field's
range and finiteness, the dates, the symbols, and the sections' agreement with each other.
The schema (schema.py) checks types; this checks sense. Nothing here imports torch: the
`models` listing runs it on every checkpoint.
"""

from __future__ import annotations

import math
from datetime import date, datetime

from stockrnn.checkpoint.schema import CheckpointMeta
from stockrnn.common import symbols
from stockrnn.common.errors import CheckpointError, StockrnnError
from stockrnn.common.limits import FIRST_YEAR, LAST_YEAR, LEVELS
from stockrnn.dataset.config import FEATURE_SETS
from stockrnn.forecast.intervals import CAL_STEPS


def check(meta: CheckpointMeta, name: str) -> None:
    """CheckpointError with one line naming the first field that makes no sense."""
    try:
        _symbols(meta)  # first: a symbol that is a path is named as such
        _settings(meta)
        _inputs(meta)
        _scaler(meta)
        _intervals(meta)
        _dates(meta)
    except (StockrnnError, ValueError, TypeError) as exc:
        raise CheckpointError(f"model {name!r}: {exc}") from exc


def _fail(field: str, why: str) -> None:
    raise CheckpointError(f"field {field!r} {why} (damaged or edited)")


def _settings(meta: CheckpointMeta) -> None:
    for section, cfg in (("model", meta.model), ("data", meta.data), ("train", meta.train)):
        try:
            cfg.validate()
        except StockrnnError as exc:
            raise CheckpointError(f"its {section} settings are invalid ({exc})") from exc
    n = meta.model.n_features
    if meta.features != FEATURE_SETS[meta.data.features] or n != len(meta.features):
        _fail("features", f"({meta.features}) disagrees with data.features and model.n_features")


def _inputs(meta: CheckpointMeta) -> None:
    width = meta.model.n_inputs or meta.model.n_features
    if meta.inputs != meta.data.inputs or len(meta.inputs) != width:
        _fail("inputs", "disagrees with the data settings or the model's input width")
    if [c.symbol for c in meta.covariates] != list(meta.data.covariates):
        _fail("covariates", "disagrees with data.covariates")


def _scaler(meta: CheckpointMeta) -> None:
    s, width = meta.scaler, len(meta.inputs)
    if len(s.shift) != width or len(s.scale) != width:
        _fail("scaler", f"holds {len(s.shift)} shifts and {len(s.scale)} scales for {width} inputs")
    if not all(math.isfinite(v) for v in s.shift):
        _fail("scaler.shift", "is not finite")
    if not all(math.isfinite(v) and v > 0 for v in s.scale):
        _fail("scaler.scale", "is not a positive finite number")
    if any(not 0 <= i < width for i in s.dropped) or len(set(s.dropped)) != len(s.dropped):
        _fail("scaler.dropped", "names a column the model does not have")


def _intervals(meta: CheckpointMeta) -> None:
    iv = meta.intervals
    if iv.levels != LEVELS:
        _fail("intervals.levels", "is not the levels 0.50 to 0.99")
    if not 1 <= len(iv.half_widths) <= CAL_STEPS or len(iv.step_n) != len(iv.half_widths):
        _fail("intervals.half_widths", "does not hold one row per calibrated step")
    for row, n in zip(iv.half_widths, iv.step_n, strict=True):
        known = [w for w in row if w is not None]
        if len(row) != len(LEVELS) or n < 0:
            _fail("intervals.half_widths", "does not hold one width per level")
        if any(not math.isfinite(w) or w < 0 for w in known) or known != sorted(known):
            _fail("intervals.half_widths", "holds a width that is negative, infinite or shrinks")
        if None in row and row.index(None) < len(known):
            _fail("intervals.half_widths", "has an infinite width below a finite one")
    cover = iv.test_coverage_80
    if iv.val_n < 0 or (cover is not None and not 0 <= cover <= 1):
        _fail("intervals", "holds a negative count or a coverage outside 0..1")


def _day(field: str, text: str | None, optional: bool = False) -> date | None:
    if text is None and optional:
        return None
    try:
        day = date.fromisoformat(str(text))
    except ValueError:
        _fail(field, f"is not a date ({str(text)[:20]!r})")
        raise  # unreachable: _fail raises
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        _fail(field, f"({day}) lies outside {FIRST_YEAR}..{LAST_YEAR}")
    return day


def _dates(meta: CheckpointMeta) -> None:
    train_end = _day("split.train_end", meta.split.train_end)
    val_end = _day("split.val_end", meta.split.val_end)
    assert train_end is not None and val_end is not None
    if not train_end < val_end:
        _fail("split", "ends training on or after the validation end")
    _day("scaler.fit_start", meta.scaler.fit_start)
    _day("scaler.fit_end", meta.scaler.fit_end)
    for i, t in enumerate(meta.tickers):
        for part in ("first_date", "last_date"):
            _day(f"tickers[{i}].{part}", getattr(t, part))
        for part in ("train_end", "val_end", "test_start"):
            _day(f"tickers[{i}].{part}", getattr(t, part), optional=True)
    for i, c in enumerate(meta.covariates):
        _day(f"covariates[{i}].last_date", c.last_date)
    try:
        datetime.fromisoformat(meta.created_at)
    except ValueError:
        _fail("created_at", "is not a time")


def _symbols(meta: CheckpointMeta) -> None:
    """Symbols name files in the data folder: each must be one `fetch` would accept."""
    named = [
        *((f"tickers[{i}].symbol", t.symbol) for i, t in enumerate(meta.tickers)),
        *((f"covariates[{i}].symbol", c.symbol) for i, c in enumerate(meta.covariates)),
        *((f"data.covariates[{i}]", c) for i, c in enumerate(meta.data.covariates)),
    ]
    for field, symbol in named:
        try:
            same = symbols.normalize(symbol) == symbol
        except StockrnnError:
            same = False
        if not same:
            _fail(field, f"({symbol[:30]!r}) is not a ticker symbol")
    if not meta.tickers:
        _fail("tickers", "is empty")
