"""The console script pauses the cycle collector while a command loads its libraries, and
the long commands resume it before their work, with what was loaded set aside."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from stockrnn.common import collector

# Runs the console script's entry with a spy on resume(): what the collector and the loaded
# libraries were when each command resumed it, printed before the process exits.
SPY = textwrap.dedent(
    """
    import gc, json, os, sys
    from stockrnn.common import collector
    seen = []
    real = collector.resume
    def spy():
        seen.append({"enabled_before": gc.isenabled(), "torch": "torch" in sys.modules,
                     "pandas": "pandas" in sys.modules})
        real()
        seen[-1].update(enabled_after=gc.isenabled(), frozen=gc.get_freeze_count())
    collector.resume = spy
    leave = os._exit
    def report(code):
        seen.append({"exit_enabled": gc.isenabled()})
        print("SEEN " + json.dumps(seen), file=sys.stderr, flush=True)
        leave(code)
    os._exit = report
    sys.argv = ["stockrnn", *sys.argv[1:]]
    from stockrnn.cli.entry import main
    try:
        main()
    except SystemExit as exc:
        report(exc.code or 0)
    """
)


def _seen(args: list[str]) -> tuple[int, list[dict[str, object]]]:
    proc = subprocess.run(
        [sys.executable, "-c", SPY, *args], text=True, capture_output=True, timeout=600
    )
    line = next(x for x in proc.stderr.splitlines() if x.startswith("SEEN "))
    return proc.returncode, json.loads(line[5:])


def test_resume_without_pause_changes_nothing() -> None:
    """The library (a notebook, the Python API) never pauses, so resume must not freeze."""
    import gc

    frozen = gc.get_freeze_count()
    collector.resume()
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_fetch_train_predict_and_backtest_resume_once_their_libraries_are_loaded(
    tmp_path,
) -> None:
    data, models = str(tmp_path / "data"), str(tmp_path / "models")
    code, seen = _seen(["fetch", "AAPL", "--source", "sample", "--data-dir", data])
    assert code == 0 and seen[0]["pandas"] and not seen[0]["enabled_before"]
    assert seen[0]["enabled_after"] and seen[0]["frozen"] > 50_000 and seen[-1]["exit_enabled"]
    train = ["train", "AAPL", "--epochs", "1", "--hidden", "8", "--window", "10"]
    code, seen = _seen([*train, "--data-dir", data, "--models-dir", models])
    assert code == 0 and seen[0]["torch"] and seen[0]["pandas"]
    assert not seen[0]["enabled_before"] and seen[0]["enabled_after"]
    assert seen[0]["frozen"] > 200_000
    where = ["--data-dir", data, "--models-dir", models]
    for command in (["predict", "AAPL"], ["backtest", "AAPL", "--model", "default"]):
        code, seen = _seen([*command, *where])
        assert code == 0 and not seen[0]["enabled_before"] and seen[0]["enabled_after"]
        assert len(seen) == 2 and seen[-1]["exit_enabled"]  # resumed once, on at the end


def test_a_command_that_stops_early_exits_with_its_code_paused() -> None:
    """A refusal before any work leaves the collector paused until the process ends."""
    code, seen = _seen(["train", "--epochs", "0"])
    assert code != 0 and seen == [{"exit_enabled": False}]


def test_an_interpreter_that_lives_on_is_never_paused(tmp_path) -> None:
    """`python -i -m stockrnn ...` (or %run in a kernel): the session keeps its collector."""
    proc = subprocess.run(
        [sys.executable, "-i", "-m", "stockrnn", "models", "--models-dir", str(tmp_path)],
        input="import gc; print('GC', gc.isenabled(), gc.get_freeze_count())\n",
        text=True,
        capture_output=True,
        timeout=120,
    )
    assert "GC True 0" in proc.stdout, proc.stdout + proc.stderr
