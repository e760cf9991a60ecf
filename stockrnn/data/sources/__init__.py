"""Where daily bars come from.

- fetched: what every source returns (`Fetched`) and the column standardising they share
- yahoo: Yahoo Finance through yfinance 1.x, its swallowed errors made typed
- sample: the bundled offline sample (bokeh_sampledata)
- csvfile: a CSV file in any common layout: its columns, tickers and numbers
- csvtext: reading the file's text: compression, encoding, separator
- csvdates: reading its dates without guessing their order
"""
