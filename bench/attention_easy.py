"""The sort model on the inputs a student types first: each input family's exact-sequence accuracy
(`core.attention.easy_case_report`): all ten all-equal inputs, and n held-out inputs with many repeats,
already sorted, back to front, and uniform. Targets: every family >= 99.9 %, uniform held-out = 100 %.

Checks the shipped `checkpoints/gpt_sort.pth` (or `--checkpoint`); `--train` also trains the page's default
live run (`core.attention.SORT`, one thread) and checks it the same way. The last line is a summary.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402

from core import attention as A  # noqa: E402
from core import checkpoints, configs  # noqa: E402

FAMILY_TARGET = 0.999
RANDOM_TARGET = 1.0


def check(name: str, model, cfg: A.AttentionConfig, n: int) -> tuple[bool, str]:
    """Print each family's accuracy for `model`; (targets met, one summary part)."""
    t0 = time.perf_counter()
    report = A.easy_case_report(model, cfg, n=n, seed=2024)
    seconds = time.perf_counter() - t0
    for family, r in report.items():
        print(f"{name}: {family:8s} {r['acc']:8.2%}  ({r['right']:,} of {r['n']:,} right)")
    print(f"{name}: report in {seconds:.1f} s")
    met = all(r["acc"] >= FAMILY_TARGET for r in report.values()) and report["random"]["acc"] >= RANDOM_TARGET
    worst = min(report, key=lambda f: report[f]["acc"])
    return met, f"{name} worst {worst} {report[worst]['acc']:.2%}, random {report['random']['acc']:.2%}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", default=str(checkpoints.SHIPPED_DIR / "gpt_sort.pth"))
    p.add_argument("--n", type=int, default=10_000, help="held-out inputs per family (all-equal: all)")
    p.add_argument("--train", action="store_true", help="also train the page's default live run")
    p.add_argument("--seed", type=int, default=0, help="the live run's seed")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    results = []

    loaded = checkpoints.load(Path(args.checkpoint), expected_family="gpt.GPT")
    results.append(check("shipped", loaded.model, A.config_of(loaded.meta), args.n))

    if args.train:
        cfg = configs.with_overrides(A.SORT, seed=args.seed)
        model = A.build_model(cfg)
        t0 = time.perf_counter()
        for _ in A.train_attention(model, cfg):
            pass
        print(f"live run: {cfg.steps} updates in {time.perf_counter() - t0:.1f} s")
        results.append(check("live run", model.eval(), cfg, args.n))

    met = all(ok for ok, _ in results)
    print(
        f"summary: {'targets met' if met else 'TARGET MISSED'} (every family >= {FAMILY_TARGET:.1%}, "
        f"random held-out {RANDOM_TARGET:.0%}) — " + "; ".join(part for _, part in results)
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
