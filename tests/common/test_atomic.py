"""Portability of the atomic writes: an OS without O_NOFOLLOW (Windows) still writes, and still
never writes through a planted link; a file system without hard links (exFAT, FAT32, some
network drives) still keeps the previous CSV until a save commits."""

from __future__ import annotations

import errno
import os

import pytest
from helpers.bars import cache_bars, make_bars

from stockrnn.common import atomic
from stockrnn.common.errors import StorageError
from stockrnn.data import cache, manifests


@pytest.fixture
def no_nofollow(monkeypatch):
    monkeypatch.delattr(os, "O_NOFOLLOW", raising=False)


def test_writes_without_o_nofollow(no_nofollow, tmp_path) -> None:
    target = tmp_path / "d" / "f.bin"
    atomic.write_bytes(target, b"one")
    atomic.write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["f.bin"]  # no temp left


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_planted_temp_link_is_not_written_through_without_o_nofollow(
    no_nofollow, tmp_path, monkeypatch
) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious")
    folder = tmp_path / "d"
    folder.mkdir()
    target = folder / "f.bin"
    # the temp name is planted as a link, and re-planted after the stale-temp unlink
    real_unlink = type(target).unlink

    def replant(self, missing_ok=False):
        real_unlink(self, missing_ok=missing_ok)
        if self.name.startswith(".f.bin.tmp-"):
            os.symlink(outside, self)

    monkeypatch.setattr(type(target), "unlink", replant)
    with pytest.raises(StorageError):
        atomic.write_bytes(target, b"evil")
    monkeypatch.undo()
    assert outside.read_text() == "precious"


def test_a_save_keeps_the_previous_csv_without_hard_links(tmp_path, monkeypatch) -> None:
    data = tmp_path / "data"
    cache_bars(data, "AAA", make_bars(50, seed=1))
    calls = []

    def no_links(src, dst, *args, **kwargs):
        calls.append(dst)
        raise OSError(errno.EPERM, "Operation not permitted")  # what exFAT answers

    monkeypatch.setattr(os, "link", no_links)
    before = manifests.csv_path(data, "AAA").read_bytes()
    real = atomic.write_files

    def crash_after_prev(items):
        if any(p.name.endswith(".csv") and not p.name.startswith(".") for p, _ in items):
            assert manifests.prev_path(data, "AAA").read_bytes() == before  # the copy is there
            full = OSError(errno.ENOSPC, "No space left on device")
            raise atomic.storage_error(items[0][0], full)
        return real(items)

    monkeypatch.setattr(atomic, "write_files", crash_after_prev)
    frame, manifest = cache.load(data, "AAA")
    with pytest.raises(StorageError):
        cache.save(data, frame.iloc[:-1], manifest)
    assert calls, "the hard link was tried first"
    assert manifests.csv_path(data, "AAA").read_bytes() == before
    assert not manifests.prev_path(data, "AAA").exists()
    monkeypatch.setattr(atomic, "write_files", real)
    cache.save(data, frame.iloc[:-1], manifest)  # and a save that commits works
    assert cache.load(data, "AAA")[0].shape[0] == 49


def test_other_link_errors_are_not_swallowed(tmp_path, monkeypatch) -> None:
    data = tmp_path / "data"
    cache_bars(data, "AAA", make_bars(50, seed=1))

    def broken(src, dst, *args, **kwargs):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "link", broken)
    frame, manifest = cache.load(data, "AAA")
    with pytest.raises(StorageError, match="Input/output error"):
        cache.save(data, frame, manifest)
