"""A command line click refuses gets one line too (not click's usage block), naming the
project file when the bad value came from there; an interrupt that lands before a command's
own boundary still says so, and SIGTERM still exits 143."""

from __future__ import annotations

import pytest
from helpers.bars import cache_bars, make_bars

from stockrnn.cli import options
from stockrnn.cli.main import run
from stockrnn.common import stopping
from stockrnn.common.errors import Terminated


@pytest.fixture
def ws(tmp_path, monkeypatch):
    (tmp_path / "stockrnn.toml").write_text("[workspace]\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["predict", "AAA", "--level", "abc"], "Invalid value for '--level'"),
        (["predict", "AAA", "--format", "xml"], "Invalid value for '--format'"),
        (["predict", "AAA", "--horizon", "5.5"], "Invalid value for '--horizon'"),
        (["predict", "-t", "AAA"], "No such option: -t"),
        (["nosuch"], "No such command 'nosuch'"),
        (["train", "--epochs"], "requires an argument"),
    ],
)
def test_one_line_for_what_click_refuses(ws, capsys, argv, says) -> None:
    assert run(argv) == 2
    out, err = capsys.readouterr()
    assert err.startswith("error: ") and says in err and len(err.strip().splitlines()) == 1
    assert out == ""


def test_a_bad_value_from_the_project_file_names_the_file(ws, capsys) -> None:
    (ws / "stockrnn.toml").write_text('[workspace]\n[train]\nepochs = "many"\n')
    assert run(["train", "AAA"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"error: {ws / 'stockrnn.toml'}: [train] epochs: ")
    assert len(err.splitlines()) == 1


def test_a_scalar_is_a_one_item_list_for_a_repeatable_option(ws, capsys) -> None:
    cache_bars(ws / "data", "AAA", make_bars(200, seed=1))
    cache_bars(ws / "data", "IDX", make_bars(200, seed=2))
    (ws / "stockrnn.toml").write_text(
        '[workspace]\n[train]\ncovariate = "IDX"\nepochs = 1\nwindow = 5\nhidden = 4\n'
    )
    assert run(["train", "AAA", "--json"]) == 0, capsys.readouterr().err
    assert '"covariates": [\n' in capsys.readouterr().out


def test_no_arguments_still_show_the_help(capsys) -> None:
    code = run([])  # click 8.2+: the help on stderr, exit 2; click 8.1: on stdout, exit 0
    out, err = capsys.readouterr()
    assert code in (0, 2) and "Usage: stockrnn" in out + err and "error" not in out + err


@pytest.mark.parametrize(
    ("signal_like", "code", "says"),
    [(Terminated, 143, "terminated"), (KeyboardInterrupt, 130, "interrupted")],
)
def test_an_interrupt_before_the_boundary(ws, monkeypatch, capsys, signal_like, code, says):
    """What a kill in the first seconds hits: the command's own imports and setup."""

    def arrives(*args, **kwargs):
        if signal_like is Terminated:
            monkeypatch.setattr(stopping, "_requested", True)
        raise signal_like

    monkeypatch.setattr(options, "model_args", arrives)
    assert run(["train", "AAA"]) == code
    err = capsys.readouterr().err.strip()
    assert err == f"{says}: stopped before any work; nothing was written"
