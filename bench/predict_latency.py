"""Latency of the CNN page's Draw tab on the server: canvas image (280x280 RGBA) → probabilities.

Times exactly what one stroke costs: grey conversion, MNIST framing (core.preprocess.to_mnist) and
the forward pass (core.cnn.predict) with the shipped checkpoint, over test digits drawn at random sizes
and places. Prints p50/p95/max; the last line is `p95_ms: X` (target: <= 100 ms on a 2-core CPU).

    python bench/predict_latency.py [--n 200] [--checkpoint PATH] [--threads N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402


def canvases(n: int, seed: int = 0) -> list[np.ndarray]:
    """Test digits pasted as white-on-black RGBA canvases, like st_canvas's image_data."""
    from core.data import load_mnist

    rng = np.random.default_rng(seed)
    x = load_mnist().x_test[:, 0].numpy()
    out = []
    for i in range(n):
        size = int(rng.integers(80, 260))
        top, left = (int(v) for v in rng.integers(0, 280 - size, 2))
        digit = np.asarray(Image.fromarray((x[i % len(x)] * 255).astype(np.uint8)).resize((size, size)))
        rgba = np.zeros((280, 280, 4), dtype=np.uint8)
        rgba[..., 3] = 255
        rgba[top : top + size, left : left + size, :3] = digit[..., None]
        out.append(rgba)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--checkpoint", default=None)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    from core import checkpoints
    from core.cnn import FAMILY, predict
    from core.preprocess import to_mnist

    path = Path(args.checkpoint) if args.checkpoint else checkpoints.SHIPPED_DIR / "cnn_mnist.pth"
    model = checkpoints.load(path, expected_family=FAMILY).model.requires_grad_(False)
    images = canvases(args.n)
    for img in images[:5]:  # warm-up: first oneDNN calls pick kernels
        predict(model, to_mnist(img).final)
    times = []
    for img in images:
        t0 = time.perf_counter()
        steps = to_mnist(img)  # the page's exact path: canvas array → framed 28x28
        probs = predict(model, steps.final)
        times.append((time.perf_counter() - t0) * 1000)
        assert probs.shape == (10,)
    t = np.array(times)
    print(
        f"model: {path.name} ({sum(p.numel() for p in model.parameters()):,} parameters); "
        f"torch threads: {torch.get_num_threads()}; n={len(t)}"
    )
    print(f"p50_ms: {np.percentile(t, 50):.2f}")
    print(f"max_ms: {t.max():.2f}")
    print(f"p95_ms: {np.percentile(t, 95):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
