"""ui/figures/keeping.py: the resume chart starts both continuations at the checkpoint's point; the
timing bars carry their milliseconds."""

from ui.figures import keeping as figures


def test_both_resumes_start_where_training_stopped():
    fig = figures.resume_figure([2.0, 1.0, 0.5], [0.45, 0.4], [1.5, 0.9])
    before, without, with_state = fig.data
    assert list(before.x) == [1, 2, 3] and list(before.y) == [2.0, 1.0, 0.5]
    for trace, curve in ((without, [1.5, 0.9]), (with_state, [0.45, 0.4])):
        assert list(trace.x) == [3, 4, 5] and list(trace.y) == [0.5, *curve]  # joined at the checkpoint
    assert fig.layout.yaxis.type == "log"


def test_the_timing_bars_show_their_milliseconds():
    fig = figures.timing_figure({"CPU": 12.5, "GPU": 0.75})
    assert list(fig.data[0].x) == ["CPU", "GPU"] and list(fig.data[0].text) == ["12.50", "0.75"]
