"""Rich tables and JSON for command results; functions here build output, the CLI prints it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from typing import Any

from rich.table import Table


def to_json(payload: Any) -> str:
    """JSON text for dataclasses, lists of them, and plain values."""

    def plain(obj: Any) -> Any:
        if is_dataclass(obj) and not isinstance(obj, type):
            return asdict(obj)
        if isinstance(obj, list | tuple):
            return [plain(o) for o in obj]
        if isinstance(obj, dict):
            return {k: plain(v) for k, v in obj.items()}
        return obj

    return json.dumps(plain(payload), indent=2, default=str)


def fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def fetch_table(rows: Sequence[dict[str, Any]]) -> Table:
    """Summary of a fetch: one row per ticker, failures included."""
    table = Table(title="fetch")
    for col in ("ticker", "rows", "first", "last", "last close", "source", "status"):
        table.add_column(
            col, justify="right" if col in ("rows", "last close") else "left", no_wrap=True
        )
    for r in rows:
        style = "red" if r["status"] == "failed" else None
        table.add_row(
            r["symbol"],
            str(r.get("rows") or "-"),
            r.get("first") or "-",
            r.get("last") or "-",
            fmt(r.get("last_close")),
            r.get("source") or "-",
            r["status"],
            style=style,
        )
    return table


def list_table(rows: Sequence[dict[str, Any]]) -> Table:
    """Cached tickers with their ranges and staleness (sessions behind the last close)."""
    table = Table(title="cached data", caption="behind: sessions closed since the last bar")
    for col in ("ticker", "rows", "first", "last", "behind", "source"):
        table.add_column(
            col, justify="right" if col in ("rows", "behind") else "left", no_wrap=True
        )
    for r in rows:
        behind = r["sessions_behind"]
        table.add_row(
            r["symbol"],
            str(r["rows"]),
            r["first_date"],
            r["last_date"],
            str(behind),
            r["source"],
            style="yellow" if behind > 5 else None,
        )
    return table
