"""The Keeping-a-model lesson (primer 001, 8.1, 8.2, 8.4): the page's panels over core.model_io. Nothing
trains as a job here: the resume comparison is a few seconds of a seeded run, the same for every student,
so it is computed once per server (`SharedResults`), as are the shipped models' exports. A student's own
model is exported in this session only, into memory, for the download button; nothing is written to disk."""

from __future__ import annotations

import threading

import streamlit as st
import torch

from core import checkpoints, runs
from core import model_io as mio
from core.models.cnn import MNISTCNN
from ui import charts, resources, saved_runs
from ui.figures import keeping as figures
from ui.i18n import t

SIZES = resources.sizes(
    full={"resume": mio.ResumeConfig(), "repeats": 10},  # 8 epochs of 23 steps: about 2 s on one core
    tiny={"resume": mio.ResumeConfig(width=32, epochs=2, stop=1), "repeats": 2},
)
MAX_DOWNLOAD_BYTES = 25 * 2**20  # an export larger than the lab's largest upload is not offered
FIRST = "shipped:cnn_mnist.pth"  # the choice a page opens on: the course's CNN
EXPORTED = "keeping_exported"  # session_state: (choice, fmt, core.model_io.Exported) of the last export
_RESULTS = resources.SharedResults(max_entries=16)  # the same for everyone: computed once per server
_EXPORT_LOCK = threading.Lock()  # torch.export traces through process-wide state: one export at a time
ss = st.session_state


# -- which files a student may open: the shipped ones and their own saved runs ---------------------------
def choices() -> dict[str, str]:
    """{choice id: label}: "shipped:<file>" for each usable shipped checkpoint, "run:<id>" for each saved
    run with a model under the sidebar's name (when this session may open them)."""
    out = {
        f"shipped:{name}": t("keeping.shipped", file=name)
        for name, meta in resources.shipped_checkpoints()
        if isinstance(meta, dict)
    }
    name = saved_runs.student_name()
    if name and saved_runs.may_open(name):
        for r in runs.list_runs(None, name):
            if r.has_model:
                label = f"{t(f'nav.{r.page}')} ・ {saved_runs.when(r.updated)}"
                out[f"run:{r.run_id}"] = t("keeping.run", label=label)
    return out


def _path(choice: str) -> tuple[str, object]:
    """(kind, path) of a choice from `choices()`; never a path typed by anyone."""
    kind, _, ref = choice.partition(":")
    if kind == "shipped":
        return kind, checkpoints.SHIPPED_DIR / ref
    return kind, runs.run_path(ref) / runs.MODEL_FILE


def _shipped_key(path) -> tuple:
    return (path.name, path.stat().st_size, path.stat().st_mtime_ns)  # a new file, new results


# -- 1. inside a .pth ----------------------------------------------------------------------------------------
def inside_panel(choice: str, metric_cols: list) -> None:
    """The chosen file's sizes in `metric_cols` (three columns), then its tensors as a table."""
    kind, path = _path(choice)
    try:
        if kind == "shipped":
            inside = _RESULTS.get(("inside", _shipped_key(path)), lambda: mio.inside(path))
        else:
            inside = mio.inside(path)
    except (checkpoints.CheckpointError, runs.RunError, OSError) as e:
        reason = t(f"ckpt.{e.code}", path=path.name, family="") if hasattr(e, "code") else type(e).__name__
        st.warning(t("keeping.open_error", reason=reason))
        return
    c1, c2, c3 = metric_cols
    c1.metric(t("keeping.file_size"), f"{inside.file_bytes / 1024:,.1f} KB")
    c2.metric(t("keeping.tensor_size"), f"{inside.tensor_bytes / 1024:,.1f} KB")
    c3.metric(t("keeping.params"), f"{inside.parameters:,}")
    rows = [
        {
            t("keeping.col.name"): r.name,
            t("keeping.col.shape"): str(list(r.shape)),
            t("keeping.col.dtype"): r.dtype,
            t("keeping.col.bytes"): r.nbytes,
        }
        for r in inside.rows
    ]
    st.dataframe(rows, hide_index=True, height=min(36 * len(rows) + 40, 260), key="keeping_table")
    st.caption(t("keeping.inside_caption"))
    with st.expander(t("keeping.meta"), icon=":material/description:"):
        st.json({"family": inside.family, "config": inside.config, **inside.meta}, expanded=1)
    with st.expander(t("keeping.members"), icon=":material/folder_zip:"):
        st.dataframe([{"file": n, "bytes": b} for n, b in inside.members], hide_index=True, key="keeping_zip")


# -- 2. the three load errors ---------------------------------------------------------------------------------
ERROR_CODE = {
    "keys": 'ck = torch.load("tiny.pth", weights_only=True)  # saved from TinyNet: hidden, out\n'
    "model = RenamedNet(width=4)  # the layers now: hidden, head\n"
    'model.load_state_dict(ck["state_dict"])',
    "size": 'ck = torch.load("tiny.pth", weights_only=True)  # saved with width=4\n'
    "model = TinyNet(width=8)\n"
    'model.load_state_dict(ck["state_dict"])',
    "pickled": 'torch.save(model, "tiny.pth")  # the whole model, class and all\n'
    'model = torch.load("tiny.pth", weights_only=True)',
}
FIX_CODE = {
    "keys": 'sd = {re.sub(r"^out\\.", "head.", k): v for k, v in ck["state_dict"].items()}\n'
    "model = RenamedNet(width=4)\n"
    "model.load_state_dict(sd)  # strict: every key must match",
    "size": 'model = TinyNet(**ck["config"])  # the settings saved beside the weights\n'
    'model.load_state_dict(ck["state_dict"])',
    "pickled": 'torch.save(model.state_dict(), "tiny.pth")\n'
    "model = TinyNet(width=4)\n"
    'model.load_state_dict(torch.load("tiny.pth", weights_only=True))',
}


def error_panel(kind: str) -> None:
    """Why it fails, the code and PyTorch's own message side by side, then the fix and what it leaves."""
    err = _RESULTS.get(("error", kind), lambda: mio.provoke(kind))
    needed = ", ".join(f"`{g}`" for g in err.detail.get("globals", []))
    st.markdown(t(f"keeping.why.{kind}", globals=needed))
    left, right = st.columns(2)
    left.markdown(f"**{t('keeping.err_code')}**")
    left.code(ERROR_CODE[kind], language="python", wrap_lines=True)
    right.markdown(f"**{t('keeping.err_message', exception=err.exception)}**")
    right.code(err.message, language="text", wrap_lines=True, height=180)
    params = {"diff": err.fixed_diff}
    if kind == "keys":
        params |= {
            "missing": ", ".join(f"`{k}`" for k in err.detail["missing"]),
            "loose": err.detail["loose_diff"],
        }
    elif kind == "size":
        params |= {"config": f"`{err.detail['config']}`"}
    left, right = st.columns(2)
    left.markdown(f"**{t('keeping.fix')}**")
    left.code(FIX_CODE[kind], language="python", wrap_lines=True)
    right.success(t(f"keeping.fix.{kind}", **params), icon=":material/build:")


# -- 3. resume ------------------------------------------------------------------------------------------------
def resume_result() -> mio.Resumed:
    cfg = SIZES.resume
    split = resources.digits()
    return _RESULTS.get(("resume", cfg), lambda: mio.resume(split.x_train, split.y_train, cfg))


def resume_panel(r: mio.Resumed) -> None:
    fig = figures.resume_figure(r.before, r.with_state, r.without_state)
    charts.plot(st, fig, key="keeping_resume_chart", width="stretch")
    st.markdown(
        t(
            "keeping.resume_result",
            with_peak=r.peak(r.with_state),
            without_peak=r.peak(r.without_state),
            jump=r.jump,
        )
    )
    st.caption(
        t(
            "keeping.resume_why",
            ckpt=f"{r.checkpoint_bytes / 1024:.0f}",
            weights=f"{r.weights_bytes / 1024:.0f}",
        )
    )


# -- 4. export ------------------------------------------------------------------------------------------------
def exportable(all_choices: dict[str, str]) -> dict[str, str]:
    """The choices whose model family has an example input (core.model_io.INPUTS)."""
    out = {}
    for choice, label in all_choices.items():
        kind, _, ref = choice.partition(":")
        if kind == "shipped":
            meta = dict(resources.shipped_checkpoints()).get(ref)
            family = meta.get("family") if isinstance(meta, dict) else ""
        else:
            family = _run_family(ref)
        if family in mio.INPUTS:
            out[choice] = label
    return dict(sorted(out.items(), key=lambda item: item[0] != FIRST))  # the course's CNN first


def _run_family(run_id: str) -> str:
    """The family of a saved run's model, read from its file's header (the topic registry's family)."""
    try:
        return checkpoints.read_meta(runs.run_path(run_id) / runs.MODEL_FILE)["family"]
    except (checkpoints.CheckpointError, runs.RunError, OSError):
        return ""


def export_now(choice: str, fmt: str) -> mio.Exported:
    """Export the chosen model, one export at a time for the server; a shipped one once for everyone."""
    kind, path = _path(choice)
    if kind == "shipped":
        loaded = checkpoints.load(path)
        key = ("export", _shipped_key(path), fmt)
        with _EXPORT_LOCK:
            return _RESULTS.get(key, lambda: mio.export(loaded.model, loaded.family, loaded.config, fmt))
    loaded = checkpoints.load(path)  # the student's own run, in this session only
    with _EXPORT_LOCK:
        return mio.export(loaded.model, loaded.family, loaded.config, fmt)


def export_panel(choice: str, fmt: str, clicked: bool) -> None:
    if clicked:
        ss.pop(EXPORTED, None)
        try:
            with st.spinner(t("keeping.export_wait")):
                ss[EXPORTED] = (choice, fmt, export_now(choice, fmt))
        except mio.ExportError as e:
            st.error(t(f"keeping.export_error.{e.code}", family=e.detail, detail=e.detail))
            return
        except ImportError:
            st.error(t("keeping.export_error.missing"))
            return
        except (checkpoints.CheckpointError, runs.RunError, OSError) as e:
            st.error(t("keeping.open_error", reason=type(e).__name__))
            return
    got = ss.get(EXPORTED)
    if got is None or got[:2] != (choice, fmt):
        return
    out = got[2]
    done = t("keeping.export_done", exporter=out.exporter, kb=len(out.data) / 1024, seconds=out.seconds,
             batch=out.batch, diff=out.max_diff)  # fmt: skip
    (st.success if out.max_diff < 1e-4 else st.warning)(
        done + " " + t("keeping.export_ok" if out.max_diff < 1e-4 else "keeping.export_far")
    )
    if len(out.data) > MAX_DOWNLOAD_BYTES:
        st.info(t("keeping.export_error.too_large", mb=len(out.data) / 2**20))
        return
    name = choice.partition(":")[2].removesuffix(".pth")[:60] or "model"
    st.download_button(
        t("keeping.download"), out.data, f"{name}.{fmt}", mime="application/octet-stream",
        key="keeping_download", icon=":material/download:",
    )  # fmt: skip


# -- 5. GPU timing ---------------------------------------------------------------------------------------------
def timing_panel(batch: int) -> None:
    torch.manual_seed(0)
    model = MNISTCNN(32, 64, 256)  # the course's CNN
    x = torch.rand(batch, 1, 28, 28)
    timing = mio.time_forward(model, x, repeats=SIZES.repeats)
    bars = {t("keeping.cpu_ms"): timing.cpu_ms}
    if timing.device:
        st.caption(t("keeping.gpu_device", device=timing.device))
        bars |= {
            t("keeping.first_ms"): timing.first_ms,
            t("keeping.unsynced_ms"): timing.unsynced_ms,
            t("keeping.synced_ms"): timing.synced_ms,
        }
    cols = st.columns(len(bars))
    for col, (label, ms) in zip(cols, bars.items()):
        col.metric(label, f"{ms:.2f} ms")
    if not timing.device:  # one bar would say nothing: the sentence says what a GPU would show
        st.info(t("keeping.no_gpu"), icon=":material/info:")
        return
    charts.plot(st, figures.timing_figure(bars), key="keeping_timing_chart", width="stretch")


CODE = """import torch

# 8.1 save the state_dict (recommended), and the settings that build the model
torch.save({"config": {"width": 4}, "state_dict": model.state_dict()}, "model.pth")
ck = torch.load("model.pth", weights_only=True)   # the default since PyTorch 2.6
model = TinyNet(**ck["config"])
model.load_state_dict(ck["state_dict"])           # strict=True: every name and shape must match
model.eval()

# a checkpoint to resume from: the optimizer's state too (Adam's moments)
torch.save({"epoch": epoch, "model_state_dict": model.state_dict(),
            "optimizer_state_dict": optimizer.state_dict()}, "checkpoint.pth")
ck = torch.load("checkpoint.pth", weights_only=True)
model.load_state_dict(ck["model_state_dict"])
optimizer.load_state_dict(ck["optimizer_state_dict"])
start_epoch = ck["epoch"]

# 8.4 TorchScript is deprecated: torch.export, and ONNX for other runtimes
x = torch.rand(2, 1, 28, 28)
batch = torch.export.Dim("batch")
program = torch.export.export(model, (x,), dynamic_shapes=({0: batch},))
torch.export.save(program, "model.pt2")
onnx_program = torch.onnx.export(model, (x,), dynamo=True, dynamic_shapes=({0: batch},))
onnx_program.save("model.onnx")

import onnxruntime as ort  # check: the same inputs, the largest difference
session = ort.InferenceSession("model.onnx")
out = session.run(None, {session.get_inputs()[0].name: x.numpy()})[0]
print(abs(out - model(x).detach().numpy()).max())   # below 1e-4

# 8.2 timing a GPU: warm up, then synchronise around the timed work
model, x = model.to("cuda"), x.to("cuda")
for _ in range(3): model(x)  # warm-up
torch.cuda.synchronize()
t0 = time.perf_counter(); model(x); torch.cuda.synchronize()
print(time.perf_counter() - t0)"""
