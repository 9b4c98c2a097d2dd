"""The attention lesson (course Part 3.1.3): a tiny GPT trained as a job on sorting, reversing or the
Japanese text, its saved runs, the shipped models and the live panel (the curves beside every layer's and
head's attention for the fixed input). The figures are in ui.figures.attention; "try it", the preview and
reading what the student types are in ui.panels.attention.

The session has one run at a time, of one task; the page shows it only while that task is chosen
(`job_of`), so a sort run's curves and 100 % never stand under "Japanese text".

The experiments are settings of the same run (`EXPERIMENTS`): the mask off, one head, no position
embedding. Each finished run of this session leaves one line in `results`, so they can be compared.
"""

from __future__ import annotations

from dataclasses import asdict

import numpy as np
import streamlit as st

from core import attention as core_attention
from core import configs, runs
from core.models import model_args
from ui import charts, job_widgets, jobs, layout, resources, saved_runs, trainable
from ui.figures import attention as figures
from ui.i18n import current_lang, t
from ui.projector import projector_on

SHIPPED = {"sort": "gpt_sort.pth", "text": "gpt_text_ja.pth"}
SESSION = "attention_session"  # session_state: {"model", "cfg", "vocab"} trained or reopened here
RESULTS = "attention_results"  # session_state: {run label: the last record's figures}
# the experiments: each one setting changed from the task's preset
CHANGES = {"none": {}, "no_mask": {"causal": False}, "one_head": {"n_head": 1}, "no_pos": {"pos_emb": False}}
EXPERIMENTS = tuple(CHANGES)
CHART_PX = 250  # the curves' and the maps' height: both under Train on the first 720-px screen
SAVE_EVERY_S = 5.0  # at most one save to runs/ per 5 s: records come faster (bench/README.md)
# the steps slider's bottom, top (None: 4 × the task's preset) and first value (None: the preset's), and
# the settings every run of the page changes
SIZES = resources.sizes(
    full={"steps_min": 100, "steps_max": None, "steps": None, "run": {}},
    tiny={
        "steps_min": 10,
        "steps_max": 40,
        "steps": 20,
        "run": {"steps": 20, "eval_every": 10, "eval_n": 20, "n_layer": 1, "n_embd": 16, "warmup": 5},
    },
)
ss = st.session_state


def config(task: str, experiment: str = "none", seed: int = 0) -> core_attention.AttentionConfig:
    """The run the page starts: the task's preset with the experiment's one change (tiny in test mode)."""
    cfg = configs.with_overrides(core_attention.preset(task), seed=int(seed), **CHANGES[experiment])
    return configs.with_overrides(cfg, **SIZES.run)


def steps_range(task: str) -> tuple[int, int, int]:
    """The steps slider's (bottom, top, first value) for `task`."""
    preset = core_attention.preset(task).steps
    return SIZES.steps_min, SIZES.steps_max or 4 * preset, SIZES.steps or preset


def experiment_of(cfg: core_attention.AttentionConfig) -> str:
    if not cfg.causal:
        return "no_mask"
    if cfg.n_head == 1:
        return "one_head"
    return "none" if cfg.pos_emb else "no_pos"


def head_label():
    """`format_func` of the head picker ("mean" or a head's index), in the language of the run that drew it."""
    lang = current_lang()
    return lambda h: (
        t("attention.heads_mean", lang=lang) if h == "mean" else t("attention.head_n", n=h + 1, lang=lang)
    )


@st.cache_resource(show_spinner=False)
def text_data() -> core_attention.TextData:
    """The Japanese text split once for the whole server (read-only)."""
    return core_attention.TextData.of(core_attention.load_text())


# -- the lesson (ui.trainable) ---------------------------------------------------------------------------
def build(cfg: core_attention.AttentionConfig) -> trainable.Training:
    """A fresh GPT for `cfg` in this session, saved to runs/ with its vocabulary."""
    data = text_data() if cfg.task == "text" else None
    model = core_attention.build_model(cfg, data.vocab.size if data else None)
    vocab = data.vocab if data else None
    ss[SESSION] = {"model": model, "cfg": cfg, "vocab": vocab}
    device = jobs.train_device()
    return trainable.Training(
        model=model,
        model_args=model_args(model),
        settings=asdict(cfg),
        records=lambda: core_attention.train_attention(model, cfg, device, data=data),
        epochs=cfg.epochs,
        device=device,
        save_every_s=SAVE_EVERY_S,
        meta=core_attention.checkpoint_meta(cfg, data),
    )


def restore(opened: runs.OpenedRun, cfg: core_attention.AttentionConfig) -> str:
    """The saved GPT as this session's model, its records (and last maps) as a finished job."""
    vocab = core_attention.vocab_of(opened.meta)
    if cfg.task == "text" and vocab is None:
        raise runs.RunError("model", "a text model without its characters")
    log = list(opened.history.get("epochs", []))
    if log and "attention" in opened.arrays:
        log[-1] = {**log[-1], "attention": opened.arrays["attention"], "tokens": opened.arrays["tokens"]}
    ss[SESSION] = {"model": opened.model, "cfg": cfg, "vocab": vocab}
    job = saved_runs.restored_job(LESSON.key, log, saved_runs.step_records(opened.history), cfg.epochs)
    # the settings boxes show the reopened run's (Open runs before the page draws them), so the task
    # chosen is the run's and the page shows it as its own
    low, high, _ = steps_range(cfg.task)
    ss["attention_task"], ss["attention_experiment"] = cfg.task, experiment_of(cfg)
    ss[f"attention_steps_{cfg.task}"] = min(max(cfg.steps, low), high)
    ss["attention_seed"] = cfg.seed
    return t("attention.opened", steps=max([r.get("step", 0) for r in epochs(job)], default=0))


def _history(job: jobs.Job) -> dict:
    """The records (their maps go to `arrays`) and the per-step losses."""
    steps = [{"step": s["step"], "loss": s["loss"]} for s in list(job.steps) if "loss" in s]
    return {"epochs": list(job.epochs_log), "steps": steps}


def _last_maps(job: jobs.Job) -> dict:
    """The latest attention maps and the tokens they are for, so a reopened run shows them."""
    ep = epochs(job)
    if not ep or "attention" not in ep[-1]:
        return {}
    return {"attention": ep[-1]["attention"], "tokens": np.asarray(ep[-1]["tokens"])}


def epochs(job: jobs.Job | None) -> list[dict]:
    return [] if job is None else [r for r in list(job.epochs_log) if r.get("kind") == "epoch"]


def job_task(job: jobs.Job | None) -> str | None:
    """The task of this session's run (trained or reopened here), or None when there is none."""
    return ss[SESSION]["cfg"].task if job is not None and SESSION in ss else None


def job_of(task: str, job: jobs.Job | None) -> jobs.Job | None:
    """The session's run when it is of `task`: what the page draws as the task's own (curves, maps,
    accuracy). A run of another task is not shown as if it were this one's."""
    return job if job_task(job) == task else None


def trained_steps(cfg: core_attention.AttentionConfig, source: str, job: jobs.Job | None) -> int:
    """The updates the try-it model has had: its run's last step when it is this session's, else its
    settings' (a shipped model trained to the end)."""
    ep = epochs(job) if source == "session" else []
    return int(ep[-1]["step"]) if ep else cfg.steps


# -- models the page shows -------------------------------------------------------------------------
def shipped_for(task: str):
    """The shipped model for `task` ("sort" or "text"; `core.checkpoints.Loaded`), or None."""
    return resources.shipped(SHIPPED[task], LESSON.topic.family) if task in SHIPPED else None


def warn_no_shipped(task: str) -> None:
    """Why the shipped model of `task` cannot be used, as the page's warning."""
    resources.shipped_warning(SHIPPED[task], LESSON.topic.family, "attention.no_shipped")


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
        **{k: last.get(k) for k in ("acc", "token_acc", "val_loss")},
        "seconds": last.get("elapsed"),
        "first_99": first_99,
    }


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
        charts.plot(
            st,
            figures.curves(list(job.steps), ep, cfg.task, height=CHART_PX),
            key="attention_curve_chart",
            width="stretch",
        )
        status(job, cfg)
        if ep and cfg.task != "text":
            acc, token_acc, step = 100 * ep[-1]["acc"], 100 * ep[-1]["token_acc"], ep[-1]["step"]
            st.caption(t("attention.live_acc", acc=acc, token_acc=token_acc, step=step))
        elif ep:  # the model's words as plain text: its characters include "[", "(", "$" and "*"
            st.caption(t("attention.live_sample", step=ep[-1]["step"]))
            st.text(ep[-1].get("sample", ""))
    with right, st.container(key="attention_heatmaps"):
        if not ep or "attention" not in ep[-1]:
            st.info(t("attention.waiting"))
            return
        last = ep[-1]
        maps(last["attention"], figures.token_labels(last["tokens"], cfg, vocab), "attention_live_maps")
        st.caption(t("attention.maps_caption", step=last["step"]))


def maps(att: np.ndarray, labels: list[str], key: str) -> None:
    """The heatmaps; in projector mode fewer and larger, with a line saying which are left out."""
    large = projector_on()
    fig = figures.heatmaps(att, labels, height=layout.main_height(CHART_PX), large=large)
    charts.plot(st, fig, key=key, width="stretch")
    if len(fig.data) < att.shape[0] * att.shape[1]:
        st.caption(t("attention.maps_large", layer=att.shape[0]))


def status(job: jobs.Job, cfg: core_attention.AttentionConfig) -> None:
    """`job_widgets.status` in the page's own unit: a run here is set in steps, and its records every
    `eval_every` steps are only the job's "epochs", so "epoch 24 / 24" would name a number the student
    never chose. Queued and failed runs are said as on every page."""
    step = max([r.get("step", 0) for r in (job.last, *epochs(job)[-1:]) if r], default=0)
    saved = epochs(job)[: job.saver.saved_epochs if job.saver else 0]
    count = job_widgets.Count("attention", step, cfg.steps, saved[-1]["step"] if saved else 0)
    job_widgets.status(job, count=count)


LESSON = trainable.Lesson(
    "attention",
    build,
    restore,
    live=training_panel,
    metric_keys=("acc", "token_acc", "val_loss", "train_loss", "step"),  # listed in steps, not epochs
    history=_history,
    arrays=_last_maps,
)
