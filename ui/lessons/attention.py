"""The attention lesson (course Part 3.1.3): a tiny GPT trained as a job on sorting, reversing or the
Japanese text, its saved runs, the shipped models, and the page's figures — the loss and accuracy curves,
every layer's and head's attention heatmap for the fixed input, and one output's attention as bars.

The experiments are settings of the same run (`EXPERIMENTS`): the mask off, one head, no position
embedding. Each finished run of this session leaves one line in `results`, so they can be compared.
"""

from __future__ import annotations

import sys

import numpy as np
import plotly.graph_objects as go
import streamlit as st
import torch
from plotly.subplots import make_subplots

from core import attention as core_attention
from core import runs
from core.models import model_args
from ui import job_widgets, jobs, layout, lesson, resources, saved_runs
from ui.charts import COLORS, FONT, TICKS, base_figure, finite
from ui.i18n import t

PAGE = "attention"
FAMILY = "gpt.GPT"
SHIPPED = {"sort": "gpt_sort.pth", "text": "gpt_text_ja.pth"}
SESSION = "attention_session"  # session_state: {"model", "cfg", "vocab"} trained or reopened here
RESULTS = "attention_results"  # session_state: {run label: the last record's figures}
EXPERIMENTS = ("none", "no_mask", "one_head", "no_pos")
SEP = "→"  # how the separator token between a digit input and its answer is drawn
ss = st.session_state


def config(task: str, experiment: str = "none", seed: int = 0, test_mode: bool = False):
    """The run the page starts: the task's preset with the experiment's one change; tiny in test mode."""
    cfg = core_attention.preset(task)
    change = {
        "none": {},
        "no_mask": {"causal": False},
        "one_head": {"n_head": 1},
        "no_pos": {"pos_emb": False},
    }
    cfg = core_attention.with_overrides(cfg, seed=int(seed), **change[experiment])
    if test_mode:
        tiny = {"steps": 20, "eval_every": 10, "eval_n": 20, "n_layer": 1, "n_embd": 16, "warmup": 5}
        cfg = core_attention.with_overrides(cfg, **tiny)
    return cfg


def experiment_of(cfg: core_attention.AttentionConfig) -> str:
    if not cfg.causal:
        return "no_mask"
    if cfg.n_head == 1:
        return "one_head"
    return "none" if cfg.pos_emb else "no_pos"


@st.cache_resource(show_spinner=False)
def text_data() -> core_attention.TextData:
    """The Japanese text split once for the whole server (read-only)."""
    return core_attention.TextData.of(core_attention.load_text())


# -- the lesson protocol (ui.lesson) ------------------------------------------------------------------
def train(cfg: core_attention.AttentionConfig) -> jobs.Job:
    """A fresh GPT for `cfg` in this session, trained by a job and saved to runs/ with its vocabulary."""
    data = text_data() if cfg.task == "text" else None
    model = core_attention.build_model(cfg, data.vocab.size if data else None)
    vocab = data.vocab if data else None
    ss[SESSION] = {"model": model, "cfg": cfg, "vocab": vocab}
    device = jobs.train_device()
    training = lesson.Training(
        model=model,
        model_args=model_args(model),
        settings=cfg.as_dict(),
        records=lambda: core_attention.train_attention(model, cfg, device, data=data),
        epochs=cfg.epochs,
        device=device,
        save_every_s=5.0,  # a record every 50 updates is about a second: save at most every 5 s
        meta=core_attention.checkpoint_meta(cfg, data),
    )
    return lesson.start(sys.modules[__name__], training)


def history(job: jobs.Job) -> dict:
    """The records (their maps go to `arrays`) and the per-step losses."""
    steps = [{"step": s["step"], "loss": s["loss"]} for s in list(job.steps) if "loss" in s]
    return {"epochs": list(job.epochs_log), "steps": steps}


def metrics(job: jobs.Job) -> dict:
    return lesson.last_epoch(job, ("acc", "token_acc", "val_loss", "train_loss"))


def arrays(job: jobs.Job) -> dict:
    """The latest attention maps and the tokens they are for, so a reopened run shows them."""
    ep = epochs(job)
    if not ep or "attention" not in ep[-1]:
        return {}
    return {"attention": ep[-1]["attention"], "tokens": np.asarray(ep[-1]["tokens"])}


def saved(name: str) -> list[lesson.Saved]:
    return saved_runs.listed(PAGE, name)


def reopen(saved_id: str) -> str:
    """The saved GPT as this session's model, its records (and last maps) as a finished job."""
    opened = saved_runs.opened_run(saved_id, None)
    if not opened.info.config or opened.family != FAMILY:
        raise runs.RunError("model", "not a GPT")
    cfg = saved_runs.from_dict(core_attention.AttentionConfig, opened.info.config)
    vocab = core_attention.vocab_of(opened.meta)
    if cfg.task == "text" and vocab is None:
        raise runs.RunError("model", "a text model without its characters")
    log = list(opened.history.get("epochs", []))
    if log and "attention" in opened.arrays:
        log[-1] = {**log[-1], "attention": opened.arrays["attention"], "tokens": opened.arrays["tokens"]}
    ss[SESSION] = {"model": opened.model, "cfg": cfg, "vocab": vocab}
    saved_runs.restored_job(PAGE, log, saved_runs.step_records(opened.history), cfg.epochs)
    return t("runs.opened", epochs=opened.info.epochs_done)


def epochs(job: jobs.Job | None) -> list[dict]:
    return [] if job is None else [r for r in list(job.epochs_log) if r.get("kind") == "epoch"]


# -- models the page shows -------------------------------------------------------------------------
def shipped_for(task: str):
    """The shipped model for `task` ("sort" or "text"; `core.checkpoints.Loaded`), or None."""
    return resources.shipped(SHIPPED[task], FAMILY) if task in SHIPPED else None


def warn_no_shipped(task: str) -> None:
    """Why the shipped model of `task` cannot be used, as the page's warning."""
    resources.shipped_warning(SHIPPED[task], FAMILY, "attention.no_shipped")


def session_model(task: str, job: jobs.Job | None):
    """(model, cfg, vocab) trained or reopened in this session for `task`, once its job is not running."""
    s = ss.get(SESSION)
    if not s or s["cfg"].task != task or (job is not None and job.active):
        return None
    return s["model"], s["cfg"], s.get("vocab")


def model_for(task: str, job: jobs.Job | None):
    """What the try-it section uses: this session's model of the task, else the shipped one, else None.
    Returns (model, cfg, vocab, source) with source "session" or "shipped"."""
    mine = session_model(task, job)
    if mine is not None:
        return (*mine, "session")
    loaded = shipped_for(task)
    if loaded is None:
        return None
    meta = loaded.meta
    return loaded.model, core_attention.config_of(meta), core_attention.vocab_of(meta), "shipped"


def remember(job: jobs.Job | None) -> None:
    """Keep the figures of a finished run of this session in `results` (one line per setting)."""
    ep = epochs(job)
    if job is None or job.active or job.state == "restored" or not ep or SESSION not in ss:
        return
    cfg, last = ss[SESSION]["cfg"], ep[-1]
    key = f"{cfg.task}:{experiment_of(cfg)}:{cfg.seed}"
    first_99 = next((r["elapsed"] for r in ep if r.get("acc", 0) >= 0.99), None)
    ss.setdefault(RESULTS, {})[key] = {
        "task": cfg.task,
        "experiment": experiment_of(cfg),
        "acc": last.get("acc"),
        "token_acc": last.get("token_acc"),
        "val_loss": last.get("val_loss"),
        "seconds": last.get("elapsed"),
        "first_99": first_99,
    }


# -- labels ------------------------------------------------------------------------------------------
def token_labels(tokens, cfg: core_attention.AttentionConfig, vocab=None) -> list[str]:
    """What each token is drawn as: digits and "→", or characters (a newline as "⏎", a space as "␣")."""
    ids = [int(i) for i in np.asarray(tokens).ravel()]
    if cfg.task == "text":
        chars = vocab.decode(ids) if vocab is not None else "?" * len(ids)
        return [{"\n": "⏎", " ": "␣"}.get(c, c) for c in chars]
    return [SEP if i == core_attention.separator(cfg.digits) else str(i) for i in ids]


# -- figures -----------------------------------------------------------------------------------------
def heatmaps(att: np.ndarray, labels: list[str], height: int = 300, zmax: float = 1.0) -> go.Figure:
    """Every layer (rows) and head (columns): which position (x) each position (y) attends to."""
    n_layer, n_head = att.shape[:2]
    titles = [
        t("attention.head_title", layer=i + 1, head=j + 1) for i in range(n_layer) for j in range(n_head)
    ]
    fig = make_subplots(
        rows=n_layer,
        cols=n_head,
        subplot_titles=titles,
        horizontal_spacing=0.03,
        vertical_spacing=0.12 if n_layer > 1 else 0.05,
    )
    for i in range(n_layer):
        for j in range(n_head):
            fig.add_heatmap(
                z=att[i, j],
                zmin=0,
                zmax=zmax,
                colorscale="Blues",
                showscale=False,
                hovertemplate=t("attention.hover") + "<extra></extra>",
                row=i + 1,
                col=j + 1,
            )
    # positions on the axes, drawn as their tokens; a long text's characters would not fit
    positions = list(range(len(labels)))
    ticks = {"tickmode": "array", "tickvals": positions, "ticktext": labels} if len(labels) <= 16 else {}
    fig.update_yaxes(autorange="reversed", tickfont={"size": 10}, showticklabels=True, **ticks)
    fig.update_xaxes(tickfont={"size": 12}, tickangle=0, **ticks)
    for j in range(1, n_head):  # the query labels once, on the left
        for i in range(n_layer):
            fig.update_yaxes(showticklabels=False, row=i + 1, col=j + 1)
    fig.update_annotations(font={"size": 14})
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10}, font=FONT)
    return fig


def curves(job: jobs.Job, task: str, height: int = 300) -> go.Figure:
    """The loss per update (left axis) and, for digits, the share of held-out sequences the model writes
    right by itself and the share of digits right when shown the answer so far (right axis, %)."""
    steps = list(job.steps)
    fig = base_figure(t("chart.step"), t("chart.loss"), height=height)
    # short names in small type: in a narrow column the usual legend would take three lines of the chart
    fig.update_layout(
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "font": {"size": 13}},
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    if steps:
        fig.add_scatter(
            x=[s["step"] for s in steps],
            y=finite([s.get("loss") for s in steps]),
            mode="lines",
            name=t("attention.legend.loss"),
            line={"color": COLORS[0], "width": 1.5},
        )
    ep = epochs(job)
    if task == "text":
        fig.add_scatter(
            x=[r["step"] for r in ep],
            y=finite([r.get("val_loss") for r in ep]),
            mode="lines+markers",
            name=t("attention.val_loss"),
            line={"color": COLORS[1], "width": 3},
        )
        return fig
    for key, color, dash in (("acc", COLORS[2], "solid"), ("token_acc", COLORS[3], "dot")):
        fig.add_scatter(
            x=[r["step"] for r in ep],
            y=[100 * r[key] for r in ep if key in r],
            mode="lines+markers",
            name=t(f"attention.legend.{key}"),
            yaxis="y2",
            line={"color": color, "width": 3, "dash": dash},
        )
    fig.update_layout(
        yaxis2={
            "title": "%",
            "overlaying": "y",
            "side": "right",
            "range": [0, 102],
            "tickvals": [0, 25, 50, 75, 100],
            "tickfont": TICKS,
        }
    )
    return fig


def row_bars(weights: np.ndarray, labels: list[str], height: int = 240) -> go.Figure:
    """One output position's attention over the positions it may read (a bar per input position)."""
    fig = go.Figure(
        go.Bar(
            x=list(range(len(labels))),
            y=weights,
            marker_color=[COLORS[1] if w == weights.max() else COLORS[0] for w in weights],
            customdata=labels,
            hovertemplate="%{customdata} (%{x}): %{y:.2f}<extra></extra>",
        )
    )
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 10},
        font=FONT,
        yaxis={"range": [0, 1], "title": t("attention.weight")},
        xaxis={
            "tickmode": "array",
            "tickvals": list(range(len(labels))),
            "ticktext": labels,
            "tickfont": TICKS,
        },
    )
    return fig


# -- the live panel ------------------------------------------------------------------------------------
def training_panel(job: jobs.Job) -> None:
    """The curves and below them the status (left) beside the heatmaps of the latest record (right), so
    both charts stay on the first screen."""
    cfg = ss[SESSION]["cfg"] if SESSION in ss else core_attention.SORT
    vocab = ss[SESSION].get("vocab") if SESSION in ss else None
    ep = epochs(job)
    # the heatmaps are the lesson (which position looks at which): in projector mode they span the main
    # area, taller, and the curves with the status go below them
    left, right = layout.main_columns([2, 3], main=1)
    with left, st.container(key="attention_curves"):
        st.plotly_chart(curves(job, cfg.task, height=260), key="attention_curve_chart", width="stretch")
        job_widgets.status(job)
        if ep and cfg.task != "text":
            last = ep[-1]
            st.caption(
                t(
                    "attention.live_acc",
                    acc=100 * last["acc"],
                    token_acc=100 * last["token_acc"],
                    step=last["step"],
                )
            )
        elif ep:
            st.caption(t("attention.live_sample", step=ep[-1]["step"], sample=ep[-1].get("sample", "")))
    with right, st.container(key="attention_heatmaps"):
        if not ep or "attention" not in ep[-1]:
            st.info(t("attention.waiting"))
            return
        last = ep[-1]
        labels = token_labels(last["tokens"], cfg, vocab)
        st.plotly_chart(
            heatmaps(last["attention"], labels, height=layout.main_height(260)),
            key="attention_live_maps",
            width="stretch",
        )
        st.caption(t("attention.maps_caption", step=last["step"]))


def preview(task: str) -> None:
    """Before any training: the shipped model's heatmaps for the fixed input, where the live ones will be."""
    got = model_for(task, None) if task in SHIPPED else None
    left, right = layout.main_columns([2, 3], main=1)  # the heatmaps on top in projector mode, as live
    left.info(t("attention.before_train"), icon=":material/show_chart:")
    if got is None:
        return
    model, cfg, vocab, _ = got
    if cfg.task == "text":
        # the fixed snippet in the model's own characters (a text rewritten since keeps them apart)
        data = text_data()
        snippet = data.vocab.decode(core_attention.fixed_text(data, cfg.block_size))
        tokens = vocab.encode("".join(c for c in snippet if c in vocab.chars) or vocab.chars[0])
        att = core_attention.attention_maps(model, tokens)
    else:
        ex = core_attention.digit_example(model, cfg, core_attention.fixed_digits(cfg))
        tokens, att = ex["tokens"], ex["attention"]
    with right, st.container(key="attention_heatmaps"):
        st.plotly_chart(
            heatmaps(att, token_labels(tokens, cfg, vocab), height=layout.main_height(260)),
            key="attention_preview_maps",
            width="stretch",
        )
        st.caption(t("attention.preview_caption"))


# -- the worked example: three steps with numbers -------------------------------------------------------
def matrix_tex(m: np.ndarray, digits: int = 2) -> str:
    """A matrix as LaTeX (bmatrix); -inf as -\\infty."""
    rows = []
    for row in np.atleast_2d(m):
        rows.append(" & ".join("-\\infty" if np.isneginf(v) else f"{v:.{digits}f}" for v in row))
    return "\\begin{bmatrix}" + " \\\\ ".join(rows) + "\\end{bmatrix}"


def worked_example() -> dict[str, np.ndarray]:
    """Three tokens with two-number queries, keys and values, and each step of attention on them."""
    q = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    k = torch.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    v = torch.tensor([[1.0, 0.0], [0.0, 2.0], [3.0, 1.0]])
    steps = core_attention.attention_steps(q, k, v)
    return {"Q": q.numpy(), "K": k.numpy(), "V": v.numpy(), **{n: s.numpy() for n, s in steps.items()}}


def accuracy_of(model, cfg, n: int = 200) -> float:
    x = core_attention.draw_inputs(cfg, n, torch.Generator().manual_seed(99), test=True)
    return core_attention.digit_accuracy(model, cfg, x)["acc"]


# -- reading what the student types ---------------------------------------------------------------------
def read_digits(text: str, cfg) -> tuple[torch.Tensor | None, str]:
    """(digits (L,), "") or (None, the reason in the student's language)."""
    raw = (text or "").replace(",", " ").replace("、", " ").strip()
    raw = raw.translate(str.maketrans("０１２３４５６７８９", "0123456789"))  # full-width digits too
    chars = raw.split() if " " in raw else list(raw)
    if not chars:
        return None, t("attention.bad.empty")
    if not all(len(c) == 1 and c.isdigit() for c in chars):
        return None, t("attention.bad.chars", text=text)
    if len(chars) != cfg.length:
        return None, t("attention.bad.length", n=cfg.length, got=len(chars))
    if max(int(c) for c in chars) >= cfg.digits:
        return None, t("attention.bad.range", top=cfg.digits - 1)
    return torch.tensor([int(c) for c in chars]), ""


def read_prompt(text: str, vocab, limit: int) -> tuple[str | None, str]:
    """(prompt, "") or (None, the reason): only characters of the training text, at most `limit`."""
    text = text or ""
    if len(text) > limit:
        return None, t("attention.bad.long", n=limit)
    missing = vocab.unknown(text)
    if missing:
        return None, t("attention.bad.unknown", chars=" ".join(missing))
    return text, ""


def answer_row(cfg, pos: int) -> int:
    """The row of the maps that writes answer digit `pos` (0-based): the separator writes the first."""
    return cfg.length + pos


def results_rows() -> list[dict]:
    """This session's finished runs as table rows, in the student's language."""
    rows = []
    for r in ss.get(RESULTS, {}).values():
        row = {
            t("attention.col.task"): t(f"attention.task.{r['task']}"),
            t("attention.col.experiment"): t(f"attention.experiment.{r['experiment']}"),
        }
        if r["task"] == "text":
            row[t("attention.col.val_loss")] = None if r["val_loss"] is None else round(r["val_loss"], 3)
        else:
            row[t("attention.col.acc")] = None if r["acc"] is None else f"{100 * r['acc']:.1f}%"
            row[t("attention.col.token_acc")] = (
                None if r["token_acc"] is None else f"{100 * r['token_acc']:.1f}%"
            )
            row[t("attention.col.first_99")] = None if r["first_99"] is None else round(r["first_99"], 1)
        row[t("attention.col.seconds")] = None if r["seconds"] is None else round(r["seconds"], 1)
        rows.append(row)
    return rows
