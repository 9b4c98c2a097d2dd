"""The Hyperparameters lesson: a queue of CNN runs with varied settings, compared side by side.

The session's runs, the queue job and the saver that writes every run of it to runs/ (one comparison),
declared as a `trainable.QueueLesson` that lists and reopens the saved comparisons; the widgets that design
a grid. The queue's worker thread only writes `core.experiments.RunResult`s; everything here reads them
(snapshots of their lists) from the page's script thread or its live fragment. The curves, the results
table and the run names are in ui/figures/hyperparams.py; the page's panels in ui/panels/hyperparams.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import streamlit as st

from core import experiment_runs, run_export, runs
from core import experiments as ex
from ui import inputs, jobs, links, resources, saved_runs, trainable
from ui.figures.hyperparams import fmt
from ui.i18n import relabelled, t

ss = st.session_state
RUNS = "hyperparams_history"  # list[RunResult]: every run of this session, until cleared
QUEUE = "hyperparams_queue"  # the RunQueue the current job consumes
# what a grid trains here: no caps for a class; under test mode a few images (and validation digits), at
# most 2 epochs and a small dense layer
# val_n None: the whole test split, up to MAX_VAL; fashion_n: the Fashion-MNIST images the page loads
SIZES = resources.sizes(
    full={"val_n": None, "max_train": None, "max_epochs": None, "hidden": None, "fashion_n": 10_000},
    tiny={"val_n": 200, "max_train": 100, "max_epochs": 2, "hidden": 16, "fashion_n": 300},
)


def session_runs() -> list[ex.RunResult]:
    """Every run of this session (trained here or reopened), oldest first, until cleared."""
    return ss.setdefault(RUNS, [])


def queue() -> ex.RunQueue | None:
    return ss.get(QUEUE)


def enqueue(specs: Sequence[ex.RunSpec], data: ex.Data, device: str) -> None:
    """Add runs to the session's runs and to the running queue, or start a new queue job."""
    results = ex.new_results(specs)
    session_runs().extend(results)
    job, q = jobs.get(LESSON.key), queue()
    if job is not None and job.active and q is not None:
        q.extend(results)  # the running iterator picks them up after its current run
        return
    q = ex.RunQueue(results, data, device, threads=1 if device == "cpu" else None)  # see RunQueue.threads
    ss[QUEUE] = q
    epochs = sum(s.settings.epochs for s in specs)
    saver = ComparisonSaver(experiment_runs.ComparisonWriter(saved_runs.name_for_saving()), q)
    jobs.start(LESSON.key, q.records, epochs, device, saver=saver)  # every run saved after each epoch


def add_reopened(results: Sequence[ex.RunResult]) -> int:
    """Add a reopened comparison's runs (finished, read-only) to the session's runs, shown, with new ids;
    runs already there are skipped. Returns how many were added."""
    present = {r.saved_as for r in session_runs() if r.saved_as}
    new = [r for r in results if r.saved_as not in present]
    ids = renumber([r.spec for r in new])
    for r, spec in zip(new, ids):
        r.spec = spec
    session_runs().extend(new)
    ss["hyperparams_show"] = [*ss.get("hyperparams_show", []), *(r.run_id for r in new)]
    return len(new)


def clear() -> None:
    """Forget every run (cancelling the queue first)."""
    q = queue()
    if q is not None:
        q.cancel()
    ss[RUNS] = []
    ss["hyperparams_show"] = []


def queue_ended(job: jobs.Job) -> bool:
    """The queue's job ran to its end. A run's own "diverged" record (it carries "run") ends that run
    only and the queue goes on, so a job whose last record was one still ended as a whole queue."""
    return job.state == "done" or (job.state == "diverged" and "run" in job.last)


def renumber(specs: Sequence[ex.RunSpec]) -> list[ex.RunSpec]:
    """Give the runs ids that are unique in this session (they colour the curves)."""
    first = ss.get("hyperparams_next_id", 1)
    ss["hyperparams_next_id"] = first + len(specs)
    return [replace(s, run_id=first + i) for i, s in enumerate(specs)]


# -- saved comparisons: every run of a queue in runs/ (core.experiment_runs), listed and reopened together
@dataclass
class ComparisonSaver:
    """Writes every run of a hyperparameter queue to runs/ (a core.jobs.Saver), from the worker only:
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


def _comparisons(name: str) -> list[trainable.Saved]:
    """The student's saved comparisons, newest first, labelled with date, runs, what varied, best accuracy."""
    return [trainable.Saved(c.comparison, _label(c)) for c in experiment_runs.list_comparisons(name)]


def _label(c: experiment_runs.Comparison) -> str:
    acc = c.best_acc()
    return t(
        "runs.comparison_item",
        date=saved_runs.when(c.updated),
        n=len(c.runs),
        params=", ".join(t(f"hyperparams.short.{n}") for n in c.varied) or t("hyperparams.base_run"),
        metric=f" ・ {100 * acc:.1f}%" if acc is not None else "",
    )


def _reopen_comparison(saved_id: str) -> str:
    """Add a saved comparison's runs to the page (`add_reopened`); runs.RunError if one cannot be opened."""
    found = {c.comparison: c for c in experiment_runs.list_comparisons(saved_runs.student_name())}
    if saved_id not in found:
        raise runs.RunError("unreadable", saved_id)
    n = add_reopened(experiment_runs.open_comparison(found[saved_id], first_id=0))
    return t("runs.comparison_opened", n=n)


def _comparison_zip(saved_id: str, name: str) -> bytes:
    """A saved comparison of the student `name` as one take-home zip: its runs, and a train.py that trains
    them again in turn. Called when the button is clicked, outside the session: no session state here."""
    found = {c.comparison: c for c in experiment_runs.list_comparisons(name)}
    if saved_id not in found:
        raise runs.RunError("unreadable", saved_id)
    return run_export.queue_zip([r.run_id for r in found[saved_id].runs], f"hyperparams_{saved_id}")


LESSON = trainable.QueueLesson("hyperparams", _comparisons, _reopen_comparison, _comparison_zip)


# -- designing a grid: widgets keep their values in session state under these keys -----------------------
# what a hyperparameter's value picker starts with (the course's)
DEFAULT_VALUES: dict[str, tuple] = {
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


def shrink(spec: ex.RunSpec, n_max: int) -> ex.RunSpec:
    """A grid's run as it trains here: no more images than the split holds, within `SIZES`' caps."""
    s = spec.settings
    s = replace(s, train_size=min(s.train_size, n_max, SIZES.max_train or n_max))
    s = replace(s, epochs=min(s.epochs, SIZES.max_epochs or s.epochs), hidden=SIZES.hidden or s.hidden)
    return replace(spec, settings=s)


def value_labels(name: str):
    """`format_func` of a picker of `name`'s values: each value as `fmt` writes it, in the language of the
    run that drew the widget (AppTest calls a format_func again after the script ended)."""
    return {v: fmt(name, v) for v in ex.CHOICES[name]}.get


def design(
    n_max: int, source: str, n_val: int, dataset: str = "mnist"
) -> tuple[list[ex.RunSpec], str | None]:
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
            vary[p] = st.multiselect(
                t("hyperparams.values"),
                list(ex.CHOICES[p]),
                **links.keep(relabelled(key)),
                format_func=value_labels(p),
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
            base[p] = cols[i % 4].selectbox(
                label[p],
                list(ex.CHOICES[p]),
                key=relabelled(links.choice(f"hyperparams_base_{p}", ex.CHOICES[p])),
                format_func=value_labels(p),
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
    settings = ex.Settings(**base, train_size=int(size), seed=int(seed), dataset=dataset)
    n = 1
    for values in vary.values():
        n *= max(1, len(values))
    if n > ex.MAX_RUNS:
        return [], t("hyperparams.err.too_many", n=n, max=ex.MAX_RUNS)
    if error:
        return [], error
    specs = [shrink(s, n_max) for s in ex.grid(settings, vary)]
    epochs = sum(s.settings.epochs for s in specs)
    st.markdown(t("hyperparams.n_runs", n=len(specs), epochs=epochs, val=n_val, source=source))
    return specs, None
