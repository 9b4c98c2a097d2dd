"""The Transfer learning lesson (primer 001, 7.3): a sweep of arms (scratch, frozen, fine-tune) × labels per
class trained as one job (its `LESSON`), the live chart that fills in point by point, and the panels of the
reference part: what freezing means in code, the BatchNorm trap, the primer's ResNet-18. The figure is
ui/figures/transfer.py; the student's own symbols are ui/panels/transfer.py."""

from __future__ import annotations

import base64
import copy
import dataclasses

import numpy as np
import streamlit as st
import torch

from core import runs
from core import transfer as core_tr
from core.data import DATA_DIR
from core.models import count_parameters, model_args
from core.models.cnn import MNISTCNN
from ui import charts, job_widgets, jobs, resources, saved_runs, trainable
from ui.figures import transfer as figures
from ui.i18n import t

TASKS = {
    "digits": ("0-4", "5-9"),
    "digits8": ("0-9", "digits8"),
    "fashion": ("0-9", "fashion"),
}  # the page's choice → (source, target)
SIZES = resources.sizes(
    full={"steps": 100, "steps_max": 300, "test_limit": 0},  # 100 updates: a few seconds per run on one core
    tiny={"steps": 3, "steps_max": 10, "test_limit": 200},
)
ss = st.session_state


@st.cache_resource(show_spinner=False, max_entries=4)
def task(target: str, test_limit: int = 0) -> core_tr.Task:
    """The target task's tensors, loaded once per server and shared read-only by every session."""
    return core_tr.load_task(target, test_limit)


SHIPPED = {"0-4": "transfer_digits04.pth", "0-9": "cnn_mnist.pth"}  # core.transfer.SOURCES, as constants


def source(name: str) -> MNISTCNN | None:
    """The pretrained network (shared, read-only); None when its checkpoint is unusable."""
    loaded = resources.shipped(SHIPPED[name], core_tr.FAMILY)
    return None if loaded is None else loaded.model


def source_problem(name: str) -> str:
    return resources.shipped_problem(SHIPPED[name], core_tr.FAMILY)


def task_problem(target: str) -> str:
    """Why the target's data cannot be loaded ("" when it can): Fashion-MNIST may not be installed."""
    try:
        task(target, SIZES.test_limit)
    except (LookupError, OSError, ValueError) as e:
        return str(e)
    return ""


# -- the lesson (ui.trainable) ---------------------------------------------------------------------------
def build(cfg: core_tr.TransferConfig, drawings: dict | None = None) -> trainable.Training:
    """Every run of the sweep, one after another, on the CPU (a run is a hundred small updates); the model
    saved to runs/ holds the latest run's weights. `drawings` (the student's symbols) make the task, and
    travel with the run in its metadata."""
    src = source(cfg.source)
    if cfg.target == "symbols":
        data = core_tr.symbols_task(drawings["images"], drawings["labels"], drawings["names"])
        meta = {"symbols": encode_drawings(drawings)}
    else:
        data, meta = task(cfg.target, cfg.test_limit), {}
    into, keep = MNISTCNN(**src.model_args), {}
    ss["transfer_session"] = {"cfg": cfg, "n_classes": data.n_classes, "models": keep}
    return trainable.Training(
        model=into,
        model_args=model_args(into),
        settings=dataclasses.asdict(cfg),
        records=lambda: core_tr.train(cfg, src, data, into, keep),
        epochs=len(core_tr.runs_of(cfg)),
        device="cpu",
        save_every_s=1.0,
        meta={"classes": list(data.classes), **meta},
        remote=False,  # the page reads each arm's model (`keep`) to read new drawings
    )


def encode_drawings(drawings: dict) -> dict:
    """The drawings as the run's metadata: 28×28 bytes each, base64 (at most 5 × 30 × 784 bytes)."""
    images = np.asarray(drawings["images"], dtype=np.uint8).reshape(-1, 28, 28)
    return {
        "images": base64.b64encode(images.tobytes()).decode("ascii"),
        "labels": [int(v) for v in drawings["labels"]],
        "names": [str(n) for n in drawings["names"]],
    }


def decode_drawings(meta: dict) -> dict | None:
    """`encode_drawings` read back; None for a run without drawings or with damaged ones."""
    try:
        raw = np.frombuffer(base64.b64decode(meta["images"]), dtype=np.uint8).reshape(-1, 28, 28)
        labels, names = [int(v) for v in meta["labels"]], [str(n) for n in meta["names"]]
    except (KeyError, TypeError, ValueError):
        return None
    if (
        len(labels) != len(raw)
        or len(names) > core_tr.MAX_SYMBOLS
        or len(raw) > core_tr.MAX_SYMBOLS * core_tr.MAX_DRAWINGS
    ):
        return None
    return {"images": list(raw), "labels": labels, "names": names}


def restore(opened: runs.OpenedRun, cfg: core_tr.TransferConfig) -> str:
    """The saved sweep's points back on the chart and its settings back in the widgets."""
    n = len(opened.meta.get("classes") or ()) or 5
    ss["transfer_session"] = {"cfg": cfg, "n_classes": n, "models": {cfg.arms[-1]: opened.model.eval()}}
    if cfg.target == "symbols":  # the drawings come back; the sweep's widgets stay as they are
        drawings = decode_drawings(opened.meta.get("symbols") or {})
        if drawings is not None:
            ss["transfer_symbols"] = drawings
    else:
        task_key = next((k for k, v in TASKS.items() if v == (cfg.source, cfg.target)), "digits")
        ss.update(
            {
                "transfer_task": task_key,
                **{f"transfer_arm_{arm}": arm in cfg.arms for arm in core_tr.ARMS},
                "transfer_labels": [int(k) for k in cfg.labels],
                "transfer_steps": min(cfg.steps, SIZES.steps_max),
                "transfer_seed": cfg.seed,
            }
        )
    epochs = opened.history.get("epochs", [])
    saved_runs.restored_job(LESSON.key, epochs, saved_runs.step_records(opened.history), len(epochs))
    return t("runs.opened", epochs=opened.info.epochs_done)


def results(job: jobs.Job | None) -> list[dict]:
    """The sweep's finished runs (epoch records), oldest first."""
    return [r for r in (job.epochs_log if job else []) if r.get("kind") == "epoch" and "arm" in r]


def chart(container, done: list[dict], cfg: core_tr.TransferConfig, key: str, n_classes: int = 5) -> None:
    fig = figures.accuracy_figure(done, cfg.arms, cfg.labels, 1 / n_classes)
    charts.plot(container, fig, key=key, width="stretch", theme=None)


def live(job: jobs.Job) -> None:
    """Progress, the accuracy chart with the runs done so far, and the latest run in words."""
    job_widgets.status(job)
    got = ss.get("transfer_session")
    if got is None:
        return
    cfg, done = got["cfg"], results(job)
    chart(st, done, cfg, "transfer_live", got["n_classes"])
    if done:
        last = done[-1]
        st.caption(
            t("transfer.live_caption", runs=len(core_tr.runs_of(cfg)), done=len(done),
              arm=t(f"transfer.arm.{last['arm']}"), k=last["labels"], acc=last["test_accuracy"])
        )  # fmt: skip


LESSON = trainable.Lesson(
    "transfer",
    build,
    restore,
    live=live,
    metric_keys=("arm", "labels", "test_accuracy"),
)


# -- below the chart ------------------------------------------------------------------------------------------
def results_table(done: list[dict]) -> None:
    """Every finished run in a table, and the gain of the better transfer arm over scratch at one k."""
    st.dataframe(
        [
            {
                t("transfer.table.arm"): t(f"transfer.arm.{r['arm']}"),
                t("transfer.table.k"): r["labels"],
                t("transfer.table.acc"): f"{100 * r['test_accuracy']:.1f}%",
                t("transfer.table.trainable"): f"{r['trainable']:,}",
                t("transfer.table.seconds"): round(r.get("seconds", 0.0), 1),
            }
            for r in done
        ],
        hide_index=True,
        key="transfer_results",
    )
    by = {(r["arm"], r["labels"]): r["test_accuracy"] for r in done}
    for k in sorted({r["labels"] for r in done}):
        best = max(("frozen", "finetune"), key=lambda a: by.get((a, k), -1.0))
        if ("scratch", k) in by and (best, k) in by:
            gain = 100 * (by[(best, k)] - by[("scratch", k)])
            st.markdown(t("transfer.gain", k=k, arm=t(f"transfer.arm.{best}"), gain=gain))
            break  # the smallest k with all three: where the gap is largest


def freeze_panel(src: MNISTCNN, cfg: core_tr.TransferConfig) -> None:
    """The optimizer's parameter groups of each arm, counted on the actual network."""
    rows = []
    for arm in core_tr.ARMS:
        model = core_tr.make_model(arm, src, torch.Generator().manual_seed(0))
        opt = core_tr.make_optimizer(model, arm, cfg.lr, cfg.finetune_lr)
        for group in opt.param_groups:
            name = group.get("name", "head" if arm == "frozen" else "all")
            rows.append(
                {
                    t("transfer.table.arm"): t(f"transfer.arm.{arm}"),
                    t("transfer.freeze_table.group"): t(f"transfer.group.{name}"),
                    t("transfer.freeze_table.params"): f"{sum(p.numel() for p in group['params']):,}",
                    t("transfer.freeze_table.lr"): group["lr"],
                }
            )
        if arm == "frozen":
            total, trainable = count_parameters(model), core_tr.trainable_count(model)
    st.dataframe(rows, hide_index=True, key="transfer_groups")
    st.markdown(t("transfer.freeze_counts", total=total, trainable=trainable, pct=trainable / total))
    st.caption(t("transfer.freeze_note"))


@st.cache_data(show_spinner=False, max_entries=4)
def bn_numbers(source_name: str, target: str) -> dict:
    """The BatchNorm trap on the pretrained first conv: statistics of 1,000 source digits, 20 target batches."""
    from core.data import load_mnist

    src, data = source(source_name), task(target, SIZES.test_limit)
    conv = copy.deepcopy(src.layer1[0])  # a copy: the shared model stays untouched
    return core_tr.bn_trap(conv, load_mnist().x_train[:1000], data.x_train[:640])


def bn_panel(source_name: str, target: str) -> None:
    n = bn_numbers(source_name, target)
    names = [t("transfer.bn.channel", c=c + 1) for c in range(n["channels"])]
    st.dataframe(
        [
            {
                t("transfer.bn.when"): t(f"transfer.bn.{when}"),
                **{c: round(v, 4) for c, v in zip(names, n[when])},
            }
            for when in ("before", "after_train", "after_eval")
        ],
        hide_index=True,
        key="transfer_bn_table",
    )
    st.markdown(
        t("transfer.bn_result", trainable=n["trainable"], train=n["shift_train"], eval=n["shift_eval"])
    )


def resnet_panel() -> None:
    """What the primer's ResNet-18 needs; loads it only when the weights file is in data/ and asked for."""
    found = core_tr.resnet_file(DATA_DIR)
    if found is None:
        st.info(t("transfer.resnet_missing"), icon=":material/info:")
        return
    st.caption(t("transfer.resnet_found", file=found.name))
    if st.toggle(t("transfer.resnet_build"), key="transfer_resnet"):
        try:
            model = core_tr.resnet18_for(found)
        except Exception as e:  # a wrong or damaged file: say so in words, keep the page
            st.error(t("transfer.resnet_error", error=type(e).__name__))
            return
        total, trainable = count_parameters(model), core_tr.trainable_count(model)
        st.markdown(t("transfer.resnet_counts", total=total, trainable=trainable))


RESNET_CODE = """import torch
import torch.nn as nn
import torchvision.models as models

model_ft = models.resnet18(weights=None)  # the architecture; the weights come from the file
model_ft.load_state_dict(torch.load("data/resnet18-f37072fd.pth", weights_only=True))
for param in model_ft.parameters():
    param.requires_grad = False  # freeze the feature extractor
model_ft.fc = nn.Linear(model_ft.fc.in_features, 10)  # a new head: requires_grad=True
optimizer_ft = torch.optim.SGD(model_ft.fc.parameters(), lr=0.01, momentum=0.9)
"""

FREEZE_CODE = """for p in model.layer1.parameters():   # the conv blocks: the feature extractor
    p.requires_grad = False
for p in model.layer2.parameters():
    p.requires_grad = False
optimizer = torch.optim.Adam(model.layer3.parameters(), lr=1e-3)  # only the new head

# fine-tuning instead: every layer, the pretrained ones with a small learning rate
optimizer = torch.optim.Adam([
    {"params": [*model.layer1.parameters(), *model.layer2.parameters()], "lr": 1e-4},
    {"params": model.layer3.parameters(), "lr": 1e-3},
])
trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
"""
