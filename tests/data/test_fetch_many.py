"""Universe fetches against the yfinance fake: a pool of workers, a wave of rate limits
retried with backoff, a ticker that always fails, skipping what is up to date, and resuming
an interrupted run."""

import random
import threading

import pandas as pd
import pytest
from helpers.bars import make_bars
from yfinance.exceptions import YFRateLimitError

from stockrnn.common.errors import NoDataError
from stockrnn.data import manifests
from stockrnn.data.fetch_many import Retry, fetch_all
from stockrnn.data.fetch_types import FetchConfig

TICKERS = [f"T{i:02d}" for i in range(12)]
FAST = Retry(attempts=12, base=0.001, cap=0.01)


def _after(frame: pd.DataFrame) -> pd.Timestamp:
    """A moment after the last bar's session closed (and before the next one's)."""
    return pd.Timestamp(frame.index[-1]).tz_localize("America/New_York") + pd.Timedelta(hours=20)


@pytest.fixture
def universe(fake_yahoo):
    for i, t in enumerate(TICKERS):
        fake_yahoo.frames[t] = make_bars(120, seed=i)
    return fake_yahoo


def wave(fake, count: int):
    """The first `count` requests, from any ticker, are refused with HTTP 429."""
    real, left, lock = fake.history, [count], threading.Lock()

    def history(ticker, *args, **kwargs):
        with lock:
            refused = left[0] > 0
            left[0] -= refused
        if refused:
            fake.calls.append({"symbol": ticker.ticker, "refused": True})
            raise YFRateLimitError()
        return real(ticker, *args, **kwargs)

    fake.history = history


def test_a_rate_limit_wave_ends_with_every_ticker_stored_once(tmp_path, universe) -> None:
    wave(universe, 11)  # fewer refusals than tries: no ticker can run out, however unlucky
    universe.errors["GONE"] = YFRateLimitError()  # refused for good: gives up after 12 tries
    waits: list[float] = []
    configs = [FetchConfig(t) for t in [*TICKERS, "GONE"]]
    now = _after(make_bars(120))
    results, code = fetch_all(tmp_path, configs, workers=4, retry=FAST, now=now, sleep=waits.append)
    by = {r.symbol: r for r in results}
    assert [r.symbol for r in results] == [*TICKERS, "GONE"]  # reported in the given order
    assert all(by[t].status == "new" and by[t].rows == 120 for t in TICKERS), [
        (r.symbol, r.error) for r in results if r.error
    ]
    assert by["GONE"].status == "failed" and "rate limiting" in by["GONE"].error
    assert code == by["GONE"].exit_code != 0
    stored = [m.symbol for m in manifests.cached(tmp_path)]
    assert sorted(stored) == TICKERS
    served = [c["symbol"] for c in universe.calls if not c.get("refused")]
    assert sorted(s for s in served if s != "GONE") == TICKERS  # each downloaded exactly once
    assert sum(c["symbol"] == "GONE" for c in universe.calls) == FAST.attempts
    assert any("rate limited: stored after" in n for r in results for n in r.notes)


def test_a_permanently_missing_ticker_does_not_stop_the_rest(tmp_path, universe) -> None:
    configs = [FetchConfig(t) for t in ["T00", "NOPE", "T01"]]
    results, code = fetch_all(tmp_path, configs, workers=2, retry=FAST)
    assert [r.status for r in results] == ["new", "failed", "new"]
    assert code == NoDataError.exit_code
    assert sum(c["symbol"] == "NOPE" for c in universe.calls) == 1  # no data: not retried


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    rng = random.Random(0)
    r = Retry(attempts=8, base=2.0, cap=60.0)
    for k in range(8):
        d = r.delay(k, rng)
        full = min(60.0, 2.0 * 2**k)
        assert full / 2 <= d <= full
    assert len({round(r.delay(3, rng), 6) for _ in range(20)}) > 10  # jittered, not fixed


def test_interrupted_run_resumes_and_skips_what_is_up_to_date(tmp_path, universe) -> None:
    configs = [FetchConfig(t) for t in TICKERS[:6]]
    real = universe.history

    def history(ticker, *args, **kwargs):
        if ticker.ticker == "T03":
            raise KeyboardInterrupt  # Ctrl-C while the fourth ticker downloads
        return real(ticker, *args, **kwargs)

    universe.history = history
    now = _after(make_bars(120))
    with pytest.raises(KeyboardInterrupt):
        fetch_all(tmp_path, configs, workers=1, retry=FAST, now=now)
    assert sorted(m.symbol for m in manifests.cached(tmp_path)) == ["T00", "T01", "T02"]
    universe.history = real
    universe.calls.clear()
    results, code = fetch_all(tmp_path, configs, workers=2, retry=FAST, now=now)
    assert code == 0
    assert [r.status for r in results] == ["up to date"] * 3 + ["new"] * 3
    assert sorted(c["symbol"] for c in universe.calls) == ["T03", "T04", "T05"]
