"""The package's shape holds: layers import only downward (import-linter checks that in CI),
no module imports itself round a cycle, no module outgrows one sitting, every subpackage's
__init__ is only an index, and the light commands load no torch."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "stockrnn"


def _imports(path: Path) -> set[str]:
    """stockrnn modules a file imports, at any depth, TYPE_CHECKING blocks left out."""
    tree = ast.parse(path.read_text())
    skip = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for n in ast.walk(node)
    }
    out = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("stockrnn"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                out.add(full if _module_file(full) else node.module)
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("stockrnn")}
    return out


def _module_file(dotted: str) -> Path | None:
    base = PACKAGE.parent / dotted.replace(".", "/")
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _graph() -> dict[str, set[str]]:
    graph = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        graph[name] = {m for m in _imports(path) if m != name}
    return graph


def test_no_import_cycle() -> None:
    graph = _graph()
    seen: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(node: str, path: list[str]) -> None:
        seen[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if nxt not in graph:
                continue
            if seen.get(nxt) == 1:
                cycle = path[path.index(nxt) :] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in seen:
                visit(nxt, [*path, nxt])
        seen[node] = 2

    for node in sorted(graph):
        if node not in seen:
            visit(node, [node])


def test_no_module_over_350_lines() -> None:
    long = {
        str(p.relative_to(PACKAGE)): n
        for p in PACKAGE.rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 350
    }
    assert not long, long


def test_subpackage_inits_hold_only_an_index() -> None:
    for init in PACKAGE.rglob("__init__.py"):
        if init.parent == PACKAGE:
            continue  # the package root is the Python API
        body = ast.parse(init.read_text()).body
        assert len(body) == 1 and isinstance(body[0], ast.Expr), init


@pytest.mark.parametrize(
    "argv",
    [["models"], ["list"], ["models", "--json"], ["workspace"], ["--help"], ["train", "--help"]],
)
def test_light_commands_load_no_torch(tmp_path, argv) -> None:
    heavy = ("torch", "yfinance", "pandas")
    code = (
        "import sys\n"
        "from stockrnn.cli.main import app\n"
        f"try:\n    app({argv!r}, prog_name='stockrnn')\n"
        "except SystemExit:\n    pass\n"
        f"heavy = [m for m in {heavy!r} if m in sys.modules]\n"
        "print('LOADED:' + ','.join(heavy), file=sys.stderr)\n"
    )
    dirs = {"STOCKRNN_DATA": str(tmp_path / "d"), "STOCKRNN_MODELS": str(tmp_path / "m")}
    import os

    got = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **dirs},
        check=True,
    )
    assert "LOADED:\n" in got.stderr, got.stderr
