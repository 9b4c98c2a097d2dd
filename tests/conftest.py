"""Shared test set-up: strict translations, test-mode sizes, no network, clean Streamlit caches."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Set before any page or loader reads them (AppTest runs pages in this process).
os.environ.setdefault("LAB_STRICT_I18N", "1")  # a missing translation raises instead of showing a key
os.environ.setdefault("LAB_TEST_MODE", "1")  # pages shrink epochs and data sets
os.environ.setdefault("LAB_MNIST_DOWNLOAD", "0")  # CI is offline: no 20 s download attempts
os.environ.setdefault("LAB_RUNS_DIR", tempfile.mkdtemp(prefix="lab-runs-"))  # pages save runs: not in runs/


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
