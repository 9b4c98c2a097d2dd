"""XOR speed: seconds for the course's 1,000 epochs (2-2-2-1, Adam, batch 4) through core.train.fit,
against the course's own loop (TensorDataset + DataLoader) in the same process.

    python bench/xor_speed.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `python bench/xor_speed.py` finds core/

import torch  # noqa: E402
from torch import nn  # noqa: E402

from core import xor  # noqa: E402


def course_loop(seed: int) -> float:
    """The loop of the course's XOR script, timed."""
    torch.manual_seed(seed)
    x = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float32)
    y = torch.tensor([[0], [1], [1], [0]], dtype=torch.float32)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=4, shuffle=True)
    model = nn.Sequential(
        nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 1), nn.Sigmoid()
    )
    criterion, opt = nn.BCELoss(), torch.optim.Adam(model.parameters(), lr=0.05)
    t0 = time.perf_counter()
    for _ in range(1000):
        for inputs, labels in loader:
            opt.zero_grad()
            loss = criterion(model(inputs), labels)
            loss.backward()
            opt.step()
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    xor.train(xor.XORConfig(epochs=10))  # warm-up: the first Adam imports torch._dynamo (~1 s)
    lab = [xor.train(xor.XORConfig())[1] for _ in range(args.repeats)]
    course = [course_loop(xor.DEFAULT_SEED) for _ in range(args.repeats)]
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    print(
        f"lab (core.train.fit), 1000 epochs: median {statistics.median(s['seconds'] for s in lab):.3f} s, "
        f"accuracy {lab[0]['accuracy']:.0%}, loss {lab[0]['loss']:.5f}"
    )
    print(f"course loop (DataLoader), 1000 epochs: median {statistics.median(course):.3f} s")


if __name__ == "__main__":
    main()
