"""Results to text, JSON and charts; functions here build output, the command line prints it.

- tables: a model beside its baselines (train, backtest), the verdicts, interval coverage
- listings: fetched tickers, the cache, saved models
- forecasts: predict's tables, CSV and JSON rows
- jsonout: every result as strict JSON
- tune_tables: tune's trials table and footer
- charts: predict's chart, in the terminal or as a PNG
- backtest_charts: backtest's three panels, in the terminal or as a PNG
"""
