"""An Optuna study's storage and trial loop for `stockrnn tune`: where the study lives, how
processes sharing it stop at exactly the requested count, and what its trials hold."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from stockrnn.common.errors import StockrnnError, UsageError

OPEN_ATTEMPTS = 5


class TrialState(StrEnum):
    complete = "complete"
    pruned = "pruned"
    fail = "fail"
    running = "running"
    waiting = "waiting"


@dataclass(frozen=True, kw_only=True)
class TrialRow:
    """One trial of a study, as the tune table shows it."""

    number: int
    state: TrialState
    value: float | None  # mean validation rel. MAE over the folds
    params: dict[str, float | int | str]
    epochs: int | None
    seconds: float | None


def import_optuna() -> Any:
    try:
        import optuna
    except ImportError:
        raise StockrnnError("stockrnn tune needs Optuna: pip install 'stockrnn[tune]'") from None
    # ERROR: Optuna logs a failed trial's traceback as a WARNING, and a trial fails whenever
    # Ctrl-C or SIGTERM aborts it; the command reports failures in its own words.
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    return optuna


def storage_url(storage: str | None, models_dir: Path) -> str:
    """The study's database URL: the one given, or SQLite in the models folder."""
    return storage or f"sqlite:///{(models_dir / 'tune.db').resolve()}"


def shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return str(make_url(url).render_as_string(hide_password=True))
    except Exception:  # an unparsable URL is refused elsewhere; never echo it whole
        return url.split("@")[-1]


def open_study(storage: str | None, name: str, models_dir: Path) -> Any:
    """Create or load the study; a bad or unreachable storage URL is one clear UsageError."""
    optuna = import_optuna()
    url = storage_url(storage, models_dir)
    if storage is None:
        models_dir.mkdir(parents=True, exist_ok=True)
    _check_writable(url)
    for attempt in range(OPEN_ATTEMPTS):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # heartbeats are "experimental" in Optuna 5
                storage = optuna.storages.RDBStorage(url, heartbeat_interval=60, grace_period=180)
                return optuna.create_study(
                    study_name=name,
                    storage=storage,
                    load_if_exists=True,
                    direction="minimize",
                    pruner=optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=2),
                )
        except Exception as exc:  # sqlalchemy and optuna raise many kinds for one cause
            # Processes starting together race to create the tables or the study: the loser
            # finds them there on the next try.
            racing = any(m in repr(exc) for m in ("IntegrityError", "already exists", "locked"))
            if attempt + 1 < OPEN_ATTEMPTS and racing:
                time.sleep(0.2 * (attempt + 1))
                continue
            why = _why(exc)
            raise UsageError(f"--storage {shown_url(url)}: cannot open the study ({why})") from exc
    raise AssertionError("unreachable")


def _check_writable(url: str) -> None:
    """A SQLite study is written (trials, settings): a read-only file or folder is refused in
    those words, not as the "invalid data in the commit" Optuna reports when writing fails."""
    import os

    from sqlalchemy.engine import make_url

    try:
        target = make_url(url)
    except Exception:
        return  # open_study reports it
    db = target.database if target.drivername.startswith("sqlite") else None
    if not db or db == ":memory:":
        return
    path = Path(db)
    for where in (path, path.parent) if path.exists() else (path.parent,):
        if where.exists() and not os.access(where, os.W_OK):
            raise UsageError(f"--storage {shown_url(url)}: {where} is read-only")


@contextmanager
def storage_errors(url: str) -> Iterator[None]:
    """A write the database refuses (read-only, full, locked) in the database's own words."""
    optuna = import_optuna()
    try:
        yield
    except optuna.exceptions.StorageInternalError as exc:
        raise UsageError(
            f"--storage {shown_url(url)}: cannot write the study ({_why(exc)})"
        ) from exc


def _why(exc: BaseException) -> str:
    """The first line of the database's own error under Optuna's and SQLAlchemy's wrappers
    (Optuna words any failed commit as "invalid data in the commit")."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return str(getattr(exc, "orig", None) or exc).splitlines()[0][:160]


def trial_rows(study: Any) -> list[TrialRow]:
    """Trials best first; only complete ones have a score (Optuna keeps a pruned trial's last
    intermediate value, a validation loss, as its value: not comparable, so not shown)."""
    rows = [
        TrialRow(
            number=t.number,
            state=TrialState(t.state.name.lower()),
            value=t.value if t.state.name == "COMPLETE" else None,
            params=dict(t.params),
            epochs=t.user_attrs.get("epochs"),
            seconds=t.user_attrs.get("seconds"),
        )
        for t in study.get_trials(deepcopy=False)
    ]
    return sorted(rows, key=lambda r: (r.value is None, r.value or 0.0, r.number))


def finished_count(study: Any) -> int:
    from optuna.trial import TrialState

    live = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING, TrialState.WAITING)
    return len(study.get_trials(deepcopy=False, states=live))


class TrialGate:
    """Serialises "count the trials, then start one" across processes sharing a SQLite file,
    so together they stop at exactly the requested number. The lock is held from the count
    until the new trial exists (the objective releases it first thing). Other databases
    (several machines) have no shared file: there a trial may rarely go one over."""

    def __init__(self, url: str) -> None:
        from filelock import FileLock
        from sqlalchemy.engine import make_url

        target = make_url(url)
        db = target.database if target.drivername.startswith("sqlite") else None
        self.lock = FileLock(f"{db}.lock") if db and db != ":memory:" else None

    def acquire(self) -> None:
        if self.lock is not None:
            self.lock.acquire()

    def release(self) -> None:
        if self.lock is not None and self.lock.is_locked:
            self.lock.release()


def search(
    study: Any,
    *,
    goal: int,
    score: Callable[[Any], float],
    seed: int,
    hooks: TuneHooks,
    gate: TrialGate,
) -> bool:
    """Run trials until the study holds `goal` of them; False if stopped by Ctrl-C."""
    optuna = import_optuna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "fail_stale_trials is experimental"
        optuna.storages.fail_stale_trials(study)  # trials of a killed process, past grace

    def gated(trial: Any) -> float:
        gate.release()  # the trial exists now: others may count it
        return score(trial)

    while True:
        gate.acquire()
        try:
            done = finished_count(study)
            if done >= goal:
                return True
            if hooks.should_stop():
                return False
            # Seeded by the study's size: one process replays the same proposals run after
            # run, and processes sharing a study (which see different sizes) propose others.
            study.sampler = optuna.samplers.TPESampler(seed=seed + done)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "heartbeat is experimental"
                study.optimize(gated, n_trials=1, catch=())
        finally:
            gate.release()
        rows = trial_rows(study)  # one read of the study for both figures
        scores = [r.value for r in rows if r.value is not None]
        live = sum(r.state is not TrialState.fail for r in rows)
        hooks.on_trial(live, goal, min(scores) if scores else None)


@dataclass
class TuneHooks:
    """Progress after each trial, and a flag Ctrl-C sets to stop after the current one."""

    on_trial: Callable[[int, int, float | None], None] = lambda done, goal, best: None
    should_stop: Callable[[], bool] = lambda: False
