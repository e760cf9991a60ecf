"""Property tests: whatever the bytes, the importer and the checkpoint loader either succeed
or raise the tool's own error type."""

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stockrnn.checkpoint import weights
from stockrnn.common.errors import CheckpointError, StockrnnError
from stockrnn.data import cache
from stockrnn.data.fetch import fetch_one
from stockrnn.data.fetch_types import FetchConfig, FetchOptions
from stockrnn.pipelines import train

pytestmark = pytest.mark.slow  # hypothesis runs hundreds of examples per test

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
HEADER = "Date,Open,High,Low,Close,Adj Close,Volume\n"
cell = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(-(10**20), 10**20).map(str),
    st.text(max_size=6),
    st.sampled_from(["", "null", "NaN", "-0", "1e309", "2020-01-02"]),
)
date = st.one_of(
    st.dates().map(str),
    st.text(max_size=12),
    st.sampled_from(["2020-02-30", "1/2/2020", "0000-00-00", "9999-12-31"]),
)
row = st.tuples(date, *[cell] * 6).map(lambda t: ",".join(t))


def import_bytes(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.csv"
        path.write_bytes(raw)
        fetch_one(Path(tmp) / "data", FetchConfig("X", FetchOptions(source="csv", csv=path)))
        out, _ = cache.load(Path(tmp) / "data", "X")
        assert not out.empty and out.index.is_monotonic_increasing
        prices = out[["open", "high", "low", "close"]].to_numpy()
        assert (prices > 0).all() and np.isfinite(prices).all()


@FUZZ
@given(st.binary(max_size=2000))
def test_importer_on_arbitrary_bytes(raw: bytes) -> None:
    try:
        import_bytes(raw)
    except StockrnnError:
        pass


@FUZZ
@given(st.lists(row, max_size=30))
def test_importer_on_csv_shaped_text(rows: list[str]) -> None:
    try:
        import_bytes((HEADER + "\n".join(rows)).encode("utf-8", "surrogatepass"))
    except StockrnnError:
        pass
    except UnicodeEncodeError:
        pass  # the test text itself was not encodable; nothing reached the importer


good = st.floats(0.01, 1e6)


@FUZZ
@given(
    st.lists(
        st.tuples(st.dates(), good, good, good, good, st.one_of(good, st.just(float("inf")))),
        min_size=2,
        max_size=40,
    )
)
def test_importer_on_plausible_bars(bars) -> None:
    lines = [f"{d},{o},{h},{lo},{c},{c},{v}" for d, o, h, lo, c, v in bars]
    try:
        import_bytes((HEADER + "\n".join(lines)).encode())
    except StockrnnError as exc:
        assert any(w in str(exc) for w in ("repeated", "no valid rows", "left after validation"))


json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4)
    ),
    max_leaves=20,
)


@pytest.fixture(scope="module")
def good_checkpoint(tmp_path_factory):
    from helpers.bars import cache_bars, make_bars
    from helpers.requests import tiny_request

    ws = tmp_path_factory.mktemp("ckpt")
    cache_bars(ws / "data", "AAA", make_bars(200))
    train.run(tiny_request(ws, window=5, cell="gru", hidden=4, epochs=1))
    return ws / "models" / "m"


def load_copy(src: Path, meta: bytes | None = None, tensors: bytes | None = None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        dst = Path(tmp) / "m"
        shutil.copytree(src, dst)
        if meta is not None:
            (dst / "meta.json").write_bytes(meta)
        if tensors is not None:
            name = json.loads((src / "meta.json").read_text())["weights_file"]
            (dst / name).write_bytes(tensors)
        weights.load(Path(tmp), "m")


@FUZZ
@given(st.binary(max_size=500))
def test_loader_on_arbitrary_meta_bytes(good_checkpoint, raw: bytes) -> None:
    with pytest.raises(CheckpointError):
        load_copy(good_checkpoint, meta=raw)


@FUZZ
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "format_version",
                "model",
                "data",
                "features",
                "scaler",
                "weights_file",
                "weights_sha256",
                "tickers",
                "name",
            ]
        ),
        json_value,
        max_size=6,
    )
)
def test_loader_on_mutated_meta(good_checkpoint, changes: dict) -> None:
    meta = json.loads((good_checkpoint / "meta.json").read_text())
    meta.update(changes)
    try:
        load_copy(good_checkpoint, meta=json.dumps(meta).encode())
    except CheckpointError:
        pass


@FUZZ
@given(st.binary(max_size=3000))
def test_loader_on_arbitrary_weight_bytes(good_checkpoint, raw: bytes) -> None:
    meta = json.loads((good_checkpoint / "meta.json").read_text())
    meta["weights_sha256"] = hashlib.sha256(raw).hexdigest()
    with pytest.raises(CheckpointError):
        load_copy(good_checkpoint, meta=json.dumps(meta).encode(), tensors=raw)
