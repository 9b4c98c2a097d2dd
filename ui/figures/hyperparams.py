"""The Hyperparameters lesson's figures: the runs' overlaid loss and accuracy curves, the results table with
column widths that fit a classroom laptop's window, and the sentences that name a run, sum up a queue and
point at the run that overfits. Plain `core.experiments.RunResult`s in, a figure, a DataFrame or a string
out: no streamlit here (ui/panels/hyperparams.py and the page draw them)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from core import experiments as ex
from ui.charts import base_figure, finite
from ui.i18n import t

# Plotly's qualitative "D3" and "Dark2" colours: 16 distinct hues, one per run id
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
)
CHART_HEIGHT = 360  # px, each of the two charts (the loss chart is taller in projector mode)


def color(run_id: int) -> str:
    return PALETTE[(run_id - 1) % len(PALETTE)]


def fmt(name: str, value) -> str:
    """A value as the page shows it: optimizer and schedule names translated, numbers as written."""
    if name == "optimizer":
        return t(f"hyperparams.opt.{value}")
    if name == "schedule":
        return t(f"hyperparams.sched.{value}")
    return ex.fmt_value(name, value)


def param_values(spec: ex.RunSpec) -> str:
    if not spec.varied:
        return t("hyperparams.base_run")
    values = (f"{t(f'hyperparams.short.{n}')}={fmt(n, getattr(spec.settings, n))}" for n in spec.varied)
    return ", ".join(values)


def run_name(r: ex.RunResult) -> str:
    """ "#2 lr=0.01" — what the legend, the hover and the table call a run ("#4 lr=0.01 · Fashion-MNIST" for a
    run on clothes)."""
    data = " · Fashion-MNIST" if r.spec.settings.dataset == "fashion" else ""
    return f"#{r.run_id} {param_values(r.spec)}{data}"


# -- the curves --------------------------------------------------------------------------------
def curves(
    results: Sequence[ex.RunResult], log_y: bool = False, loss_height: int = CHART_HEIGHT
) -> tuple[go.Figure, go.Figure]:
    """(loss figure: training solid, validation dashed, best epoch starred; validation accuracy figure)."""
    loss = base_figure(t("chart.epoch"), t("chart.loss"), height=loss_height)
    acc = base_figure(t("chart.epoch"), t("hyperparams.chart.val_acc"), height=CHART_HEIGHT)
    # legend above the plot: the plot keeps its width in a narrow column
    legend = {"orientation": "h", "y": 1.02, "x": 0, "yanchor": "bottom", "font": {"size": 14}}
    for fig in (loss, acc):
        fig.update_layout(hovermode="closest", legend=legend, margin={"t": 10})
    if log_y:
        loss.update_yaxes(type="log")
    hover = "%{fullData.name}<br>" + t("chart.epoch") + " %{x}<br>%{meta}: %{y:.4f}<extra></extra>"
    for r in results:
        name, c = run_name(r), color(r.run_id)
        lines = (("train_loss", "solid", t("chart.train")), ("val_loss", "dash", t("chart.val")))
        for key, dash, label in lines:
            x, y = r.series(key)
            loss.add_scatter(
                x=x,
                y=finite(y),
                mode="lines+markers",
                name=name,
                legendgroup=name,
                showlegend=key == "train_loss",
                line={"color": c, "dash": dash, "width": 2.5},
                marker={"size": 5},
                meta=t("chart.of", what=t("chart.loss"), which=label),
                hovertemplate=hover,
            )
        best = next((e for e in list(r.epochs) if e["epoch"] == r.best_epoch), None)
        if best is not None:
            star = {"symbol": "star", "size": 16, "color": c, "line": {"width": 1, "color": "black"}}
            loss.add_scatter(
                x=[r.best_epoch],
                y=[best["val_loss"]],
                mode="markers",
                name=name,
                legendgroup=name,
                showlegend=False,
                meta=t("hyperparams.best_epoch"),
                marker=star,
                hovertemplate=hover,
            )
        if r.status == "running" and r.steps:  # the live curve: batch losses until the epoch ends
            xs, ys = zip(*list(r.steps))
            loss.add_scatter(
                x=list(xs),
                y=finite(list(ys)),
                mode="lines",
                name=name,
                legendgroup=name,
                showlegend=False,
                opacity=0.35,
                line={"color": c, "width": 1},
                hoverinfo="skip",
            )
        x, y = r.series("val_acc")
        acc.add_scatter(
            x=x,
            y=finite([100 * v for v in y]),
            mode="lines+markers",
            name=name,
            line={"color": c, "width": 2.5},
            marker={"size": 5},
            meta=t("hyperparams.chart.val_acc"),
            hovertemplate=hover.replace("{y:.4f}", "{y:.1f} %"),
        )
    acc.update_yaxes(range=[0, 100])
    return loss, acc


# -- the results table -------------------------------------------------------------------------
TABLE_PX = 756  # the results table's width in a 1280-px window with the sidebar open (its columns must fit)
CELL_PAD = 22  # px around a cell's text: the grid's own padding (8 + 8) and a little room
_NARROW = set(" .,:;/|()[]!'ijlrtf1")
_WIDE = set("mwMW%@")
# (string key, the number format the grid shows, None for text) in the table's order
COLUMNS = (
    ("run", None),
    ("status", None),
    ("final_acc", "%.1f"),
    ("best_acc", "%.1f"),
    ("best_epoch", "%d"),
    ("epochs", None),
    ("wall", "%.1f"),
    ("speed", "%d"),
    ("params", "localized"),
)


def table(results: Sequence[ex.RunResult]) -> pd.DataFrame:
    """The results table with translated headers; accuracies in percent, sortable by Streamlit."""
    rows = ex.table_rows(results)
    pct = lambda v: None if v is None else round(100 * v, 1)  # noqa: E731
    out = [
        {
            t("hyperparams.col.run"): run_name(r),
            t("hyperparams.col.status"): t("hyperparams.status." + row["status"]),
            t("hyperparams.col.final_acc"): pct(row["final_val_acc"]),
            t("hyperparams.col.best_acc"): pct(row["best_val_acc"]),
            t("hyperparams.col.best_epoch"): row["best_epoch"],
            t("hyperparams.col.epochs"): f"{row['epochs_done']}/{r.spec.settings.epochs}",
            t("hyperparams.col.wall"): row["wall_s"],
            t("hyperparams.col.speed"): round(row["images_per_s"]),
            t("hyperparams.col.params"): row["params"],
        }
        for r, row in zip(results, rows)
    ]
    return pd.DataFrame(out)


def text_px(text: str) -> float:
    """The width of `text` in the table's 14-px font, a little generous: a Japanese character is a square
    (14 px), a Latin letter or digit about half of one, narrow and wide letters less and more."""
    total = 0.0
    for ch in text:
        if ord(ch) >= 0x2E80:  # CJK, kana and full-width forms
            total += 14
        elif ch in _NARROW:
            total += 4
        elif ch in _WIDE:
            total += 11
        else:
            total += 8.2 if ch.isupper() else 7
    return total


def _shown(value, fmt: str | None) -> str:
    """A cell's text as the grid draws it with `fmt`."""
    if value is None or (isinstance(value, float) and value != value):  # missing: an empty cell
        return ""
    if fmt == "%.1f":
        return f"{value:.1f}"
    if fmt == "%d":
        return f"{value:.0f}"
    if fmt == "localized":
        return f"{value:,.0f}"
    return str(value)


def column_widths(frame: pd.DataFrame) -> dict[str, int]:
    """Each column as wide as its header or its widest value, whichever is wider, so no header is cut
    off; when the nine do not fit `TABLE_PX`, the run names give up the room (a long name is cut there,
    the charts' legends show it whole)."""
    formats = {t(f"hyperparams.col.{key}"): fmt for key, fmt in COLUMNS}
    widths = {}
    for name in frame.columns:
        values = (text_px(_shown(v, formats.get(name))) for v in frame[name])
        widths[name] = round(max(text_px(name), *values, 0.0) + CELL_PAD)
    run = t("hyperparams.col.run")
    extra = sum(widths.values()) - TABLE_PX
    if extra > 0 and run in widths:
        widths[run] = max(widths[run] - extra, 96)
    return widths


# -- sentences ---------------------------------------------------------------------------------
def queue_summary(results: Sequence[ex.RunResult], seconds: float) -> str:
    """ "The queue has ended (9.8 s): 2 done, 1 diverged" — only the states that occurred."""
    statuses = [r.status for r in results]
    parts = [
        t("hyperparams.count", n=statuses.count(s), status=t(f"hyperparams.status.{s}"))
        for s in ("done", "stopped", "diverged", "cancelled", "error")
        if s in statuses
    ]
    return t("hyperparams.finished", seconds=seconds, summary=t("hyperparams.sep").join(parts))


def overfitting(results: Sequence[ex.RunResult]) -> str | None:
    """The overfitting note for the run whose validation loss rose the most after its best epoch."""
    signals = [(r, s) for r in results if (s := ex.overfitting(r)) is not None]
    if not signals:
        return None
    r, (best, best_loss, final_loss) = max(signals, key=lambda rs: rs[1][2] / rs[1][1])
    return t(
        "hyperparams.overfit_note", run=run_name(r), best=best, best_loss=best_loss, final_loss=final_loss
    )
