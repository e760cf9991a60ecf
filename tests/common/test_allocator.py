"""The console script keeps freed memory in the process for the commands that train (glibc's
malloc thresholds raised): a block freed and allocated again costs no new page faults. The
library alone, and the other commands, leave the allocator as it is, and a user's own glibc
threshold settings win."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from stockrnn.common import allocator, collector

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or not allocator._glibc(), reason="glibc's malloc only"
)

# Allocates and frees a 64 MB block ten times (as a training step does its activations),
# touching every page, and prints the minor page faults of the last nine rounds.
ROUNDS = textwrap.dedent(
    """
    import ctypes, os, resource, sys
    if sys.argv[1] != "library":  # the console script, in this process
        def stay(code):
            raise SystemExit(code)
        os._exit = stay
        sys.argv = ["stockrnn", *sys.argv[1:]]
        from stockrnn.cli.entry import main
        try:
            main()
        except SystemExit:
            pass
    else:
        import stockrnn.api  # the Python API: imports only
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    size = 64 << 20
    def one_round():
        p = libc.malloc(size)
        ctypes.memset(p, 1, size)
        libc.free(p)
    one_round()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(9):
        one_round()
    print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
    """
)
PAGES = 9 * (64 << 20) // os.sysconf("SC_PAGE_SIZE")
HUGE = 9 * (64 << 20) // (2 << 20)  # the same rounds where the kernel maps 2 MB huge pages


def _faults(*how: str, **env: str) -> int:
    mine = {f"MALLOC_{name}_" for name in allocator.USER_SETTINGS} | {"GLIBC_TUNABLES"}
    clean = {k: v for k, v in os.environ.items() if k not in mine}
    out = subprocess.run(
        [sys.executable, "-c", ROUNDS, *how],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.split()[-1])


@pytest.fixture(scope="module")
def handed_back() -> int:
    """The faults of the rounds with glibc's defaults: every page again (every huge page where
    transparent huge pages are always on)."""
    faults = _faults("library")  # the library leaves the allocator alone
    assert faults >= 0.9 * HUGE
    return faults


def test_glibc_default_faults_every_page_in_again(handed_back: int) -> None:
    thp = Path("/sys/kernel/mm/transparent_hugepage/enabled")
    if thp.exists() and "[always]" in thp.read_text():
        pytest.skip("transparent huge pages always on: fewer, larger faults")
    assert handed_back >= PAGES * 0.9


@pytest.mark.parametrize("command", ["train", "backtest", "tune"])
def test_a_training_command_keeps_the_pages(command: str, handed_back: int) -> None:
    assert _faults(command, "--help") < handed_back / 20


def test_other_commands_leave_the_allocator_alone(handed_back: int) -> None:
    assert _faults("workspace") >= handed_back / 2


def test_a_users_own_setting_wins(handed_back: int) -> None:
    assert _faults("train", "--help", MALLOC_TRIM_THRESHOLD_="131072") >= handed_back / 2
    tunable = {"GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=131072"}
    assert _faults("train", "--help", **tunable) >= handed_back / 2


def test_a_tunable_of_something_else_does_not_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")
    for name in allocator.USER_SETTINGS:
        monkeypatch.delenv(f"MALLOC_{name}_", raising=False)
    assert not allocator._user_set()
    monkeypatch.setenv("MALLOC_MMAP_MAX_", "0")
    assert allocator._user_set()


@pytest.mark.parametrize(("argv", "kept"), [(["train", "--help"], True), (["list"], False)])
def test_the_console_script_calls_it_for_training(
    argv: list[str], kept: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stockrnn.cli import entry

    calls: list[bool] = []
    monkeypatch.setattr(allocator, "keep_freed", lambda: calls.append(True) or True)
    monkeypatch.setattr(sys, "argv", ["stockrnn", *argv])
    monkeypatch.setattr(os, "_exit", lambda code: sys.exit(code))  # stay in pytest
    monkeypatch.setattr(collector, "pause", lambda: None)  # and leave its collector on
    with pytest.raises(SystemExit):
        entry.main()
    assert calls == ([True] if kept else [])
