"""bench/gpu_check.py, which needs a CUDA GPU: here its table against the registry, its no-GPU line, and
one topic measured on the CPU."""

from __future__ import annotations

import re

from bench import gpu_check
from core.topics import TOPICS


def test_every_trainable_topic_has_an_entry_and_no_entry_is_stale():
    trained = {t.key for t in TOPICS if t.trains}
    assert trained - set(gpu_check.CHECKS) == set(), "add these topics to gpu_check.CHECKS"
    assert set(gpu_check.CHECKS) - trained == set(), "these CHECKS name no trainable topic"


def test_without_cuda_it_says_so_in_one_line_and_succeeds(monkeypatch, capsys):
    monkeypatch.setattr(gpu_check.torch.cuda, "is_available", lambda: False)
    assert gpu_check.main([]) == 0
    assert capsys.readouterr().out == "no CUDA GPU: skipped\n"


def test_a_topic_is_measured_in_steps_per_second_on_the_cpu():
    line = gpu_check.check_topic("xor", "cpu", steps=3)
    rate = re.search(r"xor\s+cpu\s+([\d.]+) steps/s", line)
    assert rate and float(rate.group(1)) > 0, line
    assert "amp: off" in line
