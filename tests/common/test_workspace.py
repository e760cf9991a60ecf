"""workspace.read_regular: what stockrnn reads from data/ and models/ is a regular file, read
whole without waiting on a FIFO, following a link, or setting aside more than it holds."""

from __future__ import annotations

import os
import tracemalloc

import pytest

from stockrnn.common import workspace


def test_a_regular_file_is_read_whole(tmp_path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"abc")
    assert workspace.read_regular(path) == b"abc"
    assert workspace.read_regular(path, 3) == b"abc"
    with pytest.raises(OSError, match="larger than 2 bytes"):
        workspace.read_regular(path, 2)


def test_a_large_limit_sets_nothing_aside(tmp_path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 1000)
    tracemalloc.start()
    try:
        workspace.read_regular(path, 1 << 32)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


def test_links_fifos_and_folders_are_refused_at_once(tmp_path) -> None:
    target = tmp_path / "target"
    target.write_bytes(b"secret")
    (tmp_path / "link").symlink_to(target)
    os.mkfifo(tmp_path / "fifo")  # no writer: a blocking open would wait forever
    (tmp_path / "dir").mkdir()
    for name in ("link", "fifo", "dir"):
        with pytest.raises(OSError):
            workspace.read_regular(tmp_path / name)
