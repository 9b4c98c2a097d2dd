"""AppTest of the Sequences page: both languages render with the baselines on the chart, a tiny run trains
and shows the error table beside the baselines, the code is the primer's."""

from __future__ import annotations

import json

import pytest

from tests.apptest import open_page, sign_in, texts

PAGE = "app_pages/sequence.py"


def _table(at, column: str):
    """The page's table with this column (AppTest keeps no key for a dataframe)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_page_renders_in_both_languages(lang):
    at = open_page(PAGE, lang)
    assert not at.exception, at.exception
    body = texts(at)
    assert "sequence." not in body  # no raw string key
    assert ("時系列" in body) if lang == "ja" else ("Sequences: RNN" in body)
    assert at.selectbox(key="sequence_model").value == "lstm"  # the primer's cell by default
    assert (
        at.slider(key="sequence_window").value == 10 and at.select_slider(key="sequence_hidden").value == 50
    )
    assert not at.button(key="sequence_train").disabled and at.button(key="sequence_stop").disabled
    params = _table(at, "パラメータ数" if lang == "ja" else "Parameters")
    assert list(params.iloc[:, 1]) == [2701, 10651, 8001]  # RNN, LSTM, GRU of hidden 50
    figures = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    names = {trace.get("name", "") for f in figures for trace in f["data"]}
    persistence = "前回値（明日＝今日）" if lang == "ja" else "Persistence (tomorrow = today)"
    assert persistence in names  # the baselines are on the chart before any training


def test_a_tiny_run_trains_and_shows_the_forecast_and_the_error_table():
    at = open_page(PAGE, "en")
    at.select_slider(key="sequence_hidden").set_value(8)
    at.slider(key="sequence_epochs").set_value(2)
    at.button(key="sequence_train").click().run()
    assert not at.exception, at.exception
    job = at.session_state["_jobs"]["sequence"]
    job.join(60)
    assert job.state == "done", (job.state, job.error)
    epochs = [r for r in job.epochs_log if r["kind"] == "epoch"]
    assert len(epochs) == 2 and len(epochs[-1]["forecast"]) == 50
    at.run()
    assert not at.exception, at.exception
    table = _table(at, "MAE")
    names = list(table.iloc[:, 0])
    assert names[:2] == ["Network (one-step)", "Network (free-running)"]
    assert {"Persistence (tomorrow = today)", "Seasonal persistence", "Holt-Winters (statsmodels)"} <= set(
        names
    )
    assert (table["MAE"] >= 0).all()
    body = texts(at)
    assert "loses to the baseline" in body or "below the best baseline" in body
    at.toggle(key="sequence_inside").set_value(True).run()
    assert not at.exception, at.exception
    at.button(key="sequence_memory_compare").click().run()  # an RNN trained alike, beside this LSTM
    assert not at.exception, at.exception
    maps = at.session_state["sequence_memory"]["maps"]
    assert set(maps) == {"rnn", "lstm"} and all(m.shape == (10,) and m.max() == 1 for m in maps.values())
    memory = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "memory_chart" in c.proto.id)
    assert [trace["name"] for trace in memory["data"]] == ["RNN", "LSTM (primer)"]


def test_the_learning_rate_experiment_shows_the_blow_up_and_its_cures_in_one_click():
    at = open_page(PAGE, "ja")
    at.button(key="sequence_lr_run").click().run()
    assert not at.exception, at.exception
    charts = {
        c.proto.id: json.loads(c.proto.spec) for c in at.get("plotly_chart") if "sequence_lr_" in c.proto.id
    }
    assert len(charts) == 2
    sgd = next(f for key, f in charts.items() if "sequence_lr_sgd" in key)
    names = [trace.get("name") for trace in sgd["data"] if trace.get("mode") == "lines"]
    assert names == ["学習率 1.0（大きすぎ）", "学習率 0.1（下げる）", "学習率 1.0 ＋ 勾配クリッピング 0.1"]
    marks = [trace for trace in sgd["data"] if trace.get("mode") == "markers"]
    words = [a["text"] for a in sgd["layout"].get("annotations", [])]
    assert len(marks) == 1 and len(words) == 1 and "発散" in words[0]  # where SGD at lr 1.0 blew up
    assert "clip_grad_norm_" in texts(at)


def test_the_code_is_the_primers_with_these_settings():
    at = open_page(PAGE, "ja")
    at.toggle(key="sequence_show_code").set_value(True).run()
    assert not at.exception, at.exception
    code = at.code[0].value
    assert "CELL = 'lstm'" in code and "WINDOW = 10" in code and "batch_first=True" in code


def test_a_saved_run_reopens_with_its_settings_and_forecast(tmp_path, monkeypatch):
    from core import runs

    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    at = open_page(PAGE, "en")
    sign_in(at, "spots")
    at.run()
    at.selectbox(key="sequence_series").set_value("sunspots")
    at.selectbox(key="sequence_model").set_value("gru")
    at.select_slider(key="sequence_hidden").set_value(8)
    at.button(key="sequence_train").click().run()
    job = at.session_state["_jobs"]["sequence"]
    job.join(60)
    assert job.state == "done", (job.state, job.error)
    at.run()
    fresh = open_page(PAGE, "en")
    sign_in(fresh, "spots")
    fresh.run()
    fresh.button(key="sequence_runs_open").click().run()
    assert not fresh.exception, fresh.exception
    assert fresh.session_state["_jobs"]["sequence"].state == "restored"
    assert fresh.selectbox(key="sequence_series").value == "sunspots"
    assert fresh.selectbox(key="sequence_model").value == "gru"
    assert fresh.select_slider(key="sequence_hidden").value == 8
    model, cfg = (
        fresh.session_state["sequence_session"]["model"],
        fresh.session_state["sequence_session"]["cfg"],
    )
    assert (model.cell, model.hidden, cfg.series) == ("gru", 8, "sunspots")
    assert "Network (one-step)" in list(_table(fresh, "MAE").iloc[:, 0])
