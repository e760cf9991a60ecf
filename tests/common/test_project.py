"""Where things live: a stockrnn.toml found as git finds .git, else one folder per user; the
`workspace` command says which is in effect; the file's option defaults reach the commands."""

from __future__ import annotations

import os
import re

import pytest
from helpers.bars import cache_bars, make_bars

from stockrnn.cli.main import run
from stockrnn.common import project
from stockrnn.common.errors import UsageError


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A user folder of our own, and no environment override."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    for var in project.ENV.values():
        monkeypatch.delenv(var, raising=False)
    return tmp_path


def test_without_a_project_file_one_folder_per_user(home, monkeypatch) -> None:
    monkeypatch.chdir(home)
    ws = project.workspace()
    assert ws.file is None
    assert ws.data == project.user_folder() / "data"
    assert str(home / "xdg") in str(ws.data)  # the platform's user data folder
    (home / "elsewhere").mkdir()
    monkeypatch.chdir(home / "elsewhere")
    assert project.workspace().models == ws.models  # a cd does not lose the models


def test_the_nearest_project_file_names_the_folders(home, monkeypatch) -> None:
    (home / "proj" / "deep" / "er").mkdir(parents=True)
    (home / "proj" / "stockrnn.toml").write_text('[workspace]\ndata = "bars"\n')
    monkeypatch.chdir(home / "proj" / "deep" / "er")
    ws = project.workspace()
    assert ws.file == (home / "proj" / "stockrnn.toml").resolve()
    assert ws.data.resolve() == (home / "proj" / "bars").resolve()
    assert ws.models.resolve() == (home / "proj" / "models").resolve()  # the default name


def test_options_then_environment_then_file(home, monkeypatch) -> None:
    (home / "stockrnn.toml").write_text('[workspace]\ndata = "a"\nmodels = "b"\n')
    monkeypatch.chdir(home)
    monkeypatch.setenv("STOCKRNN_DATA", str(home / "env"))
    ws = project.workspace(models_dir=home / "opt")
    assert ws.data == home / "env" and ws.origin["data"] == "STOCKRNN_DATA"
    assert ws.models == home / "opt" and ws.origin["models"] == "option"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[workspace\n", "not valid TOML"),
        ("[trian]\nepochs = 3\n", "unknown table(s) trian"),
        ("[workspace]\ncache = 'x'\n", "[workspace] has no setting cache; it takes"),
        ("[workspace]\ndata = 1\n", "[workspace] takes data"),
        ("train = 3\n", "must be a table"),
    ],
)
def test_a_bad_project_file_is_one_line(home, monkeypatch, capsys, text, says) -> None:
    (home / "stockrnn.toml").write_text(text)
    monkeypatch.chdir(home)
    with pytest.raises(UsageError, match=re.escape(says)):
        project.workspace()
    assert run(["list"]) == 2
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1


def test_workspace_command_and_init(home, monkeypatch, capsys) -> None:
    monkeypatch.chdir(home)
    assert run(["workspace"]) == 0
    out = capsys.readouterr().out
    assert "project file  none" in out and "the user folder" in out
    assert run(["workspace", "--init"]) == 0
    assert (home / "stockrnn.toml").read_text() == project.TEMPLATE
    out = capsys.readouterr().out
    assert str(home / "stockrnn.toml") in out and str(home / "data") in out
    assert run(["workspace", "--init"]) == 2  # never overwrites the user's file
    assert "already exists" in capsys.readouterr().err


def test_the_files_defaults_reach_the_command_and_the_command_line_wins(
    home, monkeypatch, capsys
) -> None:
    (home / "stockrnn.toml").write_text(
        '[workspace]\ndata = "d"\n[fetch]\nsource = "sample"\n[list]\njson = true\n'
    )
    monkeypatch.chdir(home)
    assert run(["fetch", "AAPL"]) == 0  # the sample, offline, because the file says so
    capsys.readouterr()
    assert (home / "d" / "AAPL.csv").is_file()
    assert run(["list"]) == 0
    assert capsys.readouterr().out.lstrip().startswith("[")  # JSON, from the file


def test_an_option_the_command_lacks_is_refused(home, monkeypatch, capsys) -> None:
    (home / "stockrnn.toml").write_text("[predict]\nhorizn = 3\n")
    monkeypatch.chdir(home)
    assert run(["predict", "AAPL"]) == 2
    err = capsys.readouterr().err.strip()
    assert "[predict] has no option(s) horizn" in err and "horizon" in err
    assert len(err.splitlines()) == 1


def test_option_names_as_the_command_line_spells_them(home, monkeypatch, capsys) -> None:
    cache_bars(home / "data", "AAA", make_bars(200, seed=1))
    (home / "stockrnn.toml").write_text(
        "[train]\nepochs = 1\nwindow = 5\nhidden = 4\nbatch-size = 16\n"
        '[predict]\nformat = "csv"\nhorizon = 2\n'
    )
    monkeypatch.chdir(home)
    assert run(["train", "AAA"]) == 0
    capsys.readouterr()
    assert run(["predict"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("ticker,date,step") and len(lines) == 3  # csv, 2 days
    assert run(["predict", "--horizon", "4"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 5
    assert os.path.isdir(home / "models" / "default")


@pytest.mark.parametrize(
    ("places", "says"),
    [
        ('data = "models/d"\nmodels = "models"', "must be apart"),
        ('data = "x"\nmodels = "x"', "must be apart"),
        ('data = "d"\nmodels = "d/m"', "must be apart"),
    ],
)
def test_folders_that_would_lose_data_are_refused(home, monkeypatch, capsys, places, says) -> None:
    """`models rm NAME` deletes a model's folder: it must never hold the data cache."""
    (home / "afile").write_text("x")
    (home / "stockrnn.toml").write_text(f"[workspace]\n{places}\n")
    monkeypatch.chdir(home)
    with pytest.raises(UsageError, match=says):
        project.workspace()
    assert run(["list"]) == 2 and says in capsys.readouterr().err


def test_a_bom_is_not_an_error(home, monkeypatch) -> None:
    (home / "stockrnn.toml").write_bytes('\ufeff[workspace]\ndata = "bars"\n'.encode())
    monkeypatch.chdir(home)
    assert project.workspace().data.name == "bars"


def test_a_file_where_a_folder_should_be_is_a_storage_error(home, monkeypatch, capsys) -> None:
    (home / "afile").write_text("x")
    (home / "stockrnn.toml").write_text('[workspace]\ndata = "afile"\n')
    monkeypatch.chdir(home)
    assert run(["list"]) == 11 and ": not a folder" in capsys.readouterr().err
