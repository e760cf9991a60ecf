"""How forecasts are judged, always beside naive and drift (numpy only).

- metrics: one forecaster's accuracy on some rows (`Score`), and the interval score
- baselines: the naive and drift forecasts
- significance: Diebold-Mariano tests and Holm's adjustment
- compare: a model beside its baselines over many tickers (`Comparison`), and the tests of
  exactly what it prints
- scoring: forecasts from many origins (`Forecasts`, `OneStep`) scored per step, coverage per
  ticker, and the lag-echo check
"""
