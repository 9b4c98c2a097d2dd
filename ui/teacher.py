"""Who is the teacher: the server's `LAB_TEACHER_TOKEN`, typed once per browser session.

- Without the variable the teacher's tools are off (the teacher page says how to turn them on).
- The token is compared in constant time (`hmac.compare_digest`, on SHA-256 digests so that the lengths
  say nothing either); a wrong try costs its session a pause that doubles each time (up to `MAX_PAUSE_S`),
  so guessing from a student's browser is slow.
- The session keeps only the digest of the token it proved, never the token; a new token on the server
  (a restart with another value) ends every teacher session.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time

import streamlit as st

ENV = "LAB_TEACHER_TOKEN"
MAX_PAUSE_S = 8.0
_PROVED = "_teacher_digest"  # session_state: SHA-256 of the token this session typed correctly
_FAILS = "_teacher_fails"  # session_state: wrong tries so far


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def enabled() -> bool:
    """The server was started with a teacher token."""
    return bool(os.environ.get(ENV, ""))


def is_teacher() -> bool:
    """This browser session typed the server's current token."""
    if not enabled():
        return False
    proved = st.session_state.get(_PROVED)
    return isinstance(proved, bytes) and hmac.compare_digest(proved, _digest(os.environ[ENV]))


def pause_after(fails: int) -> float:
    """Seconds a session waits after its `fails`-th wrong try: 0.5, 1, 2, 4, 8, 8, …"""
    return 0.0 if fails <= 0 else min(MAX_PAUSE_S, 0.5 * 2 ** (fails - 1))


def try_token(text: str) -> bool:
    """Check a typed token; remember the session on success, make it wait on failure."""
    if not enabled():
        return False
    if hmac.compare_digest(_digest(text), _digest(os.environ[ENV])):
        st.session_state[_PROVED] = _digest(text)
        st.session_state[_FAILS] = 0
        return True
    fails = st.session_state.get(_FAILS, 0) + 1
    st.session_state[_FAILS] = fails
    _wait(pause_after(fails))
    return False


def _wait(seconds: float) -> None:
    time.sleep(seconds)


def sign_out() -> None:
    st.session_state.pop(_PROVED, None)
