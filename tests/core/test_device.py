"""core.device: the GPU with most free memory, deterministic ties, overrides, CPU fallback."""

import pytest

from core.device import choose_device, list_devices

GIB = 1024**3


def simulated(free_gib: list[float], mps: bool = False):
    return list_devices(
        cuda_count=lambda: len(free_gib),
        cuda_mem=lambda i: (int(free_gib[i] * GIB), 24 * GIB),
        cuda_name=lambda i: f"Fake GPU {i}",
        mps_available=lambda: mps,
    )


def test_gpu_with_most_free_memory_wins():
    assert choose_device(simulated([3, 20, 7])).name == "cuda:1"


def test_ties_go_to_the_lowest_index_never_random():
    picks = {choose_device(simulated([10, 10, 10])).name for _ in range(20)}
    assert picks == {"cuda:0"}


def test_unknown_free_memory_still_picks_a_gpu():
    devs = list_devices(
        cuda_count=lambda: 2,
        cuda_mem=lambda i: (None, None),
        cuda_name=lambda i: "x",
        mps_available=lambda: False,
    )
    assert choose_device(devs).name == "cuda:0"


def test_override_by_environment_value():
    devs = simulated([3, 20])
    assert choose_device(devs, "cpu").name == "cpu"
    assert choose_device(devs, "cuda:0").name == "cuda:0"
    assert choose_device(devs, "cuda").name == "cuda:0"


def test_override_naming_a_missing_device_is_an_error():
    with pytest.raises(ValueError, match="cuda:5"):
        choose_device(simulated([3]), "cuda:5")


def test_no_gpu_means_mps_then_cpu():
    assert choose_device(simulated([], mps=True)).name == "mps"
    assert choose_device(simulated([])).name == "cpu"


def test_real_machine_lists_the_cpu():
    assert list_devices()[-1].name == "cpu"


def fake_cuda(monkeypatch, free_gib: list[float]) -> None:
    """torch.cuda as a machine with these GPUs would answer it (list_devices reads it at call time)."""
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: len(free_gib))
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda i=None: (int(free_gib[i] * GIB), 80 * GIB))
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda i=None: f"Fake GPU {i}")


def test_each_job_goes_to_the_gpu_with_fewest_jobs_then_most_free_memory(monkeypatch):
    from core.device import job_device, job_gpu

    free = [30.0, 50.0, 40.0]
    fake_cuda(monkeypatch, free)
    assert job_gpu().name == "cuda:1"  # no jobs yet: most free memory
    assert job_gpu({"cuda:1": 1}).name == "cuda:2"  # cuda:1 busy: the next freest idle GPU
    assert job_gpu({"cuda:0": 1, "cuda:1": 1, "cuda:2": 1}).name == "cuda:1"  # all busy alike
    free[0] = 70.0  # another process let go of memory on cuda:0: the next query sees it
    assert job_gpu().name == "cuda:0"
    assert job_device("cuda:1", {"cuda:0": 2, "cuda:1": 1}, override="") == "cuda:2"
    assert job_device("cuda:1", {}, override="cuda") == "cuda:0"  # plain "cuda": any GPU


def test_job_device_keeps_a_pinned_gpu_the_cpu_and_a_machine_without_gpus(monkeypatch):
    from core.device import job_device, job_gpu

    fake_cuda(monkeypatch, [10.0, 60.0])
    assert job_device("cuda:0", {}, override="cuda:0") == "cuda:0"  # LAB_DEVICE=cuda:0 pins it
    monkeypatch.setenv("LAB_DEVICE", "cuda:0")
    assert job_device("cuda:0", {}) == "cuda:0"  # read from the environment by default
    assert job_device("cpu", {}, override="") == "cpu"  # the server chose (or fell back to) the CPU
    assert job_gpu(devices=simulated([])) is None
    assert job_device("cuda:0", {}, devices=simulated([]), override="") == "cuda:0"
