"""What a fetch is asked and what it answers: the types `fetch`, `fetch_many`, the command
line and the Python API pass between them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from stockrnn.common.choices import Source, coerce
from stockrnn.common.errors import StockrnnError

if TYPE_CHECKING:
    from stockrnn.data.sources.csvfile import Table

DEFAULT_CALENDAR = "XNYS"


class Status(StrEnum):
    """What happened to one ticker."""

    new = "new"
    updated = "updated"
    up_to_date = "up to date"
    replaced = "replaced"
    failed = "failed"


@dataclass(frozen=True, kw_only=True)
class FetchOptions:
    """How to fetch: the same for every ticker of one command."""

    source: Source = Source.yahoo
    csv: Path | None = None
    start: date | None = None
    end: date | None = None
    period: str | None = None  # a yfinance period (5y, max, ...) instead of start/end
    full: bool = False  # download everything again
    calendar: str | None = None  # None: the cached ticker's, else its symbol's (symbols.py)
    date_format: str | None = None  # strptime format for a CSV's dates (else read from data)

    def __post_init__(self) -> None:
        coerce(self, source=Source)


@dataclass(frozen=True)
class FetchConfig:
    """One ticker's fetch: its symbol (normalised), the options, and the CSV read once."""

    symbol: str
    options: FetchOptions = field(default_factory=FetchOptions)
    table: Table | None = field(default=None, repr=False, compare=False)
    calendar: str | None = None  # settled by fetch_one: the options', the cache's or the symbol's

    @property
    def exchange(self) -> str:
        """The calendar in effect."""
        return self.calendar or self.options.calendar or DEFAULT_CALENDAR


@dataclass(frozen=True)
class Refused:
    """A ticker whose symbol was refused before any fetch, reported in its place."""

    symbol: str  # as the user typed it
    error: StockrnnError


@dataclass(kw_only=True)
class FetchResult:
    """What happened to one ticker; `error` and `exit_code` when it failed."""

    symbol: str
    status: Status
    source: str = ""
    rows: int = 0
    added: int = 0
    first: str = ""
    last: str = ""
    last_close: float | None = None
    notes: list[str] = field(default_factory=list)
    error: str | None = None
    exit_code: int = 0


@dataclass(frozen=True, kw_only=True)
class CachedRow:
    """One cached ticker in `stockrnn list`; `error` says why its manifest is unreadable."""

    symbol: str
    rows: int = 0
    first_date: str = ""
    last_date: str = ""
    sessions_behind: int = 0
    source: str = ""
    calendar: str = ""
    error: str | None = None
