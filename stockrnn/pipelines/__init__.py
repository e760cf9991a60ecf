"""One command's library side each; the Python API and the command line call these.

- request: TrainRequest, what training needs (light: no torch)
- fitting: fitting a model on series and forecasting with it, shared by train, backtest, tune
- train: `stockrnn train`: load, fit, evaluate on the test span, save
- train_meta: the checkpoint's metadata from a finished training
- predict: `stockrnn predict`: the next sessions' prices with dates and intervals
- backtest: `stockrnn backtest`: walk-forward folds or a saved model, beside the baselines
- reports: the forecast and timing files users ask for
"""
