"""What the tests share besides fixtures (tests/ is on pythonpath: `from helpers.bars import ...`).

- bars: synthetic OHLCV bars, and caching them as `stockrnn fetch` would
- requests: small TrainRequests
- cli: Typer's CliRunner and short command lines
- yahoo: a fake Yahoo at yfinance's own network edge
- processes: the real CLI in a subprocess, and waiting on it
- reference: series scored by established libraries, to check against
- pausing: a launcher that pauses the CLI before its first atomic rename (crash tests)
- ddp_site/: a sitecustomize that makes torchrun workers fail on cue (DDP tests)
"""
