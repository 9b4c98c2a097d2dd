"""core.experiments: the grid, presets, the run queue (tags, stop, cancel, divergence, extend), best-epoch
snapshots, the overfitting signal, the results table and CSV, and the best model as a checkpoint."""

from __future__ import annotations

import csv
import io
import math
from dataclasses import replace

import pytest
import torch

from core import checkpoints
from core import experiments as ex
from core.cnn import FAMILY
from core.data import load_mnist
from core.train import evaluate

TINY = ex.Settings(channels=(4, 8), hidden=16, epochs=2, batch_size=32, train_size=96)


@pytest.fixture(scope="module")
def data() -> ex.Data:
    s = load_mnist()
    return ex.Data(s.x_train[:400], s.y_train[:400], s.x_test[:100], s.y_test[:100])


def run_all(specs, data) -> tuple[ex.RunQueue, list[dict]]:
    q = ex.RunQueue(ex.new_results(specs), data)
    return q, list(q.records())


# -- grid and presets -----------------------------------------------------------------------------


def test_grid_is_the_product_first_name_slowest_with_ids():
    specs = ex.grid(TINY, {"lr": (1e-3, 1e-2), "batch_size": (32, 64, 128)}, first_id=5)
    assert [s.run_id for s in specs] == list(range(5, 11))
    assert [(s.settings.lr, s.settings.batch_size) for s in specs] == [
        (1e-3, 32),
        (1e-3, 64),
        (1e-3, 128),
        (1e-2, 32),
        (1e-2, 64),
        (1e-2, 128),
    ]
    assert all(s.varied == ("lr", "batch_size") for s in specs)
    assert all(s.settings.channels == (4, 8) for s in specs), "unvaried settings come from the base"
    assert ex.settings_label(specs[0]) == "lr=0.001, batch_size=32"


def test_grid_without_variation_is_one_run_and_bad_grids_are_refused():
    assert [s.settings for s in ex.grid(TINY, {})] == [TINY]
    with pytest.raises(ValueError, match="at most 2"):
        ex.grid(TINY, {"lr": (1e-3,), "epochs": (1,), "dropout": (0.0,)})
    with pytest.raises(ValueError, match="cannot vary"):
        ex.grid(TINY, {"hidden": (8, 16)})
    with pytest.raises(ValueError, match="at most 12"):
        ex.grid(TINY, {"lr": ex.CHOICES["lr"], "batch_size": (32, 64)})


def test_presets_reproduce_the_course_exercises():
    def values(name):
        return {n: tuple(v) for n, v in ex.PRESETS[name].vary.items()}

    assert values("lr") == {"lr": (0.001, 0.01, 0.1)}  # 000 §2.4
    assert values("batch") == {"batch_size": (32, 64, 128)}
    assert values("channels") == {"channels": ((16, 32), (32, 64))}
    assert values("epochs") == {"epochs": (5, 10)}
    over = ex.PRESETS["overfit"]
    assert over.base["train_size"] <= 500 and over.base["epochs"] >= 20 and 0.0 in over.vary["dropout"]
    for p in ex.PRESETS.values():
        specs = ex.grid(replace(ex.Settings(), **p.base), p.vary)
        assert 1 <= len(specs) <= ex.MAX_RUNS
        for n, vals in p.vary.items():
            assert set(vals) <= set(ex.CHOICES[n]), (p.name, n)
        for n, v in p.base.items():  # the page shows base settings as pickers of CHOICES
            assert n not in ex.CHOICES or v in ex.CHOICES[n], (p.name, n, v)


def test_default_settings_are_the_quick_comparison():
    s = ex.Settings()
    assert s.channels == (16, 32) and 1000 <= s.train_size <= 2000 and s.optimizer == "adam"
    assert s.fit_config().lr == s.lr and s.model_config() == {
        "c1": 16,
        "c2": 32,
        "hidden": 128,
        "dropout": 0.1,
    }


# -- the queue ------------------------------------------------------------------------------------


def test_queue_runs_each_spec_in_order_and_tags_every_record(data):
    specs = ex.grid(TINY, {"lr": (1e-3, 1e-2)})
    q, recs = run_all(specs, data)
    assert {r["run"] for r in recs} == {1, 2}
    runs_in_order = [r["run"] for r in recs]
    assert runs_in_order == sorted(runs_in_order), "one run after another, never interleaved"
    ends = [r for r in recs if r["kind"] == "run_end"]
    assert [(e["run"], e["status"]) for e in ends] == [(1, "done"), (2, "done")]
    for res in q.runs:
        assert [e["epoch"] for e in res.epochs] == [1, 2]
        assert res.n_params == sum(p.numel() for p in res.best_model().parameters())
        assert res.wall_s > 0 and res.images_per_s > 0 and res.progress == pytest.approx(1.0)
    assert q.fraction() == 1.0


def test_same_seed_and_settings_give_the_same_curve(data):
    a, _ = run_all(ex.grid(TINY, {}), data)
    b, _ = run_all(ex.grid(TINY, {}), data)
    assert a.runs[0].series("val_loss") == b.runs[0].series("val_loss")
    c, _ = run_all(ex.grid(replace(TINY, seed=1), {}), data)
    assert c.runs[0].series("train_loss") != a.runs[0].series("train_loss")


def test_stop_ends_the_current_run_keeping_what_it_reached_and_the_queue_goes_on(data):
    specs = ex.grid(replace(TINY, epochs=3), {"lr": (1e-3, 1e-2)})
    q = ex.RunQueue(ex.new_results(specs), data)
    recs = []
    for rec in q.records():
        recs.append(rec)
        if rec["kind"] == "epoch" and rec["run"] == 1:
            q.stop_current()  # acts on the next batch
    first, second = q.runs
    assert first.status == "stopped" and len(first.epochs) == 1 and first.best_epoch == 1
    assert second.status == "done" and len(second.epochs) == 3
    after_stop = [r for r in recs if r["run"] == 1 and r["kind"] == "step" and r["epoch"] > 1]
    assert len(after_stop) <= 1, "Stop takes effect within one batch"


def test_cancel_stops_the_current_run_and_drops_the_rest(data):
    specs = ex.grid(TINY, {"lr": (1e-3, 1e-2, 1e-1)})
    q = ex.RunQueue(ex.new_results(specs), data)
    it = q.records()
    assert next(it)["kind"] == "step"
    q.cancel()
    rest = list(it)
    assert [r.status for r in q.runs] == ["stopped", "cancelled", "cancelled"]
    assert all(r["run"] == 1 for r in rest)
    assert q.fraction() == 1.0


def test_runs_added_while_running_are_run_too(data):
    q = ex.RunQueue(ex.new_results(ex.grid(TINY, {})), data)
    it = q.records()
    next(it)
    q.extend(ex.new_results(ex.grid(TINY, {"lr": (1e-2,)}, first_id=2)))
    list(it)
    assert [(r.run_id, r.status) for r in q.runs] == [(1, "done"), (2, "done")]


def test_nan_marks_the_run_diverged_and_the_queue_goes_on(data):
    specs = ex.grid(replace(TINY, optimizer="sgd"), {"lr": (1e30, 1e-2)})  # absurd lr: weights → inf → NaN
    q, recs = run_all(specs, data)
    bad, good = q.runs
    assert (bad.status, bad.reason) == ("diverged", "nan")
    i = next(i for i, r in enumerate(recs) if r["kind"] == "diverged")
    assert recs[i]["run"] == 1, "the run's own 'diverged' record, tagged with its run"
    assert recs[i + 1]["kind"] == "run_end" and recs[i + 1]["run"] == 1, "the run ends right after it"
    assert recs[-1]["kind"] != "diverged", "the job itself ends normally: the queue went on"
    assert good.status == "done" and len(good.epochs) == 2


def test_judge_explains_exploded_and_stuck_runs():
    r = ex.RunResult(ex.grid(TINY, {})[0], status="done", first_loss=2.3, peak_loss=86.0)
    r.epochs = [{"epoch": e, "val_acc": 0.1, "train_loss": 2.31} for e in (1, 2, 3)]
    assert ex.judge(r) == ("diverged", "exploded")
    r.peak_loss = 2.4
    assert ex.judge(r) == ("diverged", "stuck")
    r.epochs[-1]["train_loss"] = 2.0  # still at chance but learning: slow, not stuck
    assert ex.judge(r) == ("done", "")
    r.epochs[-1]["val_acc"], r.epochs[-1]["train_loss"] = 0.8, 2.31
    assert ex.judge(r) == ("done", "")


def test_best_epoch_keeps_the_weights_of_the_lowest_validation_loss(data):
    q, _ = run_all(ex.grid(replace(TINY, epochs=4, lr=1e-2), {}), data)
    r = q.runs[0]
    losses = dict(zip(*r.series("val_loss")))
    assert r.best_epoch == min(losses, key=losses.get)
    again = evaluate(r.best_model(), data.x_val, data.y_val, "nll")
    assert again["loss"] == pytest.approx(losses[r.best_epoch], rel=1e-4)


def test_overfitting_signal():
    r = ex.RunResult(ex.grid(TINY, {})[0])
    r.epochs = [
        {"epoch": e, "train_loss": tl, "val_loss": vl}
        for e, tl, vl in ((1, 1.0, 0.9), (2, 0.5, 0.6), (3, 0.2, 0.7), (4, 0.05, 0.9))
    ]
    r.best_epoch = 2
    assert ex.overfitting(r) == (2, 0.6, 0.9)
    r.epochs[-1]["val_loss"] = 0.61  # barely above the minimum: no lesson to draw
    assert ex.overfitting(r) is None


# -- table, CSV, checkpoint -----------------------------------------------------------------------


def test_table_rows_and_csv(data):
    q, _ = run_all(ex.grid(TINY, {"lr": (1e-3, 1e-2)}), data)
    rows = ex.table_rows(q.runs)
    assert [r["run"] for r in rows] == [1, 2] and set(rows[0]) == set(ex.COLUMNS)
    for row, res in zip(rows, q.runs):
        assert row["final_val_acc"] == res.epochs[-1]["val_acc"]
        assert row["best_val_acc"] == max(e["val_acc"] for e in res.epochs) >= row["final_val_acc"]
        assert row["best_epoch"] in (1, 2) and row["params"] > 0 and row["epochs_done"] == 2
    parsed = list(csv.DictReader(io.StringIO(ex.to_csv(q.runs))))
    assert len(parsed) == 2 and parsed[1]["lr"] == "0.01" and parsed[0]["channels"] == "4/8"
    assert math.isclose(float(parsed[0]["final_val_acc"]), rows[0]["final_val_acc"])


def test_best_model_round_trips_as_a_cnn_checkpoint(data):
    q, _ = run_all(ex.grid(TINY, {}), data)
    r = q.runs[0]
    model, config, meta = ex.checkpoint_parts(r, load_mnist().provenance.as_dict())
    loaded = checkpoints.load(checkpoints.to_bytes(model, config, meta), expected_family=FAMILY)
    assert loaded.meta["epochs"] == r.best_epoch
    for k, v in r.best_state.items():
        assert torch.equal(loaded.model.state_dict()[k], v)
    assert ex.checkpoint_parts(ex.RunResult(r.spec), {}) is None, "nothing to keep before epoch 1"


# -- CLI ------------------------------------------------------------------------------------------


def test_cli_vary_parsing():
    from core.commands.hyperparams import parse_vary

    assert parse_vary(["lr=0.001,0.01", "channels=16/32,32/64"]) == {
        "lr": (0.001, 0.01),
        "channels": ((16, 32), (32, 64)),
    }
    assert parse_vary(["optimizer=sgd,adam", "batch_size=32"]) == {
        "optimizer": ("sgd", "adam"),
        "batch_size": (32,),
    }
    with pytest.raises(ValueError, match="NAME=V1,V2"):
        parse_vary(["hidden=8"])


def test_cli_runs_a_tiny_grid_and_writes_csv(tmp_path):
    import subprocess
    import sys

    from tests.conftest import ROOT

    out_csv = tmp_path / "runs.csv"
    res = subprocess.run(
        [
            sys.executable,
            "-m",
            "core.cli",
            "hyperparams",
            "run",
            "--vary",
            "channels=4/8,8/16",
            "--epochs",
            "1",
            "--train-size",
            "100",
            "--csv",
            str(out_csv),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert res.stdout.count("\n#") == 2 and "#2 channels=8/16: done" in res.stdout
    assert len(list(csv.DictReader(out_csv.open()))) == 2
    bad = subprocess.run(
        [sys.executable, "-m", "core.cli", "hyperparams", "run", "--vary", "hidden=8"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2 and "NAME=V1,V2" in bad.stderr
