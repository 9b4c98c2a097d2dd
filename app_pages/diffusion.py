"""Diffusion page (course Part 3.1.2): noise becomes a digit step by step; samplers, guidance, live training,
and the shipped GAN, VAE and diffusion model before the same judge."""

import inspect

import streamlit as st

from core import diffusion as core_diffusion
from ui import inputs, job_widgets, jobs, layout, links, resources, saved_runs
from ui.i18n import current_lang, relabelled, t
from ui.lessons import diffusion as lesson
from ui.pages import begin

begin("diffusion")

ss = st.session_state
LANG = current_lang()  # format_func runs again outside the script in AppTest: pin the language
tiny = resources.test_mode()
st.title(t("diffusion.title"))
st.markdown(t("diffusion.lead"))

cnn = resources.shipped("cnn_mnist.pth", "cnn.MNISTCNN")
classifier = None if cnn is None else cnn.model
loaded = lesson.shipped()
GUIDANCE_TEX = r"\hat{v} = v(x_t, \varnothing) + w\,\bigl(v(x_t, y) - v(x_t, \varnothing)\bigr)"
GUIDANCE_SHORT = r"$\hat{v} = v_{\varnothing} + w\,(v_y - v_{\varnothing})$"  # in the slider's label

# -- 1. The reverse process on the first screen: one noise image becomes the digit asked for -------------
if loaded is None:
    lesson.warn_no_shipped()
else:
    model, d = loaded.model, lesson.sampling_defaults(loaded)
    for key, value in (
        ("diffusion_label", 3),
        ("diffusion_w", d["guidance"]),
        ("diffusion_steps", d["steps"]),
    ):
        ss.setdefault(key, value)
    ss.setdefault("diffusion_seed", 0)
    # the reverse strip (noise becoming a digit) is the lesson: in projector mode it spans the main area
    left, right = layout.main_columns([3, 2], main=0)
    with right:
        label = st.slider(t("diffusion.digit"), 0, 9, key="diffusion_label")
        w = st.slider(
            t("diffusion.guidance", formula=GUIDANCE_SHORT),
            0.0,
            8.0,
            step=0.5,
            key="diffusion_w",
            help=t("diffusion.guidance_help"),
        )
        steps = st.slider(t("diffusion.steps", sampler=d["sampler"]), 1, 50, key="diffusion_steps")
        c1, c2 = st.columns([1, 1], vertical_alignment="bottom")
        inputs.number(c1, t("common.seed"), 0, 1_000_000, step=1, key="diffusion_seed")
        c2.button(
            t("diffusion.new"),
            key="diffusion_new",
            icon=":material/casino:",
            width="stretch",
            on_click=lambda: ss.update(diffusion_seed=ss.diffusion_seed + 1),
        )
    final, frames, seconds = lesson.reverse_run(model, label, ss.diffusion_seed, d["sampler"], steps, w)
    with left:
        with st.container(key="diffusion_strip"):
            st.image(lesson.strip_image(lesson.pick_frames(frames, 8), final), width="stretch")
            st.caption(t("diffusion.strip_caption", steps=steps, seconds=seconds))
        c1, c2 = st.columns([1, 2], vertical_alignment="center")
        animate = c2.toggle(t("diffusion.animate"), key="diffusion_animate")
        with c1, st.container(key="diffusion_final"):
            shown = lesson.gif_bytes(frames, final) if animate else lesson.grid_image(final, 1, 5, 0)
            st.image(shown, width=140)
        if classifier is not None:
            from core.metrics import classify

            pred, conf = classify(classifier, final)
            c2.metric(t("diffusion.cnn_reads", conf=float(conf[0])), f"{pred[0]}", border=False)

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
drawn = lesson.drawn_digit()  # the CNN page's last drawing, if the student drew one
sources = ["test"] + (["drawn"] if drawn is not None else [])
c1, c2, c3 = st.columns([2, 1, 3])
source = c1.radio(
    t("diffusion.source"),
    sources,
    key=relabelled("diffusion_source"),
    horizontal=True,
    format_func=lambda s: t(f"diffusion.source.{s}", lang=LANG),
)
index = inputs.number(c2, t("diffusion.test_index"), 0, len(split.x_test) - 1, 0, key="diffusion_index")
t_index = c3.slider("t", 0, lesson.SCHEDULE_T - 1, 300, key="diffusion_t")
x0 = drawn if source == "drawn" else split.x_test[int(index)]
pictures = lesson.forward_image(x0, t_index, seed=0)
cols = st.columns([1, 1, 1, 2])
cols[0].image(lesson.grid_image(x0.reshape(1, 1, 28, 28), 1, scale=6, padding=0), caption="x₀")
for col, kind in zip(cols[1:3], ("linear", "cosine")):
    s = lesson.schedules()[kind]
    ab = float(s.alphas_cumprod[t_index])
    col.image(pictures[kind], caption=t("diffusion.x_t", schedule=t(f"diffusion.schedule.{kind}"), ab=ab))
cols[3].markdown(t("diffusion.forward_note"))
plots = st.columns(3)
for col, quantity in zip(plots, ("alpha_bar", "beta", "snr")):
    col.plotly_chart(
        lesson.schedule_figure(quantity, t_index), key=f"diffusion_plot_{quantity}", width="stretch"
    )

if loaded is not None:
    # -- 3. Samplers and steps: fewer steps are faster and worse, measured -------------------------------
    st.header(t("diffusion.samplers"))
    st.caption(t("diffusion.samplers_caption"))
    models = lesson.comparable_models(jobs.get(lesson.PAGE))
    names = {
        k: t(f"diffusion.compare.{k}", objective=t(f"diffusion.objective.{m.objective}"))
        for k, m in models.items()
    }
    c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
    which = c1.radio(
        t("diffusion.compare_model"),
        list(models),
        key=relabelled("diffusion_compare_model"),
        horizontal=True,
        format_func=names.get,
    )
    if c2.button(t("diffusion.compare"), key="diffusion_compare", icon=":material/speed:", width="stretch"):
        with st.spinner(t("diffusion.working")):
            ss["_diffusion_compare"] = lesson.compare_samplers(
                models[which], classifier, 0, 1 if tiny else 10, d["guidance"]
            )
    for row in ss.get("_diffusion_compare", []):
        c1, c2 = st.columns([1, 3], vertical_alignment="center")
        agreement = "–" if row["agreement"] is None else f"{100 * row['agreement']:.0f}%"
        c1.markdown(
            t(
                "diffusion.sampler_row",
                sampler=row["sampler"],
                steps=row["steps"],
                per_100=row["per_100"],
                agreement=agreement,
            )
        )
        c2.image(row["image"], width="stretch")

    # -- 4. Guidance: a row per digit, a column per w, the same noise along a row ---------------------------
    st.header(t("diffusion.guidance_header"))
    st.latex(GUIDANCE_TEX)
    st.caption(t("diffusion.guidance_caption", ws=" / ".join(f"{w:g}" for w in lesson.GUIDANCE)))
    c1, c2 = st.columns([2, 3])
    picture, shares = lesson.guidance_grid(
        model, classifier, ss.get("diffusion_seed", 0), d["sampler"], d["steps"]
    )
    c1.image(picture, width="stretch")
    for w, share in zip(lesson.GUIDANCE, shares):
        c2.markdown(t("diffusion.guidance_share", w=w, share=100 * share))

# -- 5. Train your own ---------------------------------------------------------------------------------
st.header(t("diffusion.train"))
st.caption(t("diffusion.train_caption"))
defaults = lesson.page_defaults(tiny)
c1, c2, c3, c4 = st.columns(4)
objective = c1.radio(
    t("diffusion.objective"),
    ("flow", "ddpm"),
    key=relabelled(links.choice("diffusion_objective", ("flow", "ddpm"))),
    horizontal=True,
    format_func=lambda o: t(f"diffusion.objective.{o}", lang=LANG),
)
schedule = c2.radio(
    t("diffusion.schedule"),
    ("linear", "cosine"),
    key=relabelled(links.choice("diffusion_schedule", ("linear", "cosine"))),
    horizontal=True,
    disabled=objective != "ddpm",
    format_func=lambda s: t(f"diffusion.schedule.{s}", lang=LANG),
)
epochs = c3.slider(
    t("diffusion.epochs"),
    1,
    3 if tiny else 60,
    defaults.epochs,
    key="diffusion_epochs",
    **links.bind("diffusion_epochs"),
)
seed = inputs.number(
    c4, t("common.seed"), 0, 10_000, 0, key="diffusion_train_seed", **links.bind("diffusion_train_seed")
)


def on_train() -> None:
    lesson.train(
        core_diffusion.with_overrides(
            defaults, objective=objective, schedule=schedule, epochs=int(epochs), seed=int(seed)
        )
    )


job = jobs.get(lesson.PAGE)
job_widgets.controls(lesson.PAGE, job, on_train)
if job is None:
    st.info(t("diffusion.before_train"), icon=":material/show_chart:")
job_widgets.live(job, lesson.training_panel, interval=0.7)
saved_runs.panel(lesson)

# -- 6. The judge: the shipped GAN, VAE and diffusion model read by the same CNN --------------------------
st.header(t("diffusion.judge"))
st.caption(t("diffusion.judge_caption"))
if classifier is None:
    resources.shipped_warning("cnn_mnist.pth", "cnn.MNISTCNN", "diffusion.no_cnn")
elif st.button(t("diffusion.judge_run"), key="diffusion_judge_run", icon=":material/balance:"):
    with st.spinner(t("diffusion.working")):
        ss["_diffusion_judge"] = lesson.judge(classifier, 40 if tiny else 200, 2024)
results = ss.get("_diffusion_judge", {})
if results:
    cols = st.columns(len(results))
    for col, (name, r) in zip(cols, results.items()):
        col.subheader(t(f"diffusion.judge.{name}"))
        col.image(r["picture"], width="stretch")
        col.plotly_chart(lesson.judge_histogram(r["shares"]), key=f"diffusion_hist_{name}", width="stretch")
        col.markdown(
            t(
                "diffusion.judge_figures",
                conf=r["mean_conf"],
                confident=100 * r["confident"],
                per_100=r["per_100"],
            )
        )
    if "diffusion" in results:
        m = lesson.memorisation(results["diffusion"]["images"])
        st.subheader(t("diffusion.memo"))
        st.image(m["picture"], width="stretch")
        st.caption(
            t("diffusion.memo_caption", median=m["median"], test=m["test_median"], closest=m["closest"])
        )

# -- review questions and the code -------------------------------------------------------------------
st.subheader(t("common.review"))
for i in range(1, 5):
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
