"""Training jobs on a Ray cluster (`LAB_JOBS=ray`): the same `core` training iterators, run by an actor
on whichever node has the CPUs (or the share of a GPU) a job asks for, their records streamed back.

How a job travels:
- the page's iterator factory, the model the page shows and the page's live controls go to the actor
  as ONE pickled tuple, so inside the actor the factory's closure and the tuple name the same model and
  the same controls dict;
- the driver (the Streamlit server's worker thread of that job) asks the actor for the next chunk of
  records, at most `CHUNK_S` of training; with it come the model's weights (after every non-step record
  and at least once a second), which it copies into the page's model — so the live panel, sampling on
  the page and saving to runs/ work as with a local job. The controls go the other way with each ask;
- Stop is simply not asking again: the actor keeps the paused generator (model and optimizer state), so
  Resume continues. A paused run keeps its actor until the student trains again, resets or leaves;
- one `JobQueue` actor per cluster (named, detached) hands out slots first come, first served, at most
  one running job per student and no more jobs than the cluster's CPUs (GPUs) allow, so every replica
  of the app shares one queue; a slot whose job stops beating (its replica died) is freed;
- a lost worker or node ends the job with `WorkerLost`; the runs/ copy of its last saved epoch stays.

Where the driver lives: `ray.init` must run in a thread that lives as long as the server. Ray starts a
local cluster's processes with a parent-death signal that Linux ties to the starting *thread*, and
Streamlit runs every script rerun in a short-lived thread: a cluster started there dies with that rerun.
So `connect()` calls `ray.init` in a daemon thread of its own. Off the main thread, Ray does not install
its SIGTERM handler (it says so once in the log); Streamlit's main thread owns SIGTERM, stops the server,
and Ray's own exit hook then shuts the driver down.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NAMESPACE = "pytorch_lab"  # every replica joins this namespace, so they find the same queue actor
QUEUE_NAME = "lab_job_queue"
CHUNK_S = 0.25  # training per ask: Stop acts within this (plus one batch), the chart refreshes as often
SYNC_S = 1.0  # weights come back at least this often, and after every epoch record
BEAT_S = 2.0  # a job that holds a slot says so this often ...
STALE_S = 20.0  # ... and loses the slot after this long without a word (its replica died)
POLL_S = 0.2  # how often a waiting job asks the queue for its turn


def job_cpus() -> int:
    """CPUs one job asks for (LAB_RAY_JOB_CPUS, default 1); torch in the actor uses as many threads."""
    env = os.environ.get("LAB_RAY_JOB_CPUS", "")
    return int(env) if env.isdigit() and int(env) > 0 else 1


def job_gpus() -> float:
    """The share of one GPU a GPU job asks for (LAB_RAY_JOB_GPUS, default 0.25: four jobs per GPU)."""
    try:
        share = float(os.environ.get("LAB_RAY_JOB_GPUS", "0.25"))
    except ValueError:
        share = 0.25
    return share if 0 < share <= 1 else 0.25


def is_loopback(address: str) -> bool:
    """True for a Ray address on this machine only: "127.0.0.1:6379", "localhost:6379", "[::1]:6379"."""
    address = address.removeprefix("ray://")
    host = address.rsplit(":", 1)[0].strip("[]") if ":" in address else address
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ray_env(env: Mapping[str, str]) -> dict[str, str]:
    """The variables a Ray process of the lab needs on top of `env` (a head, a driver, a worker).

    - Ray's flag for one-machine clusters, RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0, makes every Ray process
      listen on 127.0.0.1 only (`--node-ip-address 127.0.0.1` alone still advertises the network address),
      and a driver joining such a cluster needs it too, or it looks for the head at the network address.
      Set for a cluster the lab starts itself and for a RAY_ADDRESS on loopback; a cluster of several
      machines keeps Ray's default.
    - Token authentication stays on: RAY_AUTH_MODE=token makes a driver present the cluster's token
      (~/.ray/auth_token of the same user, or RAY_AUTH_TOKEN / RAY_AUTH_TOKEN_PATH) when it joins; a
      local cluster makes that token when there is none.
    """
    extra = {}
    address = env.get("RAY_ADDRESS", "")
    if not address or is_loopback(address):
        extra["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = env.get("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    extra["RAY_AUTH_MODE"] = env.get("RAY_AUTH_MODE", "token")  # an administrator's own choice stays
    return extra


# -- the driver ------------------------------------------------------------------------------------
_driver_lock = threading.Lock()
_driver_ready = threading.Event()
_driver_error: list[BaseException] = []


def connect(num_cpus: int | None = None) -> None:
    """Join the cluster at $RAY_ADDRESS, or start a local one (LAB_RAY_CPUS or all cores) bound to
    127.0.0.1 only; once per process, from a daemon thread that lives as long as the process (see above)."""
    with _driver_lock:
        if not _driver_ready.is_set():
            os.environ.update(ray_env(os.environ))
            threading.Thread(target=_drive, args=(num_cpus,), name="ray-driver", daemon=True).start()
            _driver_ready.wait()
        if _driver_error:
            raise RuntimeError(f"Ray could not start: {_driver_error[0]}") from _driver_error[0]


def _drive(num_cpus: int | None) -> None:
    import ray
    from ray._private import ray_constants
    from ray._raylet import Config

    # ray may have been imported before connect() set its variables: make it read them again
    if os.environ.get("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER") == "0":
        ray_constants.ENABLE_RAY_CLUSTER = False
    Config.initialize("")  # RAY_AUTH_MODE
    try:
        # workers import the lab's `core` to unpickle a job; a cluster of other machines needs the lab
        # at the same path on each node (see README, "Running it for several classes")
        options: dict[str, Any] = {
            "namespace": NAMESPACE,
            "runtime_env": {"env_vars": {"PYTHONPATH": str(ROOT)}},
            "log_to_driver": False,  # workers' prints stay in Ray's logs, not in the server's
        }
        if os.environ.get("RAY_ADDRESS"):
            ray.init(address=os.environ["RAY_ADDRESS"], **options)
        else:
            cpus = num_cpus or int(os.environ.get("LAB_RAY_CPUS", "0") or 0) or os.cpu_count() or 1
            ray.init(address="local", num_cpus=cpus, include_dashboard=False, **options)
    except BaseException as e:  # told to the caller of connect(), not lost in this thread
        _driver_error.append(e)
    finally:
        _driver_ready.set()
    threading.Event().wait()  # keep the thread, and so the local cluster's processes, alive


def queue():
    """The cluster's one JobQueue actor (created by the first replica that asks)."""
    connect()
    return (
        _queue_class()
        .options(name=QUEUE_NAME, namespace=NAMESPACE, lifetime="detached", get_if_exists=True, num_cpus=0)
        .remote()
    )


# -- the queue ------------------------------------------------------------------------------------
class _Queue:
    """Slots for jobs, in the order they were asked for. A job is a string id unique over replicas;
    `kind` is "cpu" or "gpu". A slot is held from a job's turn until its actor ends (a paused run keeps its
    actor, so it keeps its slot); the actor beats while it lives, and a slot without a beat for `STALE_S`
    is freed (its replica or node died). At most one *running* job per owner (a student): a student's
    second job waits for the first to end or pause, and jobs behind it may go first meanwhile."""

    def __init__(self):
        self.waiting: list[tuple[str, str, str]] = []  # (job, owner, kind), oldest first
        self.slots: dict[str, dict] = {}  # job → {"owner", "kind", "beat", "paused"}

    def capacity(self, kind: str, cpus: int, gpus: float) -> int:
        import ray

        res = ray.cluster_resources()
        return int(res.get("GPU", 0) / gpus) if kind == "gpu" else int(res.get("CPU", 0) // cpus)

    def poll(self, job: str, owner: str, kind: str, cpus: int, gpus: float) -> int:
        """-1 when `job` may run now (it holds a slot), else how many jobs of its kind wait ahead of it."""
        self._reap()
        if job in self.slots:  # its turn came, or a paused run resumes on the slot it kept
            self.slots[job].update(paused=False, beat=time.monotonic())
            return -1
        if job not in (w[0] for w in self.waiting):
            self.waiting.append((job, owner, kind))
        free = self.capacity(kind, cpus, gpus) - sum(1 for s in self.slots.values() if s["kind"] == kind)
        busy = {s["owner"] for s in self.slots.values() if not s["paused"]}
        for entry in [w for w in self.waiting if w[2] == kind]:
            if free <= 0:
                break
            if entry[1] in busy:
                continue
            self.waiting.remove(entry)
            self.slots[entry[0]] = {
                "owner": entry[1],
                "kind": kind,
                "beat": time.monotonic(),
                "paused": False,
            }
            busy.add(entry[1])
            free -= 1
        if job in self.slots:
            return -1
        return [w[0] for w in self.waiting if w[2] == kind].index(job)

    def beat(self, job: str) -> None:
        if job in self.slots:
            self.slots[job]["beat"] = time.monotonic()

    def pause(self, job: str) -> None:
        if job in self.slots:
            self.slots[job]["paused"] = True

    def leave(self, job: str) -> None:
        self.slots.pop(job, None)
        self.waiting = [w for w in self.waiting if w[0] != job]

    def position(self, job: str) -> int:
        kind = next((w[2] for w in self.waiting if w[0] == job), None)
        ids = [w[0] for w in self.waiting if w[2] == kind]
        return ids.index(job) if job in ids else 0

    def counts(self) -> dict:
        """{"running": {kind: n}, "paused": {kind: n}, "waiting": {kind: n}} for the pages and the tests."""
        self._reap()
        out: dict = {"running": {}, "paused": {}, "waiting": {}}
        for s in self.slots.values():
            group = out["paused" if s["paused"] else "running"]
            group[s["kind"]] = group.get(s["kind"], 0) + 1
        for _, _, kind in self.waiting:
            out["waiting"][kind] = out["waiting"].get(kind, 0) + 1
        return out

    def _reap(self) -> None:
        now = time.monotonic()
        for job, slot in list(self.slots.items()):
            if now - slot["beat"] > STALE_S:
                del self.slots[job]


_classes: dict[str, Any] = {}


def _queue_class():
    import ray

    if "queue" not in _classes:
        _classes["queue"] = ray.remote(_Queue)
    return _classes["queue"]


# -- one job on the cluster -------------------------------------------------------------------------
class _TrainRun:
    """Holds one job's iterator on a worker; `next_chunk` trains for up to `seconds` and returns the
    records, the model's weights when due, and whether the iterator has ended."""

    def __init__(self, recipe: tuple, threads: int, gpu_share: float, queue_actor=None, job: str = ""):
        import torch

        torch.set_num_threads(threads)  # Ray sets OMP_NUM_THREADS=1 in workers: use the CPUs asked for
        if gpu_share and torch.cuda.is_available():
            # Ray's GPU shares are only bookkeeping: cap this process's CUDA memory to its share
            torch.cuda.set_per_process_memory_fraction(min(1.0, gpu_share))
        self._make_iter, self._model, self._controls = recipe
        self._it: Iterator[dict] | None = None
        self._synced = 0.0
        if queue_actor is not None:  # the slot is this actor's while it lives, paused or not
            threading.Thread(target=self._beat, args=(queue_actor, job), daemon=True).start()

    @staticmethod
    def _beat(queue_actor, job: str) -> None:
        while True:
            queue_actor.beat.remote(job)
            time.sleep(BEAT_S)

    def next_chunk(self, seconds: float, controls: dict | None) -> tuple[list[dict], dict | None, bool]:
        if controls is not None and self._controls is not None:
            self._controls.clear()  # the same dict the iterator reads: change it in place
            self._controls.update(controls)
        if self._it is None:
            self._it = self._make_iter()
        records: list[dict] = []
        ended, t0 = False, time.monotonic()
        while True:
            try:
                rec = next(self._it)
            except StopIteration:
                ended = True
                break
            records.append(_to_cpu(rec))
            if rec.get("kind") != "step" or time.monotonic() - t0 >= seconds:
                break  # an epoch record goes back at once: the driver saves the run on it
        state = None
        due = ended or any(r.get("kind") != "step" for r in records)
        if self._model is not None and (due or time.monotonic() - self._synced >= SYNC_S):
            state = {k: v.detach().to("cpu", copy=True) for k, v in self._model.state_dict().items()}
            self._synced = time.monotonic()
        return records, state, ended


def _to_cpu(rec: dict) -> dict:
    """A record with its tensors on the CPU (the driver may have no GPU)."""
    import torch

    return {k: (v.detach().cpu() if isinstance(v, torch.Tensor) else v) for k, v in rec.items()}


def _run_class():
    import ray

    if "run" not in _classes:
        _classes["run"] = ray.remote(_TrainRun)
    return _classes["run"]


class WorkerLost(RuntimeError):
    """The worker or node running a job went away; the job's last saved epoch stays in runs/."""

    error_code = "interrupted"  # read by core.jobs.Job


def remote_records(
    make_iter: Callable[[], Iterator[dict]],
    model: Any,
    device: str,
    controls: dict | None = None,
    slot: tuple | None = None,
) -> Iterator[dict]:
    """The records of `make_iter()` trained by an actor on the cluster, as a local iterator; `model` (the
    page's) gets the actor's weights as they come, `controls` (the page's live dict) goes to the actor
    with every ask. `slot` = (queue actor, job id): the actor beats for it, and gives it back when the
    iterator ends or is closed (which also ends the actor)."""
    import ray
    from ray.exceptions import ActorDiedError, ActorUnavailableError, RayActorError

    connect()
    gpus = job_gpus() if device.startswith("cuda") else 0.0
    actor = (
        _run_class()
        .options(num_cpus=job_cpus(), num_gpus=gpus, max_restarts=0)
        .remote((make_iter, model, controls), job_cpus(), gpus, *(slot or ()))
    )
    try:
        while True:
            snapshot = dict(controls) if controls is not None else None
            try:
                records, state, ended = ray.get(actor.next_chunk.remote(CHUNK_S, snapshot))
            except (RayActorError, ActorDiedError, ActorUnavailableError) as e:
                raise WorkerLost(f"{type(e).__name__}: {str(e).splitlines()[0][:300]}") from e
            if state is not None and model is not None:
                _load(model, state)
            # Arrays arrive read-only (Ray's zero-copy buffers); the page may write to them.
            for rec in records:
                yield {
                    k: (v.copy() if getattr(v, "flags", None) is not None and not v.flags.writeable else v)
                    for k, v in rec.items()
                }
            if ended:
                return
    finally:
        ray.kill(actor, no_restart=True)
        if slot is not None:
            slot[0].leave.remote(slot[1])


def _load(model: Any, state: dict) -> None:
    import torch

    with torch.no_grad():
        model.load_state_dict(state)  # copies into the page's tensors, on whatever device they are


class RayPool:
    """A core.jobs.Pool backed by the cluster's JobQueue (LAB_JOBS=ray): `acquire` waits for the job's
    turn, `records` runs it on the cluster. Job ids are made unique over replicas here."""

    def __init__(self):
        connect()
        self._queue = queue()
        self._host = f"{socket.gethostname()}:{os.getpid()}"

    def _id(self, job_id: int) -> str:
        return f"{self._host}:{job_id}"

    @staticmethod
    def kind(device: str) -> str:
        return "gpu" if device.startswith("cuda") else "cpu"

    def acquire(self, device: str, job_id: int, cancelled: threading.Event, owner: str = "") -> bool:
        import ray

        job = self._id(job_id)
        while True:
            ahead = ray.get(
                self._queue.poll.remote(job, owner or job, self.kind(device), job_cpus(), job_gpus())
            )
            if ahead < 0:
                return True
            if cancelled.wait(POLL_S):
                ray.get(self._queue.leave.remote(job))
                return False

    def release(self, device: str, job_id: int) -> None:
        import ray

        ray.get(self._queue.leave.remote(self._id(job_id)))

    def park(self, device: str, job_id: int) -> None:
        """A paused job keeps its slot (its actor holds the model), but no longer counts as its owner's
        running job."""
        import ray

        ray.get(self._queue.pause.remote(self._id(job_id)))

    def position(self, device: str, job_id: int) -> int:
        import ray

        return ray.get(self._queue.position.remote(self._id(job_id)))

    def running(self, device: str) -> int:
        import ray

        return ray.get(self._queue.counts.remote())["running"].get(self.kind(device), 0)

    def records(
        self,
        job_id: int,
        make_iter: Callable[[], Iterator[dict]],
        model: Any,
        device: str,
        controls: dict | None = None,
    ) -> Iterator[dict]:
        return remote_records(make_iter, model, device, controls, (self._queue, self._id(job_id)))
