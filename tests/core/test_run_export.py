"""core.run_export: a saved run as a zip with its model (loadable with PyTorch alone), its history as CSV,
its settings, and, for XOR, a standalone script that trains the same network."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile

import pytest
import torch

from core import run_export, runs, xor


def saved_xor_run(tmp_path, epochs: int = 30) -> str:
    cfg = xor.XORConfig(epochs=epochs)
    model, summary = xor.train(cfg)
    writer = runs.RunWriter("xor", "みどり", {**vars(cfg), "hidden": list(cfg.hidden)}, root=tmp_path)
    history = {"epochs": [{"epoch": e, "train_loss": 1.0 / e} for e in range(1, epochs + 1)]}
    assert writer.save(model, state="done", epochs_done=epochs, history=history, metrics={"acc": 1.0})
    return writer.run_id


def test_the_zip_holds_model_history_settings_and_scripts(tmp_path):
    run_id = saved_xor_run(tmp_path)
    z = zipfile.ZipFile(io.BytesIO(run_export.run_zip(run_id, tmp_path)))
    names = {n.split("/", 1)[1] for n in z.namelist()}
    assert {"model.pth", "history.csv", "run.json", "load_model.py", "train.py"} <= names
    rows = list(csv.DictReader(io.StringIO(z.read(f"{run_id}/history.csv").decode())))
    assert (
        len(rows) == 30
        and rows[0]["series"] == "epochs"
        and float(rows[-1]["train_loss"]) == pytest.approx(1 / 30)
    )
    (tmp_path / "out").mkdir()
    z.extractall(tmp_path / "out")
    folder = tmp_path / "out" / run_id
    ckpt = torch.load(folder / "model.pth", weights_only=True)
    assert isinstance(ckpt, dict)
    shown = subprocess.run(
        [sys.executable, "load_model.py"], cwd=folder, capture_output=True, text=True, timeout=120
    )
    assert shown.returncode == 0, shown.stderr
    assert "xor model, parameters:" in shown.stdout and "(2, 2)" in shown.stdout
    script = z.read(f"{run_id}/train.py").decode()
    compile(script, "train.py", "exec")  # a program, with this run's settings in it
    assert "lr=0.05" in script and "for epoch in range(30):" in script  # this run's settings


def test_a_missing_run_is_a_run_error_not_a_crash(tmp_path):
    with pytest.raises(runs.RunError):
        run_export.run_zip("xor_20260101-000000_abcd_nobody", tmp_path)


def test_a_cnn_run_brings_the_course_script_with_its_settings(tmp_path):
    from core import cnn
    from core.models.cnn import MNISTCNN

    cfg = cnn.CNNTrainConfig(c1=8, c2=16, epochs=3, lr=3e-3, augment=False)
    writer = runs.RunWriter("cnn", "みどり", vars(cfg), root=tmp_path)
    assert writer.save(MNISTCNN(8, 16), state="done", epochs_done=3)
    z = zipfile.ZipFile(io.BytesIO(run_export.run_zip(writer.run_id, tmp_path)))
    script = z.read(f"{writer.run_id}/train.py").decode()
    compile(script, "train.py", "exec")
    assert "nn.Conv2d(1, 8, 3, 1)" in script and "lr=0.003" in script and "range(1, 3 + 1)" in script
