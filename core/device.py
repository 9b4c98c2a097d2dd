"""Which device the lab computes on.

The course script picks a random GPU (`get_random_gpu`); on a shared PC that lands two students on the
busiest card. Here the default is the CUDA GPU with the most free memory, chosen once at start-up, else
Apple's MPS, else the CPU; with several GPUs, `job_device` sends each new training job to the GPU with
fewest of this process's jobs, then most free memory. `LAB_DEVICE` (e.g. `cpu`, `cuda:1`) overrides both.
And how many CPU threads one of the server's threads computes with (`set_thread_count`, `one_thread`).
"""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import torch

ENV_VAR = "LAB_DEVICE"


@dataclass(frozen=True)
class DeviceInfo:
    name: str  # torch device string: "cpu", "cuda:0", "mps"
    label: str  # human name, e.g. "NVIDIA GeForce RTX 4090"
    free_bytes: int | None  # None where unknown (CPU, MPS)
    total_bytes: int | None


def _cuda_mem(i: int) -> tuple[int | None, int | None]:
    try:
        free, total = torch.cuda.mem_get_info(i)  # creates a context on GPU i: call once, at start
        return int(free), int(total)
    except RuntimeError:
        return None, None


def list_devices(
    cuda_count: Callable[[], int] | None = None,
    cuda_mem: Callable[[int], tuple[int | None, int | None]] | None = None,
    cuda_name: Callable[[int], str] | None = None,
    mps_available: Callable[[], bool] | None = None,
) -> list[DeviceInfo]:
    """Every device torch can use, GPUs first. The callables exist so tests can simulate GPUs."""
    if cuda_count is None:
        cuda_count = torch.cuda.device_count if torch.cuda.is_available() else lambda: 0
    cuda_mem = cuda_mem or _cuda_mem
    cuda_name = cuda_name or torch.cuda.get_device_name
    mps_available = mps_available or (lambda: torch.backends.mps.is_available())
    devices = []
    for i in range(cuda_count()):
        free, total = cuda_mem(i)
        devices.append(DeviceInfo(f"cuda:{i}", cuda_name(i), free, total))
    if mps_available():
        devices.append(DeviceInfo("mps", "Apple MPS", None, None))
    devices.append(DeviceInfo("cpu", f"CPU ({os.cpu_count()} cores)", None, None))
    return devices


def choose_device(devices: list[DeviceInfo], override: str | None = None) -> DeviceInfo:
    """The override if it names a device in the list, else the GPU with most free memory, else MPS/CPU.

    Ties go to the lowest index, so the choice is deterministic: never a random GPU.
    """
    if override:
        wanted = "cuda:0" if override.strip() == "cuda" else override.strip()
        for d in devices:
            if d.name == wanted:
                return d
        raise ValueError(
            f"{ENV_VAR}={override!r} names no available device; available: "
            + ", ".join(d.name for d in devices)
        )
    gpus = [d for d in devices if d.name.startswith("cuda")]
    if gpus:
        return max(gpus, key=lambda d: (d.free_bytes or 0, -int(d.name.split(":")[1])))
    return devices[0]  # MPS if present (listed before the CPU), else the CPU


@functools.lru_cache(maxsize=1)  # chosen once per process; GPU memory queries are not free
def default_device() -> DeviceInfo:
    return choose_device(list_devices(), os.environ.get(ENV_VAR))


def device_summary(info: DeviceInfo) -> str:
    """One line for the sidebar and `core.cli info`."""
    if info.free_bytes is None or info.total_bytes is None:
        return f"{info.name} — {info.label}"
    gib = 1024**3
    return f"{info.name} — {info.label}, {info.free_bytes / gib:.1f} / {info.total_bytes / gib:.1f} GiB free"


def job_gpu(
    running: Mapping[str, int] | None = None,
    devices: list[DeviceInfo] | None = None,
) -> DeviceInfo | None:
    """The CUDA GPU a new training job should use, chosen when the job starts (not once per server).

    Fewest jobs of this process running on it first (`running`: device name -> count, e.g. from the
    job pool), then the most free memory now (which also sees other processes' work), then the lowest
    index. None without a CUDA GPU. `devices` defaults to a fresh `list_devices()`: its memory query
    is cheap once the server has a context on every GPU, which `default_device()` made at start-up.
    """
    running = running or {}
    gpus = [d for d in (devices if devices is not None else list_devices()) if d.name.startswith("cuda")]
    if not gpus:
        return None
    return min(gpus, key=lambda d: (running.get(d.name, 0), -(d.free_bytes or 0), _index(d.name)))


def job_device(
    server_device: str,
    running: Mapping[str, int] | None = None,
    devices: list[DeviceInfo] | None = None,
    override: str | None = None,
) -> str:
    """The device string a new job trains on: `server_device` (the server's choice), except that on a
    machine with several GPUs each job goes to the least-loaded one (`job_gpu`). A `LAB_DEVICE` that
    names one GPU, e.g. `cuda:1` (`override`, default the environment's), pins every job there; so
    does a CPU or MPS server device. A plain `LAB_DEVICE=cuda` means any GPU."""
    override = (os.environ.get(ENV_VAR, "") if override is None else override).strip()
    if not server_device.startswith("cuda") or override.startswith("cuda:"):
        return server_device
    gpu = job_gpu(running, devices)
    return gpu.name if gpu is not None else server_device


# -- CPU threads -------------------------------------------------------------------------------------
@functools.cache
def openmp() -> bool:
    """Whether torch's CPU threads come from OpenMP. There `torch.set_num_threads` sets the calling
    thread's own count, so one job or session thread can change it without slowing the server's others;
    torch's native pool is process-wide, and then the lab leaves the count alone."""
    return "parallel backend: OpenMP" in torch.__config__.parallel_info()


def set_thread_count(threads: int | None) -> None:
    """Give the calling thread `threads` CPU threads where that is its own setting (`openmp`); nothing
    for 0 or None (torch's default) or under a process-wide pool. A training job calls it first."""
    if threads and threads > 0 and openmp() and torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run one tiny forward pass on a single CPU thread, for this calling thread only.

    Training jobs already running in other threads keep their count (`openmp`; a thread doing its very
    first torch op inside that short window would start with one thread). For a single 28x28 image,
    waking a second OpenMP thread costs more than it saves, and on a busy server it waits for a core that
    training holds.
    """
    if not openmp():
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _index(name: str) -> int:
    return int(name.split(":")[1]) if ":" in name else 0
