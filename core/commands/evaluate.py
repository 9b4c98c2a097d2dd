"""`python -m core.cli evaluate ...`: the shipped generative models judged as the field judges them
(course Part 3, §3.6): FID, precision and recall on an independent judge's features (core/gen_eval.py).

evaluate --model diffusion --n 1000 --seed 0          # one JSON line: fid, precision, recall, agreement, ...
evaluate --model diffusion --guidance 3 --band 0.2 0.8
evaluate --train-judge checkpoints/judge_mnist.pth     # the shipped judge (about a minute on one thread)
"""

from __future__ import annotations

import argparse
import json
import time

from core.commands import guarded

MODELS = ("gan", "cgan", "vae", "diffusion")
CONDITIONAL = ("cgan", "diffusion")  # their samples ask for a digit: the judge says if they got it
MAX_SAMPLES = 10_000
JUDGE_COMMAND = "python -m core.cli evaluate --train-judge checkpoints/judge_mnist.pth --threads 1"


def sampler_for(name: str, guidance: float | None = None, band: tuple[float, float] | None = None):
    """(make(n, seed) -> (images (n, 1, 28, 28) in [0, 1], labels (n,) or None), settings) for a shipped
    model; the conditional ones are asked for the digits 0-9 in turn."""
    import torch

    from core import checkpoints
    from core.diffusion import even_labels

    shipped = checkpoints.SHIPPED_DIR
    if name in ("gan", "cgan"):
        from core.gan import generate, latents

        family = "gan.Generator" if name == "gan" else "gan.CondGenerator"
        G = checkpoints.load(shipped / f"{name}_mnist.pth", expected_family=family).model

        def make(n: int, seed: int):
            labels = even_labels(n) if name == "cgan" else None
            return generate(G, latents(n, G.latent_dim, seed), labels), labels

        return make, {}
    if name == "vae":
        from core.vae import sample_prior

        model = checkpoints.load(shipped / "vae_mnist.pth", expected_family="vae.ConvVAE").model
        return lambda n, seed: (sample_prior(model, n, torch.Generator().manual_seed(seed)), None), {}
    from core import diffusion as D

    loaded = checkpoints.load(shipped / "diffusion_mnist.pth", expected_family="diffusion.UNet")
    model, stored = loaded.model, dict(loaded.meta.get("sampling") or {})
    sampler = stored.get("sampler") or D.default_sampler(model)
    steps = int(stored.get("steps") or D.DEFAULT_STEPS[sampler])
    w = D.DEFAULT_GUIDANCE if guidance is None else guidance
    band = D.DEFAULT_BAND if band is None else band

    def make_diffusion(n: int, seed: int):
        labels = even_labels(n)
        return D.sample(
            model, n, seed, labels=labels, sampler=sampler, steps=steps, guidance=w, band=band
        ), labels

    return make_diffusion, {"sampler": sampler, "steps": steps, "guidance": w, "band": list(band)}


def evaluate_model(name: str, n: int, seed: int, judge, ref, guidance=None, band=None) -> dict:
    """The figures of n samples of one shipped model, with the seconds its sampling took."""
    from core import gen_eval

    make, settings = sampler_for(name, guidance, band)
    t0, c0 = time.perf_counter(), time.process_time()
    images, labels = make(n, seed)
    seconds, cpu = (
        time.perf_counter() - t0,
        time.process_time() - c0,
    )  # CPU time: other work stretches wall time
    figures = gen_eval.evaluate(judge, images, ref, labels if name in CONDITIONAL else None, seed)
    return {
        "model": name,
        **settings,
        **figures,
        "seconds": seconds,
        "seconds_per_100": 100 * seconds / n,
        "cpu_seconds": cpu,
    }


def cmd_evaluate(args: argparse.Namespace) -> int:
    import torch

    from core import checkpoints, data, gen_eval

    if args.threads:
        torch.set_num_threads(args.threads)
    if args.train_judge:
        split = data.load_embedded_mnist()
        t0 = time.perf_counter()
        judge = gen_eval.train_judge(split.x_train, split.y_train)
        _, probs = gen_eval.read(judge, split.x_test)
        acc = float((probs.argmax(axis=1) == split.y_test.numpy()).mean())
        meta = {
            "provenance": split.provenance.as_dict(),
            "train_config": gen_eval.JudgeConfig().__dict__,
            "metrics": {"heldout_accuracy": acc},
            "command": JUDGE_COMMAND,
        }
        checkpoints.save(judge, args.train_judge, meta=meta, shipped=True)
        print(f"saved {args.train_judge}: held-out accuracy {acc:.1%} ({time.perf_counter() - t0:.0f} s)")
        return 0
    if args.model is None:
        raise ValueError("give --model (gan, cgan, vae or diffusion) or --train-judge PATH")
    if not 2 <= args.n <= MAX_SAMPLES:
        raise ValueError(f"--n must be between 2 and {MAX_SAMPLES}")
    if args.guidance is not None and not 0 <= args.guidance <= 20:
        raise ValueError(f"--guidance must be between 0 and 20, got {args.guidance}")
    if args.band is not None and not 0 <= args.band[0] <= args.band[1] <= 1:
        raise ValueError(f"--band needs 0 <= LO <= HI <= 1, got {args.band[0]} {args.band[1]}")
    if args.model != "diffusion" and (args.guidance is not None or args.band is not None):
        raise ValueError("--guidance and --band are the diffusion model's")
    judge = gen_eval.load_judge(args.judge)
    ref = gen_eval.reference(judge, data.load_embedded_mnist())
    band = tuple(args.band) if args.band is not None else None
    out = evaluate_model(args.model, args.n, args.seed, judge, ref, args.guidance, band)
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}))
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "evaluate",
        help="FID, precision, recall of a shipped generative model on an independent judge (Part 3)",
    )
    p.add_argument("--model", choices=MODELS, default=None)
    p.add_argument("--n", type=int, default=1000, help="samples (the conditional models: 0-9 in turn)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--guidance", type=float, default=None, help="diffusion: guidance scale w (default: core's)"
    )
    p.add_argument(
        "--band",
        type=float,
        nargs=2,
        metavar=("LO", "HI"),
        default=None,
        help="diffusion: guidance band of t",
    )
    p.add_argument(
        "--judge", default=None, help="the judge's checkpoint (default: checkpoints/judge_mnist.pth)"
    )
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    p.add_argument("--train-judge", default=None, metavar="OUT", help="train the judge and save it to OUT")
    p.set_defaults(func=guarded(cmd_evaluate))
