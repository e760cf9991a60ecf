"""The Python API, the layer the command line calls: one function per command.

- data: `fetch` (also from an in-memory DataFrame), `cached`
- model: `train`, `load`, the `Model` they return (`predict`, `backtest`, `scores`), `models`,
  `remove`, `rename`
- evaluate: `backtest`, and its `Backtest` result
- tuning: `tune`
- options: the settings `train`, `backtest` and `tune` share, and the request they build

Results convert to pandas with `.to_frame()`, in the long layout forecasting libraries read.
Nothing here prints (unless asked) or exits: errors are StockrnnError subclasses.
"""
