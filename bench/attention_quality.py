"""The attention page's targets: the sort task's default live run against the clock, the shipped text model
against a model that ignores context, and the speed of generation.

- sort: seconds until the default live run (`core.attention.SORT`, one CPU thread as the page's job runs
  it) first writes >= 99 % of 500 held-out sequences right (target < 60 s), and its accuracy on 2,000
  held-out sequences at the end;
- text: the shipped model's validation loss per character (nats) against the unigram baseline;
- generation: characters per second of the shipped text model writing 200 characters (batch 1).
`--experiments` also trains the page's experiments (mask off, one head, no position embedding, reverse
with and without it) and prints each one's accuracy. The last line is a summary.
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

TARGET_S = 60.0


def live_run(cfg: A.AttentionConfig) -> dict:
    """Train `cfg` as the page does; seconds to the first record >= 99 %, and the final accuracies."""
    model = A.build_model(cfg)
    t0, first_99, last = time.perf_counter(), None, {}
    for rec in A.train_attention(model, cfg):
        if rec["kind"] == "epoch":
            last = rec
            if first_99 is None and rec["acc"] >= 0.99:
                first_99 = time.perf_counter() - t0
    seconds = time.perf_counter() - t0
    x = A.draw_inputs(cfg, 2000, torch.Generator().manual_seed(12345), test=True)
    final = A.digit_accuracy(model, cfg, x)
    return {"first_99": first_99, "seconds": seconds, **final, "last": last}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--experiments", action="store_true", help="also train the page's experiments")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    parts = []

    sort = live_run(configs.with_overrides(A.SORT, seed=args.seed))
    hit = sort["first_99"]
    print(
        f"sort (default live run, {A.SORT.steps} updates): 99 % first after "
        + (f"{hit:.1f} s" if hit is not None else "never")
        + f"; {sort['seconds']:.1f} s in all; held-out accuracy {sort['acc']:.2%} of 2,000"
    )
    met = hit is not None and hit < TARGET_S
    parts.append(f"sort 99% in {hit:.1f} s" if hit is not None else "sort never 99%")

    try:
        loaded = checkpoints.load(checkpoints.SHIPPED_DIR / "gpt_text_ja.pth", expected_family="gpt.GPT")
    except checkpoints.CheckpointError as e:
        print(f"text: no shipped model ({e.code})")
        parts.append("text: no model")
    else:
        cfg, vocab = A.config_of(loaded.meta), A.vocab_of(loaded.meta)
        data = A.TextData.of(A.load_text())
        assert data.vocab == vocab, "the shipped model's characters are not those of core/texts/ja.txt"
        val = A.text_loss(loaded.model, data.val, cfg.block_size, batches=64)
        base = A.unigram_loss(data.train, data.val, vocab.size)
        print(
            f"text: validation loss {val:.3f} nats/char vs unigram {base:.3f} ({len(data.val):,} characters)"
        )
        t0 = time.perf_counter()
        A.sample_text(loaded.model, vocab, "学習率", 200, 0.8, 10, seed=0)
        rate = 200 / (time.perf_counter() - t0)
        print(f"generation: {rate:.0f} characters/s (200 characters, batch 1, context {cfg.block_size})")
        parts += [f"text val {val:.2f} vs unigram {base:.2f} nats/char", f"{rate:.0f} tokens/s"]

    if args.experiments:
        for name, cfg in (
            ("mask off", configs.with_overrides(A.SORT, causal=False)),
            ("one head", configs.with_overrides(A.SORT, n_head=1)),
            ("no position embedding", configs.with_overrides(A.SORT, pos_emb=False)),
            ("reverse", A.REVERSE),
            ("reverse, no position embedding", configs.with_overrides(A.REVERSE, pos_emb=False)),
        ):
            r = live_run(configs.with_overrides(cfg, seed=args.seed))
            when = f"{r['first_99']:.1f} s" if r["first_99"] is not None else "never"
            print(
                f"experiment {cfg.task}, {name}: accuracy {r['acc']:.1%}, digits right when shown the answer "
                f"so far {r['token_acc']:.1%}, 99 % {when} ({r['seconds']:.0f} s)"
            )
    print(
        f"summary: {'target met' if met else 'TARGET MISSED'} (sort < {TARGET_S:.0f} s) — " + "; ".join(parts)
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
