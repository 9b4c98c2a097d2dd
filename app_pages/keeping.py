"""Keeping a model (primer 001, 8.1 saving and loading, 8.2 the GPU, 8.4 TorchScript; the CIFAR-10 guide's
ONNX export): what a .pth holds, the three classic load errors and their fixes, resuming with and without
the optimizer's state, exporting to ONNX and .pt2 (checked by running the file), and timing a GPU."""

import streamlit as st

from core import model_io as mio
from ui import links
from ui.i18n import labels, relabelled, t
from ui.lessons import keeping as lesson
from ui.pages import begin

begin("keeping")

ss = st.session_state

st.title(t("keeping.title"))
st.markdown(t("keeping.intro"))

# -- 1. inside a .pth: the first screen is a file and its table ---------------------------------------------
st.subheader(t("keeping.inside"))
files = lesson.choices()
if files:
    c0, *metric_cols = st.columns([1.6, 1, 1, 1], vertical_alignment="bottom")  # the file beside its sizes
    first = list(files).index(lesson.FIRST) if lesson.FIRST in files else 0
    pick = c0.selectbox(t("keeping.pick"), list(files), first, format_func=files.get, key="keeping_file")
    lesson.inside_panel(pick, metric_cols)
    if not any(k.startswith("run:") for k in files):
        st.caption(t("keeping.no_runs"))

# -- 2. the three load errors --------------------------------------------------------------------------------
st.subheader(t("keeping.errors"))
st.markdown(t("keeping.errors_intro"))
cols = st.columns(len(mio.ERRORS))
for col, kind in zip(cols, mio.ERRORS):
    if col.button(t(f"keeping.err.{kind}"), key=f"keeping_err_{kind}", width="stretch"):
        ss["keeping_error"] = kind
if ss.get("keeping_error") in mio.ERRORS:
    lesson.error_panel(ss["keeping_error"])

# -- 3. resume -----------------------------------------------------------------------------------------------
st.subheader(t("keeping.resume"))
cfg = lesson.SIZES.resume
st.markdown(t("keeping.resume_intro", lr=cfg.lr, epochs=cfg.epochs, stop=cfg.stop))
if st.button(t("keeping.resume_run"), key="keeping_resume", type="primary"):
    with st.spinner(t("keeping.resume_wait")):
        ss["keeping_resumed"] = lesson.resume_result()
if ss.get("keeping_resumed") is not None:
    lesson.resume_panel(ss["keeping_resumed"])

# -- 4. export -----------------------------------------------------------------------------------------------
st.subheader(t("keeping.export"))
st.markdown(t("keeping.export_intro"))
models = lesson.exportable(files)
if models:
    c1, c2, c3 = st.columns([2.4, 2.6, 1.8], vertical_alignment="bottom")
    chosen = c1.selectbox(
        t("keeping.export_model"), list(models), format_func=models.get, key="keeping_export_model"
    )
    ss.setdefault("keeping_format", "onnx")
    fmt = c2.segmented_control(
        t("keeping.format"), mio.FORMATS, key=relabelled(links.choice("keeping_format", mio.FORMATS)),
        format_func=labels("keeping.fmt."),
    )  # fmt: skip
    clicked = c3.button(t("keeping.export_run"), key="keeping_export", type="primary", width="stretch")
    if fmt in mio.FORMATS:
        lesson.export_panel(chosen, fmt, clicked)
st.caption(t("keeping.torchscript"))

# -- 5. GPU timing ----------------------------------------------------------------------------------------------
st.subheader(t("keeping.gpu"))
st.markdown(t("keeping.gpu_intro"))
c1, c2 = st.columns([3, 1], vertical_alignment="bottom")
batch = c1.select_slider(t("keeping.batch"), (1, 16, 64, 256), 64, **links.keep("keeping_batch"))
if c2.button(t("keeping.time_run"), key="keeping_time", width="stretch"):
    lesson.timing_panel(int(batch))

# -- review and code -----------------------------------------------------------------------------------------------
st.subheader(t("common.review"))
for i in range(1, 6):
    with st.expander(t(f"keeping.q{i}")):
        st.markdown(t(f"keeping.a{i}"))

if st.toggle(t("common.show_code"), key="keeping_show_code"):
    st.caption(t("keeping.code_caption"))
    st.code(lesson.CODE, language="python")
