"""A checkpoint is checked whole before anything is built from it (validation.py): every
tampered field is refused with one line, exit 10 from the CLI, and `models` lists the model as
unreadable instead of dying."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from helpers.bars import cache_bars, make_bars
from helpers.cli import cli_runner
from helpers.requests import tiny_request

from stockrnn.checkpoint import catalog, weights
from stockrnn.cli.main import build
from stockrnn.common.errors import CheckpointError
from stockrnn.pipelines import train


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A model of AAA with covariate BBB; CCC cached too (another ticker to swap in)."""
    ws = tmp_path_factory.mktemp("ws")
    for i, symbol in enumerate(("AAA", "BBB", "CCC")):
        cache_bars(ws / "data", symbol, make_bars(220, seed=i + 1, price=50 + 20 * i))
    train.run(tiny_request(ws, tickers=("AAA",), data={"covariates": ("BBB",)}, epochs=1))
    return ws, json.loads((ws / "models" / "m" / "meta.json").read_text())


@pytest.fixture
def tamper(trained, tmp_path) -> Callable[[Callable[[dict[str, Any]], Any]], Any]:
    """Copy the trained workspace, apply `edit` to its meta.json, return the models folder."""
    import shutil

    ws, meta = trained

    def apply(edit: Callable[[dict[str, Any]], Any]) -> Any:
        shutil.copytree(ws, tmp_path / "ws")
        changed = json.loads(json.dumps(meta))
        edit(changed)
        (tmp_path / "ws" / "models" / "m" / "meta.json").write_text(json.dumps(changed))
        return tmp_path / "ws"

    return apply


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(meta: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = meta
        for key in parents:
            node = node[int(key)] if key.isdigit() else node[key]
        node[int(last) if last.isdigit() else last] = value

    return edit


def _swap_covariate(meta: dict[str, Any]) -> None:
    """BBB replaced by CCC everywhere meta.json names it: only the weights still know."""
    meta["data"]["covariates"] = ["CCC"]
    meta["covariates"][0]["symbol"] = "CCC"
    meta["inputs"] = [i.replace("BBB", "CCC") for i in meta["inputs"]]


TAMPERED = {
    "window 0": (_set("data.window", 0), "data settings are invalid"),
    "window -5": (_set("data.window", -5), "data settings are invalid"),
    "window 1e30": (_set("data.window", 10**30), "data settings are invalid"),
    "shift NaN": (lambda m: m["scaler"]["shift"].__setitem__(0, float("nan")), "scaler.shift"),
    "scale 0": (lambda m: m["scaler"]["scale"].__setitem__(0, 0.0), "scaler.scale"),
    "scale negative": (lambda m: m["scaler"]["scale"].__setitem__(1, -2.0), "scaler.scale"),
    "half_widths empty": (_set("intervals.half_widths", []), "half_widths"),
    "half_widths short row": (
        lambda m: m["intervals"]["half_widths"][0].pop(),
        "half_widths",
    ),
    "half_widths negative": (
        lambda m: m["intervals"]["half_widths"][0].__setitem__(0, -1.0),
        "half_widths",
    ),
    "step_n empty": (_set("intervals.step_n", []), "half_widths"),
    "last_date not a date": (_set("tickers.0.last_date", "yesterday"), "not a date"),
    "val_end not a date": (_set("split.val_end", "2021-13-45"), "not a date"),
    "val_end year 9999": (_set("split.val_end", "9999-12-31"), "outside"),
    "inputs disagree": (lambda m: m["inputs"].reverse(), "inputs"),
    "covariate path": (_set("data.covariates", ["../outside/X"]), "not a ticker symbol"),
    "covariate absolute path": (
        lambda m: (
            _set("data.covariates", ["/etc/x"])(m),
            _set("covariates.0.symbol", "/etc/x")(m),
            m.update(inputs=[i.replace("BBB", "/etc/x") for i in m["inputs"]]),
        ),
        "not a ticker symbol",
    ),
    "ticker path": (_set("tickers.0.symbol", "../../etc/x"), "not a ticker symbol"),
    "no tickers": (_set("tickers", []), "tickers"),
    "covariate swapped": (_swap_covariate, "not the ones its weights were trained on"),
    "hidden 4096 x 2": (
        lambda m: m["model"].update(hidden=4096, layers=2),
        "weight shapes disagree",
    ),
}


@pytest.mark.parametrize("case", list(TAMPERED))
def test_tampered_field_is_refused_in_one_line(tamper, case) -> None:
    edit, message = TAMPERED[case]
    ws = tamper(edit)
    with pytest.raises(CheckpointError, match=message) as info:
        weights.load(ws / "models", "m")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("case", ["shift NaN", "covariate path", "val_end not a date"])
def test_cli_exits_10_and_lists_the_model_unreadable(tamper, case) -> None:
    ws = tamper(TAMPERED[case][0])
    folders = ["--data-dir", str(ws / "data"), "--models-dir", str(ws / "models")]
    result = cli_runner().invoke(build(), ["predict", "AAA", "--model", "m", *folders])
    assert result.exit_code == CheckpointError.exit_code == 10, result.output
    assert "Traceback" not in result.output + result.stderr
    rows = catalog.describe_all(ws / "models")
    assert [r.name for r in rows] == ["m"] and rows[0].error


def test_deep_json_is_an_unreadable_row_not_a_crash(tamper) -> None:
    ws = tamper(lambda m: None)
    deep = "[" * 100_000 + "]" * 100_000
    (ws / "models" / "m" / "meta.json").write_text('{"format_version": 3, "model": ' + deep + "}")
    with pytest.raises(CheckpointError):
        weights.load(ws / "models", "m")
    rows = catalog.describe_all(ws / "models")
    assert rows[0].error


def test_mismatched_shapes_are_found_before_a_model_is_built(tamper, monkeypatch) -> None:
    """A 4096 x 2 model would take about a gigabyte: its shapes are worked out from the
    metadata (light.param_shapes), and no model is built, in torch or NumPy, when they
    disagree."""
    from stockrnn.checkpoint import reading

    ws = tamper(TAMPERED["hidden 4096 x 2"][0])
    built = []
    monkeypatch.setattr(weights, "Forecaster", lambda cfg: built.append(cfg))
    monkeypatch.setattr(reading, "LightForecaster", lambda cfg, w: built.append(cfg))
    for load in (weights.load, reading.load_light):
        with pytest.raises(CheckpointError, match="shapes disagree"):
            load(ws / "models", "m")
    assert built == []


def test_untouched_checkpoint_still_loads(tamper) -> None:
    ws = tamper(lambda m: None)
    model, meta = weights.load(ws / "models", "m")
    assert meta.data.covariates == ("BBB",) or list(meta.data.covariates) == ["BBB"]
