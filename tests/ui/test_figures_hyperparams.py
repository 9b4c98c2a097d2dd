"""The Hyperparameters figures are built from plain `RunResult`s, without Streamlit: the curves, the results
table and its column widths, and the sentences that name runs."""

from __future__ import annotations

from core import experiments as ex
from ui.figures import hyperparams as figures
from ui.i18n import t


def _run(run_id: int, lr: float, val_losses: list[float], status: str = "done") -> ex.RunResult:
    """A finished run of `len(val_losses)` epochs whose training loss keeps falling."""
    spec = ex.RunSpec(run_id, ex.Settings(lr=lr, epochs=len(val_losses)), ("lr",))
    r = ex.RunResult(spec, status=status, n_params=12345, wall_s=3.21, images_per_s=812.4)
    for epoch, val in enumerate(val_losses, start=1):
        rec = {
            "kind": "epoch",
            "epoch": epoch,
            "train_loss": 1.0 / epoch,
            "val_loss": val,
            "val_acc": 0.5 + 0.1 * epoch,
        }
        r.epochs.append(rec)
    r.best_epoch = min(r.epochs, key=lambda e: e["val_loss"])["epoch"]
    return r


def test_run_names_say_the_id_and_what_varied():
    r = _run(3, 0.01, [0.5, 0.4])
    assert figures.run_name(r) == f"#3 {t('hyperparams.short.lr')}=0.01"
    base = ex.RunResult(ex.RunSpec(1, ex.Settings()))
    assert figures.run_name(base).startswith("#1 ") and len(figures.run_name(base)) > 3
    assert figures.color(1) == figures.PALETTE[0] and figures.color(17) == figures.PALETTE[0]


def test_the_curves_overlay_every_run_with_its_best_epoch_starred():
    runs = [_run(1, 0.001, [0.5, 0.4, 0.45]), _run(2, 0.01, [0.6, 0.3])]
    loss, acc = figures.curves(runs, log_y=True, loss_height=486)
    # per run: training and validation loss, the star at its best epoch
    assert len(loss.data) == 6 and len(acc.data) == 2
    stars = [tr for tr in loss.data if tr.marker.symbol == "star"]
    assert [(tr.x[0], tr.y[0]) for tr in stars] == [(2, 0.4), (2, 0.3)]
    assert {tr.line.color for tr in loss.data if tr.mode == "lines+markers"} == {
        figures.color(1),
        figures.color(2),
    }
    assert [tr.showlegend for tr in loss.data[:2]] == [True, False]  # one legend entry per run
    assert loss.layout.yaxis.type == "log" and loss.layout.height == 486
    assert acc.layout.height == figures.CHART_HEIGHT and tuple(acc.layout.yaxis.range) == (0, 100)
    assert list(acc.data[0].y) == [60.0, 70.0, 80.0]


def test_a_running_run_shows_its_batch_losses_too():
    r = _run(1, 0.001, [0.5], status="running")
    r.steps.extend([(0.5, 2.0), (1.0, 1.5), (1.5, 1.2)])
    loss, _ = figures.curves([r])
    live = [tr for tr in loss.data if tr.mode == "lines"]
    assert len(live) == 1 and list(live[0].x) == [0.5, 1.0, 1.5]


def test_the_table_has_a_row_per_run_and_widths_that_fit_the_window():
    runs = [_run(i, lr, [0.5, 0.4]) for i, lr in enumerate((0.001, 0.01, 0.1), start=1)]
    frame = figures.table(runs)
    assert len(frame) == 3 and len(frame.columns) == len(figures.COLUMNS)
    assert list(frame.iloc[:, 0]) == [figures.run_name(r) for r in runs]
    assert list(frame.iloc[:, 2]) == [70.0, 70.0, 70.0]  # the final accuracy, in percent
    widths = figures.column_widths(frame)
    assert set(widths) == set(frame.columns) and sum(widths.values()) <= figures.TABLE_PX
    assert all(figures.text_px(name) < widths[name] for name in frame.columns)


def test_text_px_counts_a_japanese_character_as_a_square():
    assert figures.text_px("学習率") == 3 * 14
    assert figures.text_px("i") < figures.text_px("a") < figures.text_px("W")


def test_the_sentences_name_the_states_and_the_overfitting_run():
    runs = [_run(1, 0.001, [0.5, 0.4, 0.6]), _run(2, 0.1, [0.5, 0.4], status="diverged")]
    summary = figures.queue_summary(runs, 9.8)
    assert "9.8" in summary and summary.count("1") >= 2
    note = figures.overfitting(runs)
    assert note is not None and figures.run_name(runs[0]) in note
    assert figures.overfitting([_run(3, 0.001, [0.5, 0.4, 0.3])]) is None
