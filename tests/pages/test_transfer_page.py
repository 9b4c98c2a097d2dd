"""AppTest of the Transfer learning page: both languages render with the empty accuracy chart and the
freezing numbers, a tiny sweep trains and fills the chart and the table, a saved sweep reopens."""

from __future__ import annotations

import json

import pytest

from tests.apptest import open_page, sign_in, texts

PAGE = "app_pages/transfer.py"


def _traces(at, key_part: str = "") -> dict[str, list]:
    """{trace name: x values} of every chart on the page."""
    figures = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return {
        tr.get("name", ""): [x for x in tr.get("x", []) if x is not None] for f in figures for tr in f["data"]
    }


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_renders_in_both_languages(lang):
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    body = texts(at)
    assert "transfer." not in body  # no raw string key
    assert ("転移学習" in body) if lang == "ja" else ("Transfer learning" in body)
    assert at.selectbox(key="transfer_task").value == "digits"
    assert all(at.checkbox(key=f"transfer_arm_{arm}").value for arm in ("scratch", "frozen", "finetune"))
    assert not at.button(key="transfer_train").disabled
    names = set(_traces(at))
    scratch = "ゼロから" if lang == "ja" else "From scratch"
    assert scratch in names  # the three arms' lines wait on the chart before training
    groups = next(d.value for d in at.dataframe if d.value.shape[1] == 4)
    assert len(groups) == 4  # scratch: all; frozen: head; finetune: body and head
    from core import transfer as core_tr
    from ui.lessons import transfer as lesson

    assert lesson.SHIPPED == core_tr.SOURCES  # the lesson's constant table names the core's files


def test_a_tiny_sweep_trains_and_puts_its_points_on_the_chart():
    at = open_page(PAGE, "en")
    at.checkbox(key="transfer_arm_finetune").uncheck()
    at.multiselect(key="transfer_labels").set_value([1, 5])
    at.button(key="transfer_train").click().run()
    assert not at.exception, at.exception
    job = at.session_state["_jobs"]["transfer"]
    job.join(120)
    assert job.state == "done", (job.state, job.error)
    ends = [r for r in job.epochs_log if r["kind"] == "epoch"]
    assert [(r["arm"], r["labels"]) for r in ends] == [
        ("scratch", 1),
        ("frozen", 1),
        ("scratch", 5),
        ("frozen", 5),
    ]
    at.run()
    assert not at.exception, at.exception
    assert _traces(at)["Frozen + new head"] == [1, 5]
    table = next(d.value for d in at.dataframe if "Validation accuracy" in d.value.columns)
    assert len(table) == 4
    assert "points** above scratch" in texts(at) or "points above scratch" in texts(at)


def test_a_bad_choice_says_so_and_the_bn_trap_shows_numbers():
    at = open_page(PAGE, "ja")
    for arm in ("scratch", "frozen", "finetune"):
        at.checkbox(key=f"transfer_arm_{arm}").uncheck()
    at.run()
    assert not at.exception, at.exception
    assert at.button(key="transfer_train").disabled
    assert "1 つ以上選んでください" in texts(at)
    at.checkbox(key="transfer_arm_frozen").check()
    at.toggle(key="transfer_bn").set_value(True).run()
    assert not at.exception, at.exception
    bn = next(d.value for d in at.dataframe if "タイミング" in d.value.columns)
    assert list(bn.iloc[0, 1:]) == list(bn.iloc[2, 1:])  # eval mode: the statistics stay
    assert list(bn.iloc[0, 1:]) != list(bn.iloc[1, 1:])  # train mode: they move
    at.selectbox(key="transfer_task").set_value("digits8").run()
    assert not at.exception, at.exception
    figures = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    chance = [tr["y"] for f in figures for tr in f["data"] if tr.get("name") == "当てずっぽう"]
    assert chance == [[10.0, 10.0]]  # ten digits: chance is 10 %


def test_a_saved_sweep_reopens_with_its_settings_and_points(tmp_path, monkeypatch):
    from core import runs

    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    at = open_page(PAGE, "en")
    sign_in(at, "kana")
    at.run()
    at.checkbox(key="transfer_arm_scratch").uncheck()
    at.checkbox(key="transfer_arm_finetune").uncheck()
    at.multiselect(key="transfer_labels").set_value([2])
    at.button(key="transfer_train").click().run()
    job = at.session_state["_jobs"]["transfer"]
    job.join(120)
    assert job.state == "done", (job.state, job.error)
    at.run()
    fresh = open_page(PAGE, "en")
    sign_in(fresh, "kana")
    fresh.run()
    fresh.button(key="transfer_runs_open").click().run()
    assert not fresh.exception, fresh.exception
    assert fresh.session_state["_jobs"]["transfer"].state == "restored"
    assert [fresh.checkbox(key=f"transfer_arm_{a}").value for a in ("scratch", "frozen", "finetune")] == [
        False, True, False
    ]  # fmt: skip
    assert fresh.multiselect(key="transfer_labels").value == [2]
    assert _traces(fresh)["Frozen + new head"] == [2]


def test_own_symbols_train_against_scratch_are_read_as_text_and_come_back_with_the_run(tmp_path, monkeypatch):
    import numpy as np

    from core import runs

    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    at = open_page(PAGE, "en")
    sign_in(at, "sym")
    images = np.zeros((16, 28, 28), dtype=np.uint8)
    images[:8, 6:22, 12:16] = 255  # a bar
    images[8:, 12:16, 6:22] = 255  # a dash
    at.session_state["transfer_symbols"] = {"images": list(images), "labels": [0] * 8 + [1] * 8, "names": []}
    at.text_input(key="transfer_sym_name_0").input("**bold**")
    at.run()
    at.button(key="transfer_sym_train").click().run()
    assert not at.exception, at.exception
    job = at.session_state["_jobs"]["transfer"]
    job.join(120)
    assert job.state == "done", (job.state, job.error)
    ends = [r for r in job.epochs_log if r["kind"] == "epoch"]
    assert [r["arm"] for r in ends] == ["scratch", "frozen"] and all(r["labels"] == 6 for r in ends)
    at.run()
    assert not at.exception, at.exception
    shown = [t.value for t in at.text]
    assert "**bold**: 8" in shown  # the student's name as text, never markdown
    assert any(v.startswith("Frozen + new head: ") for v in shown)
    # the class challenge: the drawings go to the board's gallery as one picture, a row per symbol
    from core import classdb

    monkeypatch.delenv(classdb.ENV_URL, raising=False)
    at.button(key="transfer_submit").click().run()
    assert not at.exception, at.exception
    (entry,) = classdb.db().entries("gallery")
    assert entry.page == "transfer" and entry.name == "sym" and entry.image.startswith(b"\x89PNG")
    fresh = open_page(PAGE, "en")
    sign_in(fresh, "sym")
    fresh.run()
    fresh.button(key="transfer_runs_open").click().run()
    assert not fresh.exception, fresh.exception
    back = fresh.session_state["transfer_symbols"]
    assert back["labels"] == [0] * 8 + [1] * 8 and np.array_equal(back["images"][9], images[9])
