"""`python -m stockrnn` runs the CLI."""

from stockrnn.cli.main import main

main()
