"""A saved run as one zip a student can take home: the model, its history as CSV, its settings, and a
PyTorch script.

- `model.pth`: the checkpoint as saved (load it with `torch.load(path, weights_only=True)`);
- `history.csv`: every record of every history list, one row each, with the list's name first;
- `run.json`: the settings, state and metrics as the lab keeps them (and `arrays.npz` where the run has
  arrays);
- a script: for XOR and the CNN, a standalone program that trains the same network with the same
  settings (`train.py`, full MNIST through torchvision for the CNN); for every run with a model, `load_model.py`, which opens `model.pth` with PyTorch
  alone and prints what is inside.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Mapping

from core import runs

LOAD_SCRIPT = '''"""Open the lab's model.pth with PyTorch alone and print what is inside."""

import torch

checkpoint = torch.load("model.pth", map_location="cpu", weights_only=True)  # tensors and plain data only
state = checkpoint.get("state_dict", checkpoint) if isinstance(checkpoint, dict) else checkpoint
for key, value in checkpoint.items() if isinstance(checkpoint, dict) else ():
    if key != "state_dict":
        print(f"{{key}}: {{value}}")
print("{page} model, parameters:")
for name, tensor in state.items():
    if hasattr(tensor, "shape"):
        print(f"  {{name:40s}} {{tuple(tensor.shape)}}")
'''


def _xor_script(config: Mapping) -> str:
    from core import xor

    names = {f for f in xor.XORConfig.__dataclass_fields__}
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in config.items() if k in names}
    return xor.script(xor.XORConfig(**values))


def _cnn_script(config: Mapping) -> str:
    from core import cnn

    names = set(cnn.CNNTrainConfig.__dataclass_fields__)
    return cnn.script(cnn.CNNTrainConfig(**{k: v for k, v in config.items() if k in names}))


TRAIN_SCRIPTS: dict[str, Callable[[Mapping], str]] = {"xor": _xor_script, "cnn": _cnn_script}


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
            try:
                z.writestr(f"{run_id}/train.py", TRAIN_SCRIPTS[page](info.get("config") or {}))
            except (TypeError, ValueError, KeyError):  # settings of another version: the rest still goes
                pass
    return buf.getvalue()
