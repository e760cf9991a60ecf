"""`stockrnn tune`, the optional Optuna extra.

- search: the search: folds inside the training span, the objective, the best model trained
- space: the search space and its TOML or JSON override (light)
- study: where a study lives, and the trial loop processes share
"""
