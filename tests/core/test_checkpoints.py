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


# -- what an archive may inflate to is read from its table of contents first ------------------


def recompressed(data: bytes, bomb_bytes: int = 0) -> bytes:
    """The checkpoint `data` zipped again with every member deflated, plus (when `bomb_bytes`) a member of
    that many zeros, which deflate to about a thousandth of their size."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        if bomb_bytes:
            prefix = src.namelist()[0].split("/")[0]
            with dst.open(f"{prefix}/data/999", "w", force_zip64=True) as member:
                chunk = bytes(2**20)
                for _ in range(bomb_bytes // 2**20):
                    member.write(chunk)
    return out.getvalue()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A real checkpoint plus a compressed member of 1 GB of zeros: about 1 MB on disk."""
    small = reset_parameters(MNISTCNN(**SMALL), torch.Generator().manual_seed(0))
    return recompressed(checkpoints.to_bytes(small, SMALL), bomb_bytes=2**30)


def test_a_compressed_bomb_is_refused_before_torch_load(bomb, monkeypatch):
    assert len(bomb) < 3 * 2**20  # a small upload...
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(bomb)).infolist()) > 2**30  # ...asking 1 GB

    def never(*a, **k):
        raise AssertionError("torch.load ran on a bomb")

    monkeypatch.setattr(checkpoints.torch, "load", never)
    with pytest.raises(CheckpointError) as e:
        checkpoints.load(bomb, expected_family=FAMILY)
    assert e.value.code == "inflated" and e.value.params["mb"] > 1024


def test_the_bound_is_per_call_and_a_recompressed_real_checkpoint_still_loads(model):
    data = recompressed(checkpoints.to_bytes(model, SMALL))
    loaded = checkpoints.load(data, expected_family=FAMILY)  # deflated members are fine when small
    for k, v in model.state_dict().items():
        assert torch.equal(loaded.model.state_dict()[k], v)
    assert code_of(data, max_inflated=1000) == "inflated"  # a page may bound it tighter


def test_too_many_members_are_refused(model):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(checkpoints.MAX_MEMBERS + 1):
            z.writestr(f"m/data/{i}", b"")
    assert code_of(out.getvalue()) == "inflated"
