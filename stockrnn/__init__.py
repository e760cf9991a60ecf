"""stockrnn: forecast daily stock prices with RNN/LSTM/GRU models, honestly."""

__version__ = "0.1.0"
