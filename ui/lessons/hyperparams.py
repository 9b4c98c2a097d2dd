"""The Hyperparameters lesson: a queue of CNN runs with varied settings, compared side by side.

The session's run history, the queue job and the saver that writes every run of it to runs/ (one
comparison), the saved comparisons the panel lists and reopens, the overlaid run curves and the results
table. The queue's worker thread only writes `core.experiments.RunResult`s; everything here reads them
(snapshots of their lists) from the page's script thread or its live fragment.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from core import experiment_runs, runs
from core import experiments as ex
from ui import inputs, jobs, layout, links, saved_runs
from ui.charts import base_figure, finite
from ui.i18n import relabelled, t
from ui.lesson import Saved

ss = st.session_state
PAGE = "hyperparams"  # the queue job's key, the widgets' prefix and the runs/ folders' page
HISTORY = "hyperparams_history"  # list[RunResult]: every run of this session, until cleared
QUEUE = "hyperparams_queue"  # the RunQueue the current job consumes
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


def history() -> list[ex.RunResult]:
    return ss.setdefault(HISTORY, [])


def queue() -> ex.RunQueue | None:
    return ss.get(QUEUE)


def color(run_id: int) -> str:
    return PALETTE[(run_id - 1) % len(PALETTE)]


def run_name(r: ex.RunResult) -> str:
    """ "#2 lr=0.01" — what the legend, the hover and the table call a run."""
    return f"#{r.run_id} {param_values(r.spec)}"


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


def enqueue(specs: Sequence[ex.RunSpec], data: ex.Data, device: str) -> None:
    """Add runs to the history and to the running queue, or start a new queue job."""
    results = ex.new_results(specs)
    history().extend(results)
    job, q = jobs.get(PAGE), queue()
    if job is not None and job.active and q is not None:
        q.extend(results)  # the running iterator picks them up after its current run
        return
    q = ex.RunQueue(results, data, device, threads=1 if device == "cpu" else None)  # see RunQueue.threads
    ss[QUEUE] = q
    epochs = sum(s.settings.epochs for s in specs)
    saver = ComparisonSaver(experiment_runs.ComparisonWriter(saved_runs.student_name()), q)
    jobs.start(PAGE, q.records, epochs, device, saver=saver)  # every run saved after each epoch


def restore(results: Sequence[ex.RunResult]) -> int:
    """Add a reopened comparison's runs (finished, read-only) to the history, shown, with new ids;
    runs already in the history are skipped. Returns how many were added."""
    present = {r.saved_as for r in history() if r.saved_as}
    new = [r for r in results if r.saved_as not in present]
    ids = renumber([r.spec for r in new])
    for r, spec in zip(new, ids):
        r.spec = spec
    history().extend(new)
    ss["hyperparams_show"] = [*ss.get("hyperparams_show", []), *(r.run_id for r in new)]
    return len(new)


def clear() -> None:
    """Forget every run (cancelling the queue first)."""
    q = queue()
    if q is not None:
        q.cancel()
    ss[HISTORY] = []
    ss["hyperparams_show"] = []


def queue_ended(job: jobs.Job) -> bool:
    """The queue's job ran to its end. A run's own "diverged" record (it carries "run") ends that run
    only and the queue goes on, so a job whose last record was one still ended as a whole queue."""
    return job.state == "done" or (job.state == "diverged" and "run" in job.last)


# ---------------------------------------------------------------------------------------------
# Saved comparisons: every run of a queue in runs/ (core.experiment_runs), listed and reopened together


@dataclass
class ComparisonSaver:
    """Writes every run of a hyperparameter queue to runs/ (a ui.jobs.Saver), from the worker only:
    on each run's epoch record and its end, and for any run left unsaved when the job ends. A run's
    "diverged" record needs no save of its own: its "run_end" follows."""

    writer: experiment_runs.ComparisonWriter
    queue: ex.RunQueue  # runs appended while it runs are saved too
    error: str = ""  # the last failure, shown in the live panel; "" once a save works again
    saved_epochs: int = 0  # not counted: each run is saved on its own, the page shows no epoch count

    def record(self, job: jobs.Job, rec: dict) -> None:
        if rec.get("kind") in ("epoch", "run_end"):
            result = next((r for r in list(self.queue.runs) if r.run_id == rec.get("run")), None)
            if result is not None:
                self.writer.save(result)
                self.error = self.writer.error

    def end(self, job: jobs.Job) -> None:
        for result in list(self.queue.runs):
            self.writer.save(result)  # skips runs that never trained and runs saved as they are
        self.error = self.writer.error


def saved(name: str) -> list[Saved]:
    """The student's saved comparisons, newest first, labelled with date, runs, what varied, best accuracy."""
    return [Saved(c.comparison, _comparison_label(c)) for c in experiment_runs.list_comparisons(name)]


def _comparison_label(c: experiment_runs.Comparison) -> str:
    acc = c.best_acc()
    return t(
        "runs.comparison_item",
        date=saved_runs.when(c.updated),
        n=len(c.runs),
        params=", ".join(t(f"hyperparams.short.{n}") for n in c.varied) or t("hyperparams.base_run"),
        metric=f" ・ {100 * acc:.1f}%" if acc is not None else "",
    )


def reopen(saved_id: str) -> str:
    """Add a saved comparison's runs to the page (`restore`); runs.RunError if one cannot be opened."""
    found = {c.comparison: c for c in experiment_runs.list_comparisons(saved_runs.student_name())}
    if saved_id not in found:
        raise runs.RunError("unreadable", saved_id)
    n = restore(experiment_runs.open_comparison(found[saved_id], first_id=0))
    return t("runs.comparison_opened", n=n)


# ---------------------------------------------------------------------------------------------
# Figures and tables


def curves(results: Sequence[ex.RunResult], log_y: bool = False) -> tuple[go.Figure, go.Figure]:
    """(loss figure: training solid, validation dashed, best epoch starred; validation accuracy figure)."""
    loss = base_figure(t("chart.epoch"), t("chart.loss"), height=layout.main_height(360))  # the main chart
    acc = base_figure(t("chart.epoch"), t("hyperparams.chart.val_acc"), height=360)
    for fig in (loss, acc):  # legend above the plot: the plot keeps its width in a narrow column
        legend = {"orientation": "h", "y": 1.02, "x": 0, "yanchor": "bottom", "font": {"size": 14}}
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
                meta=f"{t('chart.loss')} ({label})",
                hovertemplate=hover,
            )
        if r.best_epoch is not None:
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


TABLE_PX = 756  # the results table's width in a 1280-px window with the sidebar open (its columns must fit)
CELL_PAD = 22  # px around a cell's text: the grid's own padding (8 + 8) and a little room
_NARROW = set(" .,:;/|()[]!'ijlrtf1")
_WIDE = set("mwMW%@")


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


COLUMNS = (  # (string key, the number format the grid shows, None for text) in the table's order
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


def column_config(frame: pd.DataFrame) -> dict:
    """Widths that fit the nine columns in a 1280-px window without scrolling sideways; each short
    header has its full meaning as a tooltip (`hyperparams.colhelp.*`)."""
    widths = column_widths(frame)
    out = {}
    for key, fmt in COLUMNS:
        name = t(f"hyperparams.col.{key}")
        kind = st.column_config.TextColumn if fmt is None else st.column_config.NumberColumn
        kwargs = {} if fmt is None else {"format": fmt}
        out[name] = kind(width=widths.get(name, 80), help=t(f"hyperparams.colhelp.{key}"), **kwargs)
    return out


def explain_divergence(results: Sequence[ex.RunResult]) -> None:
    for r in results:
        if r.status == "diverged":
            st.warning(
                t(
                    f"hyperparams.diverged.{r.reason}",
                    run=run_name(r),
                    peak=r.peak_loss,
                    first=r.first_loss or 0.0,
                ),
                icon=":material/warning:",
            )
        elif r.status == "error":
            error = t(f"train.err.{r.error_code}") if r.error_code else r.error
            st.error(t("hyperparams.run_error", run=run_name(r), error=error))


def queue_summary(q: ex.RunQueue, seconds: float) -> str:
    """ "The queue has ended (9.8 s): 2 done, 1 diverged" — only the states that occurred."""
    statuses = [r.status for r in q.runs]
    parts = [
        t("hyperparams.count", n=statuses.count(s), status=t(f"hyperparams.status.{s}"))
        for s in ("done", "stopped", "diverged", "cancelled", "error")
        if s in statuses
    ]
    return t("hyperparams.finished", seconds=seconds, summary=t("hyperparams.sep").join(parts))


def progress(q: ex.RunQueue | None) -> None:
    """ "Run 2 of 3 (#5 lr=0.01) · epoch 3/5" with a bar over the whole queue."""
    if q is None:
        return
    cur = q.current
    if cur is None:
        st.progress(q.fraction(), text=t("hyperparams.progress_wait"))
        return
    index = next(i for i, r in enumerate(q.runs) if r is cur) + 1
    epoch = len(cur.epochs)
    st.progress(
        q.fraction(),
        text=t(
            "hyperparams.progress",
            i=index,
            n=len(q.runs),
            run=run_name(cur),
            epoch=epoch,
            epochs=cur.spec.settings.epochs,
        ),
    )


# ---------------------------------------------------------------------------------------------
# Designing a grid: widgets keep their values in session state under these keys

DEFAULT_VALUES: dict[str, tuple] = {  # what a hyperparameter's value picker starts with (the course's)
    "lr": (1e-3, 1e-2, 1e-1),
    "batch_size": (32, 64, 128),
    "epochs": (5, 10),
    "optimizer": ("sgd", "sgd_momentum", "adam"),
    "channels": ((16, 32), (32, 64)),
    "dropout": (0.0, 0.5),
    "weight_decay": (0.0, 1e-3),
    "schedule": ("none", "step", "cosine"),
}
TRAIN_SIZES = (100, 200, 500, 1000, 2000, 4000, 10000, 60000)
PERSISTED = (
    "hyperparams_p1",
    "hyperparams_p2",
    "hyperparams_values_",
    "hyperparams_base_",
    "hyperparams_train_size",
    "hyperparams_seed",
    "hyperparams_show",
    "hyperparams_log",
)


SAVED = "_hyperparams_saved"  # a plain (non-widget) copy of the design, which Streamlit never clears


def restore_widget_values() -> None:
    """Streamlit drops a widget's value while another page is shown; put the saved copy back first."""
    for k, v in ss.get(SAVED, {}).items():
        if k not in ss:
            ss[k] = v


def save_widget_values() -> None:
    ss[SAVED] = {k: ss[k] for k in ss if isinstance(k, str) and k.startswith(PERSISTED)}


def apply_preset(name: str) -> None:
    """Button callback: put a preset's varied values and base settings into the widgets' state."""
    preset, base = ex.PRESETS[name], ex.Settings()
    names = list(preset.vary)
    ss["hyperparams_p1"] = names[0]
    ss["hyperparams_p2"] = names[1] if len(names) > 1 else "none"
    for n in names:
        ss[f"hyperparams_values_{n}"] = list(preset.vary[n])
    settings = replace(base, **preset.base)  # a preset starts from the defaults, not the last edits
    for n in ex.CHOICES:
        ss[f"hyperparams_base_{n}"] = getattr(settings, n)
    ss["hyperparams_train_size"] = settings.train_size


def shrink(spec: ex.RunSpec, tiny: bool, n_max: int) -> ex.RunSpec:
    """Test mode (LAB_TEST_MODE=1): a few images, at most 2 epochs, a small dense layer."""
    s = spec.settings
    s = replace(s, train_size=min(s.train_size, n_max))
    if tiny:
        s = replace(s, train_size=min(s.train_size, 100), epochs=min(s.epochs, 2), hidden=16)
    return replace(spec, settings=s)


def design(n_max: int, source: str, n_val: int, tiny: bool) -> tuple[list[ex.RunSpec], str | None]:
    """The widgets of "Design the experiment"; returns the grid's runs (ids not final) or an error."""
    params = list(ex.CHOICES)
    label = {p: t(f"hyperparams.param.{p}") for p in params} | {"none": t("hyperparams.none")}
    ss.setdefault("hyperparams_p1", "lr")
    ss.setdefault("hyperparams_p2", "none")
    c1, c2 = st.columns(2)
    vary: dict[str, list] = {}
    error = None
    for col, slot, options in ((c1, "p1", params), (c2, "p2", ["none", *params])):
        with col:
            p = st.selectbox(
                t(f"hyperparams.vary{slot[1]}"),
                options,
                key=relabelled(links.choice(f"hyperparams_{slot}", options)),
                format_func=label.get,
            )
            if p == "none":
                continue
            if p in vary:
                error = t("hyperparams.err.same_param")
                continue
            key = f"hyperparams_values_{p}"
            if key not in ss:
                ss[key] = list(DEFAULT_VALUES[p])
            shown = {v: fmt(p, v) for v in ex.CHOICES[p]}  # translated now: AppTest calls it later
            vary[p] = st.multiselect(
                t("hyperparams.values"), list(ex.CHOICES[p]), key=relabelled(key), format_func=shown.get
            )
            if not vary[p]:
                error = error or t("hyperparams.err.no_values")
    defaults = ex.Settings()
    sizes = [n for n in TRAIN_SIZES if n < n_max] + [n_max]
    if ss.get("hyperparams_train_size") not in sizes:  # first visit, or a preset's size this data lacks
        ss["hyperparams_train_size"] = min(sizes, key=lambda n: abs(n - defaults.train_size))
    ss.setdefault("hyperparams_seed", 0)
    with st.expander(t("hyperparams.base")):
        st.caption(t("hyperparams.base_caption"))
        cols, base = st.columns(4), {}
        for i, p in enumerate(params):
            ss.setdefault(f"hyperparams_base_{p}", getattr(defaults, p))
            shown = {v: fmt(p, v) for v in ex.CHOICES[p]}
            base[p] = cols[i % 4].selectbox(
                label[p],
                list(ex.CHOICES[p]),
                key=relabelled(links.choice(f"hyperparams_base_{p}", ex.CHOICES[p])),
                format_func=shown.get,
                disabled=p in vary,
            )
        size = cols[0].select_slider(
            t("hyperparams.train_size"),
            sizes,
            key="hyperparams_train_size",
            **links.bind("hyperparams_train_size"),
        )
        seed = inputs.number(
            cols[1], t("common.seed"), 0, 2**31 - 1, key="hyperparams_seed", **links.bind("hyperparams_seed")
        )
    settings = ex.Settings(**base, train_size=int(size), seed=int(seed))
    n = 1
    for values in vary.values():
        n *= max(1, len(values))
    if n > ex.MAX_RUNS:
        return [], t("hyperparams.err.too_many", n=n, max=ex.MAX_RUNS)
    if error:
        return [], error
    specs = [shrink(s, tiny, n_max) for s in ex.grid(settings, vary)]
    st.markdown(
        t(
            "hyperparams.n_runs",
            n=len(specs),
            epochs=sum(s.settings.epochs for s in specs),
            val=n_val,
            source=source,
        )
    )
    return specs, None


def renumber(specs: Sequence[ex.RunSpec]) -> list[ex.RunSpec]:
    """Give the runs ids that are unique in this session (they colour the curves)."""
    first = ss.get("hyperparams_next_id", 1)
    ss["hyperparams_next_id"] = first + len(specs)
    return [replace(s, run_id=first + i) for i, s in enumerate(specs)]


def overfitting(results: Sequence[ex.RunResult]) -> str | None:
    """The overfitting note for the run whose validation loss rose the most after its best epoch."""
    signals = [(r, s) for r in results if (s := ex.overfitting(r)) is not None]
    if not signals:
        return None
    r, (best, best_loss, final_loss) = max(signals, key=lambda rs: rs[1][2] / rs[1][1])
    return t(
        "hyperparams.overfit_note", run=run_name(r), best=best, best_loss=best_loss, final_loss=final_loss
    )


CODE = """import torch
from core.models import reset_parameters
from core.models.cnn import MNISTCNN
from core.train import FitConfig, fit

for lr in (0.001, 0.01, 0.1):                      # one run per value to compare
    g = torch.Generator().manual_seed(0)           # same seed: only lr differs between runs
    model = reset_parameters(MNISTCNN(c1=16, c2=32, hidden=128, dropout=0.1), g)
    cfg = FitConfig(epochs=5, batch_size=64, lr=lr, optimizer="adam")
    best_loss, best_state = float("inf"), None
    for rec in fit(model, x_train[:2000], y_train[:2000], cfg, x_val, y_val, generator=g):
        if rec["kind"] == "diverged":              # loss became NaN: this run is over
            break
        if rec["kind"] == "epoch":                 # train_loss, val_loss, val_acc, images_per_s
            print(lr, rec["epoch"], rec["train_loss"], rec["val_loss"], rec["val_acc"])
            if rec["val_loss"] < best_loss:        # keep the best model (Part 1, column 2)
                best_loss = rec["val_loss"]
                best_state = {k: v.clone() for k, v in model.state_dict().items()}
"""
