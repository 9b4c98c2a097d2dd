"""AppTest of the diffusion page: both languages render, the reverse strip follows the widgets, the sampler
comparison and the judge run, a tiny training run finishes and a foreign saved run is refused."""

from __future__ import annotations

import pytest

from tests.apptest import open_page, texts

PAGE = "app_pages/diffusion.py"


def _has_shipped() -> bool:
    from core import checkpoints
    from ui.lessons.diffusion import SHIPPED

    return (checkpoints.SHIPPED_DIR / SHIPPED).is_file()


def _strip_url(at) -> str:
    for el in at.get("image"):
        for img in el.proto.imgs:
            if "$x_t$" in img.caption or not img.caption:
                return img.url
    raise AssertionError("no image on the page")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_renders(lang):
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    body = texts(at)
    assert ("拡散モデル" in body) if lang == "ja" else ("Diffusion" in body)
    assert ("拡散過程" in body) if lang == "ja" else ("forward process" in body)
    assert any("bar\\alpha_t" in el.body for el in at.latex)  # the forward process in closed form
    assert not at.button(key="diffusion_train").disabled and at.button(key="diffusion_stop").disabled
    assert at.slider(key="diffusion_epochs").value == 1  # test mode: tiny runs
    assert len(at.get("plotly_chart")) >= 3  # alpha_bar, beta and SNR, linear vs cosine
    if _has_shipped():
        assert "varnothing" in at.slider(key="diffusion_w").label  # the guidance formula beside the slider
        assert at.slider(key="diffusion_label").value == 3


def test_the_reverse_strip_follows_the_digit_and_the_forward_slider_moves():
    at = open_page(PAGE, "en")
    assert not at.exception, at.exception
    if not _has_shipped():
        pytest.skip("no shipped diffusion model")
    before = _strip_url(at)
    at.slider(key="diffusion_label").set_value(7).run()
    assert not at.exception, at.exception
    assert _strip_url(at) != before
    reads = [m for m in at.metric if m.label.startswith("The CNN reads")]
    assert reads and reads[0].value == "7"  # the shipped model makes the digit asked for
    at.slider(key="diffusion_t").set_value(900).run()
    assert not at.exception, at.exception
    assert "ᾱ = 0.0" in "\n".join(img.caption for el in at.get("image") for img in el.proto.imgs)


def test_sampler_comparison_and_the_judge_panel_are_computed_once_for_the_class():
    """The shipped model's comparison and the judge are the same for every student: the first student's
    click computes them, the second's (after a client's "Clear cache", which empties st.cache_resource)
    only reads them."""
    from unittest import mock

    import streamlit as st

    from core import diffusion as core_diffusion
    from ui.lessons import diffusion as lesson

    if not _has_shipped():
        pytest.skip("no shipped diffusion model")
    lesson.HEAVY.clear()
    with mock.patch.object(core_diffusion, "sample", wraps=core_diffusion.sample) as sample:
        first = open_page(PAGE, "ja")
        first.button(key="diffusion_compare").click().run()
        assert not first.exception, first.exception
        rows = first.session_state["_diffusion_compare"]
        assert [(r["sampler"], r["steps"]) for r in rows][:2] == [("euler", 50), ("euler", 20)]
        assert all(r["per_100"] > 0 for r in rows)
        first.button(key="diffusion_judge_run").click().run()
        assert not first.exception, first.exception
        results = first.session_state["_diffusion_judge"]
        assert "diffusion" in results and abs(sum(results["diffusion"]["shares"]) - 1) < 1e-6
        body = texts(first)
        assert "学習画像" in body  # the memorisation check: nearest training digits
        assert all(label in body for label in ("0〜9 を順に頼んで生成", "数字を頼まずに生成（ラベルなし）"))
        computed = sample.call_count
        assert computed == len(rows) + 2  # one sampling run per comparison row, two for the judge

        st.cache_resource.clear()
        second = open_page(PAGE, "en")
        second.button(key="diffusion_compare").click().run()
        second.button(key="diffusion_judge_run").click().run()
        assert not second.exception, second.exception
    assert sample.call_count == computed, "the second student's clicks sampled again"
    assert second.session_state["_diffusion_compare"] is rows
    assert second.session_state["_diffusion_judge"] is results


def test_tiny_ddpm_training_run_then_offered_to_the_sampler_comparison():
    at = open_page(PAGE, "en")
    at.radio(key="diffusion_objective").set_value("ddpm").run()
    at.radio(key="diffusion_schedule").set_value("cosine")
    at.slider(key="diffusion_epochs").set_value(1)
    at.button(key="diffusion_train").click().run()
    assert not at.exception, at.exception
    job = at.session_state["_jobs"]["diffusion"]
    job.join(90)
    assert job.state == "done", (job.state, job.error)
    epochs = [r for r in job.epochs_log if r["kind"] == "epoch"]
    assert len(epochs) == 1 and epochs[0]["grid"].shape == (20, 28, 28)
    at.run()
    assert not at.exception, at.exception
    assert "Epoch 1" in "\n".join(img.caption for el in at.get("image") for img in el.proto.imgs)
    model = at.session_state["diffusion_session"]["model"]
    assert (model.objective, model.schedule) == ("ddpm", "cosine")
    if not _has_shipped():
        return
    # the sampler comparison offers the session's model (its 1,000-step DDPM row is too slow for a test)
    assert "the model trained in this session (DDPM)" in at.radio(key="diffusion_compare_model").options
    from ui.lessons.diffusion import sampler_runs

    assert sampler_runs(model.objective)[:2] == [("ddpm", 1000), ("ddim", 50)]


def test_reopen_refuses_a_run_that_is_not_a_diffusion_model(tmp_path, monkeypatch):
    from core import runs
    from core.models.cnn import MNISTCNN
    from ui.lessons import diffusion as lesson

    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    writer = runs.RunWriter(lesson.LESSON.key, "たろう", {"objective": "flow", "epochs": 1})
    assert writer.save(MNISTCNN(), None, state="done", epochs_done=1, history={"epochs": []})
    with pytest.raises(runs.RunError) as e:
        lesson.LESSON.reopen(writer.run_id)
    assert e.value.code == "model"


def test_the_forward_process_can_start_from_the_digit_drawn_on_the_cnn_page():
    import numpy as np

    at = open_page(PAGE, "ja")
    assert at.radio(key="diffusion_source").options == ["テスト画像"]  # nothing drawn yet
    drawn = np.zeros((28, 28), np.float32)
    drawn[4:24, 12:16] = 1.0  # a "1", as the CNN page frames a drawing
    at.session_state["cnn_input_draw"] = drawn
    at.run()
    at.radio(key="diffusion_source").set_value("drawn").run()
    assert not at.exception, at.exception
    assert at.radio(key="diffusion_source").value == "drawn"


def test_the_animation_reads_each_frame_not_the_final_digit():
    """With the animation on, the final digit's reading is not shown beside frames of noise: each frame of
    the GIF carries its own reading instead, and the caption says so."""
    at = open_page(PAGE, "ja")
    if not _has_shipped():
        pytest.skip("no shipped diffusion model")
    assert any(m.label.startswith("CNN の読み") for m in at.metric)  # the still final digit: its reading
    at.toggle(key="diffusion_animate").set_value(True).run()
    assert not at.exception, at.exception
    assert not any(m.label.startswith("CNN の読み") for m in at.metric)
    assert "そのコマの画像を CNN が読んだ結果" in texts(at)
    from ui.lessons import diffusion as lesson

    loaded = lesson.shipped()
    d = lesson.sampling_defaults(loaded)
    _, frames, _ = lesson.reverse_run(loaded.model, 3, 0, d["sampler"], d["steps"], d["guidance"])
    readings = lesson.frame_readings(lesson.resources.shipped("cnn_mnist.pth", "cnn.MNISTCNN").model, frames)
    assert readings[0] is None and readings[-1] is not None  # noise first, a legible digit at the end


def test_a_students_own_model_is_compared_as_a_job_that_waits_its_turn(monkeypatch):
    """The comparison of a model trained in this session is the student's own: it is a job in the server's
    line (here behind another run holding the only slot), not a computation in the page's thread."""
    import threading

    from ui.lessons import diffusion as lesson

    if not _has_shipped():
        pytest.skip("no shipped diffusion model")
    at = open_page(PAGE, "en")
    at.button(key="diffusion_train").click().run()
    train = at.session_state["_jobs"]["diffusion"]
    train.join(90)
    assert train.state == "done", (train.state, train.error)
    at.run()
    monkeypatch.setenv("LAB_MAX_JOBS", "1")
    short = [("euler", 2), ("heun", 1)]  # two quick rows: the test is about where it runs, not how long
    monkeypatch.setattr(lesson, "sampler_runs", lambda objective: short)
    pool, other = train.pool, 424242
    assert pool.acquire(train.device, other, threading.Event())  # someone else's run holds the slot
    try:
        at.radio(key="diffusion_compare_model").set_value("session").run()
        at.button(key="diffusion_compare").click().run()
        assert not at.exception, at.exception
        job = at.session_state["_jobs"][lesson.COMPARE_JOB]
        assert job.state == "queued" and "Waiting in line" in texts(at)
        assert at.button(key="diffusion_compare").disabled  # one comparison at a time
    finally:
        pool.release(train.device, other)
    job.join(120)
    assert job.state == "done", (job.state, job.error)
    at.run()
    assert not at.exception, at.exception
    rows = lesson.comparison_rows(job)
    assert [(r["sampler"], r["steps"]) for r in rows] == short
    assert all(r["per_100"] > 0 for r in rows)
    assert "_diffusion_compare" not in at.session_state  # nothing of it in what the class shares


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_metrics_table_explanations_and_ethics_show_in_both_languages(lang):
    from core import gen_eval
    from ui.strings import diffusion as strings

    words = strings.JA if lang == "ja" else strings.EN
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    body = texts(at)
    table = gen_eval.shipped_table()
    assert table is not None, "checkpoints/generative_eval.json is shipped with the page"
    assert words["diffusion.metrics"] in body
    frames = [df.value for df in at.dataframe]
    models = next(f for f in frames if "FID ↓" in f.columns)
    assert len(models) == 4  # GAN, cGAN, VAE, diffusion
    assert words["diffusion.metrics.cgan"] in set(models[words["diffusion.metrics.model"]])
    for key in ("fid", "precision", "recall", "nearest"):
        assert words[f"diffusion.metric.{key}"] in body
    assert words["diffusion.ethics"] in body
    assert ("ディープフェイク" in body) if lang == "ja" else ("Deepfakes" in body)
    assert words["diffusion.review.q5"] in body and words["diffusion.review.q6"] in body
    assert "generative_eval" in body  # where the figures come from


def test_the_guidance_default_is_the_judges_choice():
    from core import diffusion as core_diffusion
    from core import gen_eval

    chosen = gen_eval.shipped_table()["chosen"]
    assert (chosen["guidance"], tuple(chosen["band"])) == (
        core_diffusion.DEFAULT_GUIDANCE,
        core_diffusion.DEFAULT_BAND,
    )
    at = open_page(PAGE, "en")
    assert not at.exception, at.exception
    if not _has_shipped():
        pytest.skip("no shipped diffusion model")
    assert at.slider(key="diffusion_w").value == core_diffusion.DEFAULT_GUIDANCE
    lo, hi = core_diffusion.DEFAULT_BAND
    assert (
        f"This page's default is w = {core_diffusion.DEFAULT_GUIDANCE:g} for t in ({lo:g}, {hi:g}]"
        in texts(at)
    )
    assert len([c for c in at.get("plotly_chart")]) >= 5  # the schedules, and FID and agreement against w
