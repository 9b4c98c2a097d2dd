"""`python -m core.cli attention ...`: train the tiny GPT on digits or on the Japanese text, and use it.

attention train --task sort --out checkpoints/gpt_sort.pth         # the shipped sort model (bench/README.md)
attention train --task text --out checkpoints/gpt_text_ja.pth      # the shipped text model (bench/README.md)
attention sample --prompt "学習率"                                  # continue a text (shipped text model)
attention sample --task sort --prompt "3 1 4 1 5 9"                # sort six digits (shipped sort model)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.commands import guarded

SHIPPED = {"sort": "gpt_sort.pth", "reverse": "gpt_sort.pth", "text": "gpt_text_ja.pth"}  # in checkpoints/


def _load(path: str | None, task: str):
    from core import checkpoints

    p = Path(path) if path else checkpoints.SHIPPED_DIR / SHIPPED[task]
    return checkpoints.load(p, expected_family="gpt.GPT")


def cmd_train(args: argparse.Namespace) -> int:
    import time

    import torch

    from core import attention as A
    from core import checkpoints
    from core.configs import with_overrides
    from core.models import count_parameters

    # the options left unset (None) keep the task's preset
    cfg = with_overrides(
        A.preset(args.task),
        steps=args.steps,
        n_layer=args.n_layer,
        n_head=args.n_head,
        n_embd=args.n_embd,
        lr=args.lr,
        batch_size=args.batch_size,
        eval_every=args.eval_every,
        block_size=args.block_size,
        dropout=args.dropout,
        length=args.length,
        digits=args.digits,
        seed=args.seed,
        threads=args.threads,
        easy_share=args.easy_share,
        pos_emb=not args.no_pos_emb,
        causal=not args.no_mask,
    )
    data = A.TextData.of(A.load_text(args.text or A.TEXT_PATH)) if cfg.task == "text" else None
    model = A.build_model(cfg, data.vocab.size if data else None)
    device = args.device or "cpu"
    print(f"{cfg.task}: {count_parameters(model):,} parameters on {device}; {cfg}")
    if data is not None:
        baseline = A.unigram_loss(data.train, data.val, data.vocab.size)
        print(
            f"text: {len(data.train) + len(data.val):,} characters, {data.vocab.size} distinct; "
            f"unigram baseline {baseline:.3f} nats/char"
        )
    t0, last, to_99 = time.perf_counter(), {}, None
    for rec in A.train_attention(model, cfg, device=device, data=data):
        if rec["kind"] == "diverged":
            print(f"diverged at step {rec['step']}: lower --lr", file=sys.stderr)
            return 1
        if rec["kind"] != "epoch":
            continue
        last = rec
        if data is None:
            if to_99 is None and rec["acc"] >= 0.99:
                to_99 = time.perf_counter() - t0
            print(
                f"step {rec['step']:5d}  loss {rec['train_loss']:.4f}  accuracy {rec['acc']:6.1%} "
                f"(digits right when shown the answer so far: {rec['token_acc']:6.1%})  "
                f"({rec['elapsed']:.0f} s)"
            )
        else:
            print(
                f"step {rec['step']:5d}  loss {rec['train_loss']:.3f}  val {rec['val_loss']:.3f}  "
                f"({rec['elapsed']:.0f} s)  {rec['sample'][:40]!r}"
            )
    seconds = time.perf_counter() - t0
    model = model.cpu().eval()
    if data is None:
        x = A.draw_inputs(cfg, 2000, torch.Generator().manual_seed(12345), test=True)
        final = A.digit_accuracy(model, cfg, x)
        metrics = {
            "held_out_acc": final["acc"],
            "token_acc": final["token_acc"],
            "train_loss": last["train_loss"],
        }
        print(
            f"held-out accuracy on 2,000 sequences: {final['acc']:.2%}; 99 % first reached after "
            + (f"{to_99:.1f} s" if to_99 is not None else "never")
        )
        metrics["seconds_to_99"] = to_99
        report = A.easy_case_report(model, cfg, n=2000, seed=12345)
        metrics["families"] = {name: r["acc"] for name, r in report.items()}
        print(
            "families (exact sequences right): "
            + ", ".join(f"{name} {r['acc']:.2%} of {r['n']:,}" for name, r in report.items())
        )
    else:
        val = A.text_loss(model, data.val, cfg.block_size, batches=32)
        metrics = {"val_loss": val, "unigram_loss": baseline, "train_loss": last["train_loss"]}
        print(f"validation loss {val:.3f} nats/char vs unigram {baseline:.3f}")
    metrics["seconds"] = seconds
    if args.out:
        meta = A.checkpoint_meta(
            cfg,
            data,
            metrics=metrics,
            parameters=count_parameters(model),
            command="python -m core.cli attention train " + " ".join(args.argv),
        )
        checkpoints.save(model, args.out, meta=meta, shipped=True)
        print(f"saved {args.out} (gpt.GPT)")
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    import torch

    from core import attention as A

    loaded = _load(args.checkpoint, args.task)
    cfg = A.config_of(loaded.meta)
    if cfg.task == "text":
        vocab = A.vocab_of(loaded.meta)
        if vocab is None:
            raise ValueError("the checkpoint holds no characters (meta 'vocab')")
        text = A.sample_text(
            loaded.model, vocab, args.prompt, args.n, args.temperature, args.top_k or None, args.seed
        )
        print(args.prompt + text)
        return 0
    x = A.parse_digits(args.prompt, cfg)
    answer = A.solve(loaded.model, x.view(1, -1))[0]
    print(" ".join(map(str, x.tolist())) + " → " + " ".join(map(str, answer.tolist())))
    truth = A.digits_answer(x.view(1, -1), cfg.task)[0]
    if not torch.equal(answer, truth):
        print(f"(the right answer: {' '.join(map(str, truth.tolist()))})", file=sys.stderr)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("attention", help="a tiny GPT: sort / reverse digits or continue a Japanese text")
    sp = p.add_subparsers(dest="attention_command", required=True)

    t = sp.add_parser("train", help="train the GPT and save a checkpoint")
    t.add_argument("--task", choices=("sort", "reverse", "text"), default="sort")
    t.add_argument("--steps", type=int, default=None, help="updates (default: the task's preset)")
    t.add_argument("--n-layer", type=int, default=None)
    t.add_argument("--n-head", type=int, default=None)
    t.add_argument("--n-embd", type=int, default=None)
    t.add_argument("--lr", type=float, default=None)
    t.add_argument("--batch-size", type=int, default=None)
    t.add_argument("--eval-every", type=int, default=None, help="updates between two evaluations")
    t.add_argument("--block-size", type=int, default=None, help="text: characters of context")
    t.add_argument("--dropout", type=float, default=None)
    t.add_argument("--length", type=int, default=None, help="digits per sequence (sort / reverse)")
    t.add_argument("--digits", type=int, default=None, help="the digits 0..N-1 (sort / reverse)")
    t.add_argument(
        "--easy-share", type=float, default=None, help="digits: share of each batch from the easy families"
    )
    t.add_argument("--no-pos-emb", action="store_true", help="leave out the position embedding")
    t.add_argument("--no-mask", action="store_true", help="no causal mask (the model can peek)")
    t.add_argument("--text", default=None, help="a UTF-8 text file (default: core/texts/ja.txt)")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--device", default=None, help="cpu / cuda / mps (default: cpu)")
    t.add_argument("--threads", type=int, default=1, help="torch CPU threads (0: torch's default)")
    t.add_argument("--out", default=None, help="where to save (e.g. checkpoints/gpt_sort.pth)")
    t.set_defaults(func=guarded(cmd_train), argv=sys.argv[3:])

    s = sp.add_parser("sample", help="continue a text prompt, or answer a digit sequence")
    s.add_argument("--prompt", required=True, help='text to continue, or digits like "3 1 4 1 5 9"')
    s.add_argument("--task", choices=("sort", "text"), default="text", help="which shipped model")
    s.add_argument("--checkpoint", default=None, help="a GPT checkpoint (default: the task's shipped one)")
    s.add_argument("--n", type=int, default=100, help="characters to write (text)")
    s.add_argument("--temperature", type=float, default=0.8, help="0: always the most likely character")
    s.add_argument("--top-k", type=int, default=10, help="draw only from the k most likely (0: all)")
    s.add_argument("--seed", type=int, default=0)
    s.set_defaults(func=guarded(cmd_sample))
