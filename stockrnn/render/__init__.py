"""Results to text, JSON and charts; functions here build output, the command line prints it.

- tables: rich tables and JSON for every command's result
- tune_tables: tune's trials table and footer
- charts: predict's chart, in the terminal or as a PNG
- backtest_charts: backtest's three panels, in the terminal or as a PNG
"""
