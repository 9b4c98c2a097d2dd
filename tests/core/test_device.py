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
