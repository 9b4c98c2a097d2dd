"""ui.resources.SharedResults, the process-wide memo for what shipped models compute from fixed inputs: a
class clicking at once costs one computation, a client's "Clear cache" cannot force another, a failure is
not kept, and it stays within its size."""

from __future__ import annotations

import threading
import time
from unittest import mock

import pytest
import streamlit as st
import torch

from core import checkpoints
from ui import resources


def _class_at_once(memo: resources.SharedResults, key, compute, students: int = 30) -> list:
    """What `students` threads get when they all ask for `key` at the same moment."""
    start = threading.Barrier(students)
    got: list = [None] * students

    def student(i: int) -> None:
        start.wait()
        try:
            got[i] = memo.get(key, compute)
        except Exception as e:  # the test looks at what each one got, errors included
            got[i] = e

    threads = [threading.Thread(target=student, args=(i,)) for i in range(students)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert not any(th.is_alive() for th in threads), "a student is still waiting"
    return got


def test_thirty_students_at_once_cost_one_computation_and_share_its_result():
    memo = resources.SharedResults()
    calls = []

    def compute() -> dict:
        calls.append(threading.get_ident())
        time.sleep(0.3)  # long enough that every student asks while it runs
        return {"rows": [1, 2, 3]}

    got = _class_at_once(memo, ("compare", 0), compute)
    assert len(calls) == 1, f"{len(calls)} computations for one result"
    assert all(g is got[0] for g in got), "every student gets the one result object"
    assert memo.computations == 1 and ("compare", 0) in memo
    assert memo.get(("compare", 0), compute) is got[0] and len(calls) == 1  # and the next one too
    assert memo.get(("compare", 1), compute) is not got[0] and len(calls) == 2  # other inputs: computed


def test_a_failed_computation_reaches_everyone_waiting_and_is_not_kept():
    memo = resources.SharedResults()
    calls = []

    def broken() -> None:
        calls.append(1)
        time.sleep(0.3)
        raise RuntimeError("out of memory")

    got = _class_at_once(memo, "grid", broken, students=8)
    assert len(calls) == 1 and all(isinstance(g, RuntimeError) for g in got), got
    assert "grid" not in memo and memo.computations == 0
    assert memo.get("grid", lambda: "fine") == "fine", "the next student tries again"


def test_a_clients_clear_cache_does_not_wipe_it():
    """Streamlit lets any browser send "clear cache", which empties st.cache_resource and st.cache_data."""
    memo = resources.SharedResults()
    first = memo.get("judge", lambda: object())
    st.cache_resource.clear()
    st.cache_data.clear()
    assert memo.get("judge", lambda: pytest.fail("computed again after a clear-cache")) is first


def test_it_keeps_at_most_max_entries_the_least_recently_used_going_first():
    memo = resources.SharedResults(max_entries=3)
    for k in "abc":
        memo.get(k, lambda k=k: k.upper())
    memo.get("a", lambda: pytest.fail("'a' is kept"))  # used again: now the most recent
    memo.get("d", lambda: "D")
    assert len(memo) == 3 and "b" not in memo and all(k in memo for k in "acd")


def test_a_shipped_model_is_named_by_its_file_so_a_reload_keeps_its_results():
    """After "Clear cache" the shipped model is a new object loaded from the same file: its results are
    still the ones computed for the old object, so the class does not pay for them twice."""
    if not (checkpoints.SHIPPED_DIR / "gan_mnist.pth").is_file():
        pytest.skip("no shipped generator")
    from core import gan

    before = resources.shipped("gan_mnist.pth", "gan.Generator").model
    resources._GENERATED.clear()  # what an earlier test drew is not this test's to count
    with mock.patch.object(gan, "sample", wraps=gan.sample) as sample:
        grid = resources.from_shipped(before, "sample", 9, 12345)
        png = resources.shipped_png(before, "sample", (9, 12345), nrow=3, scale=1)
        calls = sample.call_count
        st.cache_resource.clear()
        after = resources.shipped("gan_mnist.pth", "gan.Generator").model
        assert after is not before, "the clear really reloaded the model"
        assert resources.result_key(after) == resources.result_key(before)
        assert resources.from_shipped(after, "sample", 9, 12345) is grid
        assert resources.shipped_png(after, "sample", (9, 12345), nrow=3, scale=1) is png
        assert sample.call_count == calls, "a clear-cache made the server draw the grid again"
    assert calls == 1
    # a model that is not shipped is named by itself: two of them never share results
    other = gan.build_models(gan.IMPROVED, False, torch.Generator().manual_seed(0))[0]
    assert resources.result_key(other) is other and resources.result_key(None) is None
