"""AppTest of the GAN page: both languages, shipped samples, a tiny live training run."""

import pytest

from tests.apptest import open_page, sign_in, texts


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_gan_page_renders(lang):
    at = open_page("app_pages/gan.py", lang)
    assert not at.exception, at.exception
    body = texts(at)
    assert ("GAN" in body) and ("detach" in body)
    assert at.button(key="gan_train") is not None
    assert len(at.latex) >= 2
    if lang == "ja":
        assert "生成器" in body


def test_gan_new_samples_changes_seed():
    """checkpoints/gan_mnist.pth ships with the repository, so the samples and their seed box are there."""
    at = open_page("app_pages/gan.py", "en")
    before = at.number_input(key="gan_seed").value
    at.button(key="gan_new").click().run()
    assert not at.exception, at.exception
    assert at.session_state["gan_seed"] == before + 1
    assert at.number_input(key="gan_seed").value == before + 1  # the box shows the new seed


def test_gan_trains_one_tiny_epoch():
    at = open_page("app_pages/gan.py", "en")
    at.button(key="gan_train").click().run()
    assert not at.exception, at.exception
    job = at.session_state["_jobs"]["gan"]
    job.join(timeout=60)
    assert job.state == "done", (job.state, job.error)
    epochs = [r for r in job.epochs_log if r["kind"] == "epoch"]
    assert epochs and epochs[-1]["grid"].shape == (64, 28, 28)
    assert job.steps and all(0 <= s["d_real"] <= 1 for s in job.steps)
    assert at.session_state["gan_G"] is not None and at.session_state["gan_cfg"].epochs == 1
    at.run()
    assert not at.exception, at.exception
    body = texts(at)
    assert "Images from the fixed z (epoch 1)" in body  # the live panel's latest grid
    assert "Replay the grid epoch by epoch" in body  # the timeline of a finished run
    assert at.button(key="gan_train").disabled is False  # the run is over: train again
    last = job.steps[-1]
    shown = {m.label: m.value for m in at.metric}
    assert shown["D loss"] == f"{last['d_loss']:.3f}" and shown["D(G(z)): fake"] == f"{last['d_fake']:.2f}"


def test_gan_show_code_shows_the_two_updates():
    at = open_page("app_pages/gan.py", "en")
    at.toggle(key="gan_show_code").set_value(True).run()
    assert not at.exception, at.exception
    (code,) = at.main.code
    assert "def d_step(" in code.value and "def g_step(" in code.value
    assert "d_step and g_step in core/gan.py" in texts(at)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_shipped_generator_is_described_as_it_is(lang):
    """The caption names the mapping network and the 3x3 refining conv exactly when the shipped generator has them."""
    from core import checkpoints

    try:
        G = checkpoints.load(checkpoints.SHIPPED_DIR / "gan_mnist.pth", expected_family="gan.Generator").model
    except checkpoints.CheckpointError:
        pytest.skip("no shipped generator")
    at = open_page("app_pages/gan.py", lang)
    assert not at.exception, at.exception
    body = texts(at)
    mapping, refine_on = G.model_args.get("mapping", 0), bool(G.model_args.get("refine"))
    named = ("マッピングネットワーク" in body) if lang == "ja" else ("mapping network" in body)
    assert named == bool(mapping)
    if mapping:
        assert (f"{mapping} ユニット" if lang == "ja" else f"{mapping}-unit") in body
    refine = (
        ("3×3 の畳み込みを 1 層加え" in body) if lang == "ja" else ("one 3×3 convolution between" in body)
    )
    assert refine == refine_on


def _trained(at, epochs: int):
    """`at` after a finished run of `epochs` tiny epochs (test mode: 256 images, 4 batches each)."""
    at.number_input(key="gan_epochs").set_value(epochs).run()
    at.button(key="gan_train").click().run()
    assert not at.exception, at.exception
    job = at.session_state["_jobs"]["gan"]
    job.join(timeout=120)
    assert job.state == "done", (job.state, job.error)
    at.run()
    assert not at.exception, at.exception
    return job


def _marks(at) -> list[float]:
    """The x of the vertical lines the two step charts draw (the replayed epoch's step)."""
    import json

    xs = []
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        xs += [s["x0"] for s in spec.get("layout", {}).get("shapes", []) if s.get("x0") == s.get("x1")]
    return xs


def test_gan_replay_slider_shows_the_chosen_epoch():
    """After a run, a slider over the recorded epochs shows that epoch's grid, metrics and a mark on the
    loss charts at its step."""
    at = open_page("app_pages/gan.py", "en")
    job = _trained(at, 2)
    ep = [r for r in job.epochs_log if r["kind"] == "epoch"]
    slider = at.slider(key="gan_epoch")
    assert (slider.min, slider.max, slider.value) == (1, 2, 2)  # the replay starts at the end
    assert "Images from the fixed z (epoch 2)" in texts(at)
    assert _marks(at) == [ep[1]["step"]] * 2
    slider.set_value(1).run()
    assert not at.exception, at.exception
    body = texts(at)
    assert "Images from the fixed z (epoch 1)" in body and "(epoch 2)" not in body
    assert _marks(at) == [ep[0]["step"]] * 2
    step = next(s for s in job.steps if s["step"] == ep[0]["step"])
    shown = {m.label: m.value for m in at.metric}
    assert shown["D loss"] == f"{step['d_loss']:.3f}"  # the metrics of that epoch's last step
    assert at.download_button(key="gan_epoch_download").label == "Download PNG"  # that epoch's grid


def test_gan_replay_works_for_a_reopened_run(tmp_path, monkeypatch):
    from core import runs

    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    at = open_page("app_pages/gan.py", "en")
    sign_in(at, "replay")
    at.run()
    _trained(at, 2)
    fresh = open_page("app_pages/gan.py", "en")
    sign_in(fresh, "replay")
    fresh.run()
    fresh.button(key="gan_runs_open").click().run()
    assert not fresh.exception, fresh.exception
    assert fresh.session_state["_jobs"]["gan"].state == "restored"
    slider = fresh.slider(key="gan_epoch")
    assert (slider.min, slider.max, slider.value) == (1, 2, 2)
    slider.set_value(1).run()
    assert not fresh.exception, fresh.exception
    assert "Images from the fixed z (epoch 1)" in texts(fresh)
    assert len(_marks(fresh)) == 2


def test_gan_page_defaults_are_the_measured_live_run(monkeypatch):
    """Outside test mode the page starts with core.gan.LIVE, the run bench/gen_quality_gan.py measures."""
    from core import gan
    from ui.lessons import gan as lesson

    assert lesson.page_defaults("improved").epochs == 1  # test mode (LAB_TEST_MODE=1)
    monkeypatch.setenv("LAB_TEST_MODE", "0")
    assert lesson.page_defaults("improved") == gan.LIVE
    at = open_page("app_pages/gan.py", "ja")
    assert not at.exception, at.exception
    assert at.number_input(key="gan_epochs").value == gan.LIVE.epochs
    assert at.select_slider(key="gan_batch_improved").value == gan.LIVE.batch_size
    assert at.select_slider(key="gan_g_lr_improved").value == gan.LIVE.g_lr
    assert at.select_slider(key="gan_d_lr_improved").value == gan.LIVE.d_lr
    assert f"{gan.LIVE.epochs} エポック" in texts(at)  # the caption near Train says what it gives


@pytest.mark.parametrize(
    ("lang", "expect"),
    [
        ("ja", ("約 1 分", "数分かかる", "順番待ち", "残り時間")),
        ("en", ("a minute", "several minutes", "wait in line", "time left")),
    ],
)
def test_gan_time_hint_says_what_a_shared_server_costs(lang, expect):
    """The hint beside Train does not promise "about a minute" alone: on the class's one server a run can
    take minutes and wait in line, and the progress bar's estimate (from the measured speed) says how long."""
    at = open_page("app_pages/gan.py", lang)
    assert not at.exception, at.exception
    first = "最初の設定は" if lang == "ja" else "The first run is"
    hint = next(c.value for c in at.caption if c.value.startswith(first))
    assert all(words in hint for words in expect), hint
