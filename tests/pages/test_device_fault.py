"""Fault: LAB_DEVICE names a device this machine lacks. The sidebar says so in the
user's language, the lab falls back to the CPU (here: a CPU-only machine) and training still works."""

from __future__ import annotations

import pytest

from core import device as core_device
from tests.apptest import open_page

SAYS = {
    "ja": "LAB_DEVICE=cuda で指定されたデバイスはこのマシンにありません。CPU を使います",
    "en": "LAB_DEVICE=cuda names a device this machine does not have. Using CPU",
}


@pytest.fixture
def missing_cuda(monkeypatch):
    monkeypatch.setenv(core_device.ENV_VAR, "cuda")
    cpu_only = [core_device.DeviceInfo("cpu", "CPU", None, None)]  # also where the tests run on a GPU
    monkeypatch.setattr(core_device, "list_devices", lambda: cpu_only)
    core_device.default_device.cache_clear()  # chosen once per process: choose again under the fault
    yield
    core_device.default_device.cache_clear()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_missing_cuda_is_said_and_training_runs_on_the_cpu(missing_cuda, lang):
    at = open_page(None, lang)  # Home: the shared sidebar is drawn here
    assert not at.exception, at.exception
    warnings = " ".join(w.value for w in at.sidebar.warning)
    assert SAYS[lang] in warnings, warnings
    at.switch_page("app_pages/xor.py").run()
    at.number_input(key="xor_epochs").set_value(50)
    at.run()
    at.button(key="xor_train").click().run()
    job = at.session_state["_jobs"]["xor"]
    job.join(30)
    assert job.state == "done" and job.device == "cpu", (job.state, job.error)
    at.run()
    assert not at.exception, at.exception


def test_usable_device_shows_no_warning(monkeypatch):
    monkeypatch.setenv(core_device.ENV_VAR, "cpu")
    core_device.default_device.cache_clear()
    try:
        at = open_page(None, "en")
    finally:
        core_device.default_device.cache_clear()
    assert not at.exception, at.exception
    assert not [w for w in at.sidebar.warning if "LAB_DEVICE" in w.value]
