"""Several replicas of the lab behind one HAProxy, for more students than one Streamlit server holds.

`python -m deploy.replicas --replicas 3 --port 8501 [--runs-dir D] [--db-url URL] [--ray]` starts N
`streamlit run Home.py` servers on free loopback ports (bench/lab_server.py starts each), all sharing one
runs folder (LAB_RUNS_DIR) and one class database (LAB_DB_URL), each told its name (LAB_REPLICA, shown in
its sidebar); then HAProxy in the foreground on --port, rendered from deploy/haproxy.cfg: new browsers go
round the replicas, a browser stays on its replica by the LAB_REPLICA cookie. With --ray, one Ray head is
started first and every replica sends its training jobs there (LAB_JOBS=ray, RAY_ADDRESS), so the class
shares one queue. Ctrl-C or SIGTERM stops everything it started; a replica that dies is reported, not
restarted (its students reload and land on another).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench import lab_server
from core import cluster

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = Path(__file__).with_name("haproxy.cfg")
HAPROXY = os.environ.get("LAB_HAPROXY") or shutil.which("haproxy") or "/usr/sbin/haproxy"
COOKIE = "LAB_REPLICA"  # the stickiness cookie's name, as deploy/haproxy.cfg sets it


def replica_names(n: int) -> list[str]:
    """r1 .. rN: the replicas' names in LAB_REPLICA, in HAProxy's server lines and in the cookie."""
    return [f"r{i + 1}" for i in range(n)]


def default_db_url(runs_dir: Path) -> str:
    """The class database every replica shares when none is given: SQLite beside the shared runs (WAL
    lets several processes of one machine write to it, each waiting its turn)."""
    from core import classdb  # its torch import waits until a default is needed

    return f"sqlite:///{Path(runs_dir).resolve() / classdb.DB_FILE}"


def replica_env(name: str, runs_dir: Path, db_url: str, ray_address: str | None = None) -> dict[str, str]:
    """What one replica is started with on top of the launcher's environment: its name, the shared runs
    folder and database, and with `ray_address` the shared Ray cluster (plus ray_env's loopback and token
    settings, which a driver joining a one-machine cluster needs)."""
    env = {"LAB_REPLICA": name, "LAB_RUNS_DIR": str(runs_dir), "LAB_DB_URL": db_url}
    if ray_address:
        env.update({"LAB_JOBS": "ray", "RAY_ADDRESS": ray_address})
        env.update(cluster.ray_env(env))
    return env


def render_config(port: int, servers: Sequence[tuple[str, int]], template: str | None = None) -> str:
    """deploy/haproxy.cfg with the proxy bound to 127.0.0.1:`port` and one checked server per
    (name, port); the server's name is also its cookie value, so the cookie says which replica it is."""
    lines = [f"    server {name} 127.0.0.1:{p} check cookie {name}" for name, p in servers]
    text = template if template is not None else TEMPLATE.read_text()
    return string.Template(text).substitute(bind=f"127.0.0.1:{port}", servers="\n".join(lines))


def ray_head_command(port: int, num_cpus: int) -> list[str]:
    """One Ray head on this machine, in the foreground (--block: it lives as long as this process), no
    dashboard and no usage report; run with cluster.ray_env's variables, which keep it on 127.0.0.1."""
    ray = Path(sys.executable).with_name("ray")
    return [
        str(ray) if ray.exists() else "ray",
        "start",
        "--head",
        "--block",
        "--port",
        str(port),
        "--num-cpus",
        str(num_cpus),
        "--include-dashboard",
        "false",
        "--disable-usage-stats",
    ]


@dataclass
class Replica:
    name: str
    port: int
    proc: subprocess.Popen
    log: Path
    reported: bool = False  # its death was already told


@dataclass
class Deployment:
    """What `start` started; `stop()` ends it, the proxy first, so no student is sent to a stopping
    replica."""

    url: str
    replicas: list[Replica]
    proxy: subprocess.Popen | None = None
    ray_head: subprocess.Popen | None = None
    ray_address: str | None = None
    runs_dir: Path = field(default_factory=Path)  # the runs folder every replica shares
    logs: Path = field(default_factory=Path)

    def replica(self, name: str) -> Replica:
        return next(r for r in self.replicas if r.name == name)

    def stop(self) -> None:
        for proc in [self.proxy, *(r.proc for r in self.replicas)]:
            if proc is not None and proc.poll() is None:
                lab_server.stop(proc)
        if self.ray_head is not None and self.ray_head.poll() is None:
            _stop_tree(self.ray_head)  # `ray start --block` stops its processes on SIGTERM; any left: KILL


def _stop_tree(proc: subprocess.Popen) -> None:
    children = lab_server.descendants(proc.pid)
    lab_server.stop(proc)
    for pid in children:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _wait_port(port: int, proc: subprocess.Popen, log: Path, what: str, timeout: float) -> None:
    """Until 127.0.0.1:`port` accepts a connection; raises with the log's tail if `proc` exits first."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited ({proc.returncode}); {log}:\n{_tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{what} did not listen on {port} within {timeout:.0f} s; {log}:\n{_tail(log)}")


def _tail(log: Path, chars: int = 2000) -> str:
    try:
        return log.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def _popen(cmd: list[str], log: Path, env: Mapping[str, str]) -> subprocess.Popen:
    # a session of its own: Ctrl-C in the terminal reaches the launcher only, which stops the children
    # in order (proxy, replicas, Ray) instead of all of them at once
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        return subprocess.Popen(
            cmd, cwd=ROOT, env=dict(env), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def start_ray_head(logs: Path, num_cpus: int, port: int | None = None, timeout: float = 90):
    """The shared Ray head on 127.0.0.1; returns (process, its address "127.0.0.1:<port>")."""
    port = port or lab_server.free_port()
    log = logs / "ray_head.log"
    env = {**os.environ, **cluster.ray_env({k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"})}
    env.pop("RAY_ADDRESS", None)  # this process starts the cluster; it does not join one
    proc = _popen(ray_head_command(port, num_cpus), log, env)
    try:
        _wait_port(port, proc, log, "ray head", timeout)
    except BaseException:
        _stop_tree(proc)
        raise
    return proc, f"127.0.0.1:{port}"


def start(
    n: int,
    port: int | None = None,
    runs_dir: Path | None = None,
    db_url: str | None = None,
    ray: bool = False,
    ray_cpus: int | None = None,
    logs: Path | None = None,
    test_mode: bool = False,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> Deployment:
    """N replicas (started side by side, each healthy), then the proxy on 127.0.0.1:`port` (a free one
    if None), answering through to a replica; with `ray` a Ray head first. `env`: more variables for
    every replica (a teacher token, test switches). On any failure what was started is stopped."""
    if not Path(HAPROXY).exists() and not shutil.which(HAPROXY):
        raise RuntimeError(f"haproxy not found ({HAPROXY}): apt-get install -y haproxy")
    from core import runs  # the store's own default folder (it imports torch: only when started)

    runs_dir = Path(runs_dir or runs.runs_dir()).resolve()
    db_url = db_url or default_db_url(runs_dir)
    logs = Path(logs or Path(tempfile.gettempdir()) / f"lab_replicas_{os.getpid()}")
    port = port or lab_server.free_port()
    dep = Deployment(url=f"http://127.0.0.1:{port}", replicas=[], runs_dir=runs_dir, logs=logs)
    try:
        if ray:
            dep.ray_head, dep.ray_address = start_ray_head(logs, ray_cpus or os.cpu_count() or 1)

        def one(name: str) -> Replica:
            extra = {**(env or {}), **replica_env(name, runs_dir, db_url, dep.ray_address)}
            log = logs / f"{name}.log"
            proc, url = lab_server.start(
                log, env=extra, timeout=timeout, own_session=True, test_mode=test_mode
            )
            return Replica(name, int(url.rsplit(":", 1)[1]), proc, log)

        with ThreadPoolExecutor(n) as pool:
            futures = [pool.submit(one, name) for name in replica_names(n)]
            errors = []
            for f in futures:  # every one waited for, so none is left running unseen when another fails
                try:
                    dep.replicas.append(f.result())
                except Exception as e:
                    errors.append(e)
        if errors:
            raise errors[0]
        cfg = logs / "haproxy.cfg"
        cfg.write_text(render_config(port, [(r.name, r.port) for r in dep.replicas]))
        log = logs / "haproxy.log"
        dep.proxy = _popen([HAPROXY, "-db", "-f", str(cfg)], log, os.environ)
        _wait_port(port, dep.proxy, log, "haproxy", 30)
        with urllib.request.urlopen(f"{dep.url}/_stcore/health", timeout=10) as r:
            assert r.status == 200, f"the proxy answered {r.status}"
    except BaseException:
        dep.stop()
        raise
    return dep


@contextmanager
def running(n: int, **start_kwargs) -> Iterator[Deployment]:
    """`start(n, **start_kwargs)` for the length of a `with` block, stopped when it ends or raises."""
    dep = start(n, **start_kwargs)
    try:
        yield dep
    finally:
        dep.stop()


def watch(dep: Deployment, every: float = 1.0, out=sys.stdout) -> int:
    """Until the proxy ends: report each replica (and the Ray head) that dies, once. Returns 1 when the
    proxy itself died (nothing reaches the replicas any more)."""
    ray_told = False
    while dep.proxy is not None and dep.proxy.poll() is None:
        for r in dep.replicas:
            if not r.reported and r.proc.poll() is not None:
                r.reported = True
                alive = [x.name for x in dep.replicas if x.proc.poll() is None]
                print(
                    f"replica {r.name} (port {r.port}) exited with code {r.proc.returncode}; its students "
                    f"reload and land on {', '.join(alive) or 'no replica: none is left'}; log: {r.log}",
                    file=out,
                    flush=True,
                )
        if dep.ray_head is not None and not ray_told and dep.ray_head.poll() is not None:
            ray_told = True
            print(f"the Ray head exited; training jobs fail until restarted; log: {dep.logs}", file=out)
        time.sleep(every)
    print(f"haproxy exited ({dep.proxy.returncode}); log: {dep.logs / 'haproxy.log'}", file=out)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m deploy.replicas", description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicas", type=int, default=2, help="how many Streamlit servers (default 2)")
    ap.add_argument("--port", type=int, default=8501, help="the proxy's port on 127.0.0.1 (default 8501)")
    ap.add_argument("--runs-dir", type=Path, help="the shared runs folder (default: $LAB_RUNS_DIR or runs/)")
    ap.add_argument("--db-url", help="the shared class database (default: SQLite in the runs folder)")
    ap.add_argument("--ray", action="store_true", help="one shared Ray head for every replica's jobs")
    ap.add_argument("--ray-cpus", type=int, help="CPUs the Ray head offers (default: all)")
    ap.add_argument("--logs", type=Path, help="the servers' logs (default: a folder under /tmp)")
    args = ap.parse_args(argv)
    if args.replicas < 1:
        ap.error("--replicas must be at least 1")

    def terminate(signum, _frame):
        raise KeyboardInterrupt  # SIGTERM stops the children like Ctrl-C does

    signal.signal(signal.SIGTERM, terminate)
    try:
        dep = start(
            args.replicas,
            port=args.port,
            runs_dir=args.runs_dir,
            db_url=args.db_url or os.environ.get("LAB_DB_URL"),
            ray=args.ray,
            ray_cpus=args.ray_cpus,
            logs=args.logs,
        )
    except KeyboardInterrupt:
        return 130
    except RuntimeError as e:
        print(f"could not start: {e}", file=sys.stderr)
        return 1
    try:
        servers = ", ".join(f"{r.name} on :{r.port}" for r in dep.replicas)
        ray = f"; Ray head at {dep.ray_address}" if dep.ray_address else ""
        print(f"replicas: {servers}{ray}; logs: {dep.logs}")
        print(f"The lab: {dep.url}  (Ctrl-C stops it)", flush=True)
        return watch(dep)
    except KeyboardInterrupt:
        return 0
    finally:
        dep.stop()


if __name__ == "__main__":
    sys.exit(main())
