"""core.run_export: a saved run as a zip with its model (loadable with PyTorch alone), its history as CSV,
its settings, and a take-home train.py for every page that trains: it runs offline from a clean folder
with torch, numpy and Pillow alone (never the lab, mlxtend, scikit-learn or torchvision), takes --epochs,
--limit, --seed and --out, and writes its weights, history.csv and a picture; --help writes nothing."""

from __future__ import annotations

import ast
import csv
import dataclasses
import io
import json
import math
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

from core import run_export, runs, topics, xor


def saved_xor_run(tmp_path, epochs: int = 30, config: dict | None = None) -> str:
    cfg = xor.XORConfig(epochs=epochs)
    model, summary = xor.train(cfg)
    settings = config or {**vars(cfg), "hidden": list(cfg.hidden)}
    writer = runs.RunWriter("xor", "みどり", settings, root=tmp_path)
    history = {"epochs": [{"epoch": e, "train_loss": 1.0 / e} for e in range(1, epochs + 1)]}
    assert writer.save(model, state="done", epochs_done=epochs, history=history, metrics={"acc": 1.0})
    return writer.run_id


def test_the_zip_holds_model_history_settings_scripts_and_readme(tmp_path):
    run_id = saved_xor_run(tmp_path)
    z = zipfile.ZipFile(io.BytesIO(run_export.run_zip(run_id, tmp_path)))
    names = {n.split("/", 1)[1] for n in z.namelist()}
    assert {"model.pth", "history.csv", "run.json", "load_model.py", "train.py", "README.md"} <= names
    assert "data.npz" not in names  # XOR's data is its truth table, in the script
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
    assert "LR = 0.05" in script and "EPOCHS = 30" in script and "for epoch in range(args.epochs):" in script


def test_the_readme_says_what_to_install_and_run_in_japanese_then_english(tmp_path):
    run_id = saved_xor_run(tmp_path)
    readme = zipfile.ZipFile(io.BytesIO(run_export.run_zip(run_id, tmp_path))).read(f"{run_id}/README.md")
    text = readme.decode("utf-8")
    assert text.index("## 日本語") < text.index("## English")
    pins = (Path(run_export.REQUIREMENTS)).read_text(encoding="utf-8")
    torch_pin = re.search(r"^torch==\S+", pins, re.M).group(0)
    pillow_pin = re.search(r"^pillow==\S+", pins, re.M).group(0)
    assert text.count(f'pip install "{torch_pin}"') == 2 and pillow_pin in text and "numpy" in text
    assert text.count("python train.py --epochs 1 --limit 500") == 2 and "--help" in text


def test_a_missing_run_is_a_run_error_not_a_crash(tmp_path):
    with pytest.raises(runs.RunError):
        run_export.run_zip("xor_20260101-000000_abcd_nobody", tmp_path)


def test_the_data_is_the_labs_own_split_as_uint8_and_small():
    from core import data

    split = data.load_embedded_mnist()
    with np.load(io.BytesIO(run_export.dataset_npz("mnist"))) as d:
        assert d["x_train"].dtype == np.uint8 and d["x_train"].shape == (4000, 28, 28)
        x = torch.from_numpy(d["x_train"]).float().unsqueeze(1) / float(d["scale"])
        assert torch.equal(x, split.x_train)  # exactly the lab's images, not a copy of similar ones
        assert torch.equal(torch.from_numpy(d["y_test"]).long(), split.y_test)
    assert len(run_export.dataset_npz("mnist")) < 1_000_000
    with np.load(io.BytesIO(run_export.dataset_npz("digits"))) as d:
        assert d["x_train"].shape == (1437, 8, 8) and float(d["scale"]) == 16


def test_a_run_on_the_full_mnist_ships_no_data_and_its_script_asks_for_it(tmp_path, monkeypatch):
    from core import cnn
    from core.models.cnn import MNISTCNN

    cfg = cnn.CNNTrainConfig(c1=4, c2=8, hidden=16)
    writer = runs.RunWriter("cnn", "みどり", vars(cfg), root=tmp_path)
    meta = {"provenance": {"source": "full", "n_train": 60000}}
    assert writer.save(MNISTCNN(4, 8, 16), state="done", epochs_done=1, meta=meta)
    z = zipfile.ZipFile(io.BytesIO(run_export.run_zip(writer.run_id, tmp_path)))
    names = {n.split("/", 1)[1] for n in z.namelist()}
    assert "data.npz" not in names
    assert "DATA = 'full-mnist'" in z.read(f"{writer.run_id}/train.py").decode()
    assert "--download" in z.read(f"{writer.run_id}/README.md").decode()
    z.extractall(tmp_path / "out")
    folder = tmp_path / "out" / writer.run_id
    before = sorted(p.name for p in folder.iterdir())
    done = subprocess.run(
        [sys.executable, "train.py"], cwd=folder, capture_output=True, text=True, timeout=120
    )
    # offline and not asked to download: a clear message in both languages, and no folder left behind
    assert done.returncode != 0 and "--download" in done.stderr and "MNIST" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in folder.iterdir()) == before


# -- every page that trains: the zip's train.py runs at home, offline, and its model is the lab's ----------
def _xor(cfg_kw):
    cfg = xor.XORConfig(**cfg_kw)
    return {**vars(cfg), "hidden": list(cfg.hidden)}, xor.train(cfg)[0]


def _cnn(cfg_kw):
    from core import cnn

    cfg = cnn.CNNTrainConfig(**cfg_kw)
    return dataclasses.asdict(cfg), cnn.build_model(cfg, torch.Generator().manual_seed(0))


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


def _sequence(cfg_kw):
    from core import sequence

    cfg = sequence.SequenceConfig(**cfg_kw)
    return dataclasses.asdict(cfg), sequence.build_model(cfg)[0]


def _transfer(cfg_kw):
    from core import transfer
    from core.models.cnn import MNISTCNN

    cfg = transfer.TransferConfig(**cfg_kw)
    return dataclasses.asdict(cfg), MNISTCNN(c1=4, c2=8, hidden=16)


def _cifar(cfg_kw):
    from core import cifar
    from core.models.simple_cnn import SimpleCNN

    cfg = cifar.CifarConfig(**cfg_kw)
    return dataclasses.asdict(cfg), SimpleCNN(in_channels=1, size=28)


def _home_images(folder: Path, n_train: int = 64, n_test: int = 32) -> None:
    """A data.npz as the image guide's train.py reads it beside itself (uint8 (N, 28, 28) and labels): the
    Fashion-MNIST a student downloaded at home stands in for, since the tests run offline."""
    import numpy as np

    rng = np.random.default_rng(0)
    labels = lambda n: (np.arange(n) % 10).astype(np.uint8)  # noqa: E731
    np.savez_compressed(
        folder / "data.npz",
        x_train=rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        y_train=labels(n_train),
        x_test=rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        y_test=labels(n_test),
    )


SMALL_QUEUE = dict(channels=(4, 8), hidden=16, epochs=2, train_size=300, seed=3)


def _queue():
    """Two runs of one Hyperparameters comparison (a queue varying the learning rate): [(settings, model)]."""
    from core import experiments as ex
    from core.models.cnn import MNISTCNN

    made = []
    for run_id, lr in enumerate((1e-3, 1e-2), start=1):
        s = ex.Settings(**SMALL_QUEUE, lr=lr)
        settings = {**dataclasses.asdict(s), "run_id": run_id, "varied": ["lr"], "comparison": "c1"}
        made.append((settings, MNISTCNN(**s.model_config())))
    return made


TINY = "--epochs 1 --limit 64".split()
RUNS = {  # page, and the settings and model of a tiny run (for "hyperparams": a queue of two)
    "xor": ("xor", lambda: _xor(dict(epochs=200, hidden=(3,)))),
    "cnn": ("cnn", lambda: _cnn(dict(c1=4, c2=8, hidden=16, epochs=2, train_size=300, seed=5))),
    "hyperparams": ("hyperparams", _queue),
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
    "flow": ("diffusion", lambda: _diffusion(dict(c1=8, c2=16, emb_dim=16, batch_size=32, sample_steps=4))),
    "ddpm": (
        "diffusion",
        lambda: _diffusion(
            dict(objective="ddpm", schedule="cosine", c1=8, c2=16, emb_dim=16, sample_steps=4)
        ),
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
    "sequence": ("sequence", lambda: _sequence(dict(series="sunspots", model="gru", hidden=8, window=6))),
    "transfer": ("transfer", lambda: _transfer(dict(arms=("scratch", "frozen"), labels=(1, 2), steps=3))),
    "cifar": ("cifar", lambda: _cifar(dict(dataset="fashion", epochs=1, train_limit=64, test_limit=32))),
}
SAMPLES = {"gan", "cgan", "vae", "diffusion"}  # the pages whose script also draws samples.png
# the pages whose script writes out/model.pth as a checkpoint the lab opens (with its family and arguments)
LAB_FORMAT = {"cnn", "sequence", "gan", "cgan", "vae", "diffusion", "attention"}


def _save(root: Path, page: str, settings: dict, model, name: str = "みどり") -> str:
    writer = runs.RunWriter(page, name, settings, root=root)
    assert writer.save(model, state="done", epochs_done=1, history={"epochs": [{"epoch": 1}]})
    return writer.run_id


def _zip_of(root: Path, case: str) -> tuple[bytes, str]:
    """The zip a student downloads for the case's run (a comparison's, for "hyperparams"), and its folder."""
    page, make = RUNS[case]
    if page == "hyperparams":
        run_ids = [_save(root, page, settings, model) for settings, model in make()]
        return run_export.queue_zip(run_ids, "hyperparams_c1", root), "hyperparams_c1"
    run_id = _save(root, page, *make())
    return run_export.run_zip(run_id, root), run_id


def _extracted(tmp_path, page: str, settings: dict, model) -> Path:
    run_id = _save(tmp_path, page, settings, model)
    z = zipfile.ZipFile(io.BytesIO(run_export.run_zip(run_id, tmp_path)))
    z.extractall(tmp_path / "out")
    return tmp_path / "out" / run_id


def _flags(case: str) -> list[str]:
    return ["--steps", "5", "--limit", "200"] if RUNS[case][0] == "attention" else TINY


# Each start of Python with torch costs seconds here, so the checks below run all their scripts in one
# Python (`_run_all`), one after the other, each as `python <script> <args>` would run it: runpy, in its
# folder, with its own argv and sys.path[0], its output and exit status kept apart, a time limit each. A
# script that used anything it did not import itself would still fail: runpy gives it fresh globals. What a
# student's computer does not have (the lab itself, mlxtend, scikit-learn, torchvision, matplotlib) cannot
# be imported by a script (BLOCKED): the scripts need torch, numpy and Pillow only.
BLOCKED = ("core", "ui", "mlxtend", "sklearn", "torchvision", "matplotlib", "pandas", "scipy")
DRIVER = """
import builtins, contextlib, io, json, os, runpy, signal, sys, time, traceback

blocked = set()
real_import = builtins.__import__


def import_at_home(name, globals=None, locals=None, fromlist=(), level=0):
    # only the script's own imports: torch may look for optional packages itself, as it would at home
    if level == 0 and name.split(".")[0] in blocked and (globals or {}).get("__name__") == "__main__":
        raise ModuleNotFoundError(f"No module named {name!r} (not at home)", name=name)
    return real_import(name, globals, locals, fromlist, level)


def too_long(*_):
    raise TimeoutError("ran past the time limit")


builtins.__import__ = import_at_home
signal.signal(signal.SIGALRM, too_long)
jobs_file, results_file = sys.argv[1:3]
results = {}
for name, folder, argv, limit, blocked_here in json.loads(open(jobs_file, encoding="utf-8").read()):
    out, err, code = io.StringIO(), io.StringIO(), 0
    os.chdir(folder)
    sys.argv, sys.path[0] = list(argv), folder
    blocked = set(blocked_here)
    signal.alarm(limit)
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            runpy.run_path(argv[0], run_name="__main__")
        except SystemExit as e:
            if isinstance(e.code, str):  # sys.exit("message"): Python prints it and exits with 1
                print(e.code, file=sys.stderr)
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except BaseException:
            traceback.print_exc()
            code = 1
    signal.alarm(0)
    blocked = set()
    results[name] = (code, out.getvalue(), err.getvalue(), time.perf_counter() - start)
open(results_file, "w", encoding="utf-8").write(json.dumps(results))
"""


def _run_all(tmp: Path, jobs: list[tuple]) -> dict[str, tuple[subprocess.CompletedProcess, float]]:
    """{name: (what `python *argv` in the folder gave, its seconds)} for every job (name, folder, argv,
    blocked modules), run in order in one Python."""
    (tmp / "driver.py").write_text(DRIVER, encoding="utf-8")
    spec = [(name, str(folder), argv, 180, list(blocked)) for name, folder, argv, blocked in jobs]
    (tmp / "jobs.json").write_text(json.dumps(spec), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, tmp / "driver.py", tmp / "jobs.json", tmp / "results.json"],
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=180 * len(jobs),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads((tmp / "results.json").read_text(encoding="utf-8"))
    return {
        name: (subprocess.CompletedProcess(argv, *results[name][:3]), results[name][3])
        for name, _, argv, _ in jobs
    }


def _listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture(scope="module")
def scripts(tmp_path_factory) -> dict[str, tuple]:
    """Every case's zip extracted into a clean folder, and what its script did there: {job: (folder,
    result, seconds, the folder's files before)}. Per case: `train.py --epochs 1 --limit 64` (from the
    lab's weights, where the script can start from them), and `train.py --help` in a second folder."""
    from core import checkpoints

    tmp = tmp_path_factory.mktemp("scripts")
    jobs, before = [], {}
    for case, (page, _) in RUNS.items():
        blob, name = _zip_of(tmp / case, case)
        for job, argv in (
            (case, ["train.py", *_flags(case), *(["--from-lab", "model.pth"] if page in LAB_FORMAT else [])]),
            (f"{case} --help", ["train.py", "--help"]),
        ):
            folder = tmp / job.replace(" ", "") / name
            zipfile.ZipFile(io.BytesIO(blob)).extractall(folder.parent)
            if page == "cifar" and job == case:  # the data a student fetched with --download, offline
                _home_images(folder)
            before[job] = _listing(folder)
            jobs.append((job, folder, argv, BLOCKED))
    # load_model.py opens what a script saved (once: the same for every page)
    flow = next(folder for job, folder, *_ in jobs if job == "flow")
    jobs.append(("flow: load_model.py", flow, ["load_model.py", "out/model.pth"], BLOCKED))
    # a home without Pillow: the script still trains and saves, and says how to get the picture
    blob, name = _zip_of(tmp / "no-pillow", "xor")
    zipfile.ZipFile(io.BytesIO(blob)).extractall(tmp / "no-pillow" / "home")
    jobs.append(("xor without Pillow", tmp / "no-pillow" / "home" / name, ["train.py"], (*BLOCKED, "PIL")))
    folder = _extracted(tmp / "wider", "gan", *_gan(dict(g_width=16, d_width=8), False))
    _, wider = _gan(dict(g_width=32, d_width=8), False)  # every shape of G differs
    checkpoints.save(wider, folder / "wider.pth")
    jobs.append(("wider", folder, ["train.py", *TINY, "--from-lab", "wider.pth"], BLOCKED))
    folder = _extracted(tmp / "sort-150", "attention", *RUNS["sort"][1]())
    # long enough for the loss to fall: a record every EVAL_EVERY = 50 updates
    jobs.append(("sort-150", folder, ["train.py", "--steps", "150"], BLOCKED))
    # a job whose zip has no train.py fails in its own test, not here
    results = _run_all(tmp, [j for j in jobs if (j[1] / "train.py").is_file()])
    return {job: (folder, *results.get(job, (None, 0.0)), before.get(job)) for job, folder, *_ in jobs}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(RUNS))
def test_each_pages_script_runs_at_home_and_writes_its_weights_and_picture(scripts, case):
    from PIL import Image

    from core import checkpoints
    from core.models import family_name

    page, make = RUNS[case]
    folder, done, seconds, _ = scripts[case]
    assert (folder / "train.py").is_file(), f"no train.py for {case}"
    assert done.returncode == 0, done.stderr[-3000:]
    assert seconds < 60, f"{case}: {seconds:.0f} s for one tiny epoch"
    print(f"{case}: train.py {' '.join(done.args[1:])} took {seconds:.1f} s")  # shown by pytest -rP
    losses = [float(v) for v in re.findall(r"(?i)loss(?:_[dg])?:? (\S+)", done.stdout)]
    assert losses and all(math.isfinite(v) for v in losses), done.stdout
    out = folder / "out"
    for picture in ["curve.png", *(["samples.png"] if page in SAMPLES else [])]:
        with Image.open(out / picture) as img:
            img.verify()  # a whole PNG, not an empty file
    rows = list(csv.DictReader((out / "history.csv").open(encoding="utf-8")))
    assert rows and all(math.isfinite(float(v)) for r in rows for k, v in r.items() if "loss" in k)
    weights = sorted(out.glob("*.pth"))
    assert weights and all(isinstance(torch.load(w, weights_only=True), dict) for w in weights)
    if page in LAB_FORMAT:  # the lab rebuilds what the script saved: its own family and arguments
        _, model = make()
        loaded = checkpoints.load(out / "model.pth", expected_family=family_name(model))
        assert loaded.config == checkpoints.load(folder / "model.pth").config
    if page == "hyperparams":  # one file per run of the queue, each a CNN the lab opens
        assert [w.name for w in weights] == ["run1.pth", "run2.pth"]
        assert all(checkpoints.load(w, expected_family="cnn.MNISTCNN") for w in weights)
    if case == "flow":
        _, shown, _, _ = scripts["flow: load_model.py"]
        assert shown.returncode == 0 and f"{page} model, parameters:" in shown.stdout, shown.stderr


@pytest.mark.slow
@pytest.mark.parametrize("case", list(RUNS))
def test_help_lists_the_options_and_writes_nothing(scripts, case):
    folder, done, _, before = scripts[f"{case} --help"]
    assert done.returncode == 0, done.stderr[-2000:]
    steps = "--steps" if RUNS[case][0] == "attention" else "--epochs"
    for option in (steps, "--limit", "--seed", "--out"):
        assert option in done.stdout, (option, done.stdout)
    assert _listing(folder) == before  # not even an empty out/


@pytest.mark.slow
def test_a_home_without_pillow_still_trains_and_says_how_to_get_the_picture(scripts):
    folder, done, _, _ = scripts["xor without Pillow"]
    assert done.returncode == 0, done.stderr[-2000:]
    assert "pip install pillow" in done.stdout
    assert (folder / "out" / "model.pth").is_file() and (folder / "out" / "history.csv").is_file()
    assert not (folder / "out" / "curve.png").exists()


@pytest.mark.slow
def test_a_model_of_other_settings_does_not_load_into_the_script(scripts):
    _, done, _, _ = scripts["wider"]
    assert done.returncode != 0 and "size mismatch" in done.stderr, done.stderr[-2000:]


@pytest.mark.slow
def test_the_attention_scripts_loss_falls_as_it_trains(scripts):
    _, done, _, _ = scripts["sort-150"]
    assert done.returncode == 0, done.stderr[-3000:]
    losses = [float(v) for v in re.findall(r"loss (\S+)", done.stdout)]
    assert len(losses) == 3 and losses[-1] < losses[0] - 0.3, done.stdout  # from about 2.4 (ln 11) down


def test_the_scripts_carry_the_runs_settings_seed_and_sizes_as_constants(tmp_path):
    settings, model = RUNS["cgan-8x8"][1]()
    folder = _extracted(tmp_path, "cgan", {**settings, "g_lr": 0.0004, "epochs": 7, "seed": 11}, model)
    script = (folder / "train.py").read_text(encoding="utf-8")
    assert "G_LR = 0.0004" in script and "EPOCHS = 7" in script and "IMAGE_SIZE = 8" in script
    assert "SEED = 11" in script and "default=SEED" in script  # --seed starts from the run's own
    assert "DATA = 'data.npz'" in script and (folder / "data.npz").is_file()
    settings, model = RUNS["cnn"][1]()
    folder = _extracted(tmp_path / "cnn", "cnn", {**settings, "train_size": 123, "seed": 9}, model)
    script = (folder / "train.py").read_text(encoding="utf-8")
    assert "TRAIN_SIZE = 123" in script and "SEED = 9" in script
    settings, model = RUNS["text"][1]()
    folder = _extracted(tmp_path / "text", "attention", settings, model)
    assert "TASK = 'text'" in (folder / "train.py").read_text(encoding="utf-8")
    assert (folder / "text.txt").read_text(encoding="utf-8") == attention_text()


def test_a_comparison_zip_holds_its_runs_and_a_script_that_runs_them_in_order(tmp_path):
    blob, name = _zip_of(tmp_path, "hyperparams")
    z = zipfile.ZipFile(io.BytesIO(blob))
    names = z.namelist()
    assert {f"{name}/train.py", f"{name}/data.npz", f"{name}/README.md"} <= set(names)
    assert (
        sum(n.endswith("/model.pth") for n in names) == 2 and sum(n.endswith("/run.json") for n in names) == 2
    )
    queue = _assignments(z.read(f"{name}/train.py").decode())["RUNS"]
    assert [(r["run"], r["lr"], r["train_size"], r["seed"]) for r in queue] == [
        (1, 1e-3, 300, 3),
        (2, 1e-2, 300, 3),
    ]
    assert [r["label"] for r in queue] == ["lr=0.001", "lr=0.01"]


def test_a_run_zip_stays_small_enough_to_download(tmp_path):
    blob, _ = _zip_of(tmp_path, "cnn")
    assert len(blob) < 2_000_000


# -- a setting is pasted as a Python literal, never as code --------------------------------------------
HOSTILE = "x'\"\"\"''' + __import__('os').system('echo pwned') #\nimport os\n\\"


def _assignments(script: str) -> dict:
    """The module-level `NAME = literal` lines of a script, as values (the lines of code left out)."""
    found = {}
    for node in ast.parse(script).body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id.isupper()
        ):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:  # ACTIVATIONS = {"relu": nn.ReLU, ...}: code of the template, not a setting
                pass
    return found


def _no_injection(script: str) -> None:
    tree = ast.parse(script)  # it still parses: the value did not break the program
    imported = {
        a.name for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names
    }
    called = {
        getattr(n.func, "attr", getattr(n.func, "id", "")) for n in ast.walk(tree) if isinstance(n, ast.Call)
    }
    assert "os" not in imported and not {"system", "__import__"} & called, "a setting became code"


def _hostile_strings(value):
    """`value` with every string in it (at any depth) replaced by HOSTILE; lists become tuples (as in a
    script)."""
    if isinstance(value, str):
        return HOSTILE
    if isinstance(value, dict):
        return {k: _hostile_strings(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return tuple(_hostile_strings(v) for v in value)
    return value


@pytest.mark.parametrize("key", run_export.TRAIN_SCRIPTS)
def test_every_value_a_template_gets_survives_a_hostile_string(key):
    """Every constant the export gives the template (a gate, an optimizer, a learning rate, a queue of runs)
    and the data file's name, each replaced by a string with quotes, a newline and code, alone or deep in a
    list: the script still parses and holds each as a plain string."""
    t = topics.topic(key)
    cfg = t.config_class()()
    if key == "attention":
        cfg = dataclasses.replace(cfg, task="sort")  # a text run's script needs its model's vocabulary
    constants = dict(t.export_constants()(dataclasses.asdict(cfg), {}))
    constants.pop("DATASET", None)
    for hostile in (
        {name: HOSTILE for name in [*constants, "DATA"]},
        {
            name: _hostile_strings(value) for name, value in constants.items()
        },  # strings inside lists and dicts
    ):
        script = run_export._filled(t.template, hostile)
        _no_injection(script)
        assert {name: _assignments(script)[name] for name in hostile} == hostile


def test_a_hostile_setting_in_a_saved_run_gives_a_safe_script_and_the_name_goes_nowhere(tmp_path):
    """A run.json edited by hand (or written by another version) with code in a setting, under a name with
    quotes and a newline: the zip's train.py holds the setting as a string; the name is in no script."""
    from core.models.cnn import MNISTCNN

    settings = {**RUNS["cnn"][1]()[0], "augment": HOSTILE}
    run_id = _save(tmp_path, "cnn", settings, MNISTCNN(4, 8, 16), name=HOSTILE)
    z = zipfile.ZipFile(io.BytesIO(run_export.run_zip(run_id, tmp_path)))
    script = z.read(f"{run_id}/train.py").decode()
    _no_injection(script)
    assert _assignments(script)["AUGMENT"] == HOSTILE
    assert "pwned" not in z.read(f"{run_id}/README.md").decode() + z.read(f"{run_id}/load_model.py").decode()


def test_settings_that_are_not_plain_values_give_no_script_but_the_rest_of_the_zip(tmp_path):
    with pytest.raises(ValueError):
        run_export._literal(float("nan"))
    with pytest.raises(ValueError):
        run_export._literal(object())
    assert (
        run_export._literal({"a": [1, 2.5], "b": "x'y", "c": [3]})
        == "{'a': (1, 2.5), 'b': \"x'y\", 'c': (3,)}"
    )
    run_id = saved_xor_run(tmp_path, config={"gate": "XNOR", "hidden": [2]})  # a gate this version lacks
    names = {
        n.split("/", 1)[1]
        for n in zipfile.ZipFile(io.BytesIO(run_export.run_zip(run_id, tmp_path))).namelist()
    }
    assert "train.py" not in names and "README.md" not in names and {"model.pth", "run.json"} <= names


def attention_text() -> str:
    from core import attention

    return attention.load_text()


def test_every_topics_train_script_is_checked_here():
    """A new topic with an export in core/topics.py needs a case in RUNS: its script is run from a clean
    folder with --epochs 1 --limit 64, and with --help."""
    assert {page for page, _ in RUNS.values()} == set(run_export.TRAIN_SCRIPTS)
