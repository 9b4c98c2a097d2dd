"""Training jobs on a Ray cluster (core.jobs's jobs in core.cluster's RayPool): the queue's rules on their
own, then a real local cluster (2 CPUs, started once for the whole test session by `cluster.connect`)
running real jobs: the same weights as training here, Stop/Resume, the queue, a killed worker, and a page
that trains."""

from __future__ import annotations

import importlib.util
import ipaddress
import os
import signal
import time
from unittest import mock

import pytest
import torch

from core import cluster

if importlib.util.find_spec("ray") is None:  # not imported here: connect() sets Ray's options first
    pytest.skip("ray is not installed", allow_module_level=True)

# one local cluster (2 CPUs, a dozen processes) for the module, not one per xdist worker
pytestmark = pytest.mark.xdist_group("ray")


# -- the queue's rules, without a cluster -------------------------------------------------------------
class FixedQueue(cluster._Queue):
    def __init__(self, slots: int):
        super().__init__()
        self.n = slots

    def capacity(self, kind, cpus, gpus):
        return self.n


def test_queue_is_first_come_first_served_with_positions():
    q = FixedQueue(1)
    assert q.poll("a", "ann", "cpu", 1, 0.25) == -1
    assert q.poll("b", "ben", "cpu", 1, 0.25) == 0
    assert q.poll("c", "cho", "cpu", 1, 0.25) == 1
    assert q.position("c") == 1
    q.leave("a")
    assert q.poll("c", "cho", "cpu", 1, 0.25) == 0, "c must not pass b"
    assert q.poll("b", "ben", "cpu", 1, 0.25) == -1
    assert q.counts() == {"running": {"cpu": 1}, "paused": {}, "waiting": {"cpu": 1}}


def test_queue_runs_one_job_per_student_and_lets_others_pass():
    q = FixedQueue(3)
    assert q.poll("a1", "ann", "cpu", 1, 0.25) == -1
    assert q.poll("a2", "ann", "cpu", 1, 0.25) == 0, "ann's second job waits for her first"
    assert q.poll("b1", "ben", "cpu", 1, 0.25) == -1, "ben goes ahead of ann's second job"
    q.pause("a1")  # a paused run keeps its slot, but ann may now run another
    assert q.poll("a2", "ann", "cpu", 1, 0.25) == -1
    assert q.counts()["paused"] == {"cpu": 1} and q.counts()["running"] == {"cpu": 2}


def test_queue_frees_the_slot_of_a_job_that_stopped_beating():
    q = FixedQueue(1)
    q.poll("a", "ann", "cpu", 1, 0.25)
    assert q.poll("b", "ben", "cpu", 1, 0.25) == 0
    q.slots["a"]["beat"] -= cluster.STALE_S + 1  # its replica died 21 s ago
    assert q.poll("b", "ben", "cpu", 1, 0.25) == -1


def test_gpu_and_cpu_jobs_queue_separately():
    q = FixedQueue(1)
    assert q.poll("a", "ann", "cpu", 1, 0.25) == -1
    assert q.poll("g", "gus", "gpu", 1, 0.25) == -1


@pytest.mark.parametrize(
    "server, backend, expected",
    [
        ("cuda:1", "ray", "cuda:0"),
        ("cuda:0", "ray", "cuda:0"),
        ("cuda:1", "local", "cuda:1"),
        ("cpu", "ray", "cpu"),
        ("mps", "local", "mps"),
    ],
)
def test_gpu_jobs_on_the_cluster_train_on_the_actors_own_gpu(server, backend, expected, monkeypatch):
    from core import device as core_device
    from core import jobs

    monkeypatch.delenv(core_device.ENV_VAR, raising=False)
    monkeypatch.setattr(core_device, "list_devices", lambda: [])  # no GPU to choose among
    assert jobs.job_device(server, backend) == expected


def test_local_gpu_jobs_go_to_the_gpu_with_fewest_jobs(monkeypatch):
    from core import device as core_device
    from core import jobs

    gpus = [core_device.DeviceInfo(f"cuda:{i}", "GPU", 40 << 30, 80 << 30) for i in range(3)]
    monkeypatch.delenv(core_device.ENV_VAR, raising=False)
    monkeypatch.setattr(core_device, "list_devices", lambda: gpus)
    running = {"cuda:0": 2, "cuda:1": 1, "cuda:2": 2}
    assert jobs.job_device("cuda:0", "local", running) == "cuda:1"
    assert jobs.job_device("cuda:0", "ray", running) == "cuda:0"  # Ray spreads cluster jobs itself


@pytest.mark.parametrize(
    "address, loopback",
    [
        ("", True),
        ("127.0.0.1:6379", True),
        ("localhost:6379", True),
        ("[::1]:6379", True),
        ("ray://127.0.0.1:10001", True),
        ("10.0.0.5:6379", False),
        ("head.school.lan:6379", False),
    ],
)
def test_ray_env_keeps_a_one_machine_cluster_on_loopback_and_auth_on(address, loopback):
    env = cluster.ray_env({"RAY_ADDRESS": address} if address else {})
    assert ("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER" in env) is loopback
    assert env["RAY_AUTH_MODE"] == "token", "a driver must present the cluster's token"
    assert cluster.ray_env({"RAY_AUTH_MODE": "disabled"})["RAY_AUTH_MODE"] == "disabled", (
        "a test's own choice"
    )


# -- a real local cluster ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ray_cluster():
    """The test session's local cluster: 2 CPUs, every listener on 127.0.0.1."""
    cluster.connect(num_cpus=2)
    import ray

    return ray


def _tiny_cnn(seed: int = 0):
    from core import cnn

    cfg = cnn.CNNTrainConfig(
        c1=4, c2=8, hidden=16, epochs=2, batch_size=32, augment=False, train_size=128, seed=seed
    )
    g = torch.Generator().manual_seed(1)
    x, y = torch.rand(128, 1, 28, 28, generator=g), torch.randint(0, 10, (128,), generator=g)
    return cnn.make_train_iter(cfg, x, y, x[:32], y[:32])


def test_the_cluster_listens_on_loopback_only(ray_cluster):
    import psutil

    ours = {p.pid for p in psutil.Process().children(recursive=True)} | {os.getpid()}
    listening = [
        c for c in psutil.net_connections("inet") if c.status == psutil.CONN_LISTEN and c.pid in ours
    ]
    assert listening, "the local cluster must have servers"

    def loopback(ip: str) -> bool:
        addr = ipaddress.ip_address(ip)
        return (getattr(addr, "ipv4_mapped", None) or addr).is_loopback

    assert all(loopback(c.laddr.ip) for c in listening), [c.laddr for c in listening]


def test_a_remote_run_trains_the_same_weights_as_a_local_one(ray_cluster):
    local_model, local_iter = _tiny_cnn()
    local = list(local_iter())
    remote_model, remote_iter = _tiny_cnn()
    before = [p.detach().clone() for p in remote_model.parameters()]
    remote = list(cluster.remote_records(remote_iter, remote_model, "cpu"))
    assert [r["kind"] for r in remote] == [r["kind"] for r in local]
    for a, b in zip(local, remote):
        if "loss" in a:
            assert a["loss"] == pytest.approx(b["loss"], rel=1e-4, abs=1e-6)
    for p, q, p0 in zip(local_model.parameters(), remote_model.parameters(), before):
        assert not torch.equal(q, p0), "the page's model got the trained weights back"
        torch.testing.assert_close(p, q, rtol=1e-4, atol=1e-5)


def _job(make_iter, model, owner="ann", controls=None):
    from core import jobs

    return jobs.Job(
        label="t", device="cpu", epochs=1, make_iter=make_iter, model=model, owner=owner, controls=controls
    )


def _slow_steps(n: int, seconds: float):
    """An iterator factory that trains nothing: `n` step records, `seconds` apart, then an epoch record."""

    def make_iter():
        def records():
            for i in range(n):
                time.sleep(seconds)
                yield {"kind": "step", "step": i, "loss": 1.0 / (i + 1), "pid": os.getpid()}
            yield {"kind": "epoch", "epoch": 1}

        return records()

    return make_iter


def test_stop_acts_within_a_second_and_resume_continues(ray_cluster):
    pool = cluster.RayPool()
    job = _job(_slow_steps(200, 0.02), torch.nn.Linear(1, 1))
    job.start(pool)
    deadline = time.monotonic() + 60
    while len(job.steps) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job.state == "running" and job.steps
    t0 = time.monotonic()
    job.stop()
    job.join(5)
    assert time.monotonic() - t0 < 1.0 and job.state == "paused"
    seen = len(job.steps)
    job.resume()
    job.join(60)
    assert job.state == "done", (job.state, job.error)
    assert [s["step"] for s in job.steps] == list(range(200)), "resumed where it stopped, nothing twice"
    assert seen < 200
    assert ray_cluster.get(pool._queue.counts.remote())["running"] == {}


def test_the_cluster_queue_holds_a_third_job_until_a_slot_frees(ray_cluster):
    pool = cluster.RayPool()
    # the first two run until they are stopped, however slowly a busy machine starts their workers
    first = [_job(_slow_steps(2000, 0.05), torch.nn.Linear(1, 1), owner=o) for o in ("ann", "ben")]
    third = _job(_slow_steps(2, 0.01), torch.nn.Linear(1, 1), owner="cho")
    for j in first:
        j.start(pool)
    while not all(j.steps for j in first):
        time.sleep(0.05)
    third.start(pool)
    time.sleep(1.0)
    assert third.state == "queued" and pool.position("cpu", id(third)) == 0
    assert pool.running("cpu") == 2
    for j in first:  # Stop, then let go of the paused runs: their actors end and free the slots
        j.stop()
        j.join(60)
        j.close()
    third.join(60)
    assert third.state == "done" and [j.state for j in first] == ["paused", "paused"]


def test_a_killed_worker_ends_the_run_as_interrupted(ray_cluster):
    pool = cluster.RayPool()
    job = _job(_slow_steps(10_000, 0.02), torch.nn.Linear(1, 1))
    job.start(pool)
    deadline = time.monotonic() + 60
    while not job.steps and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(job.steps[0]["pid"], signal.SIGKILL)  # the worker process that holds the run
    job.join(30)
    assert job.state == "error" and job.error_code == "interrupted", (job.state, job.error)
    other = _job(_slow_steps(3, 0.01), torch.nn.Linear(1, 1), owner="ann")
    other.start(pool)  # the cluster, and the student, go on
    other.join(60)
    assert other.state == "done", other.error


def test_live_controls_reach_the_remote_iterator(ray_cluster):
    controls = {"mode": "both"}

    def make_iter():
        def records():
            for i in range(400):
                time.sleep(0.01)
                yield {"kind": "step", "step": i, "loss": 0.0, "mode": controls["mode"]}

        return records()

    job = _job(make_iter, torch.nn.Linear(1, 1), controls=controls)
    job.start(cluster.RayPool())
    while len(job.steps) < 3:
        time.sleep(0.02)
    controls["mode"] = "d_only"  # what the GAN page's "step D only" does while it trains
    job.join(60)
    modes = [s["mode"] for s in job.steps]
    assert modes[0] == "both" and modes[-1] == "d_only", modes[::40]


def test_a_page_trains_on_the_cluster_and_saves_its_run(ray_cluster, tmp_path):
    from tests.apptest import open_page, sign_in

    with (
        mock.patch.dict(os.environ, {"LAB_JOBS": "ray", "LAB_RUNS_DIR": str(tmp_path)}),
        mock.patch("ui.canvas.draw", return_value=None),
    ):
        at = open_page("app_pages/cnn.py", "en")
        sign_in(at, "cluster")  # a named run is saved (a nameless one waits in the session for a name)
        at.slider(key="cnn_epochs").set_value(1)
        at.radio(key="cnn_channels").set_value("8/16")
        at.button(key="cnn_train").click().run()
        assert not at.exception, at.exception
        job = at.session_state["_jobs"]["cnn"]
        assert isinstance(job.pool, cluster.RayPool)
        job.join(120)
        assert job.state == "done", (job.state, job.error)
        assert job.steps and [r["kind"] for r in job.epochs_log].count("epoch") == 1
        model = at.session_state["cnn_run"]["model"]
        assert any(p.abs().sum() > 0 for p in model.parameters())
        at.run()
        assert not at.exception, at.exception
    assert list(tmp_path.glob("cnn_*/model.pth")), "the run was saved to runs/ from the streamed records"


JOIN = """
import sys, ray
from core import cluster
cluster.connect()
q = cluster.queue()
print("SEEN", sorted(ray.get(q.counts.remote())["running"].items()))
"""


def test_a_second_process_joins_the_cluster_through_ray_address(ray_cluster):
    """What a second replica of the app does: join by RAY_ADDRESS (loopback, token from ~/.ray) and find
    the same queue, with this process's job in it."""
    import subprocess
    import sys

    q = cluster.queue()
    assert ray_cluster.get(q.poll.remote("joined-test", "ann", "cpu", 1, 0.25)) == -1
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RAY_")}
        env["RAY_ADDRESS"] = ray_cluster.get_runtime_context().gcs_address
        out = subprocess.run(
            [sys.executable, "-c", JOIN],
            cwd=cluster.ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=90,
        )
    finally:
        ray_cluster.get(q.leave.remote("joined-test"))
    assert "SEEN [('cpu', 1)]" in out.stdout, out.stderr[-2000:]
