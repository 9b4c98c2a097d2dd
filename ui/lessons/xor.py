"""The XOR lesson (course part 1): training a tiny MLP as a job (its `LESSON`), and its panels — the
network with its weights, the decision-boundary heatmap, the truth table, one update step by hand — played
in slow motion while it trains and replayed epoch by epoch afterwards. The figures are ui/figures/xor.py."""

from __future__ import annotations

import dataclasses

import streamlit as st

from core import runs, xor
from core.models import model_args
from ui import charts, job_widgets, jobs, saved_runs, trainable
from ui.figures.xor import (
    CHART_HEIGHT,
    heatmap_figure,
    loss_figure,
    matrix_text,
    network_figure,
    truth_table_rows,
)
from ui.i18n import t

SAVE_EVERY_S = 1.0  # an XOR epoch takes about a millisecond: a save a second, and one at the end
TRAINER = "xor_trainer"  # session_state: the xor.Trainer the page shows (trained, stepped or reopened)
# Slow motion (GAN Lab): seconds of pause after each epoch. An epoch takes about a millisecond, so at full
# speed the course's 1,000 epochs are over in about a second and a class sees only before and after;
# "slow" makes them last about 15 s, long enough to watch the boundary bend.
SPEEDS = {"full": 0.0, "fast": 0.005, "slow": 0.015, "slower": 0.06}
DEFAULT_SPEED = "slow"
REPLAY = "xor_replay"  # the replay slider's key; "_xor_replay_end" remembers the run and epoch it ended at
ss = st.session_state


# -- the lesson (ui.trainable) ---------------------------------------------------------------------------
def build(cfg: xor.XORConfig, delay: float = 0.0) -> trainable.Training:
    """A new Trainer for `cfg` in this session, played by a job on the CPU (a 2-2-2-1 network is faster
    there than on a GPU) with `delay` s between epochs."""
    trainer = ss[TRAINER] = xor.Trainer(cfg)
    trainer.controls["delay"] = delay
    return trainable.Training(
        model=trainer.model,
        model_args=model_args(trainer.model),
        settings=dataclasses.asdict(cfg),
        records=trainer.run,
        epochs=cfg.epochs,
        save_every_s=SAVE_EVERY_S,
        # stays in the server even on a cluster: 17 weights train in a millisecond an epoch, and the page
        # draws the Trainer's own history, steps and snapshots while the speed control steers it
        remote=False,
    )


def restore(opened: runs.OpenedRun, cfg: xor.XORConfig) -> str:
    """A finished, read-only Trainer holding the saved weights and records; the builder shows its settings."""
    trainer = xor.Trainer(cfg)
    try:
        trainer.model.load_state_dict(opened.model.state_dict())
    except RuntimeError as e:
        raise runs.RunError("model", str(e)) from e
    trainer.history = [r for r in opened.history.get("epochs", []) if isinstance(r, dict)]
    steps = saved_runs.step_records(opened.history)
    trainer.steps = [(s["step"], s["loss"]) for s in steps]
    trainer.finished, trainer.diverged = True, opened.info.state == "diverged"
    trainer.load_snapshots(opened.arrays.get("snapshot_epochs"), opened.arrays.get("snapshot_params"))
    ss[TRAINER] = trainer
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
    saved_runs.restored_job(LESSON.key, trainer.history, steps, cfg.epochs)
    return t("runs.opened", epochs=opened.info.epochs_done)


LESSON = trainable.Lesson(
    "xor",
    build,
    restore,
    metric_keys=("train_loss", "train_acc"),
    # the replay's weight snapshots (about 100 × 15 numbers for the course network)
    arrays=lambda job: xor.snapshots_of(job.epochs_log),
)


# -- panels (called from app_pages/xor.py) -----------------------------------------------------------------------


def replay_epoch(trainer: xor.Trainer) -> int | None:
    """The replay slider over the epochs the run kept (`REPLAY`); the chosen epoch, or None while there is
    nothing to replay. A new run, or one that grew while the slider stood at its end, starts at its end."""
    epochs = trainer.replay_epochs()
    if len(epochs) < 2:
        return None
    end, before = (id(trainer), epochs[-1]), ss.get("_xor_replay_end")
    if before != end:
        if REPLAY in ss and (before is None or before[0] != end[0] or ss[REPLAY] == before[1]):
            del ss[REPLAY]  # follow the end (the widget's default) rather than stay where it stood
        ss["_xor_replay_end"] = end
    return st.select_slider(
        t("xor.replay"), epochs, value=epochs[-1], key=REPLAY, help=t("xor.replay_help"), format_func=str
    )


def training_panel(trainer: xor.Trainer, job: jobs.Job | None = None) -> None:
    """Loss curve and decision boundary (in the first screen, under the buttons), the replay slider, the
    metrics, the job's progress, then the truth table and the network: for the run so far, or (when no
    job runs) for the epoch the replay slider shows."""
    active = job is not None and job.active
    figures = st.container()  # the charts above the slider, drawn once the slider has said which epoch
    epoch = None if active else replay_epoch(trainer)
    shown = trainer.epoch if epoch is None else epoch
    model = trainer.model_at(shown)
    rows = xor.truth_table(model, trainer.cfg.gate)
    acc = sum(r["correct"] for r in rows) / len(rows)
    with figures:
        # the decision map (the curved boundary no straight line can draw) beside the loss, in projector
        # mode too: stacked, the loss fell off the first screen; the page keeps Train and the settings beside
        left, right = st.columns(2)
        marker = shown if shown != trainer.epoch else None
        charts.plot(
            left, loss_figure(trainer, marker_epoch=marker), key="xor_loss_chart", width="stretch", theme=None
        )
        charts.plot(
            right,
            heatmap_figure(
                xor.decision_grid(model),
                rows,
                height=CHART_HEIGHT,  # projector mode too: taller, it fell off the first screen
                title=t("xor.map_title", epoch=shown),
            ),
            key="xor_heatmap",
            width="stretch",
            theme=None,
        )
    c1, c2, c3 = st.columns([3, 2, 2])  # "1000 / 1000" needs the widest
    c1.metric(t("xor.epoch"), f"{shown} / {trainer.cfg.epochs}")
    c2.metric(t("chart.loss"), f"{xor.final_loss(model, trainer.cfg.gate):.4f}")
    with c3.container(key="xor_accuracy"):
        st.metric(t("xor.accuracy"), f"{100 * acc:.0f}%")
    if trainer.diverged:
        st.error(t("job.diverged"))
    if job is not None:
        job_widgets.status(job)
    st.caption(t("xor.heatmap_caption"))
    st.caption(t("xor.speed_help"))
    st.dataframe(truth_table_rows(rows), hide_index=True, key="xor_truth", width="stretch")
    point = st.radio(
        t("xor.net_input"),
        range(4),
        index=1,
        key="xor_net_point",
        horizontal=True,
        format_func=lambda i: ("[0, 0]", "[0, 1]", "[1, 0]", "[1, 1]")[i],
    )
    inputs = ((0, 0), (0, 1), (1, 0), (1, 1))
    charts.plot(
        st,
        network_figure(xor.network_values(model, inputs[point])),
        key="xor_network",
        width="stretch",
        theme=None,
    )
    st.caption(t("xor.network_caption", a=inputs[point][0], b=inputs[point][1]))


def compare_panel(cfg: xor.XORConfig, rows: list[dict]) -> None:
    """Accuracy per gate, no hidden layer vs. the network, and both decision maps for the chosen gate."""
    st.dataframe(
        [
            {
                t("xor.gate"): r["gate"],
                t("xor.linear"): f"{100 * r['linear']:.0f}%",
                t("xor.network", arch=cfg.architecture()): f"{100 * r['network']:.0f}%",
            }
            for r in rows
        ],
        hide_index=True,
        key="xor_compare_table",
    )
    row = next(r for r in rows if r["gate"] == cfg.gate)
    c1, c2 = st.columns(2)
    for col, name, title in (
        (c1, "linear", t("xor.linear")),
        (c2, "network", t("xor.network", arch=cfg.architecture())),
    ):
        model = row[f"{name}_model"]
        fig = heatmap_figure(
            xor.decision_grid(model),
            xor.truth_table(model, cfg.gate),
            height=330,
            title=f"{title}: {100 * row[name]:.0f}%",
        )
        charts.plot(col, fig, key=f"xor_compare_{name}", width="stretch", theme=None)
    st.info(t("xor.compare_lesson"), icon=":material/lightbulb:")


def step_panel(numbers: dict, model, cfg: xor.XORConfig) -> None:
    """Forward pass, loss, gradients and the update of one batch (the whole truth table)."""
    grads = [layer["dW"] for layer in numbers["layers"]]
    values = xor.network_values(model, (0.0, 1.0))
    charts.plot(st, network_figure(values, grads), key="xor_step_network", width="stretch", theme=None)
    st.markdown(t("xor.step_forward"))
    st.code("x =\n" + matrix_text(numbers["x"], 0), language="text")
    for i, layer in enumerate(numbers["layers"], start=1):
        act = "sigmoid" if i == len(numbers["layers"]) else cfg.activation
        with st.container(border=True):
            st.markdown(t("xor.step_layer", i=i, act=act))
            c1, c2, c3 = st.columns(3)
            c1.code(f"W{i} =\n{matrix_text(layer['W'])}\nb{i} = {matrix_text(layer['b'])}", language="text")
            c2.code(f"z{i} = a{i - 1} @ W{i}.T + b{i} =\n{matrix_text(layer['z'])}", language="text")
            c3.code(f"a{i} = {act}(z{i}) =\n{matrix_text(layer['a'])}", language="text")
    st.markdown(t("xor.step_loss", loss=numbers["loss"]))
    st.latex(r"L = -\frac{1}{4}\sum_{k=1}^{4}\left[y_k \log p_k + (1-y_k)\log(1-p_k)\right]")
    st.markdown(t("xor.step_backward"))
    for i, layer in enumerate(numbers["layers"], start=1):
        c1, c2 = st.columns(2)
        c1.code(
            f"∂L/∂W{i} =\n{matrix_text(layer['dW'], 4)}\n∂L/∂b{i} = {matrix_text(layer['db'], 4)}",
            language="text",
        )
        c2.code(
            f"W{i} → \n{matrix_text(layer['W_new'])}\nb{i} → {matrix_text(layer['b_new'])}", language="text"
        )
    st.markdown(t(f"xor.step_update_{cfg.optimizer}", lr=cfg.lr, after=numbers["loss_after"]))
