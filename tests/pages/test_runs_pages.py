"""Nothing lost: a CNN run is saved to runs/ as it trains and reopens in a new session (a
reload or a server restart); language, page and widget changes mid-training keep the session's job and
model; Stop at a random batch, Resume, and every save loads with a consistent history; a GPU fault
offers a CPU rerun; a read-only runs/ is reported while training goes on."""

from __future__ import annotations

import random
import time

import pytest
import torch

from core import cnn as core_cnn
from core import runs
from tests.apptest import open_page, sign_in, texts

PAGE = "app_pages/cnn.py"
NAME = "たろう"


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    return tmp_path


def cnn_page(name: str = NAME, lang: str = "en"):
    """The CNN page with the student's name typed. After switch_page, AppTest runs the page without
    Home.py's sidebar, so the test sets the copy the sidebar's name box keeps (saved_runs.KEPT_KEY)."""
    at = open_page(PAGE, lang)
    sign_in(at, name)
    at.radio(key="cnn_channels").set_value("8/16")
    at.run()
    return at


def slow_iter(delay: float):
    """core.cnn.make_train_iter whose iterator sleeps after each record (a run long enough to poke)."""
    real = core_cnn.make_train_iter

    def make(*args, **kwargs):
        net, make_iter = real(*args, **kwargs)

        def it():
            for rec in make_iter():
                yield rec
                time.sleep(delay)

        return net, it

    return make


def test_saved_run_reopens_in_a_new_session(store):
    at = cnn_page()
    at.button(key="cnn_train").click().run()
    assert not at.exception, at.exception
    job = at.session_state["_jobs"]["cnn"]
    job.join(60)
    assert job.state == "done", (job.state, job.error)
    net = at.session_state["cnn_run"]["model"]
    (saved,) = runs.list_runs("cnn", NAME)
    assert saved.state == "done" and saved.epochs_done == 1 and saved.name == NAME
    assert NAME in saved.run_id  # Japanese letters kept in the folder name
    at.run()
    assert "Saved to runs/ up to epoch 1." in texts(at)  # the live panel says what a crash would not lose

    other = cnn_page("Hanako")  # another student sees nothing of it
    assert not other.exception
    assert "cnn_runs_pick" not in [s.key for s in other.selectbox]
    assert 'No runs saved as "Hanako" yet' in texts(other)

    fresh = cnn_page()  # a new session: a reload, a new browser, or a restarted server
    assert not fresh.exception, fresh.exception
    assert fresh.selectbox(key="cnn_runs_pick").value == saved.run_id
    fresh.button(key="cnn_runs_open").click().run()
    assert not fresh.exception, fresh.exception
    assert "Saved run opened (1 epochs)" in texts(fresh)
    back = fresh.session_state["_jobs"]["cnn"]
    assert back.state == "restored" and not back.active
    assert [r["epoch"] for r in back.epochs_log] == [1]
    assert back.epochs_log[0]["val_acc"] == pytest.approx(job.epochs_log[-1]["val_acc"])
    assert len(back.steps) == len(job.steps)
    model = fresh.session_state["cnn_run"]["model"]
    for k, v in net.state_dict().items():
        assert torch.equal(model.state_dict()[k], v.cpu())
    fresh.run()
    assert "Trained in this session" in fresh.radio(key="cnn_model_choice").options
    fresh.button(key="cnn_use_session").click().run()
    assert not fresh.exception, fresh.exception
    assert fresh.radio(key="cnn_model_choice").value == "session"


def test_changes_mid_training_keep_the_job_and_random_stops_keep_saves_consistent(store, monkeypatch):
    monkeypatch.setattr(core_cnn, "make_train_iter", slow_iter(0.25))  # 9 records: ~2 s
    rnd = random.Random(0)
    at = cnn_page()
    at.slider(key="cnn_epochs").set_value(3).run()  # on_train uses the settings of the last run
    at.button(key="cnn_train").click().run()
    job = at.session_state["_jobs"]["cnn"]
    net = at.session_state["cnn_run"]["model"]
    # language, a widget of another tab, another page and back: same job, same model
    at.session_state["lang"] = "ja"
    at.run()
    at.slider(key="cnn_stroke").set_value(24).run()
    at.switch_page("app_pages/xor.py").run()
    at.switch_page(PAGE).run()
    at.session_state["lang"] = "en"
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["_jobs"]["cnn"] is job and at.session_state["cnn_run"]["model"] is net
    assert job.active or job.state == "done"
    for _ in range(3):  # Stop at random batches, check the save, Resume
        if not job.active:
            break
        time.sleep(rnd.uniform(0.05, 0.4))
        job.stop()
        job.join(10)
        assert job.state in ("paused", "done")
        (saved,) = runs.list_runs("cnn", NAME)
        opened = runs.open_run(saved.run_id, core_cnn.FAMILY)
        epochs = [r["epoch"] for r in opened.history["epochs"]]
        assert epochs == list(range(1, len(epochs) + 1)) and opened.info.epochs_done == len(epochs)
        assert opened.info.state == ("stopped" if job.state == "paused" else "done")
        for k, v in net.state_dict().items():  # the save holds the weights at the stop
            assert torch.equal(opened.model.state_dict()[k], v.cpu())
        at.run()
        if job.state == "paused":
            at.button(key="cnn_resume").click().run()
            assert not at.exception, at.exception
    job.join(60)
    assert job.state == "done", (job.state, job.error)
    (saved,) = runs.list_runs("cnn", NAME)
    assert saved.state == "done" and saved.epochs_done == 3
    steps = [s["step"] for s in runs.open_run(saved.run_id).history["steps"]]
    assert steps == sorted(set(steps))


def test_read_only_runs_dir_is_reported_and_training_goes_on(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path / "file"))  # a store path under a file: every save fails
    at = cnn_page()
    at.button(key="cnn_train").click().run()
    job = at.session_state["_jobs"]["cnn"]
    job.join(60)
    assert job.state == "done", (job.state, job.error)
    at.run()
    assert not at.exception, at.exception
    assert "Could not save (training goes on)" in " ".join(w.value for w in at.warning)
    at.session_state["lang"] = "ja"
    at.run()
    assert "保存できませんでした" in " ".join(w.value for w in at.warning)


def test_gpu_out_of_memory_offers_a_cpu_rerun(store, monkeypatch):
    real = core_cnn.make_train_iter
    devices = []

    def flaky(*args, **kwargs):
        device = args[-1] if len(args) > 5 else kwargs.get("device", "cpu")
        devices.append(device)
        net, make_iter = real(*args[:5], "cpu")
        if len(devices) == 1:  # the first run "runs on a GPU" and runs out of memory

            def boom():
                yield from ()
                raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")

            return net, boom
        return net, make_iter

    monkeypatch.setattr(core_cnn, "make_train_iter", flaky)
    at = cnn_page()
    at.button(key="cnn_train").click().run()
    job = at.session_state["_jobs"]["cnn"]
    job.join(10)
    job.device = "cuda:0"  # as if the session had trained on the GPU
    at.run()
    assert job.state == "error" and job.error_code == "oom"
    assert "ran out of memory" in " ".join(e.value for e in at.error)
    at.button(key="cnn_cpu").click().run()
    assert not at.exception, at.exception
    assert devices[-1] == "cpu" and at.session_state["_train_on_cpu"]
    rerun = at.session_state["_jobs"]["cnn"]
    assert rerun is not job
    rerun.join(60)
    assert rerun.state == "done" and rerun.device == "cpu"


@pytest.mark.parametrize("page, family", [("gan", "gan.Generator"), ("vae", None)])
def test_generative_runs_reopen_in_a_new_session(store, page, family):
    def session():
        at = open_page(f"app_pages/{page}.py", "en")
        sign_in(at, NAME)
        at.run()
        return at

    at = session()
    at.button(key=f"{page}_train").click().run()
    assert not at.exception, at.exception
    job = at.session_state["_jobs"][page]
    job.join(120)
    assert job.state == "done", (job.state, job.error)
    (saved,) = runs.list_runs(page, NAME)
    assert saved.state == "done" and saved.epochs_done == 1
    fresh = session()
    fresh.button(key=f"{page}_runs_open").click().run()
    assert not fresh.exception, fresh.exception
    assert "Saved run opened (1 epochs)" in texts(fresh)
    assert fresh.session_state["_jobs"][page].state == "restored"
    if page == "gan":
        reopened = fresh.session_state["_jobs"]["gan"]
        epochs = [r for r in reopened.epochs_log if "grid" in r]
        assert [r["epoch"] for r in epochs] == [1] and epochs[0]["grid"].shape == (64, 28, 28)
        assert len(reopened.steps) == len(job.steps)
        assert fresh.session_state["gan_G"] is not None
        assert "Replay the grid epoch by epoch" in texts(fresh)  # the reopened run's timeline
    else:
        assert "Model trained in this session" in fresh.radio(key="vae_which").options


def _session(page: str, name: str = NAME):
    at = open_page(f"app_pages/{page}.py", "en")
    sign_in(at, name)
    at.run()
    return at


def test_hyperparameter_comparison_reopens_with_curves_and_table(store):
    from core import experiment_runs

    at = _session("hyperparams")
    at.button(key="hyperparams_preset_channels").click().run()
    at.button(key="hyperparams_train").click().run()
    assert not at.exception, at.exception
    job = at.session_state["_jobs"]["hyperparams"]
    job.join(120)
    assert job.state == "done", (job.state, job.error)
    trained = at.session_state["hyperparams_history"]
    (comp,) = experiment_runs.list_comparisons(NAME)
    assert [r.state for r in comp.runs] == ["done", "done"] and all(r.has_model for r in comp.runs)
    assert [r.epochs_done for r in comp.runs] == [len(r.epochs) for r in trained]

    fresh = _session("hyperparams")  # a reload or a restarted server: an empty history
    assert "No runs yet" in texts(fresh)
    assert fresh.selectbox(key="hyperparams_runs_pick").value == comp.comparison
    fresh.button(key="hyperparams_runs_open").click().run()
    assert not fresh.exception, fresh.exception
    assert "Saved comparison opened (2 runs)" in texts(fresh)
    back = fresh.session_state["hyperparams_history"]
    assert [r.status for r in back] == ["done", "done"]
    assert [r.series("val_acc") for r in back] == [r.series("val_acc") for r in trained]
    table = fresh.dataframe[0].value
    assert list(table["Run"]) == ["#1 channels=16/32", "#2 channels=32/64"]
    assert len(fresh.get("plotly_chart")) == 2
    labels = [d.proto.label for d in fresh.get("download_button")]
    assert "Save the best model (.pth)" in labels
    fresh.button(key="hyperparams_runs_open").click().run()  # opening it again adds nothing
    assert len(fresh.session_state["hyperparams_history"]) == 2
    fresh.session_state["lang"] = "ja"
    fresh.run()
    assert not fresh.exception, fresh.exception


def test_xor_run_reopens_with_model_heatmap_and_curve(store):
    at = _session("xor")
    at.number_input(key="xor_epochs").set_value(300).run()
    at.button(key="xor_train").click().run()
    job = at.session_state["_jobs"]["xor"]
    job.join(60)
    assert job.state == "done", (job.state, job.error)
    net = at.session_state["xor_trainer"].model
    (saved,) = runs.list_runs("xor", NAME)
    assert saved.state == "done" and saved.epochs_done == 300

    fresh = _session("xor")
    fresh.button(key="xor_runs_open").click().run()
    assert not fresh.exception, fresh.exception
    assert "Saved run opened (300 epochs)" in texts(fresh)
    assert fresh.session_state["_jobs"]["xor"].state == "restored"
    trainer = fresh.session_state["xor_trainer"]
    assert trainer.epoch == 300 and trainer.finished and len(trainer.steps) == 300
    for k, v in net.state_dict().items():
        assert torch.equal(trainer.model.state_dict()[k], v)
    assert fresh.number_input(key="xor_epochs").value == 300, "the builder shows the run's settings"
    assert next(m.value for m in fresh.metric if m.label == "Epoch") == "300 / 300"
    keys = {c.proto.id for c in fresh.get("plotly_chart")}
    assert any("xor_loss_chart" in k for k in keys) and any("xor_heatmap" in k for k in keys)
