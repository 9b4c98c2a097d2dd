"""The training engine: a `core` training iterator run by a worker thread, one `Job` per run, in a `Pool`.

It knows no page and no Streamlit (ui.jobs keeps a session's jobs and the server's pools). Why this shape:
- the worker thread only fills a `Job`, plain Python that a page's fragment reads; it never draws;
- Stop sets an event the worker checks after every record the iterator yields (every batch), so it acts
  within about a second; the paused generator keeps model and optimizer state, so Resume continues;
- a job ends when its iterator ends: "diverged" if the last record said so, else "done" (core.records);
- a "rest" record (slow motion) is not kept: the job gives its slot back for those seconds, so a class
  watching slowed-down runs does not hold up anyone's training;
- a `Pool` gives out slots per device in FIFO order and runs a job's records: `LocalPool` in this process
  (one per server), core.cluster's `RayPool` on a Ray cluster (one queue for every replica of the app:
  the worker thread here then only streams the records back and copies the weights into the page's
  model). `BACKENDS` names them, one line each; LAB_JOBS picks one for the jobs that can leave the server;
- a `Saver` writes the run somewhere (ui.saved_runs.RunSaver: runs/) from the worker, between batches, on
  every non-step record and when the job ends, so a reload or a restart loses at most the epoch in progress;
- a CUDA out-of-memory or unusable-device error ends the job with `error_code` "oom"/"device" (the page
  then offers a rerun on the CPU); a cluster's lost worker ends it with "interrupted".
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

ACTIVE = ("queued", "running")
MAX_STEP_POINTS = 2000  # per-batch losses kept for the chart (older ones are thinned out)
JOB_NICE = 10  # how much lower than the server's the training threads' CPU priority is (LAB_JOB_NICE)


@runtime_checkable
class Pool(Protocol):
    """Where jobs wait for a slot and run. Job ids are `id(job)`, unique in this process; a pool shared by
    several processes makes them unique itself. Every method is called from a job's worker thread."""

    def acquire(self, device: str, job_id: int, cancelled: threading.Event, owner: str = "") -> bool:
        """Wait for a slot on `device`, in turn; False if `cancelled` was set while waiting. `owner` is the
        session that started the job (a cluster runs one job per owner at a time)."""
        ...

    def release(self, device: str, job_id: int) -> None:
        """Give the slot back: the job ended, or rests (slow motion)."""
        ...

    def park(self, device: str, job_id: int) -> None:
        """The job was paused (Stop): what it may keep until it resumes is the pool's choice."""
        ...

    def position(self, device: str, job_id: int) -> int:
        """How many jobs are ahead of this waiting one (0 = next)."""
        ...

    def running(self, device: str) -> int:
        """Jobs holding a slot on `device` now."""
        ...

    def records(
        self,
        job_id: int,
        make_iter: Callable[[], Iterator[dict]],
        model: Any,
        device: str,
        controls: dict | None = None,
    ) -> Iterator[dict]:
        """The job's records, once it holds a slot: `make_iter()` here, or its copy run elsewhere (which
        trains `model` there, copies the weights back into it and reads `controls` as they change)."""
        ...


def default_capacity(device: str) -> int:
    """Concurrent jobs per device: LAB_MAX_JOBS, else half the CPU cores, else 4 per GPU."""
    env = os.environ.get("LAB_MAX_JOBS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return 4 if device.startswith(("cuda", "mps")) else max(1, (os.cpu_count() or 2) // 2)


class LocalPool:
    """Slots per device with a FIFO queue in this process; thread-safe, shared by every session of a server."""

    def __init__(self, capacity: Callable[[str], int] = default_capacity):
        self._capacity = capacity
        self._cond = threading.Condition()
        self._running: dict[str, set[int]] = {}
        self._waiting: dict[str, deque[int]] = {}

    def acquire(self, device: str, job_id: int, cancelled: threading.Event, owner: str = "") -> bool:
        with self._cond:
            q = self._waiting.setdefault(device, deque())
            run = self._running.setdefault(device, set())
            q.append(job_id)
            while not (q[0] == job_id and len(run) < self._capacity(device)):
                if cancelled.is_set():
                    q.remove(job_id)
                    self._cond.notify_all()
                    return False
                self._cond.wait(timeout=0.2)
            q.popleft()
            run.add(job_id)
            self._cond.notify_all()
            return True

    def release(self, device: str, job_id: int) -> None:
        with self._cond:
            self._running.get(device, set()).discard(job_id)
            self._cond.notify_all()

    def park(self, device: str, job_id: int) -> None:
        # a paused job here holds nothing but its generator: its slot goes to the next one
        self.release(device, job_id)

    def position(self, device: str, job_id: int) -> int:
        with self._cond:
            q = self._waiting.get(device, deque())
            return q.index(job_id) if job_id in q else 0

    def running(self, device: str) -> int:
        with self._cond:
            return len(self._running.get(device, ()))

    def records(
        self,
        job_id: int,
        make_iter: Callable[[], Iterator[dict]],
        model: Any,
        device: str,
        controls: dict | None = None,
    ) -> Iterator[dict]:
        return make_iter()  # in this process: the iterator trains the page's model itself


# The pools a server can run jobs in, "module:Class" (imported only when chosen: Ray is optional).
BACKENDS: dict[str, str] = {
    "local": "core.jobs:LocalPool",
    "ray": "core.cluster:RayPool",
}


def backend() -> str:
    """Where jobs that can leave the server run: LAB_JOBS ("ray"), else "local" (this process)."""
    name = os.environ.get("LAB_JOBS", "").strip().lower()
    return name if name in BACKENDS else "local"


def pool_class(name: str) -> type:
    module, _, cls = BACKENDS[name].partition(":")
    return getattr(importlib.import_module(module), cls)


def make_pool(name: str) -> Pool:
    """A new pool of the backend `name` (a server makes one of each and shares it)."""
    return pool_class(name)()


def job_backend(job: Job) -> str:
    """The backend a job runs in: LAB_JOBS's when the job hands over its model (only then can its
    weights come back from elsewhere), else "local"."""
    return backend() if job.model is not None else "local"


def job_device(server_device: str, jobs_backend: str, running: dict[str, int] | None = None) -> str:
    """The device a new run's model is built on and trained on. On a Ray cluster every GPU job trains
    on "cuda:0": Ray shows each actor only the GPU it was given, as cuda:0, and a model sent from the
    server on cuda:N (N > 0) could not be rebuilt there (Ray, not the server, spreads those jobs over
    the GPUs). Here, core.device picks the least-loaded GPU (`running`: this server's jobs per device)."""
    from core import device as core_device

    if jobs_backend == "ray" and server_device.startswith("cuda"):
        return "cuda:0"
    return core_device.job_device(server_device, running)


def job_nice() -> int:
    env = os.environ.get("LAB_JOB_NICE", "")
    return int(env) if env.isdigit() else JOB_NICE


def lower_thread_priority(increment: int) -> int | None:
    """Lower the calling thread's CPU priority by `increment` (Linux: niceness is per thread, and the
    OpenMP threads a training thread starts inherit it). Training then takes only the CPU time that
    drawing, sampling and page reruns leave free, instead of sharing it equally with them.
    Returns the thread's new niceness, or None where the OS offers no per-thread priority."""
    if increment <= 0 or not sys.platform.startswith("linux"):  # elsewhere a thread id may name a process
        return None
    tid = threading.get_native_id()
    try:
        now = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, now + increment))
        return os.getpriority(os.PRIO_PROCESS, tid)
    except OSError:  # not allowed here (a container's policy): train at the normal priority
        return None


class Saver(Protocol):
    """Writes a job's run somewhere (ui.saved_runs.RunSaver); called from the worker thread only, so it must
    never draw. Its `error` is the last failure ("" once a save works again), shown on the page."""

    error: str
    saved_epochs: int  # epochs that a crash or a reload would not lose

    def record(self, job: Job, rec: dict) -> None: ...

    def end(self, job: Job) -> None: ...


def device_error(e: BaseException) -> str | None:
    """ "oom" for CUDA out of memory, "device" for a GPU that cannot be used, else None."""
    if type(e).__name__ == "OutOfMemoryError" or "out of memory" in str(e).lower():
        return "oom"
    text = f"{type(e).__name__}: {e}"
    markers = ("CUDA", "cuda", "AcceleratorError", "no kernel image", "device-side assert", "MPS")
    return "device" if any(m in text for m in markers) else None


@dataclass
class Job:
    """One training run. Written by its worker thread, read by the page's fragment.

    state: new → queued → running → paused | done | diverged | error; "restored" for a run reopened
    from runs/ (its records are back, nothing to resume). The job is the one place a run's records are
    kept: `steps` (every "step" record, thinned) and `epochs_log` (every other record, in order).
    """

    label: str
    device: str
    epochs: int  # for progress and ETA
    make_iter: Callable[[], Iterator[dict]]
    saver: Saver | None = None  # writes the run to runs/ from the worker (never raises into training)
    model: Any = None  # the page's model: a job that has one may run on a cluster, its weights copied back
    controls: dict | None = None  # the page's live controls the iterator reads (sent along to a cluster)
    owner: str = ""  # the session that started it (a cluster runs one job per owner at a time)
    state: str = "new"  # new → queued → running → paused | done | diverged | error | restored
    epochs_log: list[dict] = field(default_factory=list)  # every non-step record, in order
    steps: list[dict] = field(default_factory=list)  # "step" records without their kind, thinned
    last: dict = field(default_factory=dict)  # the latest record of any kind
    error: str = ""
    error_code: str = ""  # "oom" | "device" | "interrupted" | "other" when state == "error"
    run_seconds: float = 0.0  # time spent running, pauses excluded
    pool: Pool | None = None  # the pool it was started in (Resume goes back to it)
    _it: Iterator[dict] | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- control (called from the page) ---------------------------------------------------------
    def start(self, pool: Pool | None = None) -> None:
        """Queue the job in `pool` (Resume: in the pool it was started in) and start its worker."""
        if self.state in ACTIVE:
            return
        pool = pool or self.pool
        if pool is None:
            raise ValueError(f"job {self.label!r} has no pool to run in")
        self._stop.clear()
        self.state = "queued"
        self.pool = pool
        self._thread = threading.Thread(target=self._work, args=(pool,), daemon=True)
        self._thread.start()

    resume = start

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        """Let go of a paused job's iterator for good (on a cluster: its actor and slot)."""
        it, self._it = self._it, None
        if it is not None and not self.active and hasattr(it, "close"):
            it.close()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def resumable(self) -> bool:
        return self.state == "paused" and self._it is not None

    # -- progress -------------------------------------------------------------------------------
    def fraction(self) -> float:
        rec = self.last
        if not rec or self.epochs <= 0:
            return 1.0 if self.state == "done" else 0.0
        done = (
            rec.get("epoch", 0) - 1 + rec.get("batch", rec.get("batches", 1)) / max(1, rec.get("batches", 1))
        )
        if rec.get("kind") == "epoch":
            done = rec.get("epoch", 0)
        return min(1.0, max(0.0, done / self.epochs))

    def eta_seconds(self) -> float | None:
        frac = self.fraction()
        if frac <= 0.01 or self.run_seconds <= 0.5:
            return None
        return self.run_seconds * (1 - frac) / frac

    # -- worker ---------------------------------------------------------------------------------
    def _record(self, rec: dict) -> None:
        with self._lock:
            self.last = rec
            if rec.get("kind") == "step":
                self.steps.append({k: v for k, v in rec.items() if k != "kind"})
                if len(self.steps) > MAX_STEP_POINTS:  # keep the chart light: drop every other point
                    self.steps = self.steps[::2]
            else:
                self.epochs_log.append(rec)
        if self.saver is not None and rec.get("kind") != "step":
            self._save(self.saver.record, rec)

    def _save(self, fn: Callable, *args) -> None:
        """A saver's bug or a full disk must never end the training: it only keeps its own error."""
        try:
            fn(self, *args)
        except Exception as e:
            self.saver.error = f"{type(e).__name__}: {e}"[:300]

    def _work(self, pool: Pool) -> None:
        job_id = id(self)
        lower_thread_priority(job_nice())
        if not pool.acquire(self.device, job_id, self._stop, self.owner):
            self.state = "paused" if self._it is not None else "new"
            return
        self.state = "running"
        t0 = time.perf_counter()
        try:
            if self._it is None:
                self._it = pool.records(job_id, self.make_iter, self.model, self.device, self.controls)
            kind = ""
            for rec in self._it:
                if rec.get("kind") == "rest":
                    if not self._rest(pool, job_id, float(rec.get("seconds", 0.0))):
                        self.state = "paused"
                        return
                    continue
                self._record(rec)
                kind = rec.get("kind", "")
                self.run_seconds += time.perf_counter() - t0
                t0 = time.perf_counter()
                if self._stop.is_set():
                    self.state = "paused"
                    return
            self.state = "diverged" if kind == "diverged" else "done"
        except Exception as e:  # never BaseException: that would swallow interpreter shutdown
            # "interrupted": a cluster's worker or node was lost (core.cluster.WorkerLost)
            self.error_code = getattr(e, "error_code", None) or device_error(e) or "other"
            self.error = f"{type(e).__name__}: {str(e)[:500]}"
            self.state = "error"
            self._it = None
            if self.error_code in ("oom", "device"):
                _free_gpu_memory()
        finally:
            self.run_seconds += time.perf_counter() - t0
            (pool.park if self.state == "paused" else pool.release)(self.device, job_id)
            if self.saver is not None:
                self._save(self.saver.end)

    def _rest(self, pool: Pool, job_id: int, seconds: float) -> bool:
        """Pause without a slot: waiting jobs may run meanwhile. False if Stop came first (which it now
        does at once, not after the pause). The job stays "running" while it takes its turn again."""
        pool.release(self.device, job_id)
        if self._stop.wait(max(0.0, seconds)):
            return False
        return pool.acquire(self.device, job_id, self._stop, self.owner)


def _free_gpu_memory() -> None:
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except Exception:  # a broken device may fail here too; the job's message says enough
        pass
