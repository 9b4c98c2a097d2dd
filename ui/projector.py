"""Whether this session is in projector mode: the sidebar's toggle (key PROJECTOR) and a plain copy of it
that survives a run which does not draw the toggle. Read by the sidebar, the layout and the charts."""

from __future__ import annotations

import streamlit as st

PROJECTOR = "projector"  # the toggle's key
KEPT = "_projector"  # a plain copy: the toggle's value survives a run that does not draw it


def projector_on() -> bool:
    return bool(st.session_state.get(PROJECTOR, st.session_state.get(KEPT, False)))
