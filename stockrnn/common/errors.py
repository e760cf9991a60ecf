"""The tool's own exceptions; the CLI maps each to one stderr line and its exit code.

StockrnnError (1)
├── UsageError (2)            an option value out of range, checked before any work
├── InvalidTickerError (3)    not a plausible symbol; refused before touching the file system
├── OfflineError (4)          Yahoo Finance unreachable
├── RateLimitError (5)        Yahoo Finance said "too many requests"
├── NoDataError (6)           unknown or delisted ticker: the source returned no rows
├── EmptyRangeError (7)       the date range holds no trading session, or start is after end
├── DataError (8)             a CSV or a cached file that cannot be read or validated
├── NotCachedError (9)        no cached data for a ticker (run `stockrnn fetch`)
├── CheckpointError (10)      a checkpoint that is missing, tampered, truncated or incompatible
├── StorageError (11)         the data or models folder cannot be written (permissions, full disk)
├── DivergedError (12)        training produced a non-finite loss (try a lower --lr)
└── DistributedError (13)     a torchrun training process stopped, timed out or could not join
Ctrl-C exits with 130; SIGTERM (kill, systemd, CI) is handled the same way and exits with 143.
"""

from __future__ import annotations


class StockrnnError(Exception):
    """Base class: every failure the CLI reports as one line."""

    exit_code = 1


class UsageError(StockrnnError):
    exit_code = 2


class InvalidTickerError(StockrnnError):
    exit_code = 3


class OfflineError(StockrnnError):
    exit_code = 4


class RateLimitError(StockrnnError):
    exit_code = 5


class NoDataError(StockrnnError):
    exit_code = 6


class EmptyRangeError(StockrnnError):
    exit_code = 7


class DataError(StockrnnError):
    exit_code = 8


class NotCachedError(StockrnnError):
    exit_code = 9


class CheckpointError(StockrnnError):
    exit_code = 10


class StorageError(StockrnnError):
    exit_code = 11


class DivergedError(StockrnnError):
    exit_code = 12


class DistributedError(StockrnnError):
    exit_code = 13


EXIT_INTERRUPTED = 130
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C would be: every path that keeps files whole on Ctrl-C
    keeps them whole on `kill` too."""


def _codes(cls: type[StockrnnError]) -> set[int]:
    return {cls.exit_code}.union(*(_codes(sub) for sub in cls.__subclasses__()))


EXIT_CODES = frozenset(_codes(StockrnnError))  # every code above (1 to 13)
