"""AppTest of the XOR page: both languages, a full default training run, Step/Reset, comparison, code."""

import pytest

from tests.apptest import open_page, texts


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_xor_page_renders(lang):
    at = open_page("app_pages/xor.py", lang)
    assert not at.exception, at.exception
    body = texts(at)
    assert "XOR" in body and "2-2-2-1" in body
    for key in ("xor_train", "xor_stop", "xor_step", "xor_reset", "xor_compare"):
        assert at.button(key=key) is not None
    assert len(at.expander) >= 5  # review questions
    if lang == "ja":
        assert "確認問題" in body and "真理値表" in body
    else:
        assert "Review questions" in body


def test_xor_default_training_reaches_100_percent():
    at = open_page("app_pages/xor.py", "en")
    at.button(key="xor_train").click().run()
    assert not at.exception, at.exception
    job = at.session_state["_jobs"]["xor"]
    job.join(timeout=60)
    assert job.state == "done", (job.state, job.error)
    at.run()
    assert not at.exception, at.exception
    assert _metric(at, "Truth-table accuracy") == "100%"
    assert _metric(at, "Epoch") == "1000 / 1000"
    assert _metric(at, "Prediction") == "1"  # input [0, 1]


def test_epochs_typed_and_train_clicked_in_one_request_are_used():
    """A student types 300 and clicks Train straight away: the browser sends both in one request. A Train
    callback would run with the previous run's 1,000 (seen under load in bench/classroom_load.py)."""
    at = open_page("app_pages/xor.py", "en")
    at.number_input(key="xor_epochs").set_value(300)
    at.button(key="xor_train").click().run()  # one run: the new value and the click together
    assert not at.exception, at.exception
    job = at.session_state["_jobs"]["xor"]
    assert job.epochs == 300
    job.join(timeout=60)
    at.run()
    assert _metric(at, "Epoch") == "300 / 300"


def test_xor_step_and_reset():
    at = open_page("app_pages/xor.py", "en")
    at.button(key="xor_step").click().run()
    at.button(key="xor_step").click().run()
    assert not at.exception, at.exception
    assert _metric(at, "Epoch") == "2 / 1000"
    at.button(key="xor_reset").click().run()
    assert _metric(at, "Epoch") == "0 / 1000"


def test_xor_compare_linear_and_network():
    at = open_page("app_pages/xor.py", "en")
    at.number_input(key="xor_epochs").set_value(400).run()
    at.button(key="xor_compare").click().run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Gate" in d.value.columns)
    xor_row = table[table["Gate"] == "XOR"].iloc[0]
    assert xor_row["No hidden layer (one line)"] != "100%"


def test_xor_no_hidden_layer_and_step_view_and_code():
    at = open_page("app_pages/xor.py", "ja")
    at.slider(key="xor_layers").set_value(0).run()
    at.toggle(key="xor_stepview").set_value(True).run()
    at.toggle(key="xor_show_code").set_value(True).run()
    assert not at.exception, at.exception
    assert "2-1" in texts(at)
    code = at.main.code[-1].value
    # the run zip's train.py: the settings are its constants, the network is built from them
    assert "HIDDEN = ()" in code and "sizes = [2, *HIDDEN, 1]" in code and "BCELoss" in code
    compile(code, "xor.py", "exec")


def test_a_queued_training_shows_its_place_in_line_once_and_starts_by_itself(monkeypatch):
    """Classroom load: with the server's job slot taken by another student's run, Train puts this run in
    line; the page says how many are ahead (once), keeps its panel, and the run starts when the slot frees."""
    import threading

    from ui import jobs

    pool, release = jobs.LocalPool(lambda device: 1), threading.Event()

    def other_students_run():
        release.wait(30)
        yield {"kind": "epoch", "epoch": 1}

    monkeypatch.setattr(jobs, "shared_pool", lambda: pool)
    other = jobs.Job("other", "cpu", 1, other_students_run)
    other.start(pool)
    at = open_page("app_pages/xor.py", "ja")
    at.button(key="xor_train").click().run()
    assert not at.exception, at.exception
    mine = at.session_state["_jobs"]["xor"]
    assert mine.state == "queued"
    waiting = [i.value for i in at.info if "順番待ち" in i.value]
    assert waiting == ["順番待ち中です（あなたの前に 1 件）。前の学習が終わると自動で始まります。"], waiting
    assert len(at.get("plotly_chart")) >= 2  # the panel is still drawn under the line
    release.set()
    mine.join(timeout=60)
    assert other.state == "done" and mine.state == "done", (mine.state, mine.error)


@pytest.mark.parametrize(
    ("lang", "typed", "kept", "message"),
    [
        ("ja", -5, 1, "「エポック数」は 1〜20,000 の範囲で入力してください。1 にしました。"),
        ("en", 99_999_999, 20_000, "“Epochs” must be between 1 and 20,000. It is now 20,000."),
    ],
)
def test_an_out_of_range_number_is_explained_in_words(lang, typed, kept, message):
    """A number outside a box's range is not silently replaced: the box says the range, in the student's
    language, and takes the nearest allowed number."""
    at = open_page("app_pages/xor.py", lang)
    at.number_input(key="xor_epochs").set_value(typed).run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [message]
    assert at.number_input(key="xor_epochs").value == kept
    at.run()  # the message is said once; the number stays
    assert not at.warning and at.number_input(key="xor_epochs").value == kept


def _figure(at, key: str) -> dict:
    """The Plotly figure of the chart with `key`, as the browser gets it."""
    import json

    chart = next(c for c in at.get("plotly_chart") if key in c.proto.id)
    return json.loads(chart.proto.spec)


def _truth(at) -> list:
    return next(d.value for d in at.dataframe if "output" in d.value.columns)["output"].tolist()


@pytest.mark.parametrize(("lang", "words"), [("ja", "「学習開始」を押すと"), ("en", "Press Train")])
def test_before_training_the_loss_chart_says_what_to_do_and_the_map_has_ticks(lang, words):
    """No empty log axis from 0.1 to 10k before the first epoch: a message where the curve will be. The
    decision map labels 0, 0.5 and 1 on both axes and keeps its x1/x2 titles in its margins."""
    at = open_page("app_pages/xor.py", lang)
    loss = _figure(at, "xor_loss_chart")
    assert not loss["data"], "no curve before training"
    assert words in loss["layout"]["annotations"][0]["text"]
    assert loss["layout"]["annotations"][0]["font"]["size"] >= 16
    assert loss["layout"]["xaxis"]["visible"] is False and loss["layout"]["yaxis"]["visible"] is False
    heat = _figure(at, "xor_heatmap")["layout"]
    for axis in ("xaxis", "yaxis"):
        assert heat[axis]["tickvals"] == [0, 0.5, 1] and heat[axis]["ticktext"] == ["0", "0.5", "1"]
    assert heat["xaxis"]["title"]["text"] == "x1" and heat["yaxis"]["title"]["text"] == "x2"
    assert heat["margin"]["l"] >= 60 and heat["margin"]["b"] >= 50  # room for the ticks and the titles
    at.button(key="xor_step").click().run()  # one epoch: the curve replaces the message
    loss = _figure(at, "xor_loss_chart")
    assert loss["data"] and not loss["layout"].get("annotations")


def test_slow_motion_reaches_the_training_iterator():
    """The speed chosen on the page is the pause the job's iterator makes after every epoch: "very slow"
    makes 20 epochs take over a second; "full speed" has no pause; a change during the run reaches it."""
    at = open_page("app_pages/xor.py", "en")
    assert at.select_slider(key="xor_speed").value == "slow"  # the default: 1,000 epochs in about 15 s
    at.number_input(key="xor_epochs").set_value(20).run()
    at.select_slider(key="xor_speed").set_value("slower").run()
    at.button(key="xor_train").click().run()
    trainer, job = at.session_state["xor_trainer"], at.session_state["_jobs"]["xor"]
    assert job.make_iter.__self__ is trainer and trainer.controls["delay"] == 0.06
    job.join(timeout=60)
    assert job.state == "done" and job.run_seconds >= 19 * 0.06, job.run_seconds
    at.select_slider(key="xor_speed").set_value("full").run()
    assert trainer.controls["delay"] == 0.0  # read by the iterator at its next epoch
    at.button(key="xor_train").click().run()
    assert at.session_state["xor_trainer"].controls["delay"] == 0.0
    at.session_state["_jobs"]["xor"].join(timeout=60)


def test_replay_slider_shows_the_truth_table_and_map_at_that_epoch():
    """After a run the replay slider goes over the kept epochs (0, 10, ..., 1000); moving it shows the
    truth table, the decision map, the network and the metrics of that epoch; a new run starts at its end."""
    at = open_page("app_pages/xor.py", "en")
    assert "xor_replay" not in [s.key for s in at.select_slider]  # nothing to replay yet
    at.select_slider(key="xor_speed").set_value("full").run()
    at.button(key="xor_train").click().run()
    at.session_state["_jobs"]["xor"].join(timeout=60)
    at.run()
    replay = at.select_slider(key="xor_replay")
    assert replay.options[:3] == ["0", "10", "20"] and replay.options[-1] == "1000"
    assert replay.value == 1000 and _metric(at, "Truth-table accuracy") == "100%"
    final_truth, final_map = _truth(at), _figure(at, "xor_heatmap")["data"][0]["z"]
    trainer = at.session_state["xor_trainer"]
    at.select_slider(key="xor_replay").set_value(0).run()
    assert not at.exception, at.exception
    untrained = [r["output"] for r in xor_truth_table(trainer.model_at(0))]
    assert _truth(at) == pytest.approx(untrained, abs=1e-4) and _truth(at) != final_truth
    assert _figure(at, "xor_heatmap")["data"][0]["z"] != final_map
    assert _metric(at, "Epoch") == "0 / 1000" and _metric(at, "Truth-table accuracy") != "100%"
    assert "epoch 0" in _figure(at, "xor_heatmap")["layout"]["title"]["text"]
    at.select_slider(key="xor_replay").set_value(100).run()
    at100 = [r["output"] for r in xor_truth_table(trainer.model_at(100))]
    assert _truth(at) == pytest.approx(at100, abs=1e-4)
    shapes = _figure(at, "xor_loss_chart")["layout"]["shapes"]
    assert shapes[0]["x0"] == 100  # the loss chart marks the epoch shown
    at.number_input(key="xor_epochs").set_value(50).run()
    at.button(key="xor_train").click().run()
    at.session_state["_jobs"]["xor"].join(timeout=60)
    at.run()
    assert at.select_slider(key="xor_replay").value == 50, "a new run is shown at its last epoch"


def xor_truth_table(model):
    from core import xor

    return xor.truth_table(model, "XOR")
