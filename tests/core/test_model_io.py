"""core/model_io.py: the inside of a .pth on a known tiny model, each classic load error raised for real
and fixed, a resume with the optimizer's state that continues the uninterrupted run exactly and one
without it that jumps, and exports (.pt2, ONNX run by ONNX Runtime) that compute what PyTorch computes."""

import pytest
import torch

from core import checkpoints
from core import model_io as mio
from core.models.mlp import MLP


def test_the_inside_of_a_checkpoint_lists_each_tensor_with_its_shape_and_bytes(tmp_path):
    model = MLP(hidden=(3,), activation="tanh")  # 2 → 3 → 1: weights (3, 2), (3,), (1, 3), (1,)
    path = checkpoints.save(model, tmp_path / "xor.pth", meta={"epochs": 7})
    inside = mio.inside(path)
    assert [(r.name, r.shape, r.dtype, r.nbytes) for r in inside.rows] == [
        ("net.0.weight", (3, 2), "float32", 24),
        ("net.0.bias", (3,), "float32", 12),
        ("net.2.weight", (1, 3), "float32", 12),
        ("net.2.bias", (1,), "float32", 4),
    ]
    assert inside.parameters == 13 and inside.tensor_bytes == 52
    assert inside.family == "mlp.MLP" and inside.config == {"hidden": [3], "activation": "tanh"}
    assert inside.meta["epochs"] == 7
    assert inside.file_bytes == path.stat().st_size > inside.tensor_bytes  # the zip adds its own pages
    assert "data.pkl" in {name for name, _ in inside.members}


def test_a_file_that_is_not_a_checkpoint_is_refused_with_the_labs_error():
    with pytest.raises(checkpoints.CheckpointError):
        mio.inside(b"not a checkpoint at all")


def test_a_renamed_layer_gives_missing_and_unexpected_keys_and_renaming_them_back_fixes_it():
    err = mio.provoke("keys")
    assert err.exception == "RuntimeError"
    assert 'Missing key(s) in state_dict: "head.weight", "head.bias"' in err.message
    assert 'Unexpected key(s) in state_dict: "out.weight", "out.bias"' in err.message
    assert err.detail["missing"] == ["head.weight", "head.bias"]  # what strict=False silently skipped
    assert err.detail["loose_diff"] > 1e-3  # so strict=False "worked" with a random last layer
    assert err.fixed_diff == 0.0


def test_a_changed_width_gives_a_size_mismatch_and_the_stored_settings_fix_it():
    err = mio.provoke("size")
    assert err.exception == "RuntimeError"
    assert "size mismatch for hidden.weight" in err.message and "torch.Size([4, 2])" in err.message
    assert err.detail["config"] == {"width": 4}
    assert err.fixed_diff == 0.0


def test_a_whole_pickled_model_is_refused_by_weights_only_and_its_state_dict_is_not():
    err = mio.provoke("pickled")
    assert err.exception == "UnpicklingError"
    assert "Weights only load failed" in err.message and "\x1b" not in err.message
    assert "core.model_io.TinyNet" in err.detail["globals"]  # the class the file would make us import
    assert err.fixed_diff == 0.0


def blobs(n=96, features=16, classes=4, seed=0):
    """Four overlapping clusters: a few seconds' worth of learning, never a loss of exactly zero."""
    g = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % classes
    x = torch.randn(classes, features, generator=g)[y] + 1.5 * torch.randn(n, features, generator=g)
    return x, y


TINY = mio.ResumeConfig(width=64, lr=0.05, batch=16, epochs=4, stop=2)


@pytest.fixture(scope="module")
def resumed():
    return mio.resume(*blobs(), TINY)


def test_resuming_with_the_optimizer_state_continues_the_uninterrupted_run_exactly(resumed):
    x, y = blobs()
    r = resumed
    assert r.steps_per_epoch == 6 and len(r.before) == 12 and len(r.with_state) == len(r.without_state) == 12
    assert r.before + r.with_state == mio.train_straight(x, y, TINY)
    assert r.checkpoint_bytes > 2 * r.weights_bytes  # Adam keeps two moments for every weight


def test_resuming_without_the_optimizer_state_makes_the_loss_jump(resumed):
    r = resumed
    assert r.peak(r.without_state) > 2 * r.peak(r.with_state), (
        r.before[-1],
        r.with_state[:6],
        r.without_state[:6],
    )
    assert r.jump > 2


def test_a_pt2_program_and_an_onnx_file_compute_what_pytorch_computes():
    import onnx

    model = MLP(hidden=(4,), activation="tanh")
    for fmt in mio.FORMATS:
        out = mio.export(model, "mlp.MLP", model.model_args, fmt, batch=5)
        assert out.max_diff < 1e-4, (fmt, out.max_diff)
        assert out.batch == 5 != mio.EXPORT_BATCH  # checked on another batch size than the traced one
        if fmt == "pt2":
            assert out.data[:4] == b"PK\x03\x04"  # a .pt2 is a zip archive, as a .pth is
        else:  # a valid ONNX model, which ONNX Runtime runs on inputs of its own
            onnx.checker.check_model(onnx.load_from_string(out.data))
            x = mio.example_input("mlp.MLP", model.model_args, 3, seed=5)
            assert torch.allclose(mio._run_onnx(out.data, x), model(x).detach(), atol=1e-5)


def test_a_family_without_an_input_is_refused_in_words():
    with pytest.raises(mio.ExportError) as e:
        mio.export(MLP(), "gpt.GPT", {}, "onnx")
    assert e.value.code == "family"


def test_timing_on_the_cpu_only_server_leaves_the_gpu_columns_empty():
    timing = mio.time_forward(MLP(), torch.rand(4, 2), repeats=2, device="")
    assert timing.cpu_ms > 0 and timing.batch == 4
    assert timing.device == "" and timing.synced_ms is None and timing.unsynced_ms is None


def test_the_export_command_writes_the_file_and_prints_the_difference(tmp_path, capsys):
    import json

    from core import cli

    ckpt = checkpoints.save(MLP(hidden=(3,), activation="relu"), tmp_path / "xor.pth")
    out = tmp_path / "out" / "xor.pt2"
    assert cli.main(["export", "--checkpoint", str(ckpt), "--format", "pt2", "--out", str(out)]) == 0
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["bytes"] == out.stat().st_size and report["max_abs_diff"] < 1e-4
    assert (
        cli.main(["export", "--checkpoint", str(tmp_path / "none.pth"), "--format", "pt2", "--out", str(out)])
        == 2
    )
    assert "error:" in capsys.readouterr().err
