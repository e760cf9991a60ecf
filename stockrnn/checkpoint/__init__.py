"""What a saved model is: models/NAME/meta.json beside its safetensors weights.

- schema: meta.json's typed, strict schema (light: no torch)
- store: saving, loading, listing, removing and renaming checkpoints, under locks
- catalog: the `models` listing, readable even when a meta.json is not
"""
