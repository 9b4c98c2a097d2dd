"""Shared test set-up: strict translations, test-mode sizes, no network, clean Streamlit caches."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# xdist's workers share the cores: each gets one torch (OpenMP) thread, set before torch is imported and
# inherited by what its tests start (command-line runs, the browser tests' servers). A thread per core
# in every worker would oversubscribe the cores, with OpenMP's idle threads spinning on them.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "1")

# Set before any page or loader reads them (AppTest runs pages in this process).
os.environ.setdefault("LAB_STRICT_I18N", "1")  # a missing translation raises instead of showing a key
os.environ.setdefault("LAB_TEST_MODE", "1")  # pages shrink epochs and data sets
os.environ.setdefault("LAB_MNIST_DOWNLOAD", "0")  # CI is offline: no 20 s download attempts
# Pages save runs (and the class board its SQLite file) in a folder of this process's own, not in runs/.
# An xdist worker inherits the environment of the process that started it, folder included: it makes
# its own rather than share one with the other workers, whose saved runs and board entries its tests
# would see. A LAB_RUNS_DIR set before pytest started is kept.
if os.environ.get("LAB_RUNS_DIR") in (None, os.environ.get("_LAB_TEST_RUNS_DIR")):
    os.environ["LAB_RUNS_DIR"] = os.environ["_LAB_TEST_RUNS_DIR"] = tempfile.mkdtemp(prefix="lab-runs-")


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    """st.cache_resource/cache_data persist across AppTest instances in one process (docs/streamlit-notes.md, "Caches outlive an AppTest")."""
    yield
    try:
        import streamlit as st

        st.cache_resource.clear()
        st.cache_data.clear()
    except Exception:
        pass
    # The server-wide state no client can clear (the class, the job pools, the teacher token's wrong
    # tries) is module-level: each test starts with it fresh, as a new server would.
    for name in ("ui.classroom", "ui.jobs", "ui.teacher", "ui.progress"):
        module = sys.modules.get(name)
        if module is not None:
            module.forget_server_state()
