"""`python -m core.cli export`: a lab checkpoint to ONNX or a torch.export program, checked by running it
(the CIFAR-10 guide's `onnx_exporter.py`; primer 001, 8.4, where TorchScript is now torch.export).

    export --checkpoint FILE.pth --format onnx|pt2 --out PATH [--batch B] [--seed S]

Writes the file, then runs it (ONNX Runtime for .onnx, torch.export.load for .pt2) and the PyTorch model on
the same test batch and prints one JSON line: the format, the exporter, the bytes written and the largest
absolute difference. Exits 1 when that difference is 1e-4 or more, 2 when the file cannot be exported.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

TOLERANCE = 1e-4  # float32 rounding: an export that computes the same thing stays far below it


def cmd_export(args: argparse.Namespace) -> int:
    import torch

    from core import checkpoints, files
    from core import model_io as mio

    torch.set_num_threads(max(1, args.threads))
    try:
        loaded = checkpoints.load(args.checkpoint)
        out = mio.export(loaded.model, loaded.family, loaded.config, args.format, args.batch, args.seed)
    except checkpoints.CheckpointError as e:
        print(f"error: {args.checkpoint}: {e}", file=sys.stderr)
        return 2
    except mio.ExportError as e:
        known = ", ".join(sorted(mio.INPUTS))
        hint = f" (exportable families: {known})" if e.code == "family" else ""
        print(f"error: {e}{hint}", file=sys.stderr)
        return 2
    if checkpoints.is_shipped_path(args.out):
        print(
            f"error: {args.out} is inside checkpoints/, which holds the shipped models only", file=sys.stderr
        )
        return 2
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    files.write_atomic(args.out, out.data)
    report = {
        "checkpoint": str(args.checkpoint),
        "family": loaded.family,
        "format": out.fmt,
        "exporter": out.exporter,
        "out": str(args.out),
        "bytes": len(out.data),
        "batch": out.batch,
        "max_abs_diff": out.max_diff,
        "seconds": round(out.seconds, 2),
    }
    print(json.dumps(report))
    return 0 if out.max_diff < TOLERANCE else 1


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export", help="a checkpoint to ONNX or .pt2, checked against PyTorch on a test batch")
    p.add_argument("--checkpoint", required=True, help="a lab checkpoint (.pth)")
    p.add_argument("--format", choices=("onnx", "pt2"), required=True)
    p.add_argument("--out", required=True, help="the file to write (e.g. model.onnx)")
    p.add_argument("--batch", type=int, default=8, help="the test batch's size (default 8)")
    p.add_argument("--seed", type=int, default=0, help="the test batch's seed")
    p.add_argument("--threads", type=int, default=1, help="CPU threads for torch")
    p.set_defaults(func=cmd_export)
