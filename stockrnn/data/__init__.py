"""Bars in: from a source, cleaned, validated against the exchange calendar, cached.

- sources/: Yahoo Finance, the bundled sample and CSV files, each returning raw bars
- cleaning: the cleaning rules every source's bars go through, each reported with a count
- trading_calendar: exchange sessions and closes (exchange_calendars)
- session_table: each exchange's sessions as fetch kept them, so predict and list build none
- manifests: a cached ticker's manifest and file paths, read without pandas
- cache: data/T.csv and its manifest, written together, read back checked
- inventory: what the cache holds and how far behind, for `list` (no pandas)
- fetch_types: what a fetch is asked (FetchOptions, FetchConfig) and answers (FetchResult)
- fetch_plan: what one fetch would write, worked out before any file is touched
- fetch: one ticker from its source into the cache, incrementally, under a lock
- fetch_many: many tickers at once, with rate limits retried
"""
