"""`python -m stockrnn` runs the CLI."""

from stockrnn.cli.entry import main

main()
