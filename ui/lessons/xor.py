"""The XOR lesson (course part 1): training a tiny MLP as a job, its saved runs, and its figures — the
network drawn with its weights, the decision-boundary heatmap, the truth table, one update step by hand —
played in slow motion while it trains and replayed epoch by epoch afterwards."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from core import runs, xor
from core.models import model_args
from ui import job_widgets, jobs, layout, saved_runs, trainable
from ui.charts import FONT, loss_chart
from ui.i18n import t

SAVE_EVERY_S = 1.0  # an XOR epoch takes about a millisecond: a save a second, and one at the end
TRAINER = "xor_trainer"  # session_state: the xor.Trainer the page shows (trained, stepped or reopened)
# Slow motion (GAN Lab): seconds of pause after each epoch. An epoch takes about a millisecond, so at full
# speed the course's 1,000 epochs are over in about a second and a class sees only before and after;
# "slow" makes them last about 15 s, long enough to watch the boundary bend.
SPEEDS = {"full": 0.0, "fast": 0.005, "slow": 0.015, "slower": 0.06}
DEFAULT_SPEED = "slow"
REPLAY = "xor_replay"  # the replay slider's key; "_xor_replay_end" remembers the run and epoch it ended at
CHART_HEIGHT = 300  # loss chart and decision map side by side, under the buttons, in the first screen
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


POS, NEG = "#d62728", "#1f77b4"  # weight colours: red positive, blue negative (as TF Playground)
HOVER_SIZE = 16  # px: hover text, readable from the back of a room as everything else on the figures
TICK_SIZE = 18  # px: tick labels
UNIT_TICKS = {"tickvals": [0, 0.5, 1], "ticktext": ["0", "0.5", "1"]}  # the inputs' two values and between


def network_figure(
    values: dict, grads: list[list[list[float]]] | None = None, height: int = 360
) -> go.Figure:
    """Neurons as circles (filled by their activation for the chosen input), weights as lines.

    Line width and colour follow the weight (red +, blue −); hovering a line or neuron shows its values.
    `values` is `core.xor.network_values`; `grads` (per layer, (out, in)) adds ∂loss/∂w to the hover.
    """
    sizes, weights, biases, acts = values["sizes"], values["weights"], values["biases"], values["activations"]
    fig = go.Figure()
    pos = {}
    for layer, n in enumerate(sizes):
        for j in range(n):
            pos[layer, j] = (layer, (n - 1) / 2 - j)
    biggest = max((abs(w) for W in weights for row in W for w in row), default=1.0) or 1.0
    edges: dict[
        tuple[str, float], tuple[list, list, list]
    ] = {}  # one trace per colour and width (¼ px steps)
    for layer, W in enumerate(weights):
        for j, row in enumerate(W):
            for i, w in enumerate(row):
                (x0, y0), (x1, y1) = pos[layer, i], pos[layer + 1, j]
                hover = f"w[{layer + 1}]({j},{i}) = {w:+.3f}"
                if grads is not None:
                    hover += f"<br>∂L/∂w = {grads[layer][j][i]:+.4f}"
                xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
                style = (POS if w >= 0 else NEG, round(4 * (1 + 7 * abs(w) / biggest)) / 4)
                xs_, ys_, hovers = edges.setdefault(style, ([], [], []))
                xs_ += [x0, xm, x1, None]  # None: the pen lifts between two weights
                ys_ += [y0, ym, y1, None]
                hovers += [hover, hover, hover, ""]
    for (color, width), (
        xs_,
        ys_,
        hovers,
    ) in edges.items():  # a few traces, not one per weight (Plotly is slow)
        fig.add_scatter(
            x=xs_,
            y=ys_,
            mode="lines",
            hoverinfo="text",
            text=hovers,
            line={"color": color, "width": width},
            showlegend=False,
        )
    xs, ys, colors, texts, labels = [], [], [], [], []
    for (layer, j), (x, y) in pos.items():
        a = acts[layer][j]
        xs.append(x)
        ys.append(y)
        colors.append(a)
        text = f"a = {a:.3f}"
        if layer > 0:
            text += f"<br>b = {biases[layer - 1][j]:+.3f}"
        texts.append(text)
        labels.append(f"{a:.2f}")
    fig.add_scatter(
        x=xs,
        y=ys,
        mode="markers+text",
        text=labels,
        textposition="middle center",
        hovertext=texts,
        hoverinfo="text",
        showlegend=False,
        textfont={"size": 17, "color": ["white" if abs(c - 0.5) > 0.3 else "black" for c in colors]},
        marker={
            "size": 56,
            "color": colors,
            "colorscale": "RdBu_r",
            "cmin": 0,
            "cmax": 1,
            "line": {"color": "#333", "width": 2},
        },
    )
    names = (
        [t("xor.layer_in")]
        + [t("xor.layer_hidden", i=i) for i in range(1, len(sizes) - 1)]
        + [t("xor.layer_out")]
    )
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 10, "b": 40},
        font=FONT,
        hoverlabel={"font": {"size": HOVER_SIZE}},
        hovermode="closest",
        plot_bgcolor="white",
    )
    span = max(sizes) / 2 + 0.3
    fig.update_xaxes(
        tickvals=list(range(len(sizes))),
        ticktext=names,
        showgrid=False,
        zeroline=False,
        range=[-0.4, len(sizes) - 0.6],
        tickfont={"size": 18},
    )
    fig.update_yaxes(visible=False, range=[-span, span])
    return fig


def heatmap_figure(
    grid: tuple[list[float], list[float], list[list[float]]],
    gate_rows: list[dict],
    height: int = 380,
    title: str = "",
) -> go.Figure:
    """The model's output over the plane (blue 0 … red 1), the 0.5 boundary, and the four truth-table points.

    Ticks at 0, 0.5 and 1 on both axes; fixed margins leave room for the axis titles (not Plotly's
    automatic ones, so a live redraw never makes the map jump)."""
    # arrays, not lists: Plotly checks a list element by element
    xs, ys, z = (np.asarray(v, dtype=float) for v in grid)
    fig = go.Figure()
    fig.add_heatmap(
        x=xs,
        y=ys,
        z=z,
        zmin=0,
        zmax=1,
        colorscale="RdBu_r",
        opacity=0.85,
        showscale=False,  # the points say it: blue 0, red 1 (and the caption); the map keeps the width
        hovertemplate="x1=%{x:.2f}<br>x2=%{y:.2f}<br>p=%{z:.3f}<extra></extra>",
    )
    fig.add_contour(
        x=xs,
        y=ys,
        z=z,
        contours={"start": 0.5, "end": 0.5, "coloring": "none"},
        line={"color": "black", "width": 3},
        showscale=False,
        hoverinfo="skip",
        showlegend=False,
    )
    fig.add_scatter(
        x=[r["a"] for r in gate_rows],
        y=[r["b"] for r in gate_rows],
        mode="markers+text",
        text=[str(r["target"]) for r in gate_rows],
        textposition=["bottom right" if r["b"] else "top right" for r in gate_rows],  # inside the square
        textfont={"size": 20, "color": "black"},
        hoverinfo="skip",
        showlegend=False,
        marker={
            "size": 20,
            "color": [POS if r["target"] else NEG for r in gate_rows],
            "symbol": ["circle" if r["correct"] else "x" for r in gate_rows],
            "line": {"color": "white", "width": 2},
        },
    )
    fig.update_layout(
        height=height,
        margin={"l": 64, "r": 12, "t": 40 if title else 10, "b": 56},
        font=FONT,
        hoverlabel={"font": {"size": HOVER_SIZE}},
        title={"text": title, "font": {"size": 18}} if title else None,
        plot_bgcolor="white",
    )
    axis = {"constrain": "domain", "showgrid": False, "zeroline": False, "ticks": "outside", **UNIT_TICKS}
    fig.update_xaxes(title={"text": "x1", "standoff": 6}, range=[float(xs[0]), float(xs[-1])], **axis)
    fig.update_yaxes(
        title={"text": "x2", "standoff": 6}, range=[float(ys[0]), float(ys[-1])], scaleanchor="x", **axis
    )
    return fig


def loss_figure(
    trainer: xor.Trainer, height: int = CHART_HEIGHT, marker_epoch: int | None = None
) -> go.Figure:
    """The loss per batch and per epoch (log scale), a dotted line at `marker_epoch` (the replay's);
    before any training a short message where the curve will be, not an empty log axis."""
    if not trainer.steps:
        fig = go.Figure()
        fig.update_layout(
            height=height,
            margin={"l": 10, "r": 10, "t": 40, "b": 10},
            font=FONT,
            xaxis={"visible": False},
            yaxis={"visible": False},
            plot_bgcolor="#f7f7f9",
            annotations=[
                {
                    "text": t("xor.loss_empty"),
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.5,
                    "y": 0.5,
                    "showarrow": False,
                    "font": {"size": 20, "color": "#555"},
                }
            ],
        )
        return fig
    batches = math.ceil(4 / trainer.cfg.batch_size)
    fig = loss_chart(list(trainer.steps), list(trainer.history), batches, log_y=True)
    fig.update_layout(
        height=height,
        template="plotly_white",
        margin={"t": 40},
        showlegend=False,  # the per-batch and per-epoch curves are one line at batch 4; the axes say the rest
        hoverlabel={"font": {"size": HOVER_SIZE}},
    )
    fig.update_xaxes(tickfont={"size": TICK_SIZE})
    fig.update_yaxes(tickfont={"size": TICK_SIZE}, dtick=1)  # a label per power of ten, no 2s and 5s
    if marker_epoch is not None:
        fig.add_vline(x=marker_epoch * batches, line={"color": "#333", "width": 2, "dash": "dot"})
    return fig


def truth_table_rows(rows: list[dict]) -> list[dict]:
    """The truth table with output, confidence and a ✓/✗, with translated column names."""
    return [
        {
            "x1": r["a"],
            "x2": r["b"],
            t("xor.col_target"): r["target"],
            t("xor.col_output"): round(r["output"], 4),
            t("xor.col_pred"): r["prediction"],
            t("xor.col_conf"): f"{100 * r['confidence']:.1f}%",
            t("xor.col_ok"): "✓" if r["correct"] else "✗",
        }
        for r in rows
    ]


def matrix_text(m: list, digits: int = 3) -> str:
    """A list or list of lists printed like a small tensor."""
    if m and isinstance(m[0], list):
        return "[" + ",\n ".join("[" + ", ".join(f"{v:+.{digits}f}" for v in row) + "]" for row in m) + "]"
    return "[" + ", ".join(f"{v:+.{digits}f}" for v in m) + "]"


# -- panels (called from pages/xor.py) -----------------------------------------------------------------------


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
        # the decision map is the lesson's chart (the curved boundary no straight line can draw): in
        # projector mode it spans the main area, taller, and the loss curve goes below it
        left, right = layout.main_columns(2, main=1)
        marker = shown if shown != trainer.epoch else None
        left.plotly_chart(
            loss_figure(trainer, marker_epoch=marker), key="xor_loss_chart", width="stretch", theme=None
        )
        right.plotly_chart(
            heatmap_figure(
                xor.decision_grid(model),
                rows,
                height=layout.main_height(CHART_HEIGHT),
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
    st.plotly_chart(
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
        col.plotly_chart(fig, key=f"xor_compare_{name}", width="stretch", theme=None)
    st.info(t("xor.compare_lesson"), icon=":material/lightbulb:")


def step_panel(numbers: dict, model, cfg: xor.XORConfig) -> None:
    """Forward pass, loss, gradients and the update of one batch (the whole truth table)."""
    grads = [layer["dW"] for layer in numbers["layers"]]
    values = xor.network_values(model, (0.0, 1.0))
    st.plotly_chart(network_figure(values, grads), key="xor_step_network", width="stretch", theme=None)
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
