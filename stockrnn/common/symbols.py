"""Ticker symbols: normalise for Yahoo, refuse anything unsafe before it reaches a path, and
tell each symbol's exchange calendar from Yahoo's own conventions."""

from __future__ import annotations

import re

from stockrnn.common.errors import InvalidTickerError, UsageError
from stockrnn.common.workspace import reserved_reason

MAX_LEN = 15
DEFAULT_CALENDAR = "XNYS"  # a symbol without an exchange suffix trades in the US
# Letters, digits and the punctuation real Yahoo symbols use: ^GSPC, BRK-B, CL=F, EURUSD=X, 0700.HK.
_PATTERN = re.compile(r"\^?[A-Z0-9][A-Z0-9.\-=]*")

# Yahoo Finance's exchange suffixes, from its list "Exchanges and data providers on Yahoo
# Finance" (help.yahoo.com/kb/SLN2310), each with the exchange_calendars calendar of its
# venue; None where exchange_calendars has none (the user passes --calendar). A venue that
# keeps another's holidays takes that calendar, as noted.
SUFFIXES: dict[str, str | None] = {
    "BA": "XBUE", "VI": "XWBO", "AX": "XASX", "BR": "XBRU", "SA": "BVMF",
    "TO": "XTSE", "V": "XTSE", "CN": "XTSE", "NE": "XTSE",  # Canada's venues: the TSX's holidays
    "SN": "XSGO", "SS": "XSHG", "SZ": "XSHG",  # Shenzhen: mainland China's holidays
    "PR": "XPRA", "CO": "XCSE", "CA": None, "TL": "XTAL", "HE": "XHEL",
    "PA": "XPAR", "NX": "XPAR",  # Euronext's venues share one trading calendar
    "DE": "XETR", "F": "XFRA", "DU": "XDUS", "HM": "XHAM", "SG": "XSTU",
    "BE": None, "BM": None, "HA": None, "MU": None,
    "AT": "ASEX", "HK": "XHKG", "BD": "XBUD", "IC": "XICE",
    "BO": "XBOM", "NS": "XBOM",  # NSE and BSE keep the same trading holidays
    "JK": "XIDX", "IR": "XDUB", "TA": "XTAE", "TI": None, "MI": "XMIL", "T": "XTKS",
    "RG": "XRIS", "VS": "XLIT", "KL": "XKLS", "MX": "XMEX", "AS": "XAMS", "NZ": "XNZE",
    "OL": "XOSL", "LS": "XLIS", "QA": None, "ME": "XMOS", "SI": "XSES", "JO": "XJSE",
    "KS": "XKRX", "KQ": "XKRX", "MC": "XMAD", "SAU": "XSAU", "ST": "XSTO", "SW": "XSWX",
    "TW": "XTAI", "TWO": "XTAI", "BK": "XBKK", "IS": "XIST", "L": "XLON", "IL": "XLON",
    "CR": None, "CBT": "CMES", "CME": "CMES", "CMX": "CMES", "NYM": "CMES", "NYB": None,
}  # fmt: skip
# Indices carry no suffix: the main ones outside the US, by their exchange.
INDICES = {
    "^FTSE": "XLON", "^FTMC": "XLON", "^N225": "XTKS", "^GDAXI": "XETR", "^FCHI": "XPAR",
    "^STOXX50E": "XETR", "^HSI": "XHKG", "^GSPTSE": "XTSE", "^AXJO": "XASX", "^AORD": "XASX",
    "^SSMI": "XSWX", "^AEX": "XAMS", "^IBEX": "XMAD", "^KS11": "XKRX", "^TWII": "XTAI",
    "^BSESN": "XBOM", "^NSEI": "XBOM", "^BVSP": "BVMF", "^MXX": "XMEX", "^STI": "XSES",
    "^NZ50": "XNZE", "^JKSE": "XIDX", "^KLSE": "XKLS",
}  # fmt: skip
_FIAT = "USD|EUR|GBP|JPY|CAD|AUD|CHF|CNY|HKD|KRW|INR|BRL|USDT"


def _suffix(text: str) -> str | None:
    """The Yahoo exchange suffix `text` ends with (VOD.L -> L), or None."""
    head, dot, tail = text.rpartition(".")
    return tail if dot and head and tail in SUFFIXES else None


def normalize(raw: str) -> str:
    """The Yahoo symbol for `raw`, upper-cased: a share class's dot becomes a dash (BRK.B ->
    BRK-B, BBD.B.TO -> BBD-B.TO), an exchange suffix stays (VOD.L, 0700.HK); InvalidTickerError
    if unsafe."""
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
    suffix = _suffix(text)
    base = text[: -len(suffix) - 1] if suffix else text
    if re.fullmatch(r"[A-Z]{1,5}\.[A-Z]", base):  # Yahoo writes share classes with a dash
        base = base.replace(".", "-")
    return f"{base}.{suffix}" if suffix else base


def calendar_for(symbol: str) -> str:
    """The exchange calendar a normalised symbol trades on, from its suffix (XNYS without
    one); UsageError for a venue exchange_calendars has no calendar for."""
    if symbol in INDICES:
        return INDICES[symbol]
    if symbol.endswith("=X"):
        return "24/5"  # currencies
    if symbol.endswith("=F"):
        return "CMES"  # futures: most of Yahoo's continuous contracts are CME Group's
    if re.fullmatch(rf"[A-Z0-9]+-({_FIAT})", symbol):
        return "24/7"  # crypto pairs such as BTC-USD
    suffix = _suffix(symbol)
    if suffix is None:
        return DEFAULT_CALENDAR
    calendar = SUFFIXES[suffix]
    if calendar is None:
        raise UsageError(
            f"{symbol}: no exchange calendar is known for Yahoo's .{suffix} venue; "
            "pass --calendar (e.g. XFRA, XLON)"
        )
    return calendar


def file_stem(symbol: str) -> str:
    """A file-system-safe name for a normalised symbol: ^GSPC -> _GSPC."""
    return symbol.replace("^", "_")
