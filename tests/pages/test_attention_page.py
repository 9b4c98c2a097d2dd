"""AppTest of the attention page: both languages render with the three steps and a heatmap, try-it answers
and explains bad input, the text model writes, a tiny training run finishes and lands in the results
table, and a foreign saved run is refused."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest
import torch

from tests.apptest import open_page, sign_in, texts

PAGE = "app_pages/attention.py"


def _shipped(name: str) -> bool:
    from core import checkpoints

    return (checkpoints.SHIPPED_DIR / name).is_file()


def _heatmaps(at) -> list[dict]:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return [s for s in specs if any(d.get("type") == "heatmap" for d in s["data"])]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_renders(lang):
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    body = texts(at)
    assert ("注意" in body) if lang == "ja" else ("attention" in body)
    assert ("確認問題" in body) if lang == "ja" else ("Review questions" in body)
    latex = "\n".join(el.body for el in at.latex)
    assert "sqrt{d}" in latex and "-\\infty" in latex and "softmax" in latex  # the three steps
    assert "0.71" in latex  # the example's numbers: 1 / sqrt(2)
    assert not at.button(key="attention_train").disabled and at.button(key="attention_stop").disabled
    assert at.slider(key="attention_steps_sort").value == 20  # test mode: tiny runs
    if _shipped("gpt_sort.pth"):
        maps = _heatmaps(at)
        assert maps and len(maps[0]["data"]) == 8  # the shipped model: 2 layers x 4 heads, before training
        assert ("正解です" in body) if lang == "ja" else ("Right" in body)  # try-it sorted 3 1 4 1 5 9


def test_the_shipped_model_sorts_what_a_student_types_first():
    """All equal, reversed, already sorted, many repeats: the first inputs a student tries come out right."""
    if not _shipped("gpt_sort.pth"):
        pytest.skip("no shipped sort model")
    at = open_page(PAGE, "ja")
    for typed in ("1 1 1 1 1 1", "9 9 9 9 9 9", "9 8 7 6 5 4"):  # the others: tests/core
        at.text_input(key="attention_try_digits_sort").set_value(typed).run()
        assert not at.exception, at.exception
        assert not at.error, (typed, [e.value for e in at.error])
        assert "正解です" in texts(at), typed


def test_a_wrong_answer_says_why():
    """An input kind the model's batches showed rarely (many copies of one digit) is said so, with how rare
    it was; with the easy families mixed in, six equal digits are common, so not rare."""
    from core import attention as core_attention
    from core import configs
    from ui.panels import attention as panels

    six = core_attention.all_equal(core_attention.SORT)[1]
    uniform = configs.with_overrides(core_attention.SORT, easy_share=0.0)  # a run saved before the mixture
    one_in = round(1 / core_attention.repeat_share(6, 10, 6))
    why = panels.why_wrong(six, uniform, 1200)
    assert "同じ数字が 6 個以上" in why and f"約 {one_in:,} 個に 1 個" in why, why
    assert "約 76,800 個" in why  # 1,200 updates of 64
    assert panels.why_wrong(six, core_attention.SORT, 1200) == panels.why_wrong(
        torch.tensor([3, 1, 4, 1, 5, 9]), core_attention.SORT, 1200
    )  # common in its batches: "not perfect yet"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_bad_digits_get_a_clear_message(lang):
    if not _shipped("gpt_sort.pth"):
        pytest.skip("no shipped sort model")
    at = open_page(PAGE, lang)
    box = at.text_input(key="attention_try_digits_sort")
    for typed, ja, en in (
        ("3 1 4", "ちょうど 6 個", "Exactly 6 digits"),
        ("3 1 4 1 5 x", "数字（0〜9）だけを入力してください。「x」は", "Digits (0-9) only, please (not “x”)"),
        ("3 1 4 1 5 *", "「\\*」は数字ではありません", "(not “\\*”)"),  # shown as "*", not Markdown
        ("3 1 4 1 5 ²", "「²」は数字ではありません", "(not “²”)"),  # isdigit() but not 0-9
        ("", "数字を入力", "Type some digits"),
    ):
        box.set_value(typed).run()
        assert not at.exception, (typed, at.exception)
        warnings = "\n".join(w.value for w in at.warning)
        assert (ja if lang == "ja" else en) in warnings, (typed, warnings)
    box.set_value("９８７６５４").run()  # full-width digits are read too
    assert not at.exception and not at.warning
    assert "4 5 6 7 8 9" in texts(at)


def test_the_answer_position_picks_a_row_of_attention():
    if not _shipped("gpt_sort.pth"):
        pytest.skip("no shipped sort model")
    at = open_page(PAGE, "en")
    at.select_slider(key="attention_try_pos").set_value(3).run()
    assert not at.exception, at.exception
    bars = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    bars = [s for s in bars if s["data"] and s["data"][0].get("type") == "bar"]
    bar = bars[0]["data"][0]
    assert len(bar["x"]) == 6 + 1 + 2  # the input, "→" and two answer digits
    y = bar["y"]
    if isinstance(y, dict):  # Plotly sends arrays as base64 bytes
        y = np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"]))
    assert abs(float(np.sum(y)) - 1) < 1e-4  # one row of softmax weights
    assert "answer digit 3" in texts(at)


def test_text_task_writes_and_refuses_unknown_characters():
    if not _shipped("gpt_text_ja.pth"):
        pytest.skip("no shipped text model")
    at = open_page(PAGE, "ja")
    at.selectbox(key="attention_task").set_value("text").run()
    assert not at.exception, at.exception
    written = [c.value for c in at.code if c.value.startswith("学習率")]
    assert written and len(written[0]) > len("学習率") + 50
    at.slider(key="attention_temp").set_value(0.0).run()  # greedy: the same text twice
    first = [c.value for c in at.code if c.value.startswith("学習率")][0]
    at.run()
    assert [c.value for c in at.code if c.value.startswith("学習率")][0] == first
    at.text_input(key="attention_try_prompt").set_value("学習🙂").run()
    assert not at.exception, at.exception
    assert "「🙂」は学習した文章に一度も出てこない文字" in "\n".join(w.value for w in at.warning)


@pytest.mark.parametrize(("lang", "named"), [("ja", "「日」、「語」"), ("en", "“日”, “語”")])
def test_a_prompt_with_unknown_characters_names_them(lang, named):
    """Common characters the lab's text never uses (日) are named in the message, each once; a Markdown
    sign among them shows as itself (escaped), and nothing is written from such a prompt."""
    if not _shipped("gpt_text_ja.pth"):
        pytest.skip("no shipped text model")
    at = open_page(PAGE, lang)
    at.selectbox(key="attention_task").set_value("text").run()
    at.text_input(key="attention_try_prompt").set_value("日本語の日").run()
    assert not at.exception, at.exception
    warning = "\n".join(w.value for w in at.warning)
    assert named in warning and "本" not in warning.split(named[-1])[0]  # 本 is known: not named
    assert not [c for c in at.code if c.value.startswith("日本語")], "wrote from an unreadable prompt"
    at.text_input(key="attention_try_prompt").set_value("損失*").run()
    assert "\\*" in "\n".join(w.value for w in at.warning)  # drawn as "*", not as Markdown emphasis


@pytest.mark.parametrize(
    ("lang", "hint"), [("ja", "「Ｇ」 → 「G」、「Ａ」 → 「A」"), ("en", "“Ｇ” → “G”, “Ａ” → “A”")]
)
def test_a_full_width_prompt_is_told_the_characters_it_could_use(lang, hint):
    """A Japanese keyboard types "ＧＡＮ（" where the text has "GAN(": the message names the unknown
    characters and the known ones of the other width; an emoji gets no such hint."""
    if not _shipped("gpt_text_ja.pth"):
        pytest.skip("no shipped text model")
    at = open_page(PAGE, lang)
    at.selectbox(key="attention_task").set_value("text").run()
    at.text_input(key="attention_try_prompt").set_value("ＧＡＮ（は").run()
    assert not at.exception, at.exception
    warning = "\n".join(w.value for w in at.warning)
    assert hint in warning and "→ " + hint[0] + "\\(" in warning, warning  # "(" escaped for Markdown
    assert not [c for c in at.code if "は" in c.value and c.value.startswith("Ｇ")], "wrote from it"
    at.text_input(key="attention_try_prompt").set_value("学習🙂").run()
    warning = "\n".join(w.value for w in at.warning)
    assert "🙂" in warning and "→" not in warning


def test_example_beginnings_work_and_the_known_characters_are_listed():
    """Each example beginning the page offers is read by the model (no warning) and picking one puts it in
    the box; the list of known characters has the text's characters, and not 日."""
    if not _shipped("gpt_text_ja.pth"):
        pytest.skip("no shipped text model")
    from core import attention as core_attention
    from ui.panels import attention as panels

    vocab = core_attention.CharVocab.of(core_attention.load_text())
    assert len(panels.EXAMPLES) >= 4 and all(not vocab.unknown(e) for e in panels.EXAMPLES)
    at = open_page(PAGE, "ja")
    at.selectbox(key="attention_task").set_value("text").run()
    pills = at.pills(key="attention_try_example")
    assert list(pills.options) == list(panels.EXAMPLES)
    for example in panels.EXAMPLES[1:3]:
        at.pills(key="attention_try_example").set_value(example).run()
        assert not at.exception, at.exception
        assert at.text_input(key="attention_try_prompt").value == example
        assert not at.warning, [w.value for w in at.warning]
        assert [c for c in at.code if c.value.startswith(example) and len(c.value) > len(example) + 50]
    known = [e for e in at.expander if "モデルが知っている文字" in e.label]
    assert known and f"（{vocab.size} 字）" in known[0].label
    listed = "".join(c.value for c in known[0].code)
    assert all(ch in listed for ch in "学習率損失ニュ") and "日" not in listed


@pytest.mark.parametrize("experiment", ["none", "no_mask"])
def test_tiny_training_run_shows_heatmaps_and_lands_in_the_results(experiment):
    at = open_page(PAGE, "en")
    at.selectbox(key="attention_experiment").set_value(experiment).run()
    at.button(key="attention_train").click().run()
    assert not at.exception, at.exception
    job = at.session_state["_jobs"]["attention"]
    job.join(60)
    assert job.state == "done", (job.state, job.error)
    epochs = [r for r in job.epochs_log if r["kind"] == "epoch"]
    assert len(epochs) == 2 and epochs[-1]["attention"].shape == (1, 4, 12, 12)
    at.run()
    assert not at.exception, at.exception
    assert _heatmaps(at), "no attention heatmap after training"
    assert "Using the model trained in this session." in texts(at)
    assert len(at.dataframe) == 1, "the finished run is not in the results table"
    table = at.dataframe[0].value
    assert len(table) == 1 and "Accuracy (own answer)" in table.columns
    assert ("Mask off" in table.to_string()) == (experiment == "no_mask")


def _charts(at) -> list[str]:
    """The ids of the page's Plotly charts (each carries its widget key)."""
    return [c.proto.id for c in at.get("plotly_chart")]


def test_a_run_of_another_task_is_not_shown_as_the_chosen_tasks():
    """After a sort run, choosing another task hides the sort run's curves, maps and accuracy behind a
    note naming its task, and the status counts steps, never epochs; back on sort, the run is there."""
    at = open_page(PAGE, "ja")
    sign_in(at, "はなこ").run()  # a named student's run is saved to runs/
    at.button(key="attention_train").click().run()
    job = at.session_state["_jobs"]["attention"]
    job.join(60)
    assert job.state == "done", (job.state, job.error)
    at.run()
    body = texts(at)
    live = "学習に使っていない数列で"  # the live accuracy line of a digit run
    assert live in body and any("attention_live_maps" in i for i in _charts(at))
    assert "ステップ 20 まで runs/ に保存しました" in body and "エポック" not in body
    for other in ("reverse", "text"):
        at.selectbox(key="attention_task").set_value(other).run()
        assert not at.exception, at.exception
        body = texts(at)
        assert live not in body and "ステップ 20 の注意" not in body, other
        assert not any("attention_live_maps" in i or "attention_curve_chart" in i for i in _charts(at)), other
        assert "最後に学習したのは「小さい順に並べる」" in body, other
        # the note says a trained model's maps are beside it only where they are (no shipped reverse model)
        assert ("右は今の課題の学習済みモデルの注意" in body) == (
            other == "text" and _shipped("gpt_text_ja.pth")
        )
        assert not at.button(key="attention_train").disabled
    at.selectbox(key="attention_task").set_value("sort").run()
    assert live in texts(at) and any("attention_live_maps" in i for i in _charts(at))


@pytest.mark.parametrize(("lang", "says"), [("ja", "ステップ 610 / 1200"), ("en", "Step 610 / 1200")])
def test_a_running_runs_progress_counts_steps(lang, says):
    """A run set to 1,200 steps, at step 610, says so: not "epoch 13 / 24" (its records every 50 steps)."""
    from streamlit.testing.v1 import AppTest

    def script(lang: str):
        import streamlit as st

        from core import attention as core_attention
        from ui import jobs
        from ui.lessons import attention as lesson

        st.session_state["lang"] = lang
        cfg = core_attention.SORT
        job = jobs.Job(label="attention", device="cpu", epochs=cfg.epochs, make_iter=lambda: iter(()))
        job.state = "running"
        job.last = {"kind": "step", "epoch": 13, "batch": 10, "batches": 50, "step": 610, "loss": 1.0}
        lesson.status(job, cfg)

    at = AppTest.from_function(script, args=(lang,), default_timeout=60).run()
    assert not at.exception, at.exception
    text = at.get("progress")[0].proto.text
    assert text.startswith(says) and "51%" in text, text


def test_reopen_refuses_a_run_that_is_not_a_gpt(tmp_path, monkeypatch):
    from core import runs
    from core.models.cnn import MNISTCNN
    from ui.lessons import attention as lesson

    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    writer = runs.RunWriter(lesson.LESSON.key, "たろう", {"task": "sort", "steps": 20})
    assert writer.save(MNISTCNN(), None, state="done", epochs_done=1, history={"epochs": []})
    with pytest.raises(runs.RunError) as e:
        lesson.LESSON.reopen(writer.run_id)
    assert e.value.code == "model"


def test_a_saved_run_reopens_with_its_maps(tmp_path, monkeypatch):
    """A run saved as the page saves it (weights, records, the last maps, the text's characters) comes
    back as this session's model, with its last record's maps for the heatmaps."""
    import streamlit as st

    from core import attention as core_attention
    from core import runs
    from ui import jobs
    from ui.lessons import attention as lesson

    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    cfg = lesson.config("sort", "no_pos", 3)  # tiny: the tests run in test mode
    model = core_attention.build_model(cfg)
    recs = list(core_attention.train_attention(model, cfg))
    epochs = [r for r in recs if r["kind"] == "epoch"]
    writer = runs.RunWriter(lesson.LESSON.key, "たろう", cfg.as_dict())
    history = {
        "epochs": epochs,
        "steps": [{"step": r["step"], "loss": r["loss"]} for r in recs if "loss" in r],
    }
    arrays = {"attention": epochs[-1]["attention"], "tokens": epochs[-1]["tokens"]}
    assert writer.save(
        model,
        None,
        state="done",
        epochs_done=len(epochs),
        history=history,
        arrays=arrays,
        meta=core_attention.checkpoint_meta(cfg),
        metrics={"acc": epochs[-1]["acc"], "step": epochs[-1]["step"]},
    )
    (listed,) = lesson.LESSON.saved("たろう")  # the list counts an attention run in steps too
    assert f"・ {epochs[-1]['step']} ステップ ・" in listed.label and "エポック" not in listed.label
    st.session_state["attention_task"] = "text"  # the student is on another task when opening it
    message = lesson.LESSON.reopen(writer.run_id)
    mine = st.session_state[lesson.SESSION]
    assert mine["cfg"] == cfg and not mine["model"].config.pos_emb
    assert f"（{epochs[-1]['step']} ステップ分）" in message  # counted in steps, as the run was set
    # the settings show the run's, so the page draws it as the chosen task's own
    assert st.session_state["attention_task"] == "sort"
    assert st.session_state["attention_experiment"] == "no_pos" and st.session_state["attention_seed"] == 3
    assert st.session_state["attention_steps_sort"] == cfg.steps
    job = jobs.get(lesson.LESSON.key)
    assert job.state == "restored" and (job.epochs_log[-1]["attention"] == epochs[-1]["attention"]).all()
    assert lesson.model_for("sort", job)[3] == "session"
    jobs.discard(lesson.LESSON.key)  # the bare-mode session state outlives the test otherwise
    del st.session_state[lesson.SESSION]
    for key in ("attention_task", "attention_experiment", "attention_seed", "attention_steps_sort"):
        del st.session_state[key]


@pytest.mark.parametrize(("fault", "says"), [("missing", "見つかりません"), ("corrupt", "壊れているか")])
@pytest.mark.parametrize("task", ["sort", "text"])
def test_a_missing_or_corrupt_shipped_model_is_said_and_training_offered(tmp_path, fault, says, task):
    from unittest import mock

    from core import checkpoints

    d = tmp_path / "checkpoints"
    d.mkdir()
    if fault == "corrupt":
        for f in checkpoints.SHIPPED_DIR.glob("gpt_*.pth"):
            (d / f.name).write_bytes(f.read_bytes()[:1000])
    with mock.patch.object(checkpoints, "SHIPPED_DIR", d):
        at = open_page(PAGE, "ja")
        at.selectbox(key="attention_task").set_value(task).run()
    assert not at.exception, at.exception
    assert says in "\n".join(w.value for w in at.warning), [w.value for w in at.warning]
    assert not at.button(key="attention_train").disabled


@pytest.mark.parametrize(
    ("lang", "title", "none"),
    [
        ("ja", "モデルが苦手な入力", "間違いはありませんでした"),
        ("en", "Inputs the model finds hard", "No wrong answer"),
    ],
)
def test_the_hard_inputs_panel_shows_where_the_model_goes_wrong(lang, title, none):
    """The shipped model: per-position error bars and no wrong answer found. A tiny model trained here gets
    many wrong: the panel names one and draws where each head looked when it wrote its first wrong digit."""
    at = open_page(PAGE, lang)
    if _shipped("gpt_sort.pth"):
        assert [e for e in at.expander if e.label == title]
        assert any("attention_hard_bars" in c for c in _charts(at))
        assert none in texts(at)
    at.button(key="attention_train").click().run()
    job = at.session_state["_jobs"]["attention"]
    job.join(60)
    at.run()
    assert not at.exception, at.exception
    body = texts(at)
    assert ("間違えた入力" in body) if lang == "ja" else ("A wrong answer" in body)
    assert any("attention_hard_bars" in c for c in _charts(at))
    maps = [c for c in at.get("plotly_chart") if "attention_hard_map" in c.proto.id]
    assert maps, "no heatmap of the wrong position"
    spec = json.loads(maps[0].proto.spec)
    assert spec["data"][0]["type"] == "heatmap" and len(spec["data"][0]["y"]) == 4  # 1 layer x 4 heads
