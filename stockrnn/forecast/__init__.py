"""A fitted model to price paths and bands.

- rollout: the one forecast path: windows in, recursive or direct forecasts, prices out
- intervals: split-conformal widths per step from validation residuals
- light: the network's forward pass in NumPy, what predict runs (no torch)
"""
