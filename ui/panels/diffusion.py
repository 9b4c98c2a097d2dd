"""The diffusion page's panels: the reverse process on the first screen, the sampler comparison and the
guidance grid, and the judge that reads the shipped GAN, VAE and diffusion model with the same CNN. They
draw ui/figures/diffusion.py's figures; the samples the class shares come from ui/lessons/diffusion.py."""

from __future__ import annotations

import streamlit as st

from core.metrics import classify
from ui import inputs, jobs, layout, resources
from ui.figures import diffusion as figures
from ui.i18n import relabelled, t
from ui.lessons import diffusion as lesson

GUIDANCE_TEX = r"\hat{v} = v(x_t, \varnothing) + w\,\bigl(v(x_t, y) - v(x_t, \varnothing)\bigr)"
# in the guidance slider's label
GUIDANCE_SHORT = r"$\hat{v} = v_{\varnothing} + w\,(v_y - v_{\varnothing})$"
ss = st.session_state


def reverse_process(loaded, classifier) -> None:
    """One noise image becomes the digit asked for: the strip of its steps beside the digit, guidance,
    steps and seed; the final digit animated on request and read by the CNN."""
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
            st.image(figures.strip_image(figures.pick_frames(frames, 8), final), width="stretch")
            st.caption(t("diffusion.strip_caption", steps=steps, seconds=seconds))
        c1, c2 = st.columns([1, 2], vertical_alignment="center")
        animate = c2.toggle(t("diffusion.animate"), key="diffusion_animate")
        with c1, st.container(key="diffusion_final"):
            shown = figures.reverse_gif(frames, final) if animate else figures.final_image(final)
            st.image(shown, width=140)
        if classifier is not None:
            pred, conf = classify(classifier, final)
            c2.metric(t("diffusion.cnn_reads", conf=float(conf[0])), f"{pred[0]}", border=False)


def samplers(loaded, classifier) -> None:
    """Fewer steps are faster and worse, measured on the chosen model; then guidance: a row per digit, a
    column per w, the same noise along a row."""
    st.header(t("diffusion.samplers"))
    st.caption(t("diffusion.samplers_caption"))
    d = lesson.sampling_defaults(loaded)
    models = lesson.comparable_models(jobs.get(lesson.LESSON.key))
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
            per_label = lesson.SIZES.per_label
            ss["_diffusion_compare"] = lesson.compare_samplers(
                models[which], classifier, 0, per_label, d["guidance"]
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

    st.header(t("diffusion.guidance_header"))
    st.latex(GUIDANCE_TEX)
    st.caption(t("diffusion.guidance_caption", ws=" / ".join(f"{w:g}" for w in lesson.GUIDANCE)))
    c1, c2 = st.columns([2, 3])
    picture, shares = lesson.guidance_grid(
        loaded.model, classifier, ss.get("diffusion_seed", 0), d["sampler"], d["steps"]
    )
    c1.image(picture, width="stretch")
    for w, share in zip(lesson.GUIDANCE, shares):
        c2.markdown(t("diffusion.guidance_share", w=w, share=100 * share))


def judge(classifier) -> None:
    """The shipped GAN, VAE and diffusion model's samples side by side, each with the digits the CNN
    (`classifier`, None when it cannot be loaded) reads in them, and the diffusion samples' nearest
    training digits (does it copy them?)."""
    if classifier is None:
        resources.shipped_warning("cnn_mnist.pth", "cnn.MNISTCNN", "diffusion.no_cnn")
    elif st.button(t("diffusion.judge_run"), key="diffusion_judge_run", icon=":material/balance:"):
        with st.spinner(t("diffusion.working")):
            ss["_diffusion_judge"] = lesson.judge(classifier, lesson.SIZES.judge_n, 2024)
    results = ss.get("_diffusion_judge", {})
    if not results:
        return
    cols = st.columns(len(results))
    for col, (name, r) in zip(cols, results.items()):
        col.subheader(t(f"diffusion.judge.{name}"))
        col.image(r["picture"], width="stretch")
        col.plotly_chart(figures.judge_histogram(r["shares"]), key=f"diffusion_hist_{name}", width="stretch")
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
