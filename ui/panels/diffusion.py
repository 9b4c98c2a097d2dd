"""The diffusion page's panels: the reverse process on the first screen, the sampler comparison and the
guidance grid with its measured trade-off, the judge that reads the shipped GAN, VAE and diffusion model with
the same CNN beside the independent judge's FID, precision and recall (core/gen_eval.py, precomputed in
checkpoints/generative_eval.json), and the evaluation and ethics of generative models (course §3.6). They
draw ui/figures/diffusion.py's figures; the samples the class shares come from ui/lessons/diffusion.py, the
judge's from here (computed once per server in the lesson's `HEAVY`)."""

from __future__ import annotations

import time

import numpy as np
import streamlit as st
import torch

from core import diffusion as core_diffusion
from core import gen_eval
from core.metrics import classify, digit_shares
from ui import charts, inputs, job_widgets, jobs, layout, links, resources
from ui.figures import diffusion as figures
from ui.figures.images import grid_image
from ui.i18n import relabelled, t
from ui.lessons import diffusion as lesson

GUIDANCE_TEX = r"\hat{v} = v(x_t, \varnothing) + w\,\bigl(v(x_t, y) - v(x_t, \varnothing)\bigr)"
# in the guidance slider's label; the outer braces make it one unbreakable piece (KaTeX would otherwise
# break the line after "+" or "-" in a narrow column and split the formula in two)
GUIDANCE_SHORT = r"${\hat{v} = v_{\varnothing} + w\,(v_y - v_{\varnothing})}$"
JUDGE_SEED = 2024  # the judge's samples: the same for every student (computed once per server)
TABLE_MODELS = ("gan", "cgan", "vae", "diffusion")  # the rows of the measured table
METRICS = ("fid", "precision", "recall", "agreement", "confidence", "nearest", "speed")  # one line each
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
        label = st.slider(t("diffusion.digit"), 0, 9, **links.keep("diffusion_label"))
        w = st.slider(
            t("diffusion.guidance", formula=GUIDANCE_SHORT),
            0.0,
            8.0,
            step=0.5,
            **links.keep("diffusion_w"),
            help=t("diffusion.guidance_help"),
        )
        steps = st.slider(t("diffusion.steps", sampler=d["sampler"]), 1, 50, **links.keep("diffusion_steps"))
        c1, c2 = st.columns([1, 1], vertical_alignment="bottom")
        inputs.number(c1, t("common.seed"), 0, 1_000_000, step=1, **links.keep("diffusion_seed"))
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
            if animate:  # each frame carries its own reading: the final one would belie the noisy frames
                gif = lesson.reverse_animation(
                    model, classifier, label, ss.diffusion_seed, d["sampler"], steps, w
                )
                st.image(gif, width=140)
            else:
                st.image(figures.final_image(final), width=140)
        if classifier is not None and animate:
            c2.caption(t("diffusion.animate_reading"))
        elif classifier is not None:
            pred, conf = classify(classifier, final)
            c2.metric(t("diffusion.cnn_reads", conf=float(conf[0])), f"{pred[0]}", border=False)


def samplers(loaded, classifier) -> None:
    """Fewer steps are faster and worse, measured on the chosen model: the shipped one once for the whole
    server, this session's own as a job that waits its turn."""
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
    job = jobs.get(lesson.COMPARE_JOB)
    own_active = which == "session" and job is not None and job.active
    clicked = c2.button(
        t("diffusion.compare"),
        key="diffusion_compare",
        icon=":material/speed:",
        width="stretch",
        disabled=own_active,
    )
    if which == "session":
        # this student's own model: a job that waits its turn in the server's line, like training
        if clicked:
            lesson.start_comparison(models[which], classifier, d["guidance"])
            st.rerun()  # draw the page again with the job in line (and the button off)
        if job is not None:
            job_widgets.live(job, comparison_panel, interval=1.0)
        return
    if clicked:
        # the shipped model's: once for the whole server, the others wait for that one computation
        with st.spinner(t("diffusion.working")):
            ss["_diffusion_compare"] = lesson.shipped_comparison(models[which], classifier, d["guidance"])
    comparison_table(ss.get("_diffusion_compare", []))


def comparison_panel(job: jobs.Job) -> None:
    """The comparison job of this session's model: its place in line or progress, then its rows."""
    if job.state == "running":
        done = len(lesson.comparison_rows(job))
        st.progress(job.fraction(), text=t("diffusion.compare_progress", done=done, total=job.epochs))
    elif job.state not in ("done", "restored"):
        job_widgets.status(job)
    comparison_table(lesson.comparison_rows(job))


def comparison_table(rows: list[dict]) -> None:
    """One line per sampler and step count: its figures beside its first row of digits."""
    for row in rows:
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


def guidance(loaded, classifier) -> None:
    """A row per digit, a column per w, the same noise along a row (computed once per server)."""
    d = lesson.sampling_defaults(loaded)
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
    tradeoff(d)


@st.cache_resource(show_spinner=False)
def shipped_table() -> dict | None:
    """checkpoints/generative_eval.json, read once per server (a small file; read-only)."""
    return gen_eval.shipped_table()


def tradeoff(d: dict) -> None:
    """FID and agreement against w, one line per band, from the measured table (bench/generative_eval.py)."""
    table = shipped_table()
    st.subheader(t("diffusion.tradeoff"))
    if table is None:
        st.info(t("diffusion.no_table"))
        return
    c1, c2 = st.columns(2)
    for col, quantity in zip((c1, c2), ("fid", "agreement")):
        charts.plot(
            col, figures.tradeoff_figure(table["sweep"], quantity), key=f"diffusion_tradeoff_{quantity}"
        )
    band = d["band"]
    st.caption(
        t("diffusion.tradeoff_caption", n=table["n"], w=d["guidance"], lo=band[0], hi=band[1])
        + " "
        + t("diffusion.table_source", command=table["command"])
    )


def metrics_table() -> None:
    """The shipped GAN, cGAN, VAE and diffusion model on the independent judge, with what each figure
    rewards and misses."""
    table = shipped_table()
    st.subheader(t("diffusion.metrics"))
    if table is None:
        st.info(t("diffusion.no_table"))
        return
    rows = []
    for name in (m for m in TABLE_MODELS if m in table["models"]):
        r = table["models"][name]
        rows.append(
            {
                t("diffusion.metrics.model"): t(f"diffusion.metrics.{name}"),
                "FID ↓": round(r["fid"], 1),
                t("diffusion.metrics.precision"): round(r["precision"], 3),
                t("diffusion.metrics.recall"): round(r["recall"], 3),
                t("diffusion.metrics.agreement"): "–"
                if r["agreement"] is None
                else f"{100 * r['agreement']:.1f}%",
                t("diffusion.metrics.confidence"): round(r["confidence"], 3),
                t("diffusion.metrics.nearest"): round(r["nearest"], 3),
                t("diffusion.metrics.per_100"): round(r["cpu_seconds_per_100"], 2),
            }
        )
    st.dataframe(rows, hide_index=True, width="stretch")
    first = table["models"][next(iter(table["models"]))]
    st.caption(
        t("diffusion.metrics_caption", n=table["n"], floor=table["floor"], real=first["nearest_real"])
        + " "
        + t("diffusion.table_source", command=table["command"])
    )
    for key in METRICS:
        st.markdown(t(f"diffusion.metric.{key}"))


def ethics() -> None:
    """The course's §3.6 questions 3 and 4 in the lesson's voice: how generated images are judged, and
    what to watch for (the memorisation check above as the concrete example)."""
    st.subheader(t("diffusion.ethics"))
    st.markdown(t("diffusion.ethics_body"))


def judge(classifier) -> None:
    """The shipped GAN, VAE and diffusion model's samples side by side, each with the digits the CNN
    (`classifier`, None when it cannot be loaded) reads in them, and the diffusion samples' nearest
    training digits (does it copy them?)."""
    metrics_table()
    n = lesson.SIZES.judge_n
    if classifier is None:
        resources.shipped_warning("cnn_mnist.pth", "cnn.MNISTCNN", "diffusion.no_cnn")
    elif st.button(t("diffusion.judge_run", n=n), key="diffusion_judge_run", icon=":material/balance:"):
        # the same for everyone: computed once per server, the others wait for that one computation
        with st.spinner(t("diffusion.working")):
            ss["_diffusion_judge"] = judge_results(classifier, n, JUDGE_SEED)
    results = ss.get("_diffusion_judge", {})
    if not results:
        return
    # two models a row: at 1280 px four columns would wrap each heading to three lines and shrink the charts
    names = list(results)
    for pair in (names[i : i + 2] for i in range(0, len(names), 2)):
        for col, name in zip(st.columns(2, gap="large"), pair):
            r = results[name]
            # a short heading and what was asked below it: one line each, in both languages
            col.markdown(f"#### {t(f'diffusion.judge.{name}')}")
            col.caption(t(f"diffusion.judge_note.{name}"))
            col.image(r["picture"], width="stretch")
            hist = figures.judge_histogram(r["shares"])
            charts.plot(col, hist, key=f"diffusion_hist_{name}", width="stretch")
            col.markdown(
                t(
                    "diffusion.judge_figures",
                    conf=r["mean_conf"],
                    confident=100 * r["confident"],
                    per_100=r["per_100"],
                )
            )
    m = judge_memorisation(results, classifier, n, JUDGE_SEED)
    if m is not None:
        st.subheader(t("diffusion.memo"))
        st.image(m["picture"], width="stretch")
        st.caption(
            t("diffusion.memo_caption", median=m["median"], test=m["test_median"], closest=m["closest"])
        )


# -- the judge panel: GAN vs VAE vs diffusion ---------------------------------------------------------
def judge_results(classifier, n: int, seed: int) -> dict[str, dict]:
    """Each shipped generator's n samples read by the classifier: digit shares, mean confidence, share with
    confidence >= 0.9, seconds per 100 samples, a picture of the first 20. Missing models are left out.
    Computed once per server (the class shares the result: read it, never change it)."""
    makers = resources.shipped_generators(n, seed)  # the GAN's and the VAE's, from their pages
    return lesson.HEAVY.get(
        ("judge", *_judge_key(classifier, makers, n, seed)), lambda: _judge(classifier, makers, n, seed)
    )


def judge_memorisation(results: dict, classifier, n: int, seed: int) -> dict | None:
    """`memorisation` of the diffusion samples of `judge_results(classifier, n, seed)` (its `results`), once per
    server; None without the diffusion model."""
    if "diffusion" not in results:
        return None
    key = ("memorisation", *_judge_key(classifier, results, n, seed))
    return lesson.HEAVY.get(key, lambda: memorisation(results["diffusion"]["images"]))


def _judge_key(classifier, models, n: int, seed: int) -> tuple:
    diff = lesson.shipped()
    return (resources.result_key(classifier), diff and resources.result_key(diff.model), *models, n, seed)


def _judge(classifier, makers: dict, n: int, seed: int) -> dict[str, dict]:
    diff = lesson.shipped()
    if diff is not None:
        d = lesson.sampling_defaults(diff)
        makers["diffusion"] = lambda: core_diffusion.sample(
            diff.model,
            n,
            seed,
            sampler=d["sampler"],
            steps=d["steps"],
            guidance=d["guidance"],
            band=d["band"],
        )
        # the same model asked for no digit (w = 0)
        no_label = torch.full((n,), core_diffusion.NULL_LABEL)
        makers["diffusion_free"] = lambda: core_diffusion.sample(
            diff.model, n, seed, labels=no_label, sampler=d["sampler"], steps=d["steps"], guidance=0.0
        )
    out = {}
    for name, make in makers.items():
        t0 = time.perf_counter()
        images = make()
        seconds = time.perf_counter() - t0
        pred, conf = classify(classifier, images)
        out[name] = {
            "images": images,
            "shares": digit_shares(pred),
            "mean_conf": float(conf.mean()),
            "confident": float((conf >= 0.9).mean()),
            "per_100": 100 * seconds / n,
            "picture": grid_image(images[:20], nrow=10, scale=2),
        }
    return out


def memorisation(samples: torch.Tensor, k: int = 10) -> dict:
    """The nearest training digit of each sample, and for comparison of each unseen test digit."""
    split = resources.mnist()
    idx, dist = core_diffusion.nearest_training(samples, split.x_train)
    _, test_dist = core_diffusion.nearest_training(split.x_test[: len(samples)], split.x_train)
    # samples above, neighbours below
    pairs = torch.cat([samples[:k], split.x_train[torch.as_tensor(idx[:k])]])
    return {
        "picture": grid_image(pairs, nrow=k, scale=2),
        "dist": dist,
        "median": float(np.median(dist)),
        "test_median": float(np.median(test_dist)),
        "closest": float(dist.min()),
    }
