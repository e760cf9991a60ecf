"""The command line (Typer): the one layer that knows all the others; heavy packages are
imported inside the commands only.

- entry: the console script, answering --help and --version without typer
- usage: the top-level --help text entry prints, as typer renders it
- main: the app, every command registered by name, and the full entry point
- app: the error boundary (one red line, an exit code) and the consoles
- options: option types, the model options' one set of defaults, and the checks before work
- progress: live progress bars on a terminal
- data: `fetch` and `list`
- train: `train` and `backtest`
- models: `models`, `models rm/mv` and `predict`
- tune: `tune`
"""
