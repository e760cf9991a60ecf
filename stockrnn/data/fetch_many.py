"""Fetching many tickers: a bounded pool of workers, and rate limits retried with backoff.

Each ticker goes through fetch.fetch_one, so it is validated and committed atomically on its
own: an interrupted universe fetch keeps every ticker it finished, and running it again skips
those (already up to date) and resumes with the rest. When Yahoo answers "too many requests",
the ticker is retried after an exponential delay with jitter, up to `Retry.attempts` tries,
and every worker waits out the same delay before its next request: a rate limit is per client,
so the others would only be refused too.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stockrnn.common import collector, workspace
from stockrnn.common.errors import RateLimitError, StockrnnError
from stockrnn.data import fetch
from stockrnn.data.fetch_types import FetchConfig, FetchResult, Refused, Status


@dataclass(frozen=True)
class Retry:
    """How rate-limited requests are retried."""

    attempts: int = 5  # tries per ticker, the first included
    base: float = 2.0  # seconds before the first retry; doubled after each
    cap: float = 60.0  # the longest single wait

    def delay(self, retry: int, rng: random.Random) -> float:
        """Exponential backoff with jitter: a random wait in [d/2, d], d = base * 2^retry."""
        full = min(self.cap, self.base * 2**retry)
        return rng.uniform(full / 2, full)


@dataclass
class _RatePause:
    """A pause every worker honours before its next request."""

    sleep: Callable[[float], None]
    until: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hold(self, seconds: float) -> None:
        with self.lock:
            self.until = max(self.until, time.monotonic() + seconds)

    def wait(self) -> None:
        while (left := self.until - time.monotonic()) > 0:
            self.sleep(left)


def _with_retries(
    data_dir: Path,
    cfg: FetchConfig,
    *,
    retry: Retry,
    gate: _RatePause,
    now: Any,
    seed: int,
    stop: threading.Event,
) -> FetchResult:
    rng = random.Random(seed)
    for attempt in range(retry.attempts):
        gate.wait()
        try:
            result = fetch.fetch_one(data_dir, cfg, now, stop.is_set)
        except RateLimitError:
            if attempt == retry.attempts - 1:
                raise
            gate.hold(retry.delay(attempt, rng))
            continue
        if attempt:
            result.notes.append(f"rate limited: stored after {attempt + 1} tries")
        return result
    raise AssertionError("unreachable")


def fetch_all(
    data_dir: Path,
    configs: list[FetchConfig | Refused],
    *,
    workers: int = 1,
    retry: Retry | None = None,
    advance: Callable[[str], None] = lambda _: None,
    now: Any = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[list[FetchResult], int]:
    """Fetch every ticker with `workers` at a time; one failure does not stop the others.

    `configs` may hold refusals already made for a ticker (an invalid symbol); they are
    reported in place. Returns one result per ticker, in the given order, and the exit code of
    the first failure (0 if none). Ctrl-C cancels the tickers not yet started and
    abandons the commits of those in flight (fetch_one's `abort`)."""
    workspace.check_folder(data_dir)
    retry, gate = retry or Retry(), _RatePause(sleep)
    results: list[FetchResult | None] = [None] * len(configs)
    stop = threading.Event()  # set by Ctrl-C: tickers not yet started are left for next time

    def one(i: int, cfg: FetchConfig | Refused) -> None:
        if stop.is_set():
            return
        try:
            if isinstance(cfg, Refused):
                raise cfg.error
            results[i] = _with_retries(
                data_dir, cfg, retry=retry, gate=gate, now=now, seed=i, stop=stop
            )
        except StockrnnError as exc:
            results[i] = FetchResult(
                symbol=cfg.symbol, status=Status.failed, error=str(exc), exit_code=exc.exit_code
            )
        except BaseException:
            stop.set()
            raise
        collector.resume()  # the libraries a fetch needs are loaded by now
        advance(cfg.symbol)

    if workers <= 1:  # in this thread: Ctrl-C abandons the write in progress at once
        for i, cfg in enumerate(configs):
            one(i, cfg)
        return _done(results)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fetch")
    try:
        futures: list[Future[None]] = [pool.submit(one, i, c) for i, c in enumerate(configs)]
        for f in futures:
            f.result()
    except BaseException:
        stop.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return _done(results)


def _done(results: list[FetchResult | None]) -> tuple[list[FetchResult], int]:
    done = [r for r in results if r is not None]
    return done, next((r.exit_code for r in done if r.exit_code), 0)
