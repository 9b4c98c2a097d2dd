"""Generated digits judged as the field judges generated images: FID, precision and recall, and a
memorisation check, on the features of an independent MNIST judge (course Part 3, §3.6).

The judge (`core.models.judge.JudgeNet`, shipped as checkpoints/judge_mnist.pth) is not the course's CNN:
another architecture, another seed, trained on the embedded digits' training part only. Samples read by the
network that also picked the defaults would flatter them.

- FID (Heusel et al. 2017): the Fréchet distance between Gaussians fitted to the real and the generated
  features, |mu_r - mu_g|^2 + Tr(S_r + S_g - 2 (S_r S_g)^(1/2)). Lower is better; it rewards samples that
  are both good and as varied as the real digits, and it is biased upwards at small N, so it is always
  shown beside the real-vs-real floor at the same N.
- Precision and recall (Kynkäänniemi et al. 2019): each set's manifold is the union of balls around its
  features, of radius the distance to the k-th nearest neighbour (k = 3). Precision is the share of
  generated samples inside the real manifold (quality), recall the share of real digits inside the
  generated one (variety).
- Nearest training digit: a model that copies its training set gets a perfect FID; the pixel distance of
  each sample to its nearest training digit catches it (a copy is at 0, a new real digit is not).

The command is `python -m core.cli evaluate --model ...` (core/commands/evaluate.py).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core.images import augment_batch
from core.models import reset_parameters
from core.models.judge import JudgeNet

JUDGE_FILE = "judge_mnist.pth"  # in checkpoints/
JUDGE_FAMILY = "judge.JudgeNet"
JUDGE_SEED = 7  # not the shipped CNN's seed 0
K = 3  # neighbours of the precision/recall manifolds (Kynkäänniemi et al. 2019 use k = 3)


@dataclass(frozen=True)
class JudgeConfig:
    epochs: int = 12  # of 4,000 digits: about 98 % on the held-out 1,000 (bench/README.md, Generative eval)
    batch_size: int = 64
    lr: float = 2e-3  # Adam
    seed: int = JUDGE_SEED  # initial weights, batch order and the jitter


def train_judge(x: torch.Tensor, y: torch.Tensor, cfg: JudgeConfig = JudgeConfig()) -> JudgeNet:
    """A judge trained on (x (N, 1, 28, 28) in [0, 1], y (N,)) with random affine jitter, in eval mode."""
    g = torch.Generator().manual_seed(cfg.seed)
    model = reset_parameters(JudgeNet(), g)
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    model.train()
    for _ in range(cfg.epochs):
        perm = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), cfg.batch_size):
            idx = perm[i : i + cfg.batch_size]
            loss = F.cross_entropy(model(augment_batch(x[idx], g)), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return model.eval()


def load_judge(path=None) -> JudgeNet:
    """The shipped judge (or the checkpoint at `path`); core.checkpoints.CheckpointError if unusable."""
    from core import checkpoints

    return checkpoints.load(path or checkpoints.SHIPPED_DIR / JUDGE_FILE, expected_family=JUDGE_FAMILY).model


@torch.inference_mode()
def read(judge: nn.Module, images: torch.Tensor, batch_size: int = 500) -> tuple[np.ndarray, np.ndarray]:
    """(features (N, d) float64, class probabilities (N, 10) float64) of images (N, 1, 28, 28) in [0, 1]."""
    feats, probs = [], []
    for i in range(0, len(images), batch_size):
        f = judge.features(images[i : i + batch_size].float())  # (B, d)
        feats.append(f.double().numpy())
        probs.append(torch.softmax(judge.head(f), dim=1).double().numpy())
    if not feats:
        return np.zeros((0, judge.head.in_features)), np.zeros((0, 10))
    return np.concatenate(feats), np.concatenate(probs)


def fid(a: np.ndarray, b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (N, d) and (M, d)."""
    from scipy import linalg

    assert len(a) > 1 and len(b) > 1, f"FID needs at least 2 samples per set, got {len(a)} and {len(b)}"
    mu_a, mu_b = a.mean(axis=0), b.mean(axis=0)
    s_a, s_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)  # (d, d)
    with warnings.catch_warnings():  # a singular product (a unit that never fires) is handled below
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        covmean = linalg.sqrtm(s_a @ s_b)
    if not np.isfinite(covmean).all():  # a singular product: offset both diagonals (pytorch-fid does)
        eps = np.eye(len(s_a)) * 1e-6
        covmean = linalg.sqrtm((s_a + eps) @ (s_b + eps))
    covmean = np.real(covmean)  # rounding leaves a tiny imaginary part
    value = ((mu_a - mu_b) ** 2).sum() + np.trace(s_a) + np.trace(s_b) - 2 * np.trace(covmean)
    return float(max(0.0, value))


def _kth_radius(x: torch.Tensor, k: int) -> torch.Tensor:
    """Distance of each row to its k-th nearest other row: (N,)."""
    d = torch.cdist(x, x)  # (N, N); the diagonal 0 is the point itself
    return d.kthvalue(min(k + 1, len(x)), dim=1).values


def _inside(points: torch.Tensor, centres: torch.Tensor, radii: torch.Tensor) -> torch.Tensor:
    """For each point, whether it lies in some ball (centre, radius): (N,) bool."""
    return (torch.cdist(points, centres) <= radii[None, :]).any(dim=1)


def precision_recall(real: np.ndarray, fake: np.ndarray, k: int = K) -> tuple[float, float]:
    """Improved precision and recall (Kynkäänniemi et al. 2019) of fake features against real ones."""
    r, f = torch.from_numpy(real).double(), torch.from_numpy(fake).double()
    precision = _inside(f, r, _kth_radius(r, k)).double().mean()
    recall = _inside(r, f, _kth_radius(f, k)).double().mean()
    return float(precision), float(recall)


def nearest_distance(samples: torch.Tensor, train: torch.Tensor, chunk: int = 500) -> np.ndarray:
    """RMS pixel distance (in [0, 1]) of each sample (N, 1, 28, 28) to its nearest training digit: (N,).
    A copied training digit is at 0."""
    flat = train.reshape(len(train), -1).float()  # (M, 784)
    out = []
    for i in range(0, len(samples), chunk):
        s = samples[i : i + chunk].reshape(-1, flat.shape[1]).float()  # (n, 784)
        j = torch.cdist(s, flat).argmin(dim=1)  # cdist's matrix product is fast but rounds near 0...
        out.append((s - flat[j]).norm(dim=1))  # ...so the distance to the nearest is computed exactly
    if not out:
        return np.zeros(0)
    return (torch.cat(out) / math.sqrt(flat.shape[1])).numpy()


@dataclass(frozen=True)
class Reference:
    """What samples are compared with: the judge's features of every real digit and the training digits."""

    features: np.ndarray  # (R, d): all real digits (train and held out)
    x_train: torch.Tensor  # (M, 1, 28, 28): the digits the generative models were trained on
    x_heldout: torch.Tensor  # (H, 1, 28, 28): real digits no model saw (the memorisation floor)


def reference(judge: nn.Module, split) -> Reference:
    """The reference of a `core.data.Split`: its training and held-out digits together."""
    feats, _ = read(judge, torch.cat([split.x_train, split.x_test]))
    return Reference(feats, split.x_train, split.x_test)


def floor(ref: Reference, n: int, seed: int = 0) -> float:
    """FID of real digits against real digits at the same N: n real digits against the other real ones
    (disjoint), n at most half of them. No model can be expected to do better than this."""
    n = max(2, min(n, len(ref.features) // 2))
    perm = np.random.default_rng(seed).permutation(len(ref.features))
    return fid(ref.features[perm[:n]], ref.features[perm[n:]])


def evaluate(
    judge: nn.Module,
    images: torch.Tensor,
    ref: Reference,
    labels: torch.Tensor | None = None,
    seed: int = 0,
) -> dict:
    """Every figure of one set of samples (N, 1, 28, 28) in [0, 1]: FID against all real digits,
    precision and recall against N real digits (k = 3), the real-vs-real floor at the same N, the judge's
    digit shares and mean confidence, `agreement` (share read as the asked label, None without labels)
    and the nearest-training-digit distance (median, and the held-out real digits' median beside it)."""
    feats, probs = read(judge, images)
    pred, conf = probs.argmax(axis=1), probs.max(axis=1)
    rng = np.random.default_rng(seed)
    n_real = min(len(images), len(ref.features))
    real = ref.features[rng.permutation(len(ref.features))[:n_real]]
    precision, recall = precision_recall(real, feats)
    nearest = nearest_distance(images, ref.x_train)
    return {
        "n": len(images),
        "fid": fid(feats, ref.features),
        "precision": precision,
        "recall": recall,
        "floor": floor(ref, len(images), seed),
        "agreement": None if labels is None else float((pred == labels.numpy()).mean()),
        "shares": [float(s) for s in np.bincount(pred, minlength=10)[:10] / max(1, len(pred))],
        "confidence": float(conf.mean()),
        "nearest": float(np.median(nearest)),
        "nearest_real": float(np.median(nearest_distance(ref.x_heldout, ref.x_train))),
    }


TABLE_FILE = "generative_eval.json"  # in checkpoints/: bench/generative_eval.py's table, for the page


def shipped_table(path=None) -> dict | None:
    """The measured table beside the checkpoints (models, guidance sweep, floor, the command that wrote
    it), or None when it is missing or unreadable."""
    import json

    from core.checkpoints import SHIPPED_DIR

    try:
        table = json.loads((path or SHIPPED_DIR / TABLE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return table if isinstance(table, dict) and {"models", "sweep"} <= table.keys() else None
