"""Saved runs in the UI: the student's name (sidebar), a saver that writes each run to runs/ from the
training worker, and a "saved runs" panel per page that reopens a run into the session.

The saver runs in the job's worker thread between batches (ui.jobs calls it on every epoch record and
when the job ends), so the weights it writes are a consistent snapshot and the page's live fragment never
waits for the disk. It never calls `st.*` and never raises: a failure is kept in `error` and shown.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import streamlit as st
from torch import nn

from core import experiment_runs, runs
from ui import jobs
from ui.i18n import t

NAME_KEY = "runs_name"
KEPT_KEY = "_runs_name_kept"  # a plain copy: a widget's value is dropped on a run that does not draw it
END_STATES = {"paused": "stopped", "done": "done", "diverged": "diverged", "error": "error"}
MAX_GRIDS = 60  # GAN sample grids kept on disk per run (the latest ones): ~3 MB at 64 x 28 x 28
ss = st.session_state


def name_input() -> None:
    """The name box in the shared sidebar (key `runs_name`), so it stays the same on every page."""
    if NAME_KEY not in ss:
        ss[NAME_KEY] = ss.get(KEPT_KEY, "")
    st.text_input(t("runs.name"), key=NAME_KEY, max_chars=runs.MAX_NAME, help=t("runs.name_help"))
    ss[KEPT_KEY] = ss[NAME_KEY]


def student_name() -> str:
    return str(ss.get(NAME_KEY) or ss.get(KEPT_KEY) or "").strip()


def from_dict(cls, data: dict):
    """A dataclass from a saved config, ignoring keys it does not know (older or newer saves)."""
    names = {f.name for f in dataclasses.fields(cls)}
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in names}
    return cls(**values)


# -- saving ------------------------------------------------------------------------------------
@dataclass
class RunSaver:
    """Writes one job's model and history to runs/ (see ui.jobs.Saver); called from the worker only."""

    writer: runs.RunWriter
    model: nn.Module
    model_config: dict
    history: Callable[[jobs.Job], dict]  # {name: records} to store
    metrics: Callable[[jobs.Job], dict] = lambda job: {}
    arrays: Callable[[jobs.Job], dict] | None = None
    meta: dict = field(default_factory=dict)
    every_s: float = 0.0  # at most one save per this many seconds (XOR's epochs take a millisecond)
    error: str = ""  # the last failure, shown by jobs.status; "" once a save works again
    saved_epochs: int = 0
    _last_save: float = -1e9

    def record(self, job: jobs.Job, rec: dict) -> None:
        if rec.get("kind") == "epoch" and time.monotonic() - self._last_save >= self.every_s:
            self._save(job, "running")

    def end(self, job: jobs.Job) -> None:
        if job.epochs_log or job.steps:  # a job cancelled while queued trained nothing
            self._save(job, END_STATES.get(job.state, "stopped"))

    def _save(self, job: jobs.Job, state: str) -> None:
        done = sum(1 for r in job.epochs_log if r.get("kind") == "epoch")
        ok = self.writer.save(
            self.model,
            self.model_config,
            state=state,
            epochs_done=done,
            history=self.history(job),
            metrics=self.metrics(job),
            meta=self.meta,
            arrays=self.arrays(job) if self.arrays else None,
        )
        self.error = self.writer.error
        self._last_save = time.monotonic()
        if ok:
            self.saved_epochs = done


@dataclass
class ComparisonSaver:
    """Writes every run of a hyperparameter queue to runs/ (core.experiment_runs), from the worker only:
    on each run's epoch record and its end, and for any run left unsaved when the job ends."""

    writer: experiment_runs.ComparisonWriter
    queue: object  # core.experiments.RunQueue; runs appended while it runs are saved too
    error: str = ""

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


def comparison_saver(queue) -> ComparisonSaver:
    return ComparisonSaver(experiment_runs.ComparisonWriter(student_name()), queue)


def new_writer(page: str, config: dict) -> runs.RunWriter:
    return runs.RunWriter(page, student_name(), config)


def restored_job(page: str, epochs_log: list[dict], steps: list | None = None, epochs: int = 0) -> jobs.Job:
    """A finished job holding a reopened run's records (nothing to resume), put under `page`."""
    job = jobs.Job(label=page, device="cpu", epochs=epochs or len(epochs_log), make_iter=lambda: iter(()))
    job.epochs_log, job.steps, job.state = list(epochs_log), list(steps or []), "restored"
    job.last = dict(epochs_log[-1]) if epochs_log else {}
    jobs.put(page, job)
    return job


# -- the panel ---------------------------------------------------------------------------------
def _label(r: runs.RunInfo) -> str:
    metric = ""
    acc = r.metrics.get("val_acc")
    if isinstance(acc, (int, float)):
        metric = f" ・ {100 * acc:.1f}%"
    date = r.updated.replace("T", " ")[:16]
    state = t(f"runs.state.{r.state}") if r.state in runs.STATES else r.state
    return t("runs.item", date=date, epochs=r.epochs_done, state=state, metric=metric)


def _open(page: str, run_id: str, family: str | None, restore: Callable[[runs.OpenedRun], None]) -> None:
    try:
        opened = runs.open_run(run_id, expected_family=family)
        if opened.model is None:
            raise runs.RunError("model", "no model saved")
        restore(opened)
    except runs.RunError as e:
        reason = t(f"runs.err.{e.code}") if e.code in ("outside", "unreadable", "model") else e.detail
        ss[f"_{page}_runs_msg"] = ("error", t("runs.open_failed", reason=reason))
        return
    ss[f"_{page}_runs_msg"] = ("success", t("runs.opened", epochs=opened.info.epochs_done))


def _header(page: str) -> str:
    """The panel's title and last message; the student's name, or "" (with a hint) when none is typed."""
    st.markdown(f"**{t('runs.title')}**")
    kind, msg = ss.pop(f"_{page}_runs_msg", (None, ""))
    if kind:
        (st.success if kind == "success" else st.error)(msg)
    name = student_name()
    if not name:
        st.caption(t("runs.no_name"))
    return name


def panel(page: str, restore: Callable[[runs.OpenedRun], None], family: str | None = None) -> None:
    """This page's saved runs of the student's name, newest first, with Open (`<page>_runs_open`)."""
    name = _header(page)
    if not name:
        return
    found = runs.list_runs(page, name)
    if not found:
        st.caption(t("runs.none", name=name))
        return
    labels = {r.run_id: _label(r) for r in found}
    job = jobs.get(page)
    busy = job is not None and job.active
    a, b = st.columns([4, 1], vertical_alignment="bottom")
    pick = a.selectbox(t("runs.pick"), list(labels), key=f"{page}_runs_pick", format_func=labels.get)
    b.button(
        t("runs.open"),
        key=f"{page}_runs_open",
        disabled=busy or pick is None,
        width="stretch",
        on_click=_open,
        args=(page, pick, family, restore),
    )
    if busy:
        st.caption(t("runs.busy"))


def _comparison_label(c: experiment_runs.Comparison) -> str:
    acc = c.best_acc()
    return t(
        "runs.comparison_item",
        date=c.updated.replace("T", " ")[:16],
        n=len(c.runs),
        params=", ".join(t(f"hyperparams.short.{n}") for n in c.varied) or t("hyperparams.base_run"),
        metric=f" ・ {100 * acc:.1f}%" if acc is not None else "",
    )


def _open_comparison(page: str, comparison: str, restore: Callable[[list], None]) -> None:
    found = {c.comparison: c for c in experiment_runs.list_comparisons(student_name())}
    try:
        if comparison not in found:
            raise runs.RunError("unreadable", comparison)
        results = experiment_runs.open_comparison(found[comparison], first_id=0)
    except runs.RunError as e:
        reason = t(f"runs.err.{e.code}") if e.code in ("outside", "unreadable", "model") else e.detail
        ss[f"_{page}_runs_msg"] = ("error", t("runs.open_failed", reason=reason))
        return
    n = restore(results)
    ss[f"_{page}_runs_msg"] = ("success", t("runs.comparison_opened", n=n))


def comparison_panel(page: str, restore: Callable[[list], int], busy: bool) -> None:
    """The student's saved hyperparameter comparisons, newest first; Open adds their runs to the page
    (`restore(results)` renumbers them and returns how many it added)."""
    name = _header(page)
    if not name:
        return
    found = experiment_runs.list_comparisons(name)
    if not found:
        st.caption(t("runs.none", name=name))
        return
    labels = {c.comparison: _comparison_label(c) for c in found}
    a, b = st.columns([4, 1], vertical_alignment="bottom")
    pick = a.selectbox(
        t("runs.pick_comparison"), list(labels), key=f"{page}_runs_pick", format_func=labels.get
    )
    b.button(
        t("runs.open"),
        key=f"{page}_runs_open",
        disabled=busy or pick is None,
        width="stretch",
        on_click=_open_comparison,
        args=(page, pick, restore),
    )
    if busy:
        st.caption(t("runs.busy"))


def save_status(job: jobs.Job) -> None:
    """Inside the live panel: a warning when saving failed (training goes on)."""
    saver = job.saver
    if saver is None:
        return
    if getattr(saver, "error", ""):
        st.warning(t("runs.save_failed", error=saver.error), icon=":material/save:")
    elif getattr(saver, "saved_epochs", 0):
        st.caption(t("runs.saved", epochs=saver.saved_epochs))


# -- per page: what to save and how to put it back -----------------------------------------------
def cnn_saver(model: nn.Module, cfg, meta: dict) -> RunSaver:
    """The CNN page's run: weights, its config, epoch records and the per-batch losses."""
    return RunSaver(
        new_writer("cnn", dataclasses.asdict(cfg)),
        model,
        cfg.model_config(),
        history=lambda job: {"epochs": job.epochs_log, "steps": [list(s) for s in job.steps]},
        metrics=lambda job: _last(job, ("val_acc", "val_loss", "train_loss")),
        meta=meta,
    )


def restore_cnn(opened: runs.OpenedRun, n_train: int) -> None:
    from core.cnn import CNNTrainConfig

    cfg = from_dict(CNNTrainConfig, opened.info.config)
    n = min(cfg.train_size or n_train, n_train)
    ss["cnn_run"] = {"model": opened.model, "cfg": cfg, "batches": -(-n // cfg.batch_size)}
    steps = [tuple(s) for s in opened.history.get("steps", []) if s[1] is not None]
    restored_job("cnn", opened.history.get("epochs", []), steps, cfg.epochs)


def gan_saver(page: str, G: nn.Module, cfg, hist: dict) -> RunSaver:
    """The GAN/cGAN page's run: the generator, per-step losses, epoch records and the latest grids."""
    from core.gan import model_config

    def arrays(job: jobs.Job) -> dict:
        ep = [r for r in list(hist["epochs"]) if "grid" in r][-MAX_GRIDS:]
        if not ep:
            return {}
        return {"grids": np.stack([r["grid"] for r in ep]), "grid_epochs": np.array([r["epoch"] for r in ep])}

    return RunSaver(
        new_writer(page, cfg.as_dict()),
        G,
        model_config(G),
        history=lambda job: {"epochs": hist["epochs"], "steps": hist["steps"]},
        metrics=lambda job: _last(job, ("d_loss", "g_loss")),
        arrays=arrays,
    )


def restore_gan(page: str, opened: runs.OpenedRun) -> None:
    from core.gan import GanConfig

    cfg = from_dict(GanConfig, opened.info.config)
    grids = dict(zip(opened.arrays.get("grid_epochs", np.array([])).tolist(), opened.arrays.get("grids", [])))
    epochs = [
        {**r, "grid": grids[r["epoch"]]} for r in opened.history.get("epochs", []) if r.get("epoch") in grids
    ]
    steps = [s for s in opened.history.get("steps", []) if all(v is not None for v in s.values())]
    ss[f"{page}_G"] = opened.model
    ss[f"{page}_hist"] = {"steps": steps, "epochs": epochs, "cfg": cfg}
    restored_job(page, opened.history.get("epochs", []), None, cfg.epochs)


def vae_saver(model: nn.Module, cfg) -> RunSaver:
    from core.vae import model_config

    return RunSaver(
        new_writer("vae", dataclasses.asdict(cfg)),
        model,
        model_config(model),
        history=lambda job: {"epochs": job.epochs_log},
        metrics=lambda job: _last(job, ("recon", "kl", "val_loss")),
    )


def restore_vae(opened: runs.OpenedRun) -> None:
    from core.vae import VAEConfig

    if not opened.info.config or not opened.family.startswith("vae."):
        raise runs.RunError("model", "not an autoencoder")
    cfg = from_dict(VAEConfig, opened.info.config)
    ss["vae_session"] = {"model": opened.model, "cfg": cfg}
    ss.pop("vae_which", None)
    restored_job("vae", opened.history.get("epochs", []), None, cfg.epochs)


XOR_SAVE_EVERY_S = 1.0  # an XOR epoch takes about a millisecond: a save a second, and one at the end


def xor_saver(trainer) -> RunSaver:
    """The XOR page's run: the tiny MLP, its config, epoch records and batch losses."""
    cfg = trainer.cfg
    history = lambda job: {"epochs": trainer.history, "steps": [list(s) for s in trainer.steps]}  # noqa: E731
    return RunSaver(
        new_writer("xor", dataclasses.asdict(cfg)),
        trainer.model,
        cfg.model_config(),
        history=history,
        metrics=lambda job: _last(job, ("train_loss", "train_acc")),
        every_s=XOR_SAVE_EVERY_S,
    )


def restore_xor(opened: runs.OpenedRun) -> None:
    """A finished, read-only Trainer holding the saved weights and history; the builder shows its settings."""
    from core import xor

    try:
        cfg = from_dict(xor.XORConfig, opened.info.config)
    except (TypeError, ValueError) as e:
        raise runs.RunError("unreadable", str(e)) from e
    trainer = xor.Trainer(cfg)
    try:
        trainer.model.load_state_dict(opened.model.state_dict())
    except RuntimeError as e:
        raise runs.RunError("model", str(e)) from e
    trainer.history = [r for r in opened.history.get("epochs", []) if isinstance(r, dict)]
    trainer.steps = [tuple(s) for s in opened.history.get("steps", []) if s[1] is not None]
    trainer.finished, trainer.diverged = True, opened.info.state == "diverged"
    ss["xor_trainer"] = trainer
    widgets = {
        "xor_gate": cfg.gate,
        "xor_layers": len(cfg.hidden),
        "xor_activation": cfg.activation,
        "xor_optimizer": cfg.optimizer,
        "xor_lr": cfg.lr,
        "xor_epochs": cfg.epochs,
        "xor_batch": cfg.batch_size,
        "xor_seed": cfg.seed,
    }
    ss.update(widgets | {f"xor_neurons_{i}": n for i, n in enumerate(cfg.hidden)})
    restored_job("xor", trainer.history, None, cfg.epochs)


def _last(job: jobs.Job, keys: tuple[str, ...]) -> dict:
    ep = [r for r in job.epochs_log if r.get("kind") == "epoch"]
    return {k: ep[-1][k] for k in keys if ep and k in ep[-1]}
