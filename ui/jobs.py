"""Per-session training jobs: a `core` training iterator run by a worker thread, drawn live by a fragment.

Why this shape (research/streamlit_torch_pitfalls.md §5–§9, §30):
- the worker thread never calls `st.*`; it only fills a `Job` (plain Python) held in session state;
- a fragment with `run_every` polls that job a few times a second, so the page stays responsive and
  the chart updates without rerunning the page; when the job ends, one full rerun refreshes the page;
- Stop sets an event the worker checks after every record the iterator yields (every batch), so it acts
  within about a second; the paused generator keeps model and optimizer state, so Resume continues;
- a process-wide `JobPool` (one per server, in `st.cache_resource`) limits concurrent jobs per device
  and keeps a FIFO queue whose positions are shown to waiting students;
- a `saver` (ui.runs_view.RunSaver) writes the run to runs/ from the worker, between batches, on every
  epoch and when the job ends, so a reload or a server restart loses at most the epoch in progress;
- a CUDA out-of-memory or unusable-device error ends the job with `error_code` "oom"/"device", and the
  controls offer a one-click rerun on the CPU (`train_device()` then returns "cpu" for this session).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

import streamlit as st

from ui.i18n import t

ACTIVE = ("queued", "running")
MAX_STEP_POINTS = 2000  # per-batch losses kept for the chart (older ones are thinned out)


QUEUED_POLL_S = 1.0  # s between refreshes of a queued job's place in line (a line of text, not the charts)
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

    def acquire(self, device: str, job_id: int, cancelled: threading.Event) -> bool:
        """Wait for a slot; False if `cancelled` was set while waiting."""
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


@st.cache_resource(show_spinner=False)
def shared_pool() -> JobPool:
    return JobPool()


class Saver(Protocol):
    """Called from the worker thread; must never call `st.*` (ui.runs_view.RunSaver)."""

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
    from runs/ (its records are back, nothing to resume).
    """

    label: str
    device: str
    epochs: int  # for progress and ETA
    make_iter: Callable[[], Iterator[dict]]
    on_record: Callable[[dict], None] | None = None  # runs in the worker (e.g. save each epoch)
    saver: Saver | None = None  # writes the run to runs/ from the worker (never raises into training)
    state: str = "new"  # new → queued → running → paused | done | diverged | error | restored
    epochs_log: list[dict] = field(default_factory=list)  # every non-step record, in order
    steps: list[tuple[int, float]] = field(default_factory=list)  # (step, loss), thinned
    last: dict = field(default_factory=dict)  # the latest record of any kind
    error: str = ""
    error_code: str = ""  # "oom" | "device" | "other" when state == "error"
    run_seconds: float = 0.0  # time spent running, pauses excluded
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
        self._thread = threading.Thread(target=self._work, args=(pool or shared_pool(),), daemon=True)
        self._thread.start()

    resume = start

    def stop(self) -> None:
        self._stop.set()

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
                self.steps.append((rec["step"], rec["loss"]))
                if len(self.steps) > MAX_STEP_POINTS:  # keep the chart light: drop every other point
                    self.steps = self.steps[::2]
            else:
                self.epochs_log.append(rec)
        if self.on_record is not None:
            self.on_record(rec)
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
        if not pool.acquire(self.device, job_id, self._stop):
            self.state = "paused" if self._it is not None else "new"
            return
        self.state = "running"
        t0 = time.perf_counter()
        try:
            if self._it is None:
                self._it = self.make_iter()
            for rec in self._it:
                self._record(rec)
                self.run_seconds += time.perf_counter() - t0
                t0 = time.perf_counter()
                if rec.get("kind") == "diverged":
                    self.state = "diverged"
                    return
                if self._stop.is_set():
                    self.state = "paused"
                    return
            self.state = "done"
        except Exception as e:  # never BaseException: that would swallow interpreter shutdown
            self.error_code = device_error(e) or "other"
            self.error = f"{type(e).__name__}: {str(e)[:500]}"
            self.state = "error"
            self._it = None
            if self.error_code in ("oom", "device"):
                _free_gpu_memory()
        finally:
            self.run_seconds += time.perf_counter() - t0
            pool.release(self.device, job_id)
            if self.saver is not None:
                self._save(self.saver.end)


def _free_gpu_memory() -> None:
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except Exception:  # a broken device may fail here too; the job's message says enough
        pass


# ---------------------------------------------------------------------------------------------
# Session helpers


def _jobs() -> dict[str, Job]:
    return st.session_state.setdefault("_jobs", {})


def get(key: str) -> Job | None:
    return _jobs().get(key)


def start(
    key: str,
    make_iter: Callable[[], Iterator[dict]],
    epochs: int,
    device: str,
    label: str = "",
    on_record: Callable[[dict], None] | None = None,
    saver: Saver | None = None,
) -> Job:
    """Start a new job under `key` in this session, stopping the one it replaces."""
    old = get(key)
    if old is not None and old.active:
        old.stop()
    job = Job(
        label=label or key,
        device=device,
        epochs=epochs,
        make_iter=make_iter,
        on_record=on_record,
        saver=saver,
    )
    _jobs()[key] = job
    job.start()
    return job


def put(key: str, job: Job) -> None:
    """Install a finished job (a run reopened from runs/) under `key`, stopping any running one."""
    old = get(key)
    if old is not None and old.active:
        old.stop()
    _jobs()[key] = job


CPU_KEY = "_train_on_cpu"  # set by the "train on the CPU" button after a GPU failure


def train_device() -> str:
    """The device new training runs use in this session: the server's, or the CPU after a GPU fault."""
    from ui import resources

    return "cpu" if st.session_state.get(CPU_KEY) else resources.device().name


def fmt_seconds(s: float) -> str:
    return t("job.seconds", s=s) if s < 60 else t("job.minutes", m=s // 60, s=s % 60)


def status(job: Job, pool: JobPool | None = None) -> None:
    """Progress bar with ETA, queue position, or the final state, in the user's language."""
    if job.state == "queued":
        if getattr(_quiet, "on", False):
            return  # drawn by live()'s polling fragment above the panel
        pool = pool or shared_pool()
        ahead = pool.position(job.device, id(job)) + pool.running(job.device)
        st.info(t("job.queued", ahead=ahead), icon=":material/hourglass_top:")
        return
    if job.state == "running":
        epoch = job.last.get("epoch", 0) or 0
        eta = job.eta_seconds()
        args = {"epoch": max(1, epoch), "epochs": job.epochs, "pct": 100 * job.fraction()}
        text = t("job.progress", eta=fmt_seconds(eta), **args) if eta else t("job.progress_noeta", **args)
        st.progress(job.fraction(), text=text)
    elif job.state == "paused":
        st.progress(job.fraction())
        st.info(t("job.paused"), icon=":material/pause_circle:")
    elif job.state == "done":
        st.success(t("job.done", seconds=job.run_seconds), icon=":material/check_circle:")
    elif job.state == "diverged":
        st.error(t("job.diverged"), icon=":material/warning:")
    elif job.state == "error" and job.error_code in ("oom", "device") and job.device != "cpu":
        st.error(t(f"job.{job.error_code}_cpu", device=job.device), icon=":material/memory:")
        st.caption(job.error)
    elif job.state == "error":
        st.error(t("job.error", error=job.error))
    elif job.state == "restored":
        st.info(
            t("job.restored", epochs=len([r for r in job.epochs_log if r.get("kind") == "epoch"])),
            icon=":material/folder_open:",
        )
    save_error = getattr(job.saver, "error", "")
    if save_error:  # saving to runs/ failed (read-only, disk full): say so, training goes on
        st.warning(t("runs.save_failed", error=save_error), icon=":material/save:")
    elif getattr(job.saver, "saved_epochs", 0):  # what a crash or a reload would not lose
        st.caption(t("runs.saved", epochs=job.saver.saved_epochs))


def train_button(label: str, key: str, on_train: Callable[[], None], **kwargs: object) -> None:
    """A primary button that calls `on_train` in this run, after the page's widgets, then reruns.

    Not an `on_click` callback: a callback runs before the script, with the settings of the previous
    run, so a student who types 300 epochs and clicks Train straight away (one request to the server)
    would train with the old 1,000.
    """
    if st.button(label, key=key, type="primary", **kwargs):
        on_train()
        st.rerun()  # draw the page again with the job running


def controls(page: str, job: Job | None, on_train: Callable[[], None], disabled: bool = False) -> None:
    """Train / Stop / Resume buttons with the keys tests rely on (`<page>_train`, `<page>_stop`)."""
    c1, c2, c3 = st.columns(3)
    active = job is not None and job.active
    with c1:
        train_button(t("job.train"), f"{page}_train", on_train, disabled=active or disabled, width="stretch")
    c2.button(
        t("job.stop"),
        key=f"{page}_stop",
        disabled=not active,
        width="stretch",
        on_click=job.stop if job is not None else None,
    )
    c3.button(
        t("job.resume"),
        key=f"{page}_resume",
        width="stretch",
        disabled=not (job is not None and job.resumable),
        on_click=job.resume if job else None,
    )
    if (
        job is not None
        and job.state == "error"
        and job.error_code in ("oom", "device")
        and job.device != "cpu"
    ):
        st.button(
            t("job.rerun_cpu"),
            key=f"{page}_cpu",
            icon=":material/memory:",
            on_click=rerun_on_cpu,
            args=(on_train,),
        )


def rerun_on_cpu(on_train: Callable[[], None]) -> None:
    """Switch this session to the CPU and start the same run again (the page's `on_train`)."""
    st.session_state[CPU_KEY] = True
    on_train()


def live(job: Job | None, render: Callable[[Job], None], interval: float = 0.5) -> None:
    """Draw `render(job)` now, and again every `interval` s while the job is active.

    When the job ends, one full rerun lets the page show its results and re-enable its buttons.
    A queued job's panel is drawn once; only its place in line is polled (see `_queued`).
    """
    if job is None:
        return
    if job.state == "queued":
        _queued(job, render)
        return
    was_active = job.active

    @st.fragment(run_every=interval if was_active else None)
    def _panel() -> None:
        render(job)
        if was_active and not job.active:
            st.rerun()

    _panel()


_quiet = threading.local()  # per script thread: `status` leaves a queued job's place in line to `_queued`


def _queued(job: Job, render: Callable[[Job], None]) -> None:
    """A small fragment polls the place in line every QUEUED_POLL_S, and the page's panel (empty charts,
    settings) is drawn once below it: thirty students waiting in line cost the server a line of text each
    poll, not thirty sets of charts. When the job starts, one full rerun switches to the live chart."""

    @st.fragment(run_every=QUEUED_POLL_S)
    def _place() -> None:
        status(job)
        if job.state != "queued":
            st.rerun()

    _place()
    _quiet.on = True
    try:
        render(job)
    finally:
        _quiet.on = False
