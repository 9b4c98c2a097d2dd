"""Images/s of core.train.fit against the course's reference loop, same model, data and batch size.

The reference is the `train()` of the course's Part 2 CNN script: Adam lr 1e-3, NLLLoss, a `DataLoader` over a
`TensorDataset` with `shuffle=True`, each batch copied to the device. Both loops run in this process on the
embedded MNIST training split, interleaved in short blocks (ref, ours, ref, ours, ...) so that other work
on the machine slows both alike; each repeat gives one ratio and the figure is their median. The load
average is printed before and after: on a machine busy with other work (load above the core count) both
loops wait for the CPU and the ratio shrinks towards 1. The last line is `ratio: X.XX`, the smaller of the
per-batch medians.

    python bench/train_throughput.py [--batches 64 1024] [--seconds 4] [--repeats 5] [--device cpu|cuda]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.data import DataLoader, TensorDataset  # noqa: E402

from core.data import load_embedded_mnist  # noqa: E402
from core.models import reset_parameters  # noqa: E402
from core.models.cnn import MNISTCNN  # noqa: E402
from core.train import FitConfig, fit  # noqa: E402

WARMUP_S = 1.0  # untimed: first-touch page faults, oneDNN/cuDNN kernel selection
BLOCK_S = 0.5  # one turn of a loop before the other one runs: short against the machine's load swings


def fresh_model(device: torch.device, seed: int = 0) -> nn.Module:
    return reset_parameters(MNISTCNN(), torch.Generator().manual_seed(seed)).to(device)


def reference(x: torch.Tensor, y: torch.Tensor, batch: int, device: torch.device) -> Iterator[int]:
    """The course's loop, verbatim in its essentials; yields the images of each batch after its step."""
    model = fresh_model(device)
    loader = DataLoader(TensorDataset(x, y), batch_size=batch, shuffle=True)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    criterion = nn.NLLLoss()
    model.train()
    while True:
        for data, target in loader:
            data, target = data.to(device), target.to(device)
            optimizer.zero_grad()
            output = model(data)
            loss = criterion(output, target)
            loss.backward()
            optimizer.step()
            yield len(data)


def core_loop(x: torch.Tensor, y: torch.Tensor, batch: int, device: torch.device, amp: str) -> Iterator[int]:
    model = fresh_model(device)
    extra = {"amp": amp} if amp != "off" else {}  # so this script also measures an older core.train
    cfg = FitConfig(epochs=10_000, batch_size=batch, lr=1e-3, loss="nll", **extra)
    for rec in fit(model, x, y, cfg, device=device):
        if rec["kind"] == "step":
            yield rec["seen"]
    raise RuntimeError("training ended before the measurement did")


def counted(loop: Iterator[int], cumulative: bool) -> Iterator[int]:
    """Images per step, whether the loop yields them per batch or as a running total."""
    last = 0
    for value in loop:
        yield value - last if cumulative else value
        last = value if cumulative else 0


def run_for(loop: Iterator[int], seconds: float, device: torch.device) -> tuple[int, float]:
    """Images and seconds of one block of `loop`; on a GPU the clock stops after the queued work."""
    images, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        images += next(loop)
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return images, time.perf_counter() - t0


def one_repeat(x, y, batch: int, seconds: float, device: torch.device, amp: str) -> tuple[float, float]:
    """(reference, ours) images/s over `seconds` each, measured in alternating blocks."""
    loops = {
        "ref": counted(reference(x, y, batch, device), cumulative=False),
        "ours": counted(core_loop(x, y, batch, device, amp), cumulative=True),
    }
    for loop in loops.values():
        run_for(loop, WARMUP_S, device)
    totals = {name: [0, 0.0] for name in loops}
    while min(t for _, t in totals.values()) < seconds:
        for name, loop in loops.items():
            images, dt = run_for(loop, BLOCK_S, device)
            totals[name][0] += images
            totals[name][1] += dt
    return tuple(totals[k][0] / totals[k][1] for k in ("ref", "ours"))  # type: ignore[return-value]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--batches", type=int, nargs="+", default=[64, 1024])
    ap.add_argument("--seconds", type=float, default=4.0, help="timed seconds per loop and repeat")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    ap.add_argument("--amp", default="off", help="core.train.fit's mixed precision on a GPU: off, bf16, fp16")
    a = ap.parse_args()
    device = torch.device(a.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        sys.exit("--device cuda: no CUDA GPU is visible to torch here")
    data = load_embedded_mnist()
    x, y = data.x_train, data.y_train
    where = (
        torch.cuda.get_device_name(device) if device.type == "cuda" else f"{torch.get_num_threads()} threads"
    )
    print(f"torch {torch.__version__}, {device} ({where}), amp {a.amp}, data: {data.provenance.description}")
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    medians = []
    for batch in a.batches:
        runs = [one_repeat(x, y, batch, a.seconds, device, a.amp) for _ in range(a.repeats)]
        ratios = [ours / ref for ref, ours in runs]
        medians.append(statistics.median(ratios))
        print(
            f"batch {batch:5d}: reference {statistics.median(r for r, _ in runs):8.0f} img/s, "
            f"core.train.fit {statistics.median(o for _, o in runs):8.0f} img/s, "
            f"x{medians[-1]:.2f} (median of {', '.join(f'{q:.2f}' for q in ratios)})"
        )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(f"ratio: {min(medians):.2f}")


if __name__ == "__main__":
    main()
