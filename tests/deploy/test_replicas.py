"""deploy/replicas.py's pure parts: what each replica is started with, and the HAProxy configuration it
renders (checked by haproxy itself where it is installed; the browser test runs the real thing)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from deploy import replicas


def test_every_replica_shares_the_runs_folder_and_database_and_has_its_own_name(tmp_path):
    url = replicas.default_db_url(tmp_path)
    envs = [replicas.replica_env(name, tmp_path, url) for name in replicas.replica_names(3)]
    assert [e["LAB_REPLICA"] for e in envs] == ["r1", "r2", "r3"]
    assert {e["LAB_RUNS_DIR"] for e in envs} == {str(tmp_path)}
    assert {e["LAB_DB_URL"] for e in envs} == {f"sqlite:///{tmp_path.resolve()}/classboard.sqlite3"}
    assert not any("LAB_JOBS" in e or "RAY_ADDRESS" in e for e in envs)  # local jobs unless --ray


def test_with_ray_every_replica_joins_the_one_cluster_on_loopback_with_a_token(tmp_path):
    env = replicas.replica_env("r2", tmp_path, "postgresql+psycopg://lab@127.0.0.1/lab", "127.0.0.1:6390")
    assert env["LAB_JOBS"] == "ray" and env["RAY_ADDRESS"] == "127.0.0.1:6390"
    assert env["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] == "0" and env["RAY_AUTH_MODE"] == "token"
    assert env["LAB_DB_URL"] == "postgresql+psycopg://lab@127.0.0.1/lab"


def test_ray_head_command_starts_one_blocking_head_without_dashboard():
    cmd = replicas.ray_head_command(6390, 4)
    assert cmd[1:4] == ["start", "--head", "--block"]
    assert cmd[cmd.index("--port") + 1] == "6390" and cmd[cmd.index("--num-cpus") + 1] == "4"
    assert cmd[cmd.index("--include-dashboard") + 1] == "false" and "--disable-usage-stats" in cmd


def test_config_binds_loopback_balances_new_clients_and_sticks_by_cookie():
    cfg = replicas.render_config(18500, [("r1", 18501), ("r2", 18502)])
    lines = [line.split("#")[0].strip() for line in cfg.splitlines()]
    assert "bind 127.0.0.1:18500" in lines
    assert "balance roundrobin" in lines
    assert "cookie LAB_REPLICA insert indirect nocache httponly" in lines
    assert "http-check send meth GET uri /_stcore/health" in lines
    servers = [line for line in lines if line.startswith("server ")]
    assert servers == [
        "server r1 127.0.0.1:18501 check cookie r1",
        "server r2 127.0.0.1:18502 check cookie r2",
    ]
    tunnel = next(line for line in lines if line.startswith("timeout tunnel"))
    assert re.fullmatch(r"timeout tunnel (\d+)h", tunnel) and int(tunnel.split()[-1][:-1]) >= 1
    assert not re.search(r"^\s*bind\s+(\*|0\.0\.0\.0|:)", cfg, re.M)  # never every interface


def test_haproxy_accepts_the_rendered_config(tmp_path):
    if not Path(replicas.HAPROXY).exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"haproxy must be installed in CI (.ci/run): {replicas.HAPROXY}")
        pytest.skip(f"haproxy not installed ({replicas.HAPROXY}): apt-get install -y haproxy")
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(replicas.render_config(18500, [("r1", 18501), ("r2", 18502)]))
    done = subprocess.run(
        [replicas.HAPROXY, "-c", "-f", str(cfg)], capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stdout + done.stderr
