"""`--help` with options grouped into panels (model, training, data, output, hardware), drawn
by click's plain formatter: typer's rich help would import rich on every `--help`, which
costs more than the whole of the rest of it (docs/performance.md, startup)."""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand

OTHER = "Options"


class PanelCommand(TyperCommand):
    """A command whose --help lists its arguments, then each panel's options under its name,
    in the order they are declared, with the panel-less ones (--help) last."""

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments: list[tuple[str, str]] = []
        panels: dict[str, list[tuple[str, str]]] = {}
        for param in self.get_params(ctx):
            if getattr(param, "hidden", False):
                continue
            if param.param_type_name == "argument":
                arguments.append(_argument(param))
                continue
            record = param.get_help_record(ctx)
            if record is not None:
                panel = getattr(param, "rich_help_panel", None) or OTHER
                panels.setdefault(panel, []).append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        other = panels.pop(OTHER, [])
        for name, records in [*panels.items(), (OTHER, other)]:
            if records:
                with formatter.section(name if name == OTHER else f"{name} options"):
                    formatter.write_dl(records)


def _argument(param: Any) -> tuple[str, str]:
    """TICKER... and its help, without the Python type typer would print beside it."""
    name = param.metavar or param.name.upper()
    return (f"{name}..." if param.nargs == -1 else name), param.help or ""
