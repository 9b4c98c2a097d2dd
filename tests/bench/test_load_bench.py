"""The classroom load bench's own machinery (bench/traced_server.py, bench/classroom_load.py): what it times
and how it holds its browsers back must be right, or its figures mean nothing."""

from __future__ import annotations

import sys


def test_load_bench_times_only_a_strokes_rerun():
    """bench/traced_server.py: the drawing canvas' fragment rerun is timed; a full rerun carrying the same
    canvas state, a timer's automatic fragment rerun, another widget's fragment rerun and a click of the
    fragment's Clear button (a trigger, sent with the canvas' state) are not."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    from bench import traced_server
    from ui import canvas

    def msg(widget_key: str, fragment: str = "", auto: bool = False) -> BackMsg:
        m = BackMsg()
        m.rerun_script.fragment_id = fragment
        m.rerun_script.is_auto_rerun = auto
        m.rerun_script.widget_states.widgets.add().id = f"$$ID-0123abcd-{widget_key}"
        return m

    pad = canvas.current_key(traced_server.CANVAS_KEY)  # the key the CNN page gives its canvas
    assert traced_server.is_stroke_rerun(msg(pad, fragment="f1"))
    assert not traced_server.is_stroke_rerun(msg(pad))
    assert not traced_server.is_stroke_rerun(msg(pad, fragment="f1", auto=True))
    assert not traced_server.is_stroke_rerun(msg("xor_epochs", fragment="f1"))
    clear = msg(pad, fragment="f1")
    button = clear.rerun_script.widget_states.widgets.add()
    button.id, button.trigger_value = "$$ID-0123abcd-cnn_clear", True
    assert not traced_server.is_stroke_rerun(clear)
    stop = BackMsg()
    stop.stop_script = True
    assert not traced_server.is_stroke_rerun(stop)


def test_load_bench_holds_its_browsers_back(tmp_path, monkeypatch):
    """bench/classroom_load.py: the load's browsers start under SCHED_IDLE (where `chrt` exists), at the
    nice asked for and in the cpu cgroup given, so they only get the CPU the server leaves; 0 leaves the
    browser as it is. A stand-in browser reports what it was started with."""
    import os
    import shutil
    import subprocess

    from bench import classroom_load

    fake = tmp_path / "browser"
    fake.write_text(
        f"#!{sys.executable}\nimport os, sys\n"
        "open(sys.argv[1], 'w').write(f'{os.getpid()} {os.sched_getscheduler(0)} {os.nice(0)}')\n"
    )
    fake.chmod(0o755)
    monkeypatch.setattr(classroom_load, "CHROMIUM", str(fake))
    group = tmp_path / "group"  # stands in for a cgroup directory: the wrapper writes its pid to cgroup.procs
    group.mkdir()
    exe, how = classroom_load.low_priority_chromium(tmp_path, 19, group)
    out = tmp_path / "out.txt"
    subprocess.run([exe, str(out)], check=True, timeout=30)
    pid, policy, nice = map(int, out.read_text().split())
    assert nice == 19 and "nice 19" in how
    assert (group / "cgroup.procs").read_text().strip() == str(pid)  # the browser itself (exec), not a shell
    if shutil.which("chrt"):
        assert policy == os.SCHED_IDLE and "SCHED_IDLE" in how
    assert classroom_load.low_priority_chromium(tmp_path, 0, group)[0] == str(fake)
