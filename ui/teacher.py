"""Who is the teacher: the server's `LAB_TEACHER_TOKEN`, typed once per browser session.

- Without the variable the teacher's tools are off (the teacher page says how to turn them on); a token
  shorter than `MIN_LENGTH` characters keeps them off too, and the page says so: a short passphrase can be
  guessed even at one try every few seconds.
- The token is compared in constant time (`hmac.compare_digest`, on SHA-256 digests so that the lengths
  say nothing either).
- Wrong tries are counted for the whole server, not per session: every student arrives from localhost
  (VS Code's port forwarding), so there is no client to tell apart, and a reload or a new tab would reset a
  per-session count. After each wrong try every try waits a pause that doubles (0.5 s, 1 s, 2 s, …, at
  most `MAX_PAUSE_S`, so the real teacher is never locked out for long); a try during the pause is refused
  unchecked. The count starts over after a right token or `FORGET_AFTER_S` without a wrong one.
- The session keeps only the digest of the token it proved, never the token; a new token on the server
  (a restart with another value) ends every teacher session.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from dataclasses import dataclass

import streamlit as st

from ui import saved_runs

ENV = "LAB_TEACHER_TOKEN"
MIN_LENGTH = 12  # characters; with at most one try per MAX_PAUSE_S, guessing 12 characters takes ages
MAX_PAUSE_S = 30.0  # the longest wait after wrong tries: long for a guesser, short for a teacher
FORGET_AFTER_S = 15 * 60  # a quarter of an hour without a wrong try: the count starts over
_PROVED = "_teacher_digest"  # session_state: SHA-256 of the token this session typed correctly


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def _token() -> str:
    return os.environ.get(ENV, "")


def setup() -> str:
    """How the server's token is set: "off" (no variable), "short" (under MIN_LENGTH) or "on"."""
    token = _token()
    if not token:
        return "off"
    return "short" if len(token.strip()) < MIN_LENGTH else "on"


def enabled() -> bool:
    """The server was started with a teacher token long enough to use."""
    return setup() == "on"


def is_teacher() -> bool:
    """This browser session typed the server's current token."""
    if not enabled():
        return False
    proved = st.session_state.get(_PROVED)
    return isinstance(proved, bytes) and hmac.compare_digest(proved, _digest(_token()))


def pause_after(fails: int) -> float:
    """Seconds every try waits after the server's `fails`-th wrong try in a row: 0.5, 1, 2, 4, … 30."""
    return 0.0 if fails <= 0 else min(MAX_PAUSE_S, 0.5 * 2 ** (fails - 1))


@dataclass(frozen=True)
class Attempt:
    ok: bool
    wait_s: float  # seconds until the next try is checked (after a wrong try, or while refused)
    checked: bool  # False: refused unchecked, because the server is still pausing after a wrong try


class Backoff:
    """The server's count of wrong tries and the pause it imposes. Thread-safe: every session's script
    thread checks tokens through the one instance below."""

    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._fails = 0
        self._last_fail = float("-inf")
        self._until = float("-inf")  # no try is checked before this moment

    def wait_left(self) -> float:
        with self._lock:
            return max(0.0, self._until - self._clock())

    def attempt(self, right: bool) -> Attempt:
        """Account one try whose answer is `right`; during a pause the answer is not even looked at."""
        with self._lock:
            now = self._clock()
            if now < self._until:
                return Attempt(False, self._until - now, checked=False)
            if right:
                self._fails = 0
                return Attempt(True, 0.0, checked=True)
            self._fails = (0 if now - self._last_fail > FORGET_AFTER_S else self._fails) + 1
            self._last_fail = now
            pause = pause_after(self._fails)
            self._until = now + pause
            return Attempt(False, pause, checked=True)


_BACKOFF = Backoff()  # one per server process: no client can reset it (not in a Streamlit cache)


def backoff() -> Backoff:
    return _BACKOFF


def try_token(text: str) -> Attempt:
    """Check a typed token; remember the session's proof on success."""
    if not enabled():
        return Attempt(False, 0.0, checked=False)
    right = hmac.compare_digest(_digest(text), _digest(_token()))
    attempt = _BACKOFF.attempt(right)
    if attempt.ok:
        st.session_state[_PROVED] = _digest(text)
    return attempt


def sign_out() -> None:
    st.session_state.pop(_PROVED, None)


def forget_server_state() -> None:
    """Tests only: a fresh count of wrong tries, as a new server process would have."""
    global _BACKOFF
    _BACKOFF = Backoff()


def literal_label(text: str) -> str:
    """`text` (a student's name) as a one-line widget label or message that Streamlit shows as typed:
    labels are Markdown, so the name goes through `saved_runs.as_text` like every name the lab shows."""
    return saved_runs.as_text(" ".join(text.splitlines()))
