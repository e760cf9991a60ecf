"""Cached bars to samples: features, extra inputs, the date split, scaling and windows.

- config: DataConfig, the dataset's settings (light: the command line reads its defaults)
- features: price-level-free features, and turning predicted features back into prices
- exog: covariates and calendar features beside a ticker's own
- loading: a ticker's feature rows (`Series`) from the cache
- splits: the train/validation/test dates every ticker shares
- scaling: the scaler, fitted on training rows only
- sampling: every ticker's scaled rows in one array, and the samples of each part
"""
