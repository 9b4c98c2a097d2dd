"""`python -m core.cli vae ...`: sample, encode, decode and train the autoencoders of 004 (ch. 2).

vae sample --n 16 --seed 0 --out samples.npy      # decodes z ~ N(0, I): (N, 28, 28) in [0, 1]
vae encode --in digits.npy --out means.npy        # (N, 28, 28) images -> latent means (N, d)
vae decode --in means.npy --out digits.npy        # (N, d) latent points -> (N, 28, 28)
vae train --kind vae --latent 2 --epochs 30 --out checkpoints/vae_mnist.pth
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from core.commands import guarded

DEFAULT_CHECKPOINT = "vae_mnist.pth"  # in checkpoints/


def _load(path: str | None):
    from core import checkpoints

    p = Path(path) if path else checkpoints.SHIPPED_DIR / DEFAULT_CHECKPOINT
    loaded = checkpoints.load(p)
    if not loaded.family.startswith("vae."):
        raise checkpoints.CheckpointError("foreign", f"{loaded.family} is not an autoencoder")
    return loaded.model


def _images(a: np.ndarray) -> np.ndarray:
    """(N, 28, 28), (N, 1, 28, 28) or (N, 784); [0, 1] floats or 0..255 -> (N, 1, 28, 28) float32."""
    a = np.asarray(a, dtype=np.float32)
    if a.ndim == 2 and a.shape[1] == 784 or a.ndim in (3, 4) and a.shape[-2:] == (28, 28):
        a = a.reshape(-1, 1, 28, 28)
    else:
        raise ValueError(f"expected images shaped (N, 28, 28), (N, 1, 28, 28) or (N, 784), got {a.shape}")
    if not np.isfinite(a).all():
        raise ValueError("the images hold NaN or infinity")
    return a / 255.0 if a.max() > 1.0 else a


def _save(path: str, array: np.ndarray) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    np.save(path, array)
    print(f"wrote {path}: shape {tuple(array.shape)}, {array.dtype}")


def cmd_sample(args: argparse.Namespace) -> int:
    import torch

    from core.vae import sample_prior

    model = _load(args.checkpoint)
    images = sample_prior(model, args.n, torch.Generator().manual_seed(args.seed))
    _save(args.out, images[:, 0].numpy().astype(np.float32))
    return 0


def cmd_encode(args: argparse.Namespace) -> int:
    import torch

    from core.vae import latent_means

    model = _load(args.checkpoint)
    x = torch.as_tensor(_images(np.load(args.inp, allow_pickle=False)))
    _save(args.out, latent_means(model, x).numpy().astype(np.float32))
    return 0


def cmd_decode(args: argparse.Namespace) -> int:
    from core.vae import decode

    model = _load(args.checkpoint)
    z = np.asarray(np.load(args.inp, allow_pickle=False), dtype=np.float32)
    if z.ndim == 1:
        z = z.reshape(1, -1)
    if z.ndim != 2 or z.shape[1] != model.latent_dim:
        raise ValueError(f"expected latent points shaped (N, {model.latent_dim}), got {z.shape}")
    if not np.isfinite(z).all():
        raise ValueError("the latent points hold NaN or infinity")
    _save(args.out, decode(model, z)[:, 0].numpy().astype(np.float32))
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    import torch

    from core import checkpoints, data
    from core.device import default_device
    from core.vae import FAMILY, VAEConfig, build_model, train_autoencoder, vae_quality

    torch.set_num_threads(args.threads) if args.threads else None
    cfg = VAEConfig(
        kind=args.kind,
        latent_dim=args.latent,
        beta=args.beta,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        seed=args.seed,
        augment=args.augment,
        channels=_channels(args.channels),
        hidden=args.hidden,
        input_dropout=args.input_dropout,
        augment_input=args.augment_input,
    )
    split = data.load_mnist()
    device = args.device or default_device().name
    print(f"data: {split.provenance.description}; device: {device}; {cfg}")
    model = build_model(cfg)
    last: dict = {}
    for rec in train_autoencoder(
        model,
        split.x_train,
        cfg,
        split.x_test,
        split.y_test,
        device=device,
        map_points=10 if args.quiet_map else 1000,
    ):
        if rec["kind"] == "diverged":
            print(f"diverged at step {rec['step']}: lower --lr", file=sys.stderr)
            return 1
        if rec["kind"] == "epoch":
            last = rec
            print(
                f"epoch {rec['epoch']:3d}  recon {rec['recon']:7.2f}  KL {rec['kl']:6.2f}  "
                f"test recon {rec['val_recon']:7.2f}  test KL {rec['val_kl']:6.2f}  ({rec['elapsed']:.0f} s)"
            )
    model = model.cpu().eval()
    metrics = {
        "test_recon_bce": last["val_recon"],
        "test_kl": last["val_kl"],
        "train_loss": last["train_loss"],
    }
    cls_path = Path(args.classifier) if args.classifier else checkpoints.SHIPPED_DIR / "cnn_mnist.pth"
    try:
        classifier = checkpoints.load(cls_path, expected_family="cnn.MNISTCNN").model
        q = vae_quality(model, classifier, split.x_test, split.y_test)
        metrics.update(
            recon_acc=q["recon_acc"], prior_min_share=q["prior_min_share"], classifier=cls_path.name
        )
        print(
            f"reconstructions read right: {q['recon_acc']:.1%}; smallest digit share of prior samples: "
            f"{q['prior_min_share']:.1%} ({' '.join(f'{s:.0%}' for s in q['prior_shares'])})"
        )
    except checkpoints.CheckpointError as e:
        print(f"no classifier to judge the samples ({e.code}: {cls_path})")
    if args.out:
        meta = {
            "provenance": split.provenance.as_dict(),
            "epochs": cfg.epochs,
            "metrics": metrics,
            "train_config": cfg.as_dict(),
            "command": "python -m core.cli vae train " + " ".join(args.argv),
        }
        checkpoints.save(model, args.out, meta=meta, shipped=True)  # config: the model's model_args
        print(f"saved {args.out} ({FAMILY[cfg.kind]})")
    return 0


def _hidden(text: str) -> int:
    n = int(text)
    if not 0 <= n <= 4096:
        raise argparse.ArgumentTypeError(f"--hidden takes 0-4096, got {n}")
    return n


def _share(text: str) -> float:
    v = float(text)
    if not 0.0 <= v <= 0.9:
        raise argparse.ArgumentTypeError(f"--input-dropout takes 0-0.9, got {v}")
    return v


def _channels(text: str) -> tuple[int, int, int]:
    """'32/64/128' -> (32, 64, 128): the conv widths of the encoder (the decoder mirrors them)."""
    parts = text.split("/")
    if len(parts) != 3 or not all(p.isdigit() and 1 <= int(p) <= 512 for p in parts):
        raise ValueError(f"--channels takes three widths 1-512 like 32/64/128, got {text!r}")
    return tuple(int(p) for p in parts)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("vae", help="autoencoder / VAE: sample, encode, decode, train (004, ch. 2)")
    vs = p.add_subparsers(dest="vae_command", required=True)
    ck = {"help": "checkpoint (default: checkpoints/vae_mnist.pth)"}

    s = vs.add_parser("sample", help="decode z ~ N(0, I) into N x 28 x 28 images in [0, 1]")
    s.add_argument("--n", type=int, default=16)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--out", required=True)
    s.add_argument("--checkpoint", **ck)
    s.set_defaults(func=guarded(cmd_sample))

    e = vs.add_parser("encode", help="images (N x 28 x 28 .npy) -> latent means (N x d)")
    e.add_argument("--in", dest="inp", required=True)
    e.add_argument("--out", required=True)
    e.add_argument("--checkpoint", **ck)
    e.set_defaults(func=guarded(cmd_encode))

    d = vs.add_parser("decode", help="latent points (N x d .npy) -> images (N x 28 x 28)")
    d.add_argument("--in", dest="inp", required=True)
    d.add_argument("--out", required=True)
    d.add_argument("--checkpoint", **ck)
    d.set_defaults(func=guarded(cmd_decode))

    t = vs.add_parser("train", help="train an AE/VAE on MNIST and save a checkpoint")
    t.add_argument("--kind", choices=("vae", "ae", "dense"), default="vae")
    t.add_argument("--latent", type=int, default=2)
    t.add_argument("--beta", type=float, default=1.0)
    t.add_argument("--epochs", type=int, default=30)
    t.add_argument("--batch-size", type=int, default=128)
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--augment", action="store_true", help="random shifts/rotations of each batch")
    t.add_argument("--channels", default="32/64/128", help="conv widths c1/c2/c3 (conv AE and VAE)")
    t.add_argument(
        "--hidden",
        type=_hidden,
        default=0,
        help="a dense ReLU layer of this width on each side of the code (0: the notes' model)",
    )
    t.add_argument(
        "--augment-input",
        action="store_true",
        help="random shifts/rotations of what the encoder sees only (the target stays)",
    )
    t.add_argument(
        "--input-dropout",
        type=_share,
        default=0.0,
        help="denoising: share of input pixels blanked while training (0-0.9)",
    )
    t.add_argument("--device", default=None, help="cpu / cuda / mps (default: the best available)")
    t.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    t.add_argument("--classifier", default=None, help="CNN checkpoint to judge the result (default: shipped)")
    t.add_argument("--quiet-map", action="store_true", help=argparse.SUPPRESS)
    t.add_argument("--out", default=None, help="where to save (e.g. checkpoints/vae_mnist.pth)")
    t.set_defaults(func=guarded(cmd_train), argv=sys.argv[3:])
