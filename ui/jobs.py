"""The training engine: a `core` training iterator run by a worker thread, one `Job` per run.

It knows no page. Why this shape:
- the worker thread never calls `st.*` (Streamlit's calls need the script thread's context); it only
  fills a `Job`, plain Python held in the session's state, which the page's fragment reads;
- Stop sets an event the worker checks after every record the iterator yields (every batch), so it acts
  within about a second; the paused generator keeps model and optimizer state, so Resume continues;
- a job ends when its iterator ends: "diverged" if the last record said so, else "done";
- a "rest" record (`{"kind": "rest", "seconds": s}`, a slow-motion pause) is not kept: the job gives its
  slot back for those seconds, so a class watching slowed-down runs does not hold up anyone's training;
- a process-wide `JobPool` (one per server, in `st.cache_resource`) limits concurrent jobs per device
  and keeps a FIFO queue whose positions are shown to waiting students;
- with `LAB_JOBS=ray` a job that hands over its model runs on a Ray cluster instead (core.cluster:
  `RayPool`, one queue for every replica of the app): the worker thread here then only streams the
  records back and copies the weights into the page's model; a job without a model stays in this process;
- a `Saver` (ui.saved_runs.RunSaver) writes the run to runs/ from the worker, between batches, on every
  epoch and when the job ends, so a reload or a server restart loses at most the epoch in progress;
- a CUDA out-of-memory or unusable-device error ends the job with `error_code` "oom"/"device"
  (ui.job_widgets then offers a rerun on the CPU, and `train_device()` returns "cpu" for the session).
The widgets that draw a job (buttons, progress, queue line, live panel) are in ui.job_widgets.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import streamlit as st

ACTIVE = ("queued", "running")
MAX_STEP_POINTS = 2000  # per-batch losses kept for the chart (older ones are thinned out)


JOB_NICE = 10  # how much lower than the server's the training threads' CPU priority is (LAB_JOB_NICE)


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


def backend() -> str:
    """Where jobs that can leave the server run: "ray" (LAB_JOBS=ray) or "local" (this process)."""
    return "ray" if os.environ.get("LAB_JOBS", "").strip().lower() == "ray" else "local"


def default_capacity(device: str) -> int:
    """Concurrent jobs per device: LAB_MAX_JOBS, else half the CPU cores, else 4 per GPU."""
    env = os.environ.get("LAB_MAX_JOBS")
    if env and env.isdigit() and int(env) > 0:
        return int(env)
    return 4 if device.startswith(("cuda", "mps")) else max(1, (os.cpu_count() or 2) // 2)


class JobPool:
    """Slots per device with a FIFO queue; thread-safe, shared by every session of the server."""

    def __init__(self, capacity: Callable[[str], int] = default_capacity):
        self._capacity = capacity
        self._cond = threading.Condition()
        self._running: dict[str, set[int]] = {}
        self._waiting: dict[str, deque[int]] = {}

    def position(self, device: str, job_id: int) -> int:
        """How many jobs are ahead of this one in the queue (0 = next)."""
        with self._cond:
            q = self._waiting.get(device, deque())
            return q.index(job_id) if job_id in q else 0

    def running(self, device: str) -> int:
        with self._cond:
            return len(self._running.get(device, ()))

    def acquire(self, device: str, job_id: int, cancelled: threading.Event, owner: str = "") -> bool:
        """Wait for a slot; False if `cancelled` was set while waiting. (`owner` matters on a cluster.)"""
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

    park = release  # a paused job here holds nothing but its generator: its slot goes to the next one

    def records(self, job_id: int, make_iter, model, device: str, controls=None) -> Iterator[dict]:
        return make_iter()  # in this process: the iterator trains the page's model itself


@st.cache_resource(show_spinner=False)
def shared_pool() -> JobPool:
    """This server's pool: jobs that train in this process."""
    return JobPool()


@st.cache_resource(show_spinner=False)
def cluster_pool():
    """The Ray cluster's pool (core.cluster.RayPool), joined or started once per server."""
    from core import cluster

    return cluster.RayPool()


def pool_for(job: Job):
    """The pool a job runs in: the cluster's with LAB_JOBS=ray when the job has a model to send back,
    else this server's."""
    return cluster_pool() if backend() == "ray" and job.model is not None else shared_pool()


class Saver(Protocol):
    """Writes a job's run somewhere (ui.saved_runs.RunSaver); called from the worker thread only, so it must
    never call `st.*`. Its `error` is the last failure ("" once a save works again), shown on the page."""

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
    error_code: str = ""  # "oom" | "device" | "other" when state == "error"
    run_seconds: float = 0.0  # time spent running, pauses excluded
    pool: Any = None  # the JobPool or cluster pool it was started in
    _it: Iterator[dict] | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- control (called from the page) ---------------------------------------------------------
    def start(self, pool: JobPool | None = None) -> None:
        if self.state in ACTIVE:
            return
        self._stop.clear()
        self.state = "queued"
        self.pool = pool or self.pool or pool_for(self)
        self._thread = threading.Thread(target=self._work, args=(self.pool,), daemon=True)
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

    def _work(self, pool: JobPool) -> None:
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

    def _rest(self, pool: JobPool, job_id: int, seconds: float) -> bool:
        """Pause without a slot: waiting jobs may run meanwhile. False if Stop came first (which it now
        does at once, not after the pause). The job stays "running" while it takes its turn again."""
        pool.release(self.device, job_id)
        if self._stop.wait(max(0.0, seconds)):
            return False
        return pool.acquire(self.device, job_id, self._stop)


def _free_gpu_memory() -> None:
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except Exception:  # a broken device may fail here too; the job's message says enough
        pass


# ---------------------------------------------------------------------------------------------
# This session's jobs, one per key (a page's name)
_JOBS = "_jobs"  # session_state: {key: Job}


def _jobs() -> dict[str, Job]:
    return st.session_state.setdefault(_JOBS, {})


def session_jobs() -> dict[str, Job]:
    """This session's jobs by key, the live dictionary itself (ui.classroom lists it)."""
    return _jobs()


def get(key: str) -> Job | None:
    return _jobs().get(key)


def start(
    key: str,
    make_iter: Callable[[], Iterator[dict]],
    epochs: int,
    device: str,
    saver: Saver | None = None,
    model: Any = None,
    controls: dict | None = None,
) -> Job:
    """Start a new job under `key` in this session, stopping the one it replaces. With `model` (what
    `make_iter`'s iterator trains) the job may run on a cluster (LAB_JOBS=ray); `controls` is the dict of
    live settings the iterator reads, sent along."""
    job = Job(
        label=key,
        device=device,
        epochs=epochs,
        make_iter=make_iter,
        saver=saver,
        model=model,
        controls=controls,
        owner=_session_id(),
    )
    put(key, job)
    job.start()
    return job


def put(key: str, job: Job) -> None:
    """Install a job under `key` (a run reopened from runs/, say), stopping any active one it replaces."""
    discard(key)
    _jobs()[key] = job


def discard(key: str) -> None:
    """Forget this session's job under `key` (a page's Reset), stopping it first if it is active."""
    old = _jobs().pop(key, None)
    if old is not None and old.active:
        old.stop()
    elif old is not None:
        old.close()  # a paused run on a cluster gives its actor and slot back now


def _session_id() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else ""


CPU_KEY = "_train_on_cpu"  # set by the "train on the CPU" button after a GPU failure


def train_device() -> str:
    """The device a new training run uses in this session: the CPU after a GPU fault, else the GPU
    with the fewest of this server's jobs (then the most free memory) on a machine with several, else
    the server's device."""
    from ui import resources

    if st.session_state.get(CPU_KEY):
        return "cpu"
    pool = shared_pool()
    running = {d.name: pool.running(d.name) for d in resources.devices()}
    return job_device(resources.device().name, backend(), running)


def job_device(server_device: str, jobs_backend: str, running: dict[str, int] | None = None) -> str:
    """The device a new run's model is built on and trained on. On a Ray cluster every GPU job trains
    on "cuda:0": Ray shows each actor only the GPU it was given, as cuda:0, and a model sent from the
    server on cuda:N (N > 0) could not be rebuilt there (Ray, not the server, spreads those jobs over
    the GPUs). Here, core.device picks the least-loaded GPU (`running`: this server's jobs per device)."""
    from core import device as core_device

    if jobs_backend == "ray" and server_device.startswith("cuda"):
        return "cuda:0"
    return core_device.job_device(server_device, running)
