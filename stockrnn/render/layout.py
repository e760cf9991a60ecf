"""Tables that fit the terminal without cutting a number.

Rich shrinks a table wider than the terminal by ending its cells in "…", which turns 267.45
into "267.…". Instead: the table as built when it fits; else without the columns named
optional (least useful first); else one block per row, each cell on its own line, wrapped
rather than cut.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text


def fit(table: Table, width: int, optional: Sequence[str] = ()) -> RenderableType:
    """`table` as it fits in `width` columns (see the module docstring)."""
    if _fits(table, width):
        return table
    names = [str(c.header) for c in table.columns]
    dropped: list[str] = []
    for name in optional:
        if name not in names:
            continue
        dropped.append(name)
        slim = _without(table, dropped)
        if _fits(slim, width):
            return slim
    return _vertical(table)


def _fits(table: Table, width: int) -> bool:
    """Whether rich renders `table` in `width` columns with every word of every cell and
    header whole: rendered, not measured, since rich's measure leaves out how it squeezes
    headers and drops columns that do not fit."""
    console = Console(width=width, file=io.StringIO(), color_system=None)
    console.print(table, soft_wrap=False)
    shown = set(console.file.getvalue().split())  # type: ignore[attr-defined]
    cells = (str(cell) for c in table.columns for cell in (c.header, *c.cells))
    return all(word in shown for cell in cells for word in cell.split())


def _without(table: Table, names: Sequence[str]) -> Table:
    """A copy of `table` lacking the named columns."""
    keep = [i for i, c in enumerate(table.columns) if str(c.header) not in names]
    slim = Table(
        title=table.title,
        caption=table.caption,
        box=table.box,
        show_header=table.show_header,
    )
    for i in keep:
        c = table.columns[i]
        slim.add_column(c.header, justify=c.justify, no_wrap=c.no_wrap, style=c.style)
    cells = [list(table.columns[i].cells) for i in keep]
    for r, row in enumerate(table.rows):
        slim.add_row(*(col[r] for col in cells), style=row.style)
    return slim


def _vertical(table: Table) -> RenderableType:
    """One block per row: "column  value" lines, values wrapped (never cut)."""
    parts: list[RenderableType] = []
    if table.title:
        parts.append(Text(str(table.title), style="italic", overflow="fold"))
    cells = [list(c.cells) for c in table.columns]
    for r, row in enumerate(table.rows):
        block = Table.grid(padding=(0, 1))
        block.add_column(style="bold", no_wrap=True)
        block.add_column(overflow="fold", style=row.style)
        for column, values in zip(table.columns, cells, strict=True):
            block.add_row(column.header, values[r])
        parts += [Text(""), block]
    if table.caption:
        parts += [Text(""), Text(str(table.caption), style="dim", overflow="fold")]
    return Group(*parts)
