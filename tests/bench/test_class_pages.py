"""bench/class_pages.py, the classroom load bench's pages: how it spreads the pages over the sessions and how
it times the refreshes of the screens that stay open must be right, or its figures mean nothing."""

from __future__ import annotations

from collections import Counter

from bench.class_pages import VISITS, assign_pages, main_part, refresh_times, rerun_of
from core.topics import TOPICS


def test_every_page_of_the_lab_has_a_visit_or_is_on_the_route():
    """The bench covers every page of the registry: the four of every session's route (Home is not a
    topic), the two screens open all through the run, and a visit for each of the others."""
    route, screens = {"cnn", "gan", "xor"}, {"board", "teacher"}
    assert set(VISITS) == {t.key for t in TOPICS} - route - screens


def test_pages_go_round_robin_so_that_each_is_hit_by_several_sessions():
    pages = list(VISITS)
    got = assign_pages(40, pages, 2)
    assert len(got) == 40 and all(len(p) == 2 and p[0] != p[1] for p in got)
    assert Counter(p for ps in got for p in ps) == {p: 8 for p in pages}  # 80 visits, 8 per page
    assert got[0] == pages[:2] and got[1] == pages[2:4]  # the next session takes the next pages
    # fewer sessions than pages: still every page once n * per >= the number of pages, none twice
    few = assign_pages(5, pages, 2)
    assert sorted(p for ps in few for p in ps) == sorted(pages)
    uneven = Counter(p for ps in assign_pages(7, pages, 3) for p in ps)
    assert set(uneven) == set(pages) and max(uneven.values()) - min(uneven.values()) <= 1
    assert assign_pages(3, pages[:2], 5) == [pages[:2]] * 3  # never a page twice in one session
    assert assign_pages(3, [], 2) == assign_pages(3, pages, 0) == [[], [], []]


def test_a_refresh_is_timed_from_its_request_to_its_last_reply_per_fragment():
    """Two parts of a page refresh themselves (the page's live view "live", the banner's poll "poll"): each
    refresh is timed from its request to the last reply before the next request, per part; a frame sent
    that is no rerun request ("") ends nothing; the part with the larger replies is the live view."""
    frames = [
        ("sent", 10.0, 50, "live"),
        ("recv", 10.1, 9000, ""),
        ("sent", 10.15, 10, ""),  # not a rerun request: the live view's reply goes on
        ("recv", 10.25, 1240, ""),  # its last frame: 250 ms, 10 KiB
        ("sent", 11.0, 50, "poll"),
        ("recv", 11.05, 512, ""),
        ("sent", 13.0, 50, "live"),  # no reply before the next request: not timed
        ("sent", 13.0001, 50, "poll"),
        ("recv", 13.1, 512, ""),
        ("sent", 16.5, 50, "live"),
        ("recv", 16.6, 10240, ""),
    ]
    parts = refresh_times(list(reversed(frames)))  # in any order, as CDP's events may arrive
    live, poll = parts["live"], parts["poll"]
    assert [round(ms) for ms in live.took_ms] == [250, 100] and live.kib == [10.0, 10.0]
    assert [round(s, 2) for s in live.every_s] == [3.0, 3.5]
    assert [round(ms) for ms in poll.took_ms] == [50, 100] and [round(s, 1) for s in poll.every_s] == [2.0]
    assert main_part(parts) is live
    assert refresh_times([]) == {} and main_part({}) is None


def test_a_rerun_request_is_told_from_other_frames():
    """What a browser sends, as CDP reports it (base64 of Streamlit's BackMsg): a fragment's rerun names the
    fragment, a whole page's rerun is "page", anything else is no request."""
    import base64

    from streamlit.proto.BackMsg_pb2 import BackMsg

    def sent(msg: BackMsg) -> str:
        return base64.b64encode(msg.SerializeToString()).decode()

    fragment, page, stop = BackMsg(), BackMsg(), BackMsg()
    fragment.rerun_script.fragment_id = "f1"
    fragment.rerun_script.is_auto_rerun = True
    page.rerun_script.page_script_hash = "abc"
    stop.stop_script = True
    assert rerun_of(sent(fragment)) == "f1"
    assert rerun_of(sent(page)) == "page"
    assert rerun_of(sent(stop)) is None
    assert rerun_of("not base64 at all!") is None


def test_the_boards_count_of_answers_is_read_in_both_languages():
    """The live question's line on the board ("{n} 人が回答（生徒 {m} 人中）…"): its count of answers, not the
    students present nor the named ones, and 16 is not read as 6."""
    import re

    from bench.class_pages import count_pattern
    from ui.i18n import t

    for lang in ("ja", "en"):
        line = t("questions.count", lang=lang, n=16, m=40, named=6, anonymous=10)
        assert re.search(count_pattern(lang), f"x\n{line}").group(1) == "16"
        assert re.search(count_pattern(lang), line).group(1) == "16"
    assert re.search(count_pattern(), "回答はまだありません") is None
