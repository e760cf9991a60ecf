import hashlib
import json
import os
import pickle
from dataclasses import replace

import pytest
import torch

from stockrnn.checkpoint import reading, store, weights
from stockrnn.common.errors import CheckpointError, UsageError
from stockrnn.pipelines import train


class Payload:
    """Unpickling this would create a file: proof that code ran."""

    def __init__(self, marker) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture
def saved(small_request):
    req = small_request(epochs=1)
    train.run(req)
    folder = req.models_dir / "m"
    meta = json.loads((folder / "meta.json").read_text())
    return req.models_dir, folder, meta


@pytest.fixture(params=["torch", "numpy"])
def load(request):
    """Both loaders make every check: torch's for training and backtests, NumPy's for predict."""
    return weights.load if request.param == "torch" else reading.load_light


def rewrite_weights(folder, meta, payload: bytes) -> None:
    (folder / meta["weights_file"]).write_bytes(payload)
    meta["weights_sha256"] = hashlib.sha256(payload).hexdigest()
    (folder / "meta.json").write_text(json.dumps(meta))


def test_pickle_in_weights_never_runs(saved, tmp_path, load) -> None:
    models, folder, meta = saved
    marker = tmp_path / "pwned"
    rewrite_weights(folder, meta, pickle.dumps(Payload(marker)))
    with pytest.raises(CheckpointError, match="not a valid safetensors"):
        load(models, "m")
    assert not marker.exists()


def test_torch_pickle_in_weights_never_runs(saved, tmp_path, load) -> None:
    models, folder, meta = saved
    marker = tmp_path / "pwned"
    path = folder / meta["weights_file"]
    torch.save({"x": Payload(marker)}, path)
    rewrite_weights(folder, meta, path.read_bytes())
    with pytest.raises(CheckpointError):
        load(models, "m")
    assert not marker.exists()


def test_pickle_as_metadata(saved, tmp_path, load) -> None:
    models, folder, _ = saved
    marker = tmp_path / "pwned"
    (folder / "meta.json").write_bytes(pickle.dumps(Payload(marker)))
    with pytest.raises(CheckpointError, match="not valid JSON"):
        load(models, "m")
    assert not marker.exists()


def test_truncated_weights(saved, load) -> None:
    models, folder, meta = saved
    path = folder / meta["weights_file"]
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="truncated or tampered"):
        load(models, "m")
    rewrite_weights(folder, meta, path.read_bytes())  # sha updated: still not a safetensors file
    with pytest.raises(CheckpointError, match="not a valid safetensors"):
        load(models, "m")


@pytest.mark.parametrize(
    ("edit", "msg"),
    [
        (lambda m: m.update(format_version=99), "unknown checkpoint format"),
        (lambda m: m.update(format_version="1"), "unknown checkpoint format"),
        (lambda m: m.update(model="lstm"), "'model' is missing or has the wrong type"),
        (lambda m: m["model"].update(hidden=16), "weight shapes disagree"),
        (
            lambda m: m["model"].update(hidden="big"),
            "'model.hidden' is missing or has the wrong type",
        ),
        (lambda m: m["model"].update(cell="transformer"), "model settings are invalid"),
        (lambda m: m.update(features=["open", "high", "low", "close", "volume"]), "features"),
        (lambda m: m["scaler"].update(shift=[0.0]), "field 'scaler'"),
        (lambda m: m.update(weights_file="../../etc/passwd"), "not a weights file name"),
        (lambda m: m.pop("tickers"), "'tickers' is missing"),
    ],
)
def test_bad_metadata(saved, edit, msg, load) -> None:
    models, folder, meta = saved
    edit(meta)
    (folder / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match=msg):
        load(models, "m")


def test_unknown_model_lists_available(saved, load) -> None:
    models, _, _ = saved
    with pytest.raises(CheckpointError, match=r"available: m\)"):
        load(models, "nope")


@pytest.mark.parametrize("name", ["../x", "a/b", "", "x" * 65, ".hidden"])
def test_bad_model_names(name) -> None:
    with pytest.raises(UsageError):
        store.check_name(name)


def test_old_weights_removed_after_commit(small_request) -> None:
    req = small_request(epochs=1)
    train.run(req)
    req = replace(req, train=replace(req.train, seed=7), overwrite=True)
    train.run(req)
    files = sorted(p.name for p in (req.models_dir / "m").iterdir())
    assert len(files) == 2 and files[0] == "meta.json"


def test_folder_names_the_model(saved, load) -> None:
    import shutil

    models, folder, meta = saved
    shutil.copytree(folder, models / "copy")
    meta["name"] = "../../elsewhere"  # a stale or hostile name inside never picks the folder
    (models / "copy" / "meta.json").write_text(json.dumps(meta))
    _, loaded = load(models, "copy")
    assert loaded.name == "copy"


@pytest.mark.parametrize(("graphs", "want"), [(None, False), (True, True), (False, False)])
def test_a_format_3_checkpoint_still_loads(saved, graphs, want, load) -> None:
    """3 differs from 4 only in train.cuda_graphs (null: on with CUDA); users' models of that
    format keep working, and the file itself is left as it was."""
    models, folder, meta = saved
    meta.update(format_version=3)
    meta["train"]["cuda_graphs"] = graphs
    text = json.dumps(meta)
    (folder / "meta.json").write_text(text)
    _, loaded = load(models, "m")
    assert loaded.format_version == store.FORMAT_VERSION and loaded.train.cuda_graphs is want
    assert (folder / "meta.json").read_text() == text


def test_older_formats_say_how_to_retrain(saved, load) -> None:
    models, folder, meta = saved
    meta.update(format_version=2)
    (folder / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(CheckpointError, match="retrain it with `stockrnn train --name m"):
        load(models, "m")


def _retyped(folder, meta, cast) -> None:
    """The same tensors through `cast`, under the metadata the weights record."""
    from safetensors.torch import load as st_load
    from safetensors.torch import save as st_save

    tensors = st_load((folder / meta["weights_file"]).read_bytes())
    payload = st_save(
        {k: cast(k, v) for k, v in tensors.items()}, {"inputs": json.dumps(meta["inputs"])}
    )
    rewrite_weights(folder, meta, payload)


@pytest.mark.parametrize(
    ("cast", "msg"),
    [
        (lambda k, v: v.to(torch.bfloat16), "not a valid safetensors file of float32 weights"),
        (lambda k, v: v.to(torch.float16) if k == "head.bias" else v, "not float32"),
        (lambda k, v: v.to(torch.float64), "not float32"),
        (lambda k, v: v.fill_(float("nan")) if k == "head.bias" else v, "NaN or infinite"),
        (lambda k, v: v * float("inf") if k == "head.weight" else v, "NaN or infinite"),
    ],
)
def test_weights_of_another_type_or_not_finite_are_refused(saved, load, cast, msg) -> None:
    """stockrnn saves finite float32 weights: anything else was not saved by it, and both
    loaders refuse it alike (torch would cast and load it; NumPy cannot read bfloat16)."""
    models, folder, meta = saved
    _retyped(folder, meta, cast)
    with pytest.raises(CheckpointError, match=msg):
        load(models, "m")


def test_weights_or_metadata_through_a_link_or_a_fifo_are_refused(saved, load, tmp_path) -> None:
    from stockrnn.common.errors import StorageError

    models, folder, meta = saved
    weights_file = folder / meta["weights_file"]
    outside = tmp_path / "outside.safetensors"
    os.replace(weights_file, outside)
    weights_file.symlink_to(outside)
    with pytest.raises((CheckpointError, StorageError), match="link"):
        load(models, "m")
    weights_file.unlink()
    os.mkfifo(weights_file)  # must fail at once, not wait for a writer
    with pytest.raises(CheckpointError, match="not a regular file"):
        load(models, "m")
    weights_file.unlink()
    os.replace(outside, weights_file)
    load(models, "m")  # whole again
    os.replace(folder / "meta.json", tmp_path / "meta.json")
    (folder / "meta.json").symlink_to(tmp_path / "meta.json")
    with pytest.raises(StorageError, match="symbolic link"):
        load(models, "m")


def test_the_inputs_are_read_from_the_checked_bytes(saved) -> None:
    models, folder, meta = saved
    payload = (folder / meta["weights_file"]).read_bytes()
    assert reading.recorded_inputs(payload) == meta["inputs"]
    assert reading.recorded_inputs(b"\xff" * 8 + b"{}") is None  # a length past the end
    assert reading.recorded_inputs(b"") is None


def test_a_weights_file_bigger_than_its_network_is_refused_unread(saved, load) -> None:
    models, folder, meta = saved
    path = folder / meta["weights_file"]
    payload = path.read_bytes()
    rewrite_weights(folder, meta, payload + b"\0" * (2 << 20))  # the sha matches, the size not
    with pytest.raises(CheckpointError, match="larger than"):
        load(models, "m")
