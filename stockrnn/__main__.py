"""`python -m stockrnn` runs the CLI."""

from stockrnn.cli import main

main()
