"""Diffusion page (course Part 3.1.2): noise becomes a digit step by step; samplers, guidance, live training,
and the shipped GAN, VAE and diffusion model before the same judge."""

import inspect

import streamlit as st

from core import configs
from core import diffusion as core_diffusion
from ui import charts, inputs, job_widgets, jobs, links, resources, saved_runs
from ui.figures import diffusion as figures
from ui.figures.images import grid_image
from ui.i18n import labels, relabelled, t
from ui.lessons import diffusion as lesson
from ui.pages import begin
from ui.panels import diffusion as panels

begin("diffusion")

PAGE = lesson.LESSON.key
st.title(t("diffusion.title"))
st.markdown(t("diffusion.lead"))

cnn = resources.shipped("cnn_mnist.pth", "cnn.MNISTCNN")
classifier = None if cnn is None else cnn.model
loaded = lesson.shipped()

# -- 1. The reverse process on the first screen: one noise image becomes the digit asked for -------------
if loaded is None:
    lesson.warn_no_shipped()
else:
    panels.reverse_process(loaded, classifier)

with st.expander(t("diffusion.how"), icon=":material/functions:"):
    st.markdown(t("diffusion.idea"))
    c1, c2 = st.columns(2)
    c1.markdown(t("diffusion.ddpm"))
    c1.latex(
        r"x_t = \sqrt{\bar\alpha_t}\,x_0 + \sqrt{1-\bar\alpha_t}\,\varepsilon,\quad \mathcal{L} = \lVert \varepsilon - \varepsilon_\theta(x_t, t, y) \rVert^2"
    )
    c2.markdown(t("diffusion.flow"))
    c2.latex(
        r"x_t = (1-t)\,x_0 + t\,\varepsilon,\quad \mathcal{L} = \lVert (\varepsilon - x_0) - v_\theta(x_t, t, y) \rVert^2"
    )

# -- 2. The forward process: a slider over t, the two schedules side by side -----------------------------
st.header(t("diffusion.forward"))
st.caption(t("diffusion.forward_caption"))
split = resources.mnist()
# the CNN page's last drawing, if the student drew one
drawn = lesson.drawn_digit()
sources = ["test"] + (["drawn"] if drawn is not None else [])
c1, c2, c3 = st.columns([2, 1, 3])
source = c1.radio(
    t("diffusion.source"),
    sources,
    **links.keep(relabelled("diffusion_source")),
    horizontal=True,
    format_func=labels("diffusion.source."),
)
index = inputs.number(
    c2, t("diffusion.test_index"), 0, len(split.x_test) - 1, 0, **links.keep("diffusion_index")
)
t_index = c3.slider("t", 0, lesson.SCHEDULE_T - 1, 300, **links.keep("diffusion_t"))
x0 = drawn if source == "drawn" else split.x_test[int(index)]
schedules = lesson.schedules()
pictures = figures.forward_pictures(schedules, x0, t_index, seed=0)
cols = st.columns([1, 1, 1, 2])
cols[0].image(grid_image(x0.reshape(1, 1, 28, 28), 1, scale=6, padding=0), caption="x₀")
for col, kind in zip(cols[1:3], ("linear", "cosine")):
    ab = float(schedules[kind].alphas_cumprod[t_index])
    col.image(pictures[kind], caption=t("diffusion.x_t", schedule=t(f"diffusion.schedule.{kind}"), ab=ab))
cols[3].markdown(t("diffusion.forward_note"))
plots = st.columns(3)
for col, quantity in zip(plots, ("alpha_bar", "beta", "snr")):
    fig = figures.schedule_figure(schedules, quantity, t_index)
    charts.plot(col, fig, key=f"diffusion_plot_{quantity}", width="stretch")

# -- 3. Samplers and steps: fewer steps are faster and worse, measured; 4. guidance ----------------------
if loaded is not None:
    panels.samplers(loaded, classifier)
    panels.guidance(loaded, classifier)

# -- 5. Train your own ---------------------------------------------------------------------------------
st.header(t("diffusion.train"))
st.caption(t("diffusion.train_caption"))
defaults = lesson.page_defaults()
c1, c2, c3, c4 = st.columns(4)
objective = c1.radio(
    t("diffusion.objective"),
    ("flow", "ddpm"),
    key=relabelled(links.choice("diffusion_objective", ("flow", "ddpm"))),
    horizontal=True,
    format_func=labels("diffusion.objective."),
)
schedule = c2.radio(
    t("diffusion.schedule"),
    ("linear", "cosine"),
    key=relabelled(links.choice("diffusion_schedule", ("linear", "cosine"))),
    horizontal=True,
    disabled=objective != "ddpm",
    format_func=labels("diffusion.schedule."),
)
epochs = c3.slider(
    t("diffusion.epochs"),
    1,
    lesson.SIZES.max_epochs,
    defaults.epochs,
    key="diffusion_epochs",
    **links.bind("diffusion_epochs"),
)
seed = inputs.number(
    c4, t("common.seed"), 0, 10_000, 0, key="diffusion_train_seed", **links.bind("diffusion_train_seed")
)


def on_train() -> None:
    cfg = configs.with_overrides(
        defaults, objective=objective, schedule=schedule, epochs=int(epochs), seed=int(seed)
    )
    lesson.LESSON.train(cfg)


job = jobs.get(PAGE)
job_widgets.controls(PAGE, job, on_train)
if job is None:
    st.info(t("diffusion.before_train"), icon=":material/show_chart:")
job_widgets.live(job, lesson.LESSON.live, interval=0.7)
saved_runs.panel(lesson.LESSON)

# -- 6. The judge: the shipped generators on an independent judge's metrics and read by the same CNN; ethics
st.header(t("diffusion.judge"))
st.caption(t("diffusion.judge_caption"))
panels.judge(classifier)
panels.ethics()

# -- review questions and the code -------------------------------------------------------------------
st.subheader(t("common.review"))
for i in range(1, 7):  # 5 and 6: the course's §3.6 questions 3 and 4 (evaluation, ethics)
    st.markdown(f"**{i}.** " + t(f"diffusion.review.q{i}"))
    with st.expander(t("common.answer")):
        st.markdown(t(f"diffusion.review.a{i}"))
if st.toggle(t("common.show_code"), key="diffusion_show_code"):
    st.caption(t("diffusion.code_caption"))
    parts = (
        core_diffusion.flow_loss,
        core_diffusion.ddpm_loss,
        core_diffusion.guided,
        core_diffusion.sample_flow,
        core_diffusion.sample_ddim,
    )
    st.code("\n\n".join(inspect.getsource(p) for p in parts), language="python")
