"""What one fetch would write: downloading, cleaning and comparing with the cache, before any
file is touched."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from stockrnn.common.choices import Source
from stockrnn.common.errors import EmptyRangeError, NoDataError
from stockrnn.data import cleaning, manifests, trading_calendar
from stockrnn.data.fetch_types import FetchConfig, Status
from stockrnn.data.sources import csvfile
from stockrnn.data.sources.fetched import Fetched

OVERLAP_RTOL = 1e-4  # a dividend re-adjustment moves old closes by far more than this


def _download(cfg: FetchConfig, start: date | None = None, whole: bool = False) -> Fetched:
    from stockrnn.data.sources import sample, yahoo

    if cfg.options.source is Source.sample:
        return sample.fetch(cfg.symbol)
    if cfg.options.source is Source.csv:
        assert cfg.options.csv is not None
        table = cfg.table or csvfile.read(cfg.options.csv, cfg.options.date_format)
        return csvfile.fetched(table.one(cfg.symbol), cfg.options.csv)
    if whole:
        return yahoo.fetch(cfg.symbol, period=cfg.options.period)
    if start is not None:
        return yahoo.fetch(cfg.symbol, start=start)
    return yahoo.fetch(cfg.symbol, cfg.options.start, cfg.options.end, cfg.options.period)


def _clip(frame: pd.DataFrame, cfg: FetchConfig) -> pd.DataFrame:
    o = cfg.options
    if o.source is not Source.yahoo and (o.start or o.end):
        lo, hi = (pd.Timestamp(d) if d else None for d in (o.start, o.end))
        frame = frame.loc[lo:hi]
        if frame.empty:
            asked = " ".join(f"{w} {d}" for w, d in (("from", o.start), ("through", o.end)) if d)
            raise EmptyRangeError(f"{cfg.symbol} has no rows {asked}")
    return frame


@dataclass(kw_only=True)
class Plan:
    """What a fetch would write, worked out before any file is touched (frame None: nothing)."""

    frame: pd.DataFrame | None
    got: Fetched
    adjusted: bool
    status: Status
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _incremental(cfg: FetchConfig, old: pd.DataFrame, now: pd.Timestamp | None) -> Plan:
    """Download the days after the cache; fall back to everything if history was re-adjusted."""
    last = old.index[-1]
    try:
        got = _download(cfg, start=last.date())
    except NoDataError:
        return _unchanged(old)
    new, _, report = cleaning.clean_bars(got.frame, cfg.exchange, now, min_rows=0)
    overlap = new.loc[new.index == last, "close"]
    same = len(overlap) == 1 and abs(overlap.iloc[0] / old["close"].iloc[-1] - 1) <= OVERLAP_RTOL
    if not same:
        got = _download(cfg, whole=True)
        full, _, report = cleaning.clean_bars(got.frame, cfg.exchange, now)
        note = (
            "history was re-adjusted since the last fetch (split or dividend): "
            "downloaded the full history"
        )
        return Plan(
            frame=full,
            got=got,
            adjusted=True,
            status=Status.replaced,
            notes=[note, *report.actions],
            warnings=report.warnings,
        )
    added = new.loc[new.index > last]
    if added.empty:
        return Plan(
            frame=None, got=got, adjusted=True, status=Status.up_to_date, notes=report.actions
        )
    frame = pd.concat([old, added[old.columns]])
    jumps = cleaning.Report()
    cleaning.check_jumps(frame, jumps)
    return Plan(
        frame=frame,
        got=got,
        adjusted=True,
        status=Status.updated,
        notes=report.actions,
        warnings=jumps.warnings,
    )


def plan(
    cfg: FetchConfig, old: pd.DataFrame | None, manifest: manifests.Manifest | None, now: Any
) -> Plan:
    """What fetching `cfg` onto the cached `old` bars (None: none cached) would write."""
    incremental = (
        cfg.options.source is Source.yahoo
        and old is not None
        and not cfg.options.full
        and manifest is not None
        and manifest.source == "yahoo"
        and cfg.options.start is None
        and cfg.options.end is None
        and cfg.options.period is None
    )
    if incremental:
        assert old is not None
        if trading_calendar.sessions_since(cfg.exchange, old.index[-1].date(), now) == 0:
            return _unchanged(old)  # no request
        return _incremental(cfg, old, now)
    got = _download(cfg)
    frame, adjusted, report = cleaning.clean_bars(got.frame, cfg.exchange, now)
    frame = _clip(frame, cfg)
    return Plan(
        frame=frame,
        got=got,
        adjusted=adjusted or got.adjusted,
        status=Status.new if old is None else Status.replaced,
        notes=report.actions,
        warnings=report.warnings,
    )


def _unchanged(old: pd.DataFrame) -> Plan:
    got = Fetched(frame=old, source="yahoo", adjusted=True)
    return Plan(frame=None, got=got, adjusted=True, status=Status.up_to_date)


def reimport_warnings(
    old: manifests.Manifest | None, new: pd.DataFrame, adjusted: bool
) -> list[str]:
    """What a replacement loses: adjustment, or years of history at either end."""
    if old is None:
        return []
    out = []
    if old.adjusted and not adjusted:
        out.append(
            "this replaces split/dividend-adjusted data with unadjusted data (no Adj Close "
            "column): splits will look like crashes to a model"
        )
    lost_start = (new.index[0] - pd.Timestamp(old.first_date)).days / 365.25
    lost_end = (pd.Timestamp(old.last_date) - new.index[-1]).days / 365.25
    for years, where in ((lost_start, "start"), (lost_end, "end")):
        if years >= 1:
            out.append(
                f"this drops {years:.1f} years of history at the {where}: the cache held "
                f"{old.first_date} to {old.last_date}, the new data "
                f"{new.index[0]:%Y-%m-%d} to {new.index[-1]:%Y-%m-%d}"
            )
    return out
