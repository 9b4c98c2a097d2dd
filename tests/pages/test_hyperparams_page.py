"""AppTest of the Hyperparameters page: both languages render; a preset fills the design; a comparison runs
as one queue job and fills curves, table, CSV and "keep the best model"; history survives a page change
until cleared; a bad design gets a clear message instead of runs."""

from __future__ import annotations

import csv
import io
import json

import pytest

from tests.apptest import open_page, texts

PAGE = "app_pages/hyperparams.py"


def _run_queue(at):
    at.button(key="hyperparams_train").click().run()
    assert not at.exception, at.exception
    job = at.session_state["_jobs"]["hyperparams"]
    job.join(120)
    assert job.state == "done", (job.state, job.error)
    at.run()
    assert not at.exception, at.exception
    return job


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_renders_with_its_controls(lang):
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    body = texts(at)
    assert ("ハイパーパラメータ" if lang == "ja" else "Hyperparameters") in body
    assert ("まだ実験がありません" if lang == "ja" else "No runs yet") in body
    for key in (
        "hyperparams_train",
        "hyperparams_stop",
        "hyperparams_cancel",
        "hyperparams_preset_lr",
        "hyperparams_preset_overfit",
    ):
        assert at.button(key=key) is not None
    assert at.button(key="hyperparams_stop").disabled, "nothing to stop before a run"
    assert at.selectbox(key="hyperparams_p1").value == "lr"
    assert at.multiselect(key="hyperparams_values_lr").value == [0.001, 0.01, 0.1]


def test_comparison_fills_curves_table_csv_and_best_model():
    at = open_page(PAGE, "en")
    at.button(key="hyperparams_preset_channels").click().run()
    assert at.selectbox(key="hyperparams_p1").value == "channels"
    assert "**2**" in texts(at), "two runs announced"
    job = _run_queue(at)
    runs = at.session_state["hyperparams_history"]
    assert [r.status for r in runs] == ["done", "done"]
    assert {e["run"] for e in job.epochs_log} == {1, 2}, "one job carried both runs, records tagged"
    assert "The queue has ended" in texts(at) and ": 2 done." in texts(at)
    table = at.dataframe[0].value
    assert list(table["Run"]) == ["#1 channels=16/32", "#2 channels=32/64"]
    assert all(s.endswith("done") for s in table["Status"])
    assert table["Parameters"].iloc[1] > table["Parameters"].iloc[0], "more channels, more parameters"
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    downloads = {d.proto.label: d for d in at.get("download_button")}
    assert "Download the table (CSV)" in downloads and "Save the best model (.pth)" in downloads
    assert len(list(csv.DictReader(io.StringIO(_csv(runs))))) == 2
    # hide run 1: only run 2's curves remain (train, val, best-epoch star on the loss chart)
    at.pills(key="hyperparams_show").set_value([2]).run()
    assert not at.exception, at.exception
    loss_traces = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    assert {tr["name"] for tr in loss_traces} == {"#2 channels=32/64"}
    assert len(loss_traces) == 3


def _csv(runs) -> str:
    from core.experiments import to_csv

    return to_csv(runs)


def test_history_survives_a_page_change_until_cleared():
    at = open_page(PAGE, "ja")
    at.button(key="hyperparams_preset_epochs").click().run()
    _run_queue(at)
    at.switch_page("app_pages/home.py").run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert len(at.session_state["hyperparams_history"]) == 2
    assert at.selectbox(key="hyperparams_p1").value == "epochs", "the design is kept too"
    assert len(at.dataframe[0].value) == 2
    at.button(key="hyperparams_clear").click().run()
    assert at.session_state["hyperparams_history"] == []
    assert "まだ実験がありません" in texts(at)


def test_bad_designs_are_explained_not_run():
    at = open_page(PAGE, "en")
    at.selectbox(key="hyperparams_p2").set_value("lr").run()
    assert "same hyperparameter is chosen twice" in " ".join(e.value for e in at.error)
    assert at.button(key="hyperparams_train").disabled
    at.selectbox(key="hyperparams_p2").set_value("none").run()
    at.multiselect(key="hyperparams_values_lr").set_value([]).run()
    assert "at least one value" in " ".join(e.value for e in at.error)
    at.multiselect(key="hyperparams_values_lr").set_value([1e-4, 3e-4, 1e-3, 3e-3, 1e-2]).run()
    at.selectbox(key="hyperparams_p2").set_value("batch_size").run()
    at.multiselect(key="hyperparams_values_batch_size").set_value([16, 32, 64]).run()
    assert "15 runs" in " ".join(e.value for e in at.error)
    assert at.button(key="hyperparams_train").disabled


def test_a_diverged_run_ends_that_run_only_not_the_queue():
    """A run whose loss turns NaN is marked diverged and the queue goes on to the next run; a job whose
    last record was a run's own "diverged" (it carries "run") still counts as a queue that ended."""
    import torch

    from core import experiments as ex
    from ui import jobs
    from ui.lessons import hyperparams as lesson

    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(96, 1, 28, 28, generator=g), torch.randint(0, 10, (96,), generator=g)
    tiny = ex.Settings(channels=(4, 8), hidden=16, epochs=2, batch_size=32, train_size=64, optimizer="sgd")
    q = ex.RunQueue(
        ex.new_results(ex.grid(tiny, {"lr": (1e30, 1e-2)})), ex.Data(x[:64], y[:64], x[64:], y[64:])
    )
    job = jobs.Job(label=lesson.LESSON.key, device="cpu", epochs=4, make_iter=q.records)
    job.start(jobs.LocalPool(lambda device: 1))
    job.join(60)
    assert [(r.status, r.reason) for r in q.runs] == [("diverged", "nan"), ("done", "")]
    assert job.state == "done" and lesson.queue_ended(job)

    last = iter([{"kind": "epoch", "epoch": 1, "run": 1}, {"kind": "diverged", "run": 1}])
    ended = jobs.Job(label=lesson.LESSON.key, device="cpu", epochs=1, make_iter=lambda: last)
    ended.start(jobs.LocalPool(lambda device: 1))
    ended.join(10)
    assert ended.state == "diverged" and lesson.queue_ended(ended)
    ended.state = "paused"  # stopped by the student: not an ended queue
    assert not lesson.queue_ended(ended)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_results_table_headers_fit_their_columns_without_scrolling_sideways(lang):
    """Every header of the results table is narrower than its column (no "最終正解…" cut off), and the
    nine columns together fit the table's width in a 1280-px window (no sideways scrolling). The lr
    preset gives the longest status text ("発散・失敗" / "diverged / failed")."""
    from ui.figures import hyperparams as figures

    at = open_page(PAGE, lang)
    at.button(key="hyperparams_preset_lr").click().run()
    _run_queue(at)
    frame = at.dataframe[0]
    config = json.loads(frame.proto.columns)  # {"name:<header>" or "<header>": {"width": ...}, ...}
    named = {k.removeprefix("name:") if k.startswith("name:") else k: v for k, v in config.items()}
    named_px = {"small": 75, "medium": 200, "large": 400}
    widths = {}
    for header in frame.value.columns:
        width = named.get(header, {}).get("width")
        assert width is not None, f"column {header!r} has no width: the grid would size it itself"
        widths[header] = named_px.get(width, width)
        padded = figures.text_px(header) + 16  # 16: the grid's own padding around a header
        assert padded <= widths[header], (header, widths[header])
    assert sum(widths.values()) <= figures.TABLE_PX, widths
    assert all(named[h].get("help") for h in frame.value.columns), "each header explains itself on hover"
