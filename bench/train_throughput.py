"""Images/s of core.train.fit against the course's reference loop, same model, data and batch size.

The reference is the `train()` of the course's Part 2 CNN script: Adam lr 1e-3, NLLLoss, a `DataLoader` over a
`TensorDataset` with `shuffle=True`. Both run in this process on the embedded MNIST training split,
alternating, best of `--repeats`. The last line is `ratio: X.XX`, the smaller of the per-batch ratios.

    python bench/train_throughput.py [--batches 64 1024] [--seconds 6] [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from core.data import load_embedded_mnist  # noqa: E402
from core.models import reset_parameters  # noqa: E402
from core.models.cnn import MNISTCNN  # noqa: E402
from core.train import FitConfig, fit  # noqa: E402


def fresh_model(seed: int = 0) -> nn.Module:
    return reset_parameters(MNISTCNN(), torch.Generator().manual_seed(seed))


WARMUP_S = 1.0  # untimed: first-touch page faults and oneDNN kernel selection


def reference(x: torch.Tensor, y: torch.Tensor, batch: int, seconds: float) -> float:
    """The course's loop, verbatim in its essentials; returns images/s after a warm-up."""
    model = fresh_model()
    loader = DataLoader(TensorDataset(x, y), batch_size=batch, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    criterion = nn.NLLLoss()
    model.train()
    seen, start, t0 = 0, time.perf_counter(), None
    while True:
        for data, target in loader:
            optimizer.zero_grad()
            output = model(data)
            loss = criterion(output, target)
            loss.backward()
            optimizer.step()
            now = time.perf_counter()
            if t0 is None:
                if now - start >= WARMUP_S:
                    t0 = now
                continue
            seen += len(data)
            if now - t0 >= seconds:
                return seen / (now - t0)


def core_loop(x: torch.Tensor, y: torch.Tensor, batch: int, seconds: float) -> float:
    model = fresh_model()
    cfg = FitConfig(epochs=10_000, batch_size=batch, lr=1e-3, loss="nll")
    start, t0, seen0 = time.perf_counter(), None, 0
    for rec in fit(model, x, y, cfg):
        if rec["kind"] != "step":
            continue
        now = time.perf_counter()
        if t0 is None:
            if now - start >= WARMUP_S:
                t0, seen0 = now, rec["seen"]
            continue
        if now - t0 >= seconds:
            return (rec["seen"] - seen0) / (now - t0)
    raise RuntimeError("training ended before the measurement did")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", type=int, nargs="+", default=[64, 1024])
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    data = load_embedded_mnist()
    x, y = data.x_train, data.y_train
    print(
        f"torch {torch.__version__}, {torch.get_num_threads()} threads, data: {data.provenance.description}"
    )
    ratios = []
    for batch in a.batches:
        ref, ours = 0.0, 0.0
        for _ in range(a.repeats):
            ref = max(ref, reference(x, y, batch, a.seconds))
            ours = max(ours, core_loop(x, y, batch, a.seconds))
        ratios.append(ours / ref)
        print(
            f"batch {batch:5d}: reference {ref:8.0f} img/s, core.train.fit {ours:8.0f} img/s, x{ours / ref:.2f}"
        )
    print(f"ratio: {min(ratios):.2f}")


if __name__ == "__main__":
    main()
