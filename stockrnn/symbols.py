"""Ticker symbols: normalise for Yahoo, refuse anything unsafe before it reaches a path."""

from __future__ import annotations

import re

from stockrnn.errors import InvalidTickerError
from stockrnn.workspace import reserved_reason

MAX_LEN = 15
# Letters, digits and the punctuation real Yahoo symbols use: ^GSPC, BRK-B, CL=F, EURUSD=X, 0700.HK.
_PATTERN = re.compile(r"\^?[A-Z0-9][A-Z0-9.\-=]*")


def normalize(raw: str) -> str:
    """The Yahoo symbol for `raw` (upper-cased; BRK.B -> BRK-B); InvalidTickerError if unsafe."""
    text = raw.strip().upper()
    shown = raw.encode("unicode_escape").decode("ascii")[:40]
    if not text:
        raise InvalidTickerError("empty ticker symbol")
    if len(text) > MAX_LEN:
        raise InvalidTickerError(f"ticker {shown!r} is longer than {MAX_LEN} characters")
    if not _PATTERN.fullmatch(text) or ".." in text:
        raise InvalidTickerError(
            f"{shown!r} is not a ticker symbol (letters, digits, '.', '-', '=', a leading '^')"
        )
    why = reserved_reason(text)
    if why:
        raise InvalidTickerError(f"ticker {shown!r} {why}: it cannot name a file everywhere")
    # Yahoo writes share classes with a dash; keep exchange suffixes such as 0700.HK.
    if re.fullmatch(r"[A-Z]{1,5}\.[A-Z]", text):
        text = text.replace(".", "-")
    return text


def file_stem(symbol: str) -> str:
    """A file-system-safe name for a normalised symbol: ^GSPC -> _GSPC."""
    return symbol.replace("^", "_")
