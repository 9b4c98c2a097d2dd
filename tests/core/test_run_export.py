"""core.run_export: a saved run as a zip with its model (loadable with PyTorch alone), its history as CSV,
its settings, and a standalone train.py that trains the same network (every page that has one)."""

from __future__ import annotations

import csv
import io
import json
import math
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import torch

from core import run_export, runs, xor


def saved_xor_run(tmp_path, epochs: int = 30) -> str:
    cfg = xor.XORConfig(epochs=epochs)
    model, summary = xor.train(cfg)
    writer = runs.RunWriter("xor", "みどり", {**vars(cfg), "hidden": list(cfg.hidden)}, root=tmp_path)
    history = {"epochs": [{"epoch": e, "train_loss": 1.0 / e} for e in range(1, epochs + 1)]}
    assert writer.save(model, state="done", epochs_done=epochs, history=history, metrics={"acc": 1.0})
    return writer.run_id


def test_the_zip_holds_model_history_settings_and_scripts(tmp_path):
    run_id = saved_xor_run(tmp_path)
    z = zipfile.ZipFile(io.BytesIO(run_export.run_zip(run_id, tmp_path)))
    names = {n.split("/", 1)[1] for n in z.namelist()}
    assert {"model.pth", "history.csv", "run.json", "load_model.py", "train.py"} <= names
    rows = list(csv.DictReader(io.StringIO(z.read(f"{run_id}/history.csv").decode())))
    assert (
        len(rows) == 30
        and rows[0]["series"] == "epochs"
        and float(rows[-1]["train_loss"]) == pytest.approx(1 / 30)
    )
    (tmp_path / "out").mkdir()
    z.extractall(tmp_path / "out")
    folder = tmp_path / "out" / run_id
    ckpt = torch.load(folder / "model.pth", weights_only=True)
    assert isinstance(ckpt, dict)
    shown = subprocess.run(
        [sys.executable, "load_model.py"], cwd=folder, capture_output=True, text=True, timeout=120
    )
    assert shown.returncode == 0, shown.stderr
    assert "xor model, parameters:" in shown.stdout and "(2, 2)" in shown.stdout
    script = z.read(f"{run_id}/train.py").decode()
    compile(script, "train.py", "exec")  # a program, with this run's settings in it
    # this run's settings, as the template's constants
    assert "LR = 0.05" in script and "EPOCHS = 30" in script and "for epoch in range(EPOCHS):" in script


def test_a_missing_run_is_a_run_error_not_a_crash(tmp_path):
    with pytest.raises(runs.RunError):
        run_export.run_zip("xor_20260101-000000_abcd_nobody", tmp_path)


def test_a_cnn_run_brings_the_course_script_with_its_settings(tmp_path):
    from core import cnn
    from core.models.cnn import MNISTCNN

    cfg = cnn.CNNTrainConfig(c1=8, c2=16, epochs=3, lr=3e-3, augment=False)
    writer = runs.RunWriter("cnn", "みどり", vars(cfg), root=tmp_path)
    assert writer.save(MNISTCNN(8, 16), state="done", epochs_done=3)
    z = zipfile.ZipFile(io.BytesIO(run_export.run_zip(writer.run_id, tmp_path)))
    script = z.read(f"{writer.run_id}/train.py").decode()
    compile(script, "train.py", "exec")
    assert "C1 = 8" in script and "nn.Conv2d(1, C1, 3, 1)" in script and "LR = 0.003" in script
    assert "EPOCHS = 3" in script and "range(1, EPOCHS + 1)" in script


# -- every page that trains: the zip's train.py runs offline and its model is the lab's ----------------
def _gan(cfg_kw, conditional):
    from core import gan

    cfg = gan.GanConfig(**cfg_kw)
    return cfg.as_dict(), gan.build_models(cfg, conditional, torch.Generator().manual_seed(0))[0]


def _vae(cfg_kw):
    from core import vae

    cfg = vae.VAEConfig(**cfg_kw)
    return cfg.as_dict(), vae.build_model(cfg)


def _diffusion(cfg_kw):
    from core import diffusion

    cfg = diffusion.DiffusionConfig(**cfg_kw)
    return cfg.as_dict(), diffusion.build_model(cfg)


def _attention(cfg_kw):
    from core import attention

    cfg = attention.AttentionConfig(**cfg_kw)
    vocab = attention.TextData.of(attention.load_text()).vocab.size if cfg.task == "text" else None
    return cfg.as_dict(), attention.build_model(cfg, vocab)


TINY = "--epochs 1 --limit 64".split()
RUNS = {  # page, settings and model of a tiny run, the flags that keep its script short, the family
    "gan": ("gan", lambda: _gan(dict(g_width=16, d_width=8, mapping=16, g_refine=True, mbstd=True), False)),
    "gan-sn-augment": (
        "gan",
        lambda: _gan(dict(g_width=16, d_width=8, spectral_norm=True, augment=True), False),
    ),
    "cgan-8x8": ("cgan", lambda: _gan(dict(g_width=32, d_width=16, image_size=8, batch_size=32), True)),
    "cgan-28": ("cgan", lambda: _gan(dict(g_width=16, d_width=8, image_size=28, batch_size=32), True)),
    "vae": ("vae", lambda: _vae(dict(channels=(8, 16, 16), hidden=16, augment=True, input_dropout=0.2))),
    "ae": ("vae", lambda: _vae(dict(kind="ae", channels=(8, 16, 16), augment_input=True))),
    "dense-ae": ("vae", lambda: _vae(dict(kind="dense", latent_dim=4))),
    "flow": ("diffusion", lambda: _diffusion(dict(c1=8, c2=16, emb_dim=16, batch_size=32))),
    "ddpm": (
        "diffusion",
        lambda: _diffusion(dict(objective="ddpm", schedule="cosine", c1=8, c2=16, emb_dim=16)),
    ),
    "sort": ("attention", lambda: _attention(dict(n_embd=16, n_head=2, batch_size=16))),
    "reverse": (
        "attention",
        lambda: _attention(dict(task="reverse", pos_emb=False, causal=False, n_embd=16)),
    ),
    "text": (
        "attention",
        lambda: _attention(dict(task="text", block_size=16, n_embd=16, n_head=2, dropout=0.1)),
    ),
}


def _extracted(tmp_path, page: str, settings: dict, model) -> Path:
    writer = runs.RunWriter(page, "みどり", settings, root=tmp_path)
    assert writer.save(model, state="done", epochs_done=1, history={"epochs": [{"epoch": 1}]})
    z = zipfile.ZipFile(io.BytesIO(run_export.run_zip(writer.run_id, tmp_path)))
    z.extractall(tmp_path / "out")
    return tmp_path / "out" / writer.run_id


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=folder, capture_output=True, text=True, timeout=180)


# Each start of Python with torch costs seconds here, so the slow checks below run all their scripts in one
# Python (`_run_all`), one after the other, each as `python <script> <args>` would run it: runpy, in its
# folder, with its own argv and sys.path[0], its output and exit status kept apart, a time limit each. A
# script that used anything it did not import itself would still fail: runpy gives it fresh globals.
DRIVER = """
import contextlib, io, json, os, runpy, signal, sys, traceback

def too_long(*_):
    raise TimeoutError("ran past the time limit")

signal.signal(signal.SIGALRM, too_long)
jobs_file, results_file = sys.argv[1:3]
results = {}
for name, folder, argv, limit in json.loads(open(jobs_file, encoding="utf-8").read()):
    out, err, code = io.StringIO(), io.StringIO(), 0
    os.chdir(folder)
    sys.argv, sys.path[0] = list(argv), folder
    signal.alarm(limit)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            runpy.run_path(argv[0], run_name="__main__")
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:
            traceback.print_exc()
            code = 1
    signal.alarm(0)
    results[name] = (code, out.getvalue(), err.getvalue())
open(results_file, "w", encoding="utf-8").write(json.dumps(results))
"""


def _run_all(tmp: Path, jobs: list[tuple[str, Path, list[str]]]) -> dict[str, subprocess.CompletedProcess]:
    """{name: what `python *argv` in the folder gave} for every job (name, folder, argv), run in order."""
    (tmp / "driver.py").write_text(DRIVER, encoding="utf-8")
    (tmp / "jobs.json").write_text(json.dumps([(n, str(f), a, 180) for n, f, a in jobs]), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, tmp / "driver.py", tmp / "jobs.json", tmp / "results.json"],
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=180 * len(jobs),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((tmp / "results.json").read_text(encoding="utf-8"))
    return {name: subprocess.CompletedProcess(argv, *results[name]) for name, _, argv in jobs}


@pytest.fixture(scope="module")
def scripts(tmp_path_factory) -> dict[str, tuple[Path, subprocess.CompletedProcess]]:
    """The zips of the slow checks, extracted, and what their scripts did: {job: (folder, result)}."""
    from core import checkpoints

    tmp = tmp_path_factory.mktemp("scripts")
    jobs = []
    for case, (page, make) in RUNS.items():
        folder = _extracted(tmp / case, page, *make())
        flags = ["--steps", "5"] if page == "attention" else TINY
        # --from-lab loads the lab's model.pth into the script's own class with a strict load_state_dict
        jobs.append((case, folder, ["train.py", *flags, "--from-lab", "model.pth", "--out", "trained.pth"]))
        if case == "flow":  # load_model.py opens what the script saved (once: the same for every page)
            jobs.append(("flow: load_model.py", folder, ["load_model.py", "trained.pth"]))
    folder = _extracted(tmp / "wider", "gan", *_gan(dict(g_width=16, d_width=8), False))
    _, wider = _gan(dict(g_width=32, d_width=8), False)  # every shape of G differs
    checkpoints.save(wider, folder / "wider.pth")
    jobs.append(("wider", folder, ["train.py", *TINY, "--from-lab", "wider.pth"]))
    folder = _extracted(tmp / "sort-150", "attention", *RUNS["sort"][1]())
    # long enough for the loss to fall: a record every EVAL_EVERY = 50 updates
    jobs.append(("sort-150", folder, ["train.py", "--steps", "150"]))
    run_id = saved_xor_run(tmp / "xor")
    zipfile.ZipFile(io.BytesIO(run_export.run_zip(run_id, tmp / "xor"))).extractall(tmp / "xor" / "out")
    jobs.append(("xor", tmp / "xor" / "out" / run_id, ["train.py"]))
    # a job whose zip has no train.py fails in its own test, not here
    results = _run_all(tmp, [(n, f, a) for n, f, a in jobs if (f / a[0]).is_file()])
    return {name: (folder, results.get(name)) for name, folder, _ in jobs}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(RUNS))
def test_each_pages_script_trains_from_the_labs_weights_and_saves_a_lab_checkpoint(scripts, case):
    from core import checkpoints
    from core.models import family_name

    page, make = RUNS[case]
    folder, done = scripts[case]
    assert (folder / "train.py").is_file(), f"no train.py for {case}"
    assert done.returncode == 0, done.stderr[-3000:]
    losses = [float(v) for v in re.findall(r"loss(?:_[dg])? (\S+)", done.stdout)]
    assert losses and all(math.isfinite(v) for v in losses), done.stdout
    # what the script saved is a checkpoint of the lab's own family and arguments: the lab rebuilds it
    _, model = make()
    loaded = checkpoints.load(folder / "trained.pth", expected_family=family_name(model))
    assert loaded.config == checkpoints.load(folder / "model.pth").config
    if case == "flow":
        _, shown = scripts["flow: load_model.py"]
        assert shown.returncode == 0 and f"{page} model, parameters:" in shown.stdout, shown.stderr


@pytest.mark.slow
def test_a_model_of_other_settings_does_not_load_into_the_script(scripts):
    _, done = scripts["wider"]
    assert done.returncode != 0 and "size mismatch" in done.stderr, done.stderr[-2000:]


def test_the_scripts_carry_the_runs_settings_as_constants(tmp_path):
    settings, model = RUNS["cgan-8x8"][1]()
    folder = _extracted(tmp_path, "cgan", {**settings, "g_lr": 0.0004, "epochs": 7}, model)
    script = (folder / "train.py").read_text(encoding="utf-8")
    assert "G_LR = 0.0004" in script and "EPOCHS = 7" in script and "IMAGE_SIZE = 8" in script
    assert "from core" not in script and "import core" not in script  # standalone: no lab imports
    settings, model = RUNS["text"][1]()
    folder = _extracted(tmp_path / "text", "attention", settings, model)
    assert "TASK = 'text'" in (folder / "train.py").read_text(encoding="utf-8")
    assert (folder / "text.txt").read_text(encoding="utf-8") == attention_text()


def test_settings_that_are_not_plain_values_give_no_script_but_the_rest_of_the_zip():
    with pytest.raises(ValueError):
        run_export._literal(float("nan"))
    assert (
        run_export._literal({"a": [1, 2.5], "b": "x'y", "c": [3]})
        == "{'a': (1, 2.5), 'b': \"x'y\", 'c': (3,)}"
    )


@pytest.mark.slow
def test_the_xor_script_runs_as_it_comes(scripts):
    _, done = scripts["xor"]
    assert done.returncode == 0, done.stderr
    assert math.isfinite(float(re.findall(r"Loss: (\S+)", done.stdout)[-1]))


def attention_text() -> str:
    from core import attention

    return attention.load_text()


@pytest.mark.slow
def test_the_attention_scripts_loss_falls_as_it_trains(scripts):
    _, done = scripts["sort-150"]
    assert done.returncode == 0, done.stderr[-3000:]
    losses = [float(v) for v in re.findall(r"loss (\S+)", done.stdout)]
    assert len(losses) == 3 and losses[-1] < losses[0] - 0.3, done.stdout  # from about 2.4 (ln 11) down


# the topics whose train.py is checked by a test of its own in this file, not through RUNS
OWN_TEST = {
    "xor": "test_the_xor_script_runs_as_it_comes",
    "cnn": "test_a_cnn_run_brings_the_course_script_with_its_settings",  # full MNIST: checked, not run
}


def test_every_topics_train_script_is_checked_here():
    """A new topic with an export in core/topics.py needs a case in RUNS (its script takes --epochs,
    --limit, --from-lab and --out) or a test of its own named in OWN_TEST."""
    assert {page for page, _ in RUNS.values()} | set(OWN_TEST) == set(run_export.TRAIN_SCRIPTS)
    assert all(callable(globals()[name]) for name in OWN_TEST.values())
