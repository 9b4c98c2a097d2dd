"""core.experiment_runs: the runs of a hyperparameter queue saved to the store every epoch, grouped by
comparison, reopened with the same curves, table and best model; a queue cut off mid-run keeps its
finished epochs; a failing store never stops the queue."""

from __future__ import annotations

import pytest
import torch

from core import checkpoints, runs
from core import experiment_runs as er
from core import experiments as ex

TINY = ex.Settings(channels=(4, 8), hidden=16, epochs=2, batch_size=32, train_size=64)


@pytest.fixture(scope="module")
def data() -> ex.Data:
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(96, 1, 28, 28, generator=g), torch.randint(0, 10, (96,), generator=g)
    return ex.Data(x[:64], y[:64], x[64:], y[64:])


def run_saving(specs, data, writer: er.ComparisonWriter, stop_after: int | None = None) -> ex.RunQueue:
    """What ui.lessons.hyperparams.ComparisonSaver does in the job's worker: save on each epoch and run end.
    `stop_after` epoch records, the iteration simply ends (a server killed mid-queue)."""
    q = ex.RunQueue(ex.new_results(specs), data)
    seen = 0
    for rec in q.records():
        if rec["kind"] in ("epoch", "run_end"):
            assert writer.save(next(r for r in q.runs if r.run_id == rec["run"])), writer.error
        seen += rec["kind"] == "epoch"
        if stop_after is not None and seen >= stop_after:
            break
    return q


def test_a_comparison_is_saved_every_epoch_and_reopens_with_curves_table_and_best_model(tmp_path, data):
    specs = ex.grid(TINY, {"lr": (1e-3, 1e-2)})
    writer = er.ComparisonWriter("たろう", root=tmp_path)
    q = run_saving(specs, data, writer)
    assert [r.status for r in q.runs] == ["done", "done"]
    (comp,) = er.list_comparisons("たろう", root=tmp_path)
    assert len(comp.runs) == 2 and comp.varied == ["lr"]
    assert comp.best_acc() == max(r.best("val_acc") for r in q.runs)
    assert er.list_comparisons("Hanako", root=tmp_path) == []

    back = er.open_comparison(comp, first_id=7, root=tmp_path)
    assert [r.run_id for r in back] == [7, 8]
    assert [r.saved_as for r in back] == [r.saved_as for r in q.runs] and all(r.saved_as for r in back)
    for old, new in zip(q.runs, back):
        assert new.spec.settings == old.spec.settings and new.spec.varied == ("lr",)
        assert new.status == old.status and new.finished
        assert new.series("val_loss") == pytest.approx(old.series("val_loss"))
        assert new.series("val_acc") == pytest.approx(old.series("val_acc"))
        assert new.best_epoch == old.best_epoch
        for k, v in old.best_state.items():
            assert torch.equal(new.best_state[k], v)
    old_rows, new_rows = ex.table_rows(q.runs), ex.table_rows(back)
    for old, new in zip(old_rows, new_rows):
        assert new.pop("run") != old.pop("run") and new == pytest.approx(old), "same row, a new number"
    model, config, meta = ex.checkpoint_parts(back[0], {})  # "keep the best model" works on a reopened run
    assert checkpoints.load(checkpoints.to_bytes(model, config, meta)).family == "cnn.MNISTCNN"


def test_the_model_file_is_written_only_when_the_best_epoch_moves(tmp_path, data, monkeypatch):
    writes = []
    real = checkpoints.save
    monkeypatch.setattr(checkpoints, "save", lambda *a, **k: (writes.append(1), real(*a, **k))[1])
    writer = er.ComparisonWriter("x", root=tmp_path)
    q = run_saving([ex.RunSpec(1, TINY)], data, writer)
    (r,) = q.runs
    info = runs.list_runs(er.PAGE, "x", root=tmp_path)[0]
    assert info.epochs_done == 2 and info.has_model and info.metrics["best_epoch"] == r.best_epoch
    assert len(writes) == (2 if r.best_epoch == 2 else 1), "saves without a new best keep model.pth"
    assert writer.save(r) and len(writes) <= 2, "a save with nothing new writes nothing"


def test_a_queue_cut_off_mid_run_keeps_the_finished_epochs(tmp_path, data):
    specs = ex.grid(TINY, {"batch_size": (16, 32)})
    writer = er.ComparisonWriter("anon", root=tmp_path)
    q = run_saving(specs, data, writer, stop_after=1)  # killed during run 1's second epoch
    (comp,) = er.list_comparisons("anon", root=tmp_path)
    (saved,) = comp.runs  # run 2 never started: not saved
    assert saved.state == "running" and saved.epochs_done == 1
    (back,) = er.open_comparison(comp, first_id=1, root=tmp_path)
    assert back.status == "stopped" and [e["epoch"] for e in back.epochs] == [1]
    assert back.series("train_loss") == pytest.approx(q.runs[0].series("train_loss"))


def test_a_failing_store_reports_and_never_raises(tmp_path, data):
    (tmp_path / "file").write_text("x")
    writer = er.ComparisonWriter("x", root=tmp_path / "file" / "runs")
    q = ex.RunQueue(ex.new_results([ex.RunSpec(1, TINY)]), data)
    for rec in q.records():
        if rec["kind"] == "epoch":
            assert not writer.save(q.runs[0])
            assert writer.error
    assert q.runs[0].status == "done", "the queue went on"


def test_a_model_that_does_not_match_its_settings_is_refused(tmp_path, data):
    writer = er.ComparisonWriter("x", root=tmp_path)
    run_saving([ex.RunSpec(1, TINY)], data, writer)
    (comp,) = er.list_comparisons("x", root=tmp_path)
    opened = runs.open_run(comp.runs[0].run_id, root=tmp_path)
    opened.info.config["channels"] = [8, 16]
    with pytest.raises(runs.RunError):
        er.restore_result(opened, 1)
