"""What a saved model is: models/NAME/meta.json beside its safetensors weights.

- schema: meta.json's typed, strict schema (light: no torch)
- store: names, claims, metadata, listing, removing and renaming, under locks (no torch)
- reading: the weights read and checked without torch, for predict's NumPy network
- weights: the safetensors weights, saving a checkpoint and rebuilding its torch model
- data_changes: whether a ticker's history still is what a model was trained on
- catalog: the `models` listing, readable even when a meta.json is not
"""
