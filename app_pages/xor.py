"""XOR page (course 000, Part 1, 1.4): an MLP learns what a straight line cannot.

The first screen is the lesson's action: the builder beside Train and the live loss curve and decision map.
Reference (the gates' truth tables, the comparison, one step in numbers, the code, the review) is folded
below it.
"""

from dataclasses import asdict

import streamlit as st

from core import run_export, xor
from core.data import GATES, logic_gate
from ui import inputs, job_widgets, jobs, links, saved_runs
from ui.i18n import labels, relabelled, t
from ui.lessons import xor as lesson
from ui.pages import begin
from ui.projector import projector_on

begin("xor")

PAGE = lesson.LESSON.key
ss = st.session_state

st.title(t("xor.title"))
if not projector_on():  # projector mode's larger type needs the line's height: it comes after the row
    st.markdown(t("xor.intro"))
# one row in both modes: the settings two to a line on the left, Train and the charts on the right, so at
# 1280x720 (projector mode too) the settings, Train, the decision map and the loss share the first screen
builder, panel = st.columns([1.4, 2.2], gap="medium")

# -- model builder (left): two settings to a line --------------------------------------------------------
with builder:
    c1, c2 = st.columns(2)
    gate = c1.selectbox(
        t("xor.gate"), GATES, index=GATES.index("XOR"), key="xor_gate", **links.bind("xor_gate")
    )
    activation = c2.selectbox(
        t("xor.activation"),
        ("sigmoid", "tanh", "relu"),
        key=relabelled(links.choice("xor_activation", ("sigmoid", "tanh", "relu"))),
        format_func=labels("xor.act."),
        help=t("xor.activation_help"),
    )
    c1, c2 = st.columns(2)
    optimizer = c1.selectbox(
        t("xor.optimizer"),
        xor.OPTIMIZERS,
        key=relabelled(links.choice("xor_optimizer", xor.OPTIMIZERS)),
        format_func=labels("xor.opt."),
    )
    lr = c2.select_slider(
        t("xor.lr"),
        (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0),
        0.05,
        key="xor_lr",
        **links.bind("xor_lr"),
    )
    c1, c2 = st.columns(2)
    n_layers = c1.slider(t("xor.layers"), 0, 3, 2, key="xor_layers", **links.bind("xor_layers"))
    batch = c2.select_slider(t("xor.batch"), (1, 2, 4), 4, key="xor_batch", **links.bind("xor_batch"))
    hidden = tuple(  # one short slider per hidden layer, side by side (two to a line like the rest)
        col.slider(
            t("xor.neurons", i=i + 1), 1, 8, 2, key=f"xor_neurons_{i}", **links.bind(f"xor_neurons_{i}")
        )
        for i, col in zip(range(n_layers), st.columns(max(2, n_layers)) if n_layers else ())
    )
    c1, c2 = st.columns(2)
    epochs = inputs.number(
        c1, t("xor.epochs"), 1, 20_000, 1000, step=100, key="xor_epochs", **links.bind("xor_epochs")
    )
    seed = inputs.number(
        c2, t("common.seed"), 0, 1_000_000, xor.DEFAULT_SEED, key="xor_seed", **links.bind("xor_seed")
    )
    cfg = xor.XORConfig(
        gate=gate,
        hidden=hidden,
        activation=activation,
        optimizer=optimizer,
        lr=float(lr),
        epochs=int(epochs),
        batch_size=int(batch),
        seed=int(seed),
    )
    st.caption(t("xor.arch", arch=cfg.architecture(), seed=xor.DEFAULT_SEED))

# -- training (right): Play/Pause (Train/Stop/Resume), Step, Reset, speed; the live panel ----------------
job = jobs.get(PAGE)
busy = job is not None and job.active
if "xor_trainer" not in ss or (ss.xor_trainer.cfg != cfg and not busy and ss.xor_trainer.epoch == 0):
    ss.xor_trainer = xor.Trainer(cfg)


def on_train() -> None:
    lesson.LESSON.train(cfg, lesson.SPEEDS[speed])


def on_step() -> None:
    if ss.xor_trainer.cfg != cfg and not (jobs.get(PAGE) and jobs.get(PAGE).resumable):
        ss.xor_trainer = xor.Trainer(cfg)
    ss.xor_trainer.step_epoch()


def on_reset() -> None:
    ss.xor_trainer = xor.Trainer(cfg)
    jobs.discard(PAGE)


with panel:
    buttons = st.container()  # Train / Stop / Resume on top, drawn once the speed below is known
    ss.setdefault("xor_speed", lesson.DEFAULT_SPEED)
    c1, c2, c3 = st.columns(3, vertical_alignment="bottom")
    speed = c3.select_slider(
        t("xor.speed"),
        tuple(lesson.SPEEDS),
        **links.keep(relabelled("xor_speed")),
        format_func=labels("xor.speed."),
        label_visibility="collapsed",  # the value says it ("再生：ゆっくり"): the row stays one button high
    )
    with buttons:
        job_widgets.controls(PAGE, job, on_train)
    c1.button(t("xor.step"), key="xor_step", on_click=on_step, disabled=busy, width="stretch")
    c2.button(t("xor.reset"), key="xor_reset", on_click=on_reset, disabled=busy, width="stretch")
    trainer: xor.Trainer = ss.xor_trainer
    trainer.controls["delay"] = lesson.SPEEDS[speed]  # read by a running job after every epoch
    if trainer.cfg != cfg and trainer.epoch > 0:
        st.info(t("xor.stale"), icon=":material/info:")

    def render(_job=None) -> None:
        lesson.training_panel(trainer, _job)

    if job is not None:
        job_widgets.live(job, render, interval=0.4)
    else:
        render()

if projector_on():
    st.markdown(t("xor.intro"))
# the saved runs at the page's full width: in the settings column the dates and Open were cut
saved_runs.panel(lesson.LESSON)

# -- inference, as the course script ------------------------------------------------------------------
st.subheader(t("xor.inference"))
c1, c2, c3, c4 = st.columns(4)
a = c1.selectbox("x1", (0, 1), index=0, **links.keep("xor_in_a"))
b = c2.selectbox("x2", (0, 1), index=1, **links.keep("xor_in_b"))
pred, out = xor.predict(trainer.model, a, b)
with c3.container(key="xor_prediction"):
    st.metric(t("xor.prediction"), pred)
c4.metric(
    t("xor.confidence"), f"{100 * (out if pred else 1 - out):.1f}%", help=t("xor.confidence_help", out=out)
)

# -- reference, folded: the gates, linear vs. network, one step in numbers, the code, the review ------------
with st.expander(t("xor.gates"), icon=":material/table:"):
    st.markdown(t("xor.about"))
    for col, name in zip(st.columns(len(GATES)), GATES):
        x, y, _ = logic_gate(name)
        col.markdown(f"**{name}**")
        col.dataframe(
            [
                {"x1": int(a), "x2": int(b), "y": int(v)}
                for (a, b), v in zip(x.tolist(), y.squeeze(1).tolist())
            ],
            hide_index=True,
            key=f"xor_table_{name}",
        )
    st.caption(t("xor.gates_caption"))

with st.expander(t("xor.compare"), icon=":material/compare:"):
    st.markdown(t("xor.compare_intro"))
    if st.button(t("xor.compare_run"), key="xor_compare", disabled=busy):
        ss.xor_compare_result = (cfg, xor.compare_linear(cfg))
    if "xor_compare_result" in ss:
        lesson.compare_panel(*ss.xor_compare_result)

with st.expander(t("xor.stepview"), icon=":material/calculate:"):
    st.markdown(t("xor.stepview_intro"))
    if st.toggle(t("xor.stepview_show"), key="xor_stepview", disabled=busy):
        lesson.step_panel(
            xor.step_numbers(trainer.model, cfg.gate, cfg.optimizer, cfg.lr), trainer.model, cfg
        )

if st.toggle(t("common.show_code"), key="xor_show_code"):
    code = run_export.train_script("xor", asdict(cfg))
    st.caption(t("xor.code_caption"))
    st.code(code, language="python")
    st.download_button(
        t("xor.download"),
        code,
        f"{cfg.gate.lower()}_{cfg.architecture()}.py",
        "text/x-python",
        key="xor_download",
    )
    st.caption(t("xor.cli", seed=cfg.seed))

# -- review questions (course 1.6) ---------------------------------------------------------------------------
st.subheader(t("common.review"))
for i in range(1, 6):
    with st.expander(t(f"xor.q{i}")):
        st.markdown(t(f"xor.a{i}"))
