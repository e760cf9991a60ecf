"""The console script keeps freed memory in the process (glibc's malloc thresholds raised):
a block freed and allocated again costs no new page faults. The library alone leaves the
allocator as it is, and a user's own glibc malloc settings win."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from stockrnn.common import allocator, collector

pytestmark = pytest.mark.skipif(
    not allocator._glibc() or sys.platform != "linux", reason="glibc's malloc only"
)

# Allocates and frees a 64 MB block ten times (as a training step does its activations),
# touching every page, and prints the minor page faults of the last nine rounds.
ROUNDS = textwrap.dedent(
    """
    import ctypes, os, resource, sys
    if sys.argv[1] == "entry":  # the console script, running a short command in this process
        def stay(code):
            raise SystemExit(code)
        os._exit = stay
        sys.argv = ["stockrnn", "workspace"]
        from stockrnn.cli.entry import main
        try:
            main()
        except SystemExit:
            pass
    elif sys.argv[1] == "library":
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


def _faults(how: str, **env: str) -> int:
    clean = {k: v for k, v in os.environ.items() if k not in allocator.USER_SETTINGS}
    out = subprocess.run(
        [sys.executable, "-c", ROUNDS, how],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.split()[-1])


def test_glibc_default_faults_every_page_in_again() -> None:
    assert _faults("none") >= PAGES * 0.9


def test_the_console_scripts_setting_keeps_the_pages() -> None:
    assert _faults("entry") < PAGES * 0.01


def test_importing_the_library_changes_nothing() -> None:
    assert _faults("library") >= PAGES * 0.9


@pytest.mark.parametrize(
    "env",
    [{"MALLOC_TRIM_THRESHOLD_": "131072"}, {"GLIBC_TUNABLES": "glibc.malloc.trim_threshold=0"}],
)
def test_a_users_own_setting_wins(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert allocator.keep_freed() is False


def test_the_console_script_calls_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from stockrnn.cli import entry

    calls: list[bool] = []
    monkeypatch.setattr(allocator, "keep_freed", lambda: calls.append(True) or True)
    monkeypatch.setattr(sys, "argv", ["stockrnn", "workspace"])
    monkeypatch.setattr(os, "_exit", lambda code: sys.exit(code))  # stay in pytest
    monkeypatch.setattr(collector, "pause", lambda: None)  # and leave its collector on
    with pytest.raises(SystemExit):
        entry.main()
    assert calls == [True]
