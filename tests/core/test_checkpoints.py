"""core.checkpoints: round trip, and every bad file refused with the right code before computation."""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from pathlib import Path

import pytest
import torch

from core import checkpoints
from core.checkpoints import CheckpointError
from core.models import reset_parameters
from core.models.cnn import MNISTCNN

FAMILY = "cnn.MNISTCNN"
SMALL = {"c1": 4, "c2": 8, "hidden": 16, "dropout": 0.1}


@pytest.fixture
def model():
    return reset_parameters(MNISTCNN(**SMALL), torch.Generator().manual_seed(0)).eval()


@pytest.fixture
def good(model, tmp_path) -> Path:
    meta = {"provenance": {"source": "embedded"}, "epochs": 3, "metrics": {"test_acc": 0.5}}
    return checkpoints.save(model, tmp_path / "m.pth", SMALL, meta)


def code_of(source, **kw) -> str:
    with pytest.raises(CheckpointError) as e:
        checkpoints.load(source, **kw)
    return e.value.code


def test_round_trip_keeps_weights_config_and_metadata(model, good):
    loaded = checkpoints.load(good, expected_family=FAMILY)
    assert loaded.family == FAMILY and loaded.config == SMALL
    assert loaded.meta["epochs"] == 3 and loaded.meta["metrics"]["test_acc"] == 0.5
    assert loaded.meta["torch"] == torch.__version__ and "date" in loaded.meta
    assert not loaded.model.training
    x = torch.rand(2, 1, 28, 28)
    assert torch.allclose(loaded.model(x), model(x))


def test_bytes_and_file_objects_load_too(good):
    data = good.read_bytes()
    assert checkpoints.load(data).family == FAMILY
    assert checkpoints.load(io.BytesIO(data)).family == FAMILY


def test_channels_last_model_saves_contiguous_weights(model, tmp_path):
    model.to(memory_format=torch.channels_last)
    path = checkpoints.save(model, tmp_path / "cl.pth", SMALL)
    assert checkpoints.load(path).family == FAMILY


def test_save_is_atomic_and_leaves_no_temp_files(model, tmp_path):
    checkpoints.save(model, tmp_path / "a.pth", SMALL)
    checkpoints.save(model, tmp_path / "a.pth", SMALL)  # overwrite in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pth"]


def test_missing_empty_and_truncated(good, tmp_path):
    assert code_of(tmp_path / "nope.pth") == "missing"
    assert code_of(b"") == "empty"
    (tmp_path / "zero.pth").write_bytes(b"")
    assert code_of(tmp_path / "zero.pth") == "empty"
    assert code_of(good.read_bytes()[: len(good.read_bytes()) // 2]) in ("truncated", "not_checkpoint")


def test_random_bytes_and_images_are_not_checkpoints():
    assert code_of(os.urandom(5000)) == "not_checkpoint"
    assert code_of(b"\x89PNG\r\n\x1a\n" + b"\0" * 100) == "not_checkpoint"


class _Payload:
    def __reduce__(self):
        return (os.system, ("touch pwned-marker",))


def _torch_zip_with_pickle(obj_bytes: bytes) -> bytes:
    """A torch-style zip archive whose data.pkl is an arbitrary pickle."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", obj_bytes)
        z.writestr("archive/version", "3\n")
    return buf.getvalue()


@pytest.mark.parametrize("force_unsafe_env", [False, True])
def test_code_in_a_pickle_never_runs(tmp_path, monkeypatch, force_unsafe_env):
    monkeypatch.chdir(tmp_path)
    if force_unsafe_env:  # weights_only=True is passed explicitly, so this must not matter
        monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    raw = pickle.dumps(_Payload())
    assert code_of(raw) == "not_checkpoint"  # a plain pickle is refused before unpickling
    assert code_of(_torch_zip_with_pickle(raw)) in ("unsafe", "truncated")
    buf = io.BytesIO()
    torch.save({"format": checkpoints.FORMAT, "evil": _Payload()}, buf)
    assert code_of(buf.getvalue()) == "unsafe"
    assert not (tmp_path / "pwned-marker").exists()


def test_whole_pickled_model_is_refused(model):
    buf = io.BytesIO()
    torch.save(model, buf)
    assert code_of(buf.getvalue(), expected_family=FAMILY, default_config=SMALL) == "unsafe"


def test_other_family_is_foreign(good):
    assert code_of(good, expected_family="gan.Generator") == "foreign"


def test_family_outside_core_models_is_foreign(model):
    payload = checkpoints.build_payload(model, SMALL)
    for fake in ("os.system", "cnn.Sequential", "torch.nn.Linear", "../x.Y"):
        payload["family"] = fake
        buf = io.BytesIO()
        torch.save(payload, buf)
        assert code_of(buf.getvalue()) == "foreign", fake


def test_wrong_shapes_and_missing_keys_mismatch(model):
    payload = checkpoints.build_payload(model, SMALL)
    payload["config"] = {**SMALL, "hidden": 32}  # config says 32, weights are 16 wide
    buf = io.BytesIO()
    torch.save(payload, buf)
    assert code_of(buf.getvalue()) == "mismatch"
    payload = checkpoints.build_payload(model, SMALL)
    del payload["state_dict"]["layer3.1.weight"]
    buf = io.BytesIO()
    torch.save(payload, buf)
    assert code_of(buf.getvalue()) == "mismatch"


def test_bare_course_state_dict_loads_with_default_config(model):
    buf = io.BytesIO()
    torch.save({f"module.{k}": v for k, v in model.state_dict().items()}, buf)  # DataParallel prefix
    loaded = checkpoints.load(buf.getvalue(), expected_family=FAMILY, default_config=SMALL)
    assert torch.equal(loaded.model.layer1[0].weight, model.layer1[0].weight)
    assert code_of(buf.getvalue()) == "not_checkpoint"  # without a family to expect, refused


def test_zero_stride_bomb_is_refused_before_any_computation(model):
    sd = {k: v.clone() for k, v in model.state_dict().items()}
    sd["layer3.1.weight"] = torch.zeros(1).expand(200_000, 200_000)  # 160 GB claimed, 4 bytes real
    buf = io.BytesIO()
    torch.save(
        {
            "format": checkpoints.FORMAT,
            "family": FAMILY,
            "config": {**SMALL, "hidden": 200_000},
            "state_dict": sd,
            "meta": {},
        },
        buf,
    )
    assert len(buf.getvalue()) < 100_000
    assert code_of(buf.getvalue()) in ("bomb", "mismatch", "too_large")
    sd["layer3.1.weight"] = torch.zeros(1).expand(16, 200)  # right shape, zero stride
    buf = io.BytesIO()
    torch.save(
        {"format": checkpoints.FORMAT, "family": FAMILY, "config": SMALL, "state_dict": sd, "meta": {}}, buf
    )
    assert code_of(buf.getvalue()) == "bomb"


def test_huge_config_builds_nothing(model):
    payload = checkpoints.build_payload(model, SMALL)
    payload["config"] = {**SMALL, "hidden": 10**9}  # would be 1.6 TB if allocated
    buf = io.BytesIO()
    torch.save(payload, buf)
    assert code_of(buf.getvalue()) == "mismatch"


def test_nan_weights_are_refused(model, tmp_path):
    with torch.no_grad():
        model.layer1[0].weight[0, 0, 0, 0] = float("nan")
    path = checkpoints.save(model, tmp_path / "nan.pth", SMALL)
    assert code_of(path) == "nonfinite"


def test_every_code_has_a_translation():
    from ui.strings.common import EN, JA

    for code in CheckpointError.CODES:
        assert f"ckpt.{code}" in JA and f"ckpt.{code}" in EN
