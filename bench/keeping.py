"""The Keeping-a-model page's figures, on one CPU thread:

- every shipped checkpoint whose family the page can export (core.model_io.INPUTS: the CNN classifier, and
  the GAN's generator): ONNX (run by ONNX Runtime) and .pt2 (run back by torch.export.load) within 1e-4 of
  PyTorch's output on a test batch of 64, with the seconds each export took and the file's size;
- the page's resume comparison (8x8 digits, its settings): the loss's peak in the first epoch after
  resuming with the optimizer's state and without it, and their ratio (target: at least 3x), and that the
  resume with the state reproduces the uninterrupted run exactly.

    .venv/bin/python bench/keeping.py [--seed 0]

The last line is the summary.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/keeping.py` finds core/

import torch  # noqa: E402

from core import checkpoints, data  # noqa: E402
from core import model_io as mio  # noqa: E402

TOLERANCE = 1e-4
JUMP = 3.0  # the page's chart must show the jump at a glance


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    torch.set_num_threads(1)
    met, total = 0, 0
    for path in sorted(checkpoints.SHIPPED_DIR.glob("*.pth")):
        loaded = checkpoints.load(path)
        if loaded.family not in mio.INPUTS:
            continue
        for fmt in mio.FORMATS:
            out = mio.export(loaded.model, loaded.family, loaded.config, fmt, batch=64, seed=args.seed)
            ok = out.max_diff < TOLERANCE
            met, total = met + ok, total + 1
            row = {"checkpoint": path.name, "format": fmt, "exporter": out.exporter, "max_abs_diff": out.max_diff,
                   "kb": round(len(out.data) / 1024), "seconds": round(out.seconds, 2), "ok": ok}  # fmt: skip
            print(json.dumps(row))
    split = data.load_digits()
    cfg = mio.ResumeConfig(seed=args.seed)
    r = mio.resume(split.x_train, split.y_train, cfg)
    exact = r.before + r.with_state == mio.train_straight(split.x_train, split.y_train, cfg)
    row = {"resume": "digits 8x8", "loss_at_checkpoint": round(r.before[-1], 4),
           "peak_with_state": round(r.peak(r.with_state), 4), "peak_without_state": round(r.peak(r.without_state), 4),
           "jump": round(r.jump, 2), "with_state_is_the_uninterrupted_run": exact,
           "checkpoint_kb": round(r.checkpoint_bytes / 1024), "weights_kb": round(r.weights_bytes / 1024)}  # fmt: skip
    print(json.dumps(row))
    met, total = met + (r.jump >= JUMP) + exact, total + 2
    print(f"summary: {met}/{total} targets met (exports within {TOLERANCE:g}: ONNX and .pt2 of each exportable "
          f"shipped model; resume jump {r.jump:.1f}x >= {JUMP:g}x; resume with state exact: {exact})")  # fmt: skip


if __name__ == "__main__":
    main()
