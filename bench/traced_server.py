"""`streamlit run`, with a stopwatch on the CNN page's drawing, for bench/classroom_load.py.

For each rerun of the drawing fragment that a stroke causes (a rerun request carrying the canvas' state
and a fragment id, not an automatic one), the server prints

    LAB_TRACE canvas_rerun_ms=<from the request's arrival at the server to the end of that run>

measured inside the server, so it leaves out the browsers: on a machine they share with the server,
their CPU time delays what they measure of the answer, not this; and for every script run

    LAB_TRACE run page=<url path> kind=<page|fragment|stroke> cpu_ms=<the run thread's CPU> wall_ms=<...>

so the bench can say which pages' runs use the server's time. Used as
`python bench/traced_server.py run Home.py ...` (the same arguments as `streamlit run`).
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from streamlit.runtime import app_session  # noqa: E402
from streamlit.web import cli  # noqa: E402

CANVAS_KEY = "cnn_pad"  # the drawing canvas' widget key on the CNN page (ui/canvas.py adds a counter)
_arrived: dict[str, float] = {}  # session id -> when its stroke's rerun request arrived
_lock = threading.Lock()
_handle_backmsg = app_session.AppSession.handle_backmsg
_enqueue = app_session.AppSession._enqueue_forward_msg
_on_event = app_session.AppSession._on_scriptrunner_event
_run = threading.local()  # the script thread's current run: (kind, thread CPU, wall clock) at its start


def is_stroke_rerun(msg) -> bool:
    """A rerun request of the drawing fragment sent by the canvas (not a timer's automatic rerun, nor a
    click of a button in the fragment, such as Clear: the request carries every widget's state)."""
    if msg.WhichOneof("type") != "rerun_script":
        return False
    req = msg.rerun_script
    widgets = req.widget_states.widgets
    return (
        bool(req.fragment_id)
        and not req.is_auto_rerun
        and any(CANVAS_KEY in w.id for w in widgets)
        and not any(w.WhichOneof("value") == "trigger_value" and w.trigger_value for w in widgets)  # Clear
    )


def handle_backmsg(self, msg) -> None:
    if is_stroke_rerun(msg):
        with _lock:
            _arrived[self.id] = time.perf_counter()
    _handle_backmsg(self, msg)


def enqueue_forward_msg(self, msg) -> None:
    if msg.WhichOneof("type") == "script_finished":
        with _lock:
            t0 = _arrived.pop(self.id, None)
        if t0 is not None:
            print(f"LAB_TRACE canvas_rerun_ms={1000 * (time.perf_counter() - t0):.1f}", flush=True)
    _enqueue(self, msg)


def on_scriptrunner_event(self, sender, event, *args, **kwargs) -> None:
    """Called in the script thread: a run starts (SCRIPT_STARTED) or ends (any *_STOPPED_* event)."""
    name = getattr(event, "name", "")
    if name == "SCRIPT_STARTED":
        with _lock:
            stroke = self.id in _arrived
        kind = (
            "stroke"
            if stroke and kwargs.get("fragment_ids_this_run")
            else ("fragment" if kwargs.get("fragment_ids_this_run") else "page")
        )
        _run.start = (kind, time.thread_time(), time.perf_counter())
    elif "STOPPED" in name and getattr(_run, "start", None):
        kind, cpu0, wall0 = _run.start
        _run.start = None
        try:
            info = self._pages_manager.get_pages().get(self._pages_manager.current_page_script_hash, {})
            page = info.get("url_pathname") or info.get("page_name") or "?"
        except Exception:  # a trace must never break a run
            page = "?"
        print(
            f"LAB_TRACE run page={page or 'home'} kind={kind} cpu_ms={1000 * (time.thread_time() - cpu0):.1f} "
            f"wall_ms={1000 * (time.perf_counter() - wall0):.1f}",
            flush=True,
        )
    _on_event(self, sender, event, *args, **kwargs)


def main() -> None:
    app_session.AppSession.handle_backmsg = handle_backmsg
    app_session.AppSession._enqueue_forward_msg = enqueue_forward_msg
    app_session.AppSession._on_scriptrunner_event = on_scriptrunner_event
    sys.argv = ["streamlit", *sys.argv[1:]]
    sys.exit(cli.main())


if __name__ == "__main__":
    main()
