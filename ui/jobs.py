"""This session's training jobs, one per key (a page's name), and the server's pools they run in.

The engine itself (`Job`, the `Pool`s, the worker) is core.jobs and knows no Streamlit; this module is the
glue: one pool per backend for the whole server, the session's jobs in its `st.session_state`, and the
device a new job of this session trains on. The widgets that draw a job (buttons, progress, queue line,
live panel) are in ui.job_widgets.

The pools are module-level singletons, made once under a lock, and deliberately not in
`st.cache_resource`: any browser may ask the server to clear that cache, and a new pool would let a new
job start beside a running one (docs/streamlit-notes.md, Any client can clear the caches).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import streamlit as st

from core.jobs import ACTIVE, Job, LocalPool, Pool, Saver, backend, job_backend, job_device, make_pool

__all__ = [
    "ACTIVE",
    "CPU_KEY",
    "Job",
    "LocalPool",
    "Pool",
    "Saver",
    "discard",
    "get",
    "put",
    "start",
]

_JOBS = "_jobs"  # session_state: {key: Job}
CPU_KEY = "_train_on_cpu"  # set by the "train on the CPU" button after a GPU failure


_POOLS: dict[str, Pool] = {}  # backend name -> this process's pool of it, for every session
_POOLS_LOCK = threading.Lock()  # two sessions asking first at once still make one pool


def server_pool(name: str) -> Pool:
    """This server's pool of the backend `name` (core.jobs.BACKENDS), made once: a cluster's is joined or
    started on first use."""
    with _POOLS_LOCK:
        pool = _POOLS.get(name)
        if pool is None:
            pool = _POOLS[name] = make_pool(name)
        return pool


def shared_pool() -> LocalPool:
    """This server's pool of the jobs that train in this process."""
    return server_pool("local")


def pool_for(job: Job) -> Pool:
    """The pool a new job runs in (LAB_JOBS for a job that hands over its model, else this process)."""
    name = job_backend(job)
    return shared_pool() if name == "local" else server_pool(name)


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
    job.start(pool_for(job))
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


def forget_server_state() -> None:
    """Tests only: a fresh set of pools, as a new server process would have (tests/conftest.py)."""
    with _POOLS_LOCK:
        _POOLS.clear()


def _session_id() -> str:
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else ""


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
