"""AppTest of the XOR page: both languages, a full default training run, Step/Reset, comparison, code."""

import pytest

from tests.apptest import open_page, texts


def _metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_xor_page_renders(lang):
    at = open_page("pages/xor.py", lang)
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
    at = open_page("pages/xor.py", "en")
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
    at = open_page("pages/xor.py", "en")
    at.number_input(key="xor_epochs").set_value(300)
    at.button(key="xor_train").click().run()  # one run: the new value and the click together
    assert not at.exception, at.exception
    job = at.session_state["_jobs"]["xor"]
    assert job.epochs == 300
    job.join(timeout=60)
    at.run()
    assert _metric(at, "Epoch") == "300 / 300"


def test_xor_step_and_reset():
    at = open_page("pages/xor.py", "en")
    at.button(key="xor_step").click().run()
    at.button(key="xor_step").click().run()
    assert not at.exception, at.exception
    assert _metric(at, "Epoch") == "2 / 1000"
    at.button(key="xor_reset").click().run()
    assert _metric(at, "Epoch") == "0 / 1000"


def test_xor_compare_linear_and_network():
    at = open_page("pages/xor.py", "en")
    at.number_input(key="xor_epochs").set_value(400).run()
    at.button(key="xor_compare").click().run()
    assert not at.exception, at.exception
    table = next(d.value for d in at.dataframe if "Gate" in d.value.columns)
    xor_row = table[table["Gate"] == "XOR"].iloc[0]
    assert xor_row["No hidden layer (one line)"] != "100%"


def test_xor_no_hidden_layer_and_step_view_and_code():
    at = open_page("pages/xor.py", "ja")
    at.slider(key="xor_layers").set_value(0).run()
    at.toggle(key="xor_stepview").set_value(True).run()
    at.toggle(key="xor_show_code").set_value(True).run()
    assert not at.exception, at.exception
    assert "2-1" in texts(at)
    code = at.code[-1].value
    assert "nn.Linear(2, 1)" in code and "BCELoss" in code
    compile(code, "xor.py", "exec")


def test_a_queued_training_shows_its_place_in_line_once_and_starts_by_itself(monkeypatch):
    """Classroom load: with the server's job slot taken by another student's run, Train puts this run in
    line; the page says how many are ahead (once), keeps its panel, and the run starts when the slot frees."""
    import threading

    from ui import jobs

    pool, release = jobs.JobPool(lambda device: 1), threading.Event()

    def other_students_run():
        release.wait(30)
        yield {"kind": "epoch", "epoch": 1}

    monkeypatch.setattr(jobs, "shared_pool", lambda: pool)
    other = jobs.Job("other", "cpu", 1, other_students_run)
    other.start(pool)
    at = open_page("pages/xor.py", "ja")
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
    at = open_page("pages/xor.py", lang)
    at.number_input(key="xor_epochs").set_value(typed).run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [message]
    assert at.number_input(key="xor_epochs").value == kept
    at.run()  # the message is said once; the number stays
    assert not at.warning and at.number_input(key="xor_epochs").value == kept
