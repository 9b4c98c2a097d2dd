"""The diffusion lesson's shared results and readings: the shipped model's sampler comparison is computed once
for a class clicking at once (and survives a client's "Clear cache"), and in the reverse animation each
frame's reading is the CNN's reading of that frame, none while it is still noise."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from unittest import mock

import streamlit as st
import torch

from core import diffusion as core_diffusion
from ui.lessons import diffusion as lesson


class BrightnessReader(torch.nn.Module):
    """A stand-in CNN that reads an image as the digit round(9 * its mean brightness), sure of it."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        digit = (9 * x.mean(dim=(1, 2, 3))).round().long()  # (B,)
        return torch.log_softmax(10 * torch.nn.functional.one_hot(digit, 10).float(), dim=1)  # (B, 10)


class FlowStandIn(torch.nn.Module):
    """What the comparison asks of a model without sampling from it (core.diffusion.sample is replaced)."""

    objective = "flow"


def test_each_frame_is_read_by_itself_and_noisy_frames_are_not_read():
    # five frames from t = 1 (noise) to t = 0.2, each a different brightness, so each reads differently
    ts = [1.0, 0.8, 0.6, 0.4, 0.2]
    frames = [
        SimpleNamespace(t=t, x=torch.full((1, 1, 28, 28), b), x0=torch.ones(1, 1, 28, 28))
        for t, b in zip(ts, (0.1, 0.3, 0.5, 0.7, 1.0))
    ]
    readings = lesson.frame_readings(BrightnessReader(), frames)
    assert readings[:3] == [None, None, None], "a frame that is still more noise than digit gets no reading"
    assert [r[0] for r in readings[3:]] == [6, 9], "each reading is that frame's own, not the final digit's"
    assert all(0.99 < r[1] <= 1 for r in readings[3:])
    assert lesson.frame_readings(BrightnessReader(), frames[:2]) == [None, None]


def test_the_shipped_comparison_is_computed_once_for_a_class_clicking_at_once():
    model = FlowStandIn()
    lesson.HEAVY.clear()
    calls = []

    def slow_sample(model, n, seed, **kwargs):
        calls.append(kwargs["sampler"])
        time.sleep(0.02)  # the class clicks while the first comparison still runs
        return torch.zeros(n, 1, 28, 28)

    students = 12
    start = threading.Barrier(students)
    got: list = [None] * students

    def student(i: int) -> None:
        start.wait()
        got[i] = lesson.shipped_comparison(model, None, 2.0)

    with mock.patch.object(core_diffusion, "sample", side_effect=slow_sample):
        threads = [threading.Thread(target=student, args=(i,)) for i in range(students)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        runs = lesson.sampler_runs("flow")
        assert len(calls) == len(runs), f"{len(calls)} sampling runs for one comparison of {len(runs)}"
        assert all(g is got[0] for g in got) and [(r["sampler"], r["steps"]) for r in got[0]] == runs
        st.cache_resource.clear()  # what any client's "Clear cache" does
        assert lesson.shipped_comparison(model, None, 2.0) is got[0] and len(calls) == len(runs)
        lesson.shipped_comparison(model, None, 4.0)  # other guidance: its own computation
    assert len(calls) == 2 * len(runs)
