"""Training the GAN and cGAN (course Part 3.2, DCGAN; lesson 003, cGAN; Goodfellow et al. 2014).

Each batch is one `d_step` and one `g_step`, as in pytorch/examples' dcgan; `train_gan` / `train_cgan`
yield a record per batch and per epoch (with a grid from a fixed z, like the course's `out/epoch_N.png`).
A mutable `controls` dict switches "D only / G only / both" and slow motion during a run (GAN Lab).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from core import records
from core.configs import from_dict
from core.images import to_signed_range, to_uint8, to_unit_range
from core.metrics import classify, digit_shares, train_classifier
from core.models import ema_update, evaluating, model_args, reset_parameters
from core.models.gan import N_CLASSES, CondDiscriminator, CondGenerator, Discriminator, Generator, one_hot
from core.train import evaluate, make_optimizer

MODES = ("both", "d", "g")  # which network(s) a step updates
OPTIMIZERS = ("adam", "sgd_momentum")  # names of core.train.OPTIMIZERS; the GAN's SGD keeps momentum 0.9


@dataclass(frozen=True)
class GanConfig:
    """One GAN run. Defaults are the *improved* settings; `COURSE` below holds the course's."""

    latent_dim: int = 100  # course: 100
    g_width: int = 64  # channels after G's first layer (course 128); smaller = faster on a CPU
    d_width: int = 32  # channels of D's first conv (course 64)
    batch_norm: bool = True  # DCGAN practice (in G; in D unless spectral norm); the course has none
    spectral_norm: bool = False  # spectral normalisation in D instead of batch norm
    mbstd: bool = False  # minibatch std-dev feature in D (ProGAN) against mode collapse
    d_batch_norm: bool = True  # False: batch norm in G only (D's batch statistics can betray fakes)
    epochs: int = 20
    batch_size: int = 64  # course: 512 (8 updates per epoch on 4,000 images: far too few)
    g_lr: float = 2e-4  # DCGAN paper; course G 4e-4
    d_lr: float = 2e-4  # course D 1e-4
    g_optimizer: str = "adam"  # "adam" | "sgd_momentum" (momentum 0.9)
    d_optimizer: str = "adam"
    beta1: float = 0.5  # Adam's momentum; 0.9 (default) oscillates in a two-player game
    real_target: float = 0.9  # one-sided label smoothing: D aims at 0.9 for real, keeps D from winning
    unit_range: bool = False  # True feeds real images in [0, 1] as the course script does (mismatch)
    seed: int = 0
    n_fixed: int = 64  # images in the fixed-z grid (cGAN: rows of 10)
    image_size: int = 28  # 28 MNIST, 8 scikit-learn digits (cGAN only)
    augment: bool = False  # DiffAugment (Zhao et al. 2020): D sees randomly shifted images, real and fake
    aux_weight: float = 0.0  # cGAN 28x28: > 0 adds AC-GAN's "which digit?" loss to D and G
    ema: float = 0.999  # > 0: the CLI samples from a moving average of G's weights (ProGAN, 2018)
    mapping: int = 0  # > 0: unconditional G starts with a 2-layer mapping network of this width (StyleGAN)
    g_refine: bool = False  # unconditional G: a 3x3 conv at 14x14 between its two upsamplings
    lr_decay_from: float = 1.0  # < 1: after this share of the steps both learning rates fall linearly to 0

    def as_dict(self) -> dict:
        return asdict(self)


IMPROVED = GanConfig()
COURSE = GanConfig(
    g_width=128,
    d_width=64,
    batch_norm=False,
    batch_size=512,
    g_lr=4e-4,
    d_lr=1e-4,
    beta1=0.9,
    real_target=1.0,
    ema=0.0,
)
PRESETS = {"improved": IMPROVED, "course": COURSE}
# The GAN page's first live run: the improved settings for as long as a lesson can wait
# (bench/gen_quality_gan.py measures it; bench/README.md), ending in digits the shipped CNN reads.
LIVE = replace(IMPROVED, epochs=30)


def build_models(
    cfg: GanConfig, conditional: bool, generator: torch.Generator
) -> tuple[nn.Module, nn.Module]:
    """Fresh G and D for `cfg`, initialised from `generator` (reproducible per run)."""
    if conditional:
        G = CondGenerator(cfg.latent_dim, cfg.g_width, cfg.image_size, cfg.batch_norm)
        D = CondDiscriminator(
            cfg.d_width,
            cfg.image_size,
            cfg.batch_norm and cfg.d_batch_norm and not cfg.spectral_norm,
            cfg.spectral_norm,
            aux=cfg.aux_weight > 0 and cfg.image_size == 28,
        )
    else:
        G = Generator(cfg.latent_dim, cfg.g_width, cfg.batch_norm, cfg.mapping, cfg.g_refine)
        D = Discriminator(
            cfg.d_width,
            cfg.batch_norm and cfg.d_batch_norm and not cfg.spectral_norm,
            cfg.spectral_norm,
            cfg.mbstd,
        )
    return reset_parameters(G, generator), _reset_spectral(reset_parameters(D, generator), generator)


def _reset_spectral(model: nn.Module, generator: torch.Generator) -> nn.Module:
    """`reset_parameters` cannot reach spectrally normalised weights (`layer.weight` is computed):
    draw their originals and the power-iteration vectors from the per-run generator too."""
    for layer in model.modules():
        if nn.utils.parametrize.is_parametrized(layer, "weight"):
            original = layer.parametrizations.weight.original
            nn.init.kaiming_uniform_(original, a=math.sqrt(5), generator=generator)
            sn = layer.parametrizations.weight[0]
            with torch.no_grad():
                for vec in (sn._u, sn._v):
                    vec.copy_(F.normalize(torch.randn(vec.shape, generator=generator), dim=0, eps=sn.eps))
    return model


def _bce(logits: torch.Tensor, target: float) -> torch.Tensor:
    """The course's BCELoss(Sigmoid(D(x)), target), computed from logits."""
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


@torch.no_grad()
def generate(G: nn.Module, z: torch.Tensor, labels: torch.Tensor | None = None) -> torch.Tensor:
    """Images in [0, 1] (B, 1, S, S) from G in eval mode (batch-norm running statistics)."""
    with evaluating(G):
        out = G(z) if labels is None else G(z, one_hot(labels.to(z.device)))  # (B, 1, S, S) in [-1, 1]
    return to_unit_range(out).cpu()


def latents(n: int, latent_dim: int, seed: int) -> torch.Tensor:
    """n latent vectors z ~ N(0, I) from `seed` alone: the same seed gives the same samples."""
    return torch.randn(n, latent_dim, generator=torch.Generator().manual_seed(seed))


def sample(G: nn.Module, n: int, seed: int, label: int | None = None, device: str = "cpu") -> torch.Tensor:
    """n samples (n, 1, S, S) in [0, 1]; a cGAN needs `label` (0-9)."""
    z = latents(n, G.latent_dim, seed).to(device)
    labels = None if label is None else torch.full((n,), int(label), dtype=torch.long)
    if isinstance(G, CondGenerator) and labels is None:
        raise ValueError("a conditional generator needs a label 0-9")
    return generate(G, z, labels)


def slerp(a: torch.Tensor, b: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Spherical interpolation (White 2016): stays where N(0, I) puts its mass, unlike a straight line."""
    an, bn = a / a.norm(), b / b.norm()
    omega = torch.acos((an * bn).sum().clamp(-1 + 1e-7, 1 - 1e-7))
    t = t[:, None]
    return (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)


def interpolate(
    G: nn.Module, seed_a: int, seed_b: int, steps: int = 10, label: int | None = None, device: str = "cpu"
) -> torch.Tensor:
    """`steps` images walking from z(seed_a) to z(seed_b) (the digit fixed for a cGAN)."""
    za, zb = latents(1, G.latent_dim, seed_a)[0], latents(1, G.latent_dim, seed_b)[0]
    z = slerp(za, zb, torch.linspace(0, 1, steps)).to(device)  # (steps, latent_dim)
    labels = None if label is None else torch.full((steps,), int(label), dtype=torch.long)
    return generate(G, z, labels)


def digit_grid_labels(rows: int) -> torch.Tensor:
    """Labels for a rows x 10 grid: one column per digit 0-9."""
    return torch.arange(N_CLASSES).repeat(rows)  # (rows*10,)


def fixed_grid_inputs(
    G: nn.Module, rows: int, seed: int, conditional: bool
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """z (and labels) of a cGAN grid: one z per row repeated across the 10 digit columns."""
    if not conditional:
        return latents(rows, G.latent_dim, seed), None
    z = latents(rows, G.latent_dim, seed).repeat_interleave(N_CLASSES, dim=0)  # (rows*10, latent)
    return z, digit_grid_labels(rows)


def translate(x: torch.Tensor, generator: torch.Generator, max_shift: int = 2) -> torch.Tensor:
    """Shift each image by up to `max_shift` pixels, differentiably (DiffAugment's translation).

    Applied to real *and* fake images before D, so D cannot memorise the 4,000 real digits and G still
    gets gradients through the shift. Pixels moving in are background (-1)."""
    B, _, H, W = x.shape
    shift = torch.randint(-max_shift, max_shift + 1, (B, 2), generator=generator).float().to(x.device)
    theta = torch.zeros(B, 2, 3, device=x.device)
    theta[:, 0, 0] = theta[:, 1, 1] = 1
    theta[:, 0, 2], theta[:, 1, 2] = 2 * shift[:, 0] / W, 2 * shift[:, 1] / H
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x + 1, grid, mode="nearest", padding_mode="zeros", align_corners=False) - 1


def decay_factor(step: int, total: int, start: float) -> float:
    """1 until `start` (a share of `total` steps), then falling linearly to 0 at the last step."""
    done = step / max(1, total)
    return 1.0 if done <= start else max(0.0, (1 - done) / (1 - start))


def _set_lr_factor(optimizers, base_lrs, factor: float) -> None:
    for opt, lr in zip(optimizers, base_lrs):
        for group in opt.param_groups:
            group["lr"] = lr * factor


def _judge(
    D: nn.Module, x: torch.Tensor, labels: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """D's verdict: a real/fake logit (B, 1) and, for an AC-GAN, digit logits (B, 10) (else None)."""
    if labels is None:
        return D(x), None
    return D.forward_both(x, one_hot(labels))


def d_step(
    D: nn.Module,
    opt_d: torch.optim.Optimizer,
    real: torch.Tensor,
    fake: torch.Tensor,
    labels: torch.Tensor | None = None,
    *,
    real_target: float = 0.9,
    aux_weight: float = 0.0,
    update: bool = True,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """One discriminator update: maximise log D(x) + log(1 - D(G(z))), i.e. minimise the BCE of
    "real" on x (B, 1, S, S) and "fake" on G(z). Returns (loss, D's logits on real, on fake).

    `labels` (B,): a cGAN's digits, shown to D with both. With DiffAugment the caller has shifted both
    batches already (`translate`). `real_target` < 1: one-sided label smoothing. `aux_weight` > 0 (AC-GAN): D
    also learns to name the digit of real images. `update=False` only measures (GAN Lab's "G only").
    """
    fake = fake.detach()  # this loss must not reach G
    d_real, c_real = _judge(D, real, labels)  # (B, 1), (B, 10) or None
    d_fake, _ = _judge(D, fake, labels)  # (B, 1)
    loss = (_bce(d_real, real_target) + _bce(d_fake, 0.0)) / 2
    if aux_weight > 0 and c_real is not None:
        loss = loss + aux_weight * F.cross_entropy(c_real, labels)
    if update:
        opt_d.zero_grad(set_to_none=True)
        loss.backward()
        opt_d.step()
    return loss, d_real, d_fake


def g_step(
    G: nn.Module,
    D: nn.Module,
    opt_g: torch.optim.Optimizer,
    fake: torch.Tensor,
    labels: torch.Tensor | None = None,
    *,
    aux_weight: float = 0.0,
    G_ema: nn.Module | None = None,
    ema: float = 0.999,
    update: bool = True,
) -> torch.Tensor:
    """One generator update with the non-saturating loss -log D(G(z)): fakes (B, 1, S, S) labelled
    "real", the gradient flowing through D into G. Returns the loss.

    With DiffAugment `fake` is the shifted batch D judged too (the shift is differentiable). `aux_weight` > 0
    (AC-GAN): G must also make digits D names as the label asked for. `G_ema`: a copy of G that
    follows G's weights as a moving average with decay `ema` (ProGAN), for smoother samples.
    """
    g_out, c_fake = _judge(D, fake, labels)  # (B, 1), (B, 10) or None
    loss = _bce(g_out, 1.0)
    if aux_weight > 0 and c_fake is not None:
        loss = loss + aux_weight * F.cross_entropy(c_fake, labels)
    if update:
        opt_g.zero_grad(set_to_none=True)
        loss.backward()
        opt_g.step()
        if G_ema is not None:
            ema_update(G_ema, G, ema)
    return loss


def _train(
    cfg: GanConfig,
    x: torch.Tensor,
    y: torch.Tensor | None,
    G: nn.Module,
    D: nn.Module,
    device: str,
    controls: dict | None,
    generator: torch.Generator | None,
    start_epoch: int,
    G_ema: nn.Module | None,
) -> Iterator[dict]:
    conditional = y is not None
    if G_ema is not None:
        G_ema.to(device).eval()
    g = generator or torch.Generator().manual_seed(cfg.seed + 1)
    controls = controls if controls is not None else {}
    G.to(device).train()
    D.to(device).train()
    real_all = (x if cfg.unit_range else to_signed_range(x)).to(device)  # (N, 1, S, S)
    y_all = y.to(device) if conditional else None
    opt_g = make_optimizer(cfg.g_optimizer, G.parameters(), cfg.g_lr, beta1=cfg.beta1)
    opt_d = make_optimizer(cfg.d_optimizer, D.parameters(), cfg.d_lr, beta1=cfg.beta1)
    rows = max(1, cfg.n_fixed // N_CLASSES) if conditional else cfg.n_fixed
    z_fixed, l_fixed = fixed_grid_inputs(G, rows, cfg.seed + 12345, conditional)
    z_fixed = z_fixed.to(device)
    n = len(real_all)
    batch = min(cfg.batch_size, n)
    batches = max(1, n // batch)  # drop the ragged last batch: batch norm dislikes tiny batches
    t0, step = time.perf_counter(), start_epoch * batches
    total = cfg.epochs * batches
    for epoch in range(start_epoch + 1, cfg.epochs + 1):
        perm = torch.randperm(n, generator=g).to(device)
        sums = np.zeros(4)
        for b in range(batches):
            mode = controls.get("mode", "both")
            idx = perm[b * batch : (b + 1) * batch]
            real = real_all[idx]
            labels = y_all[idx] if conditional else None  # fake labels = the real batch's
            z = torch.randn(len(idx), cfg.latent_dim, generator=g).to(device)
            if cfg.lr_decay_from < 1:  # a falling step size lets both players settle (CycleGAN, 2017)
                _set_lr_factor(
                    (opt_g, opt_d), (cfg.g_lr, cfg.d_lr), decay_factor(step, total, cfg.lr_decay_from)
                )
            fake = G(z, one_hot(labels)) if conditional else G(z)  # (B, 1, S, S)
            if cfg.augment:  # DiffAugment: D sees both batches shifted alike, G's gradient flows through
                real, fake = translate(real, g), translate(fake, g)
            d_loss, d_real, d_fake = d_step(
                D,
                opt_d,
                real,
                fake,
                labels,
                real_target=cfg.real_target,
                aux_weight=cfg.aux_weight,
                update=mode in ("both", "d"),
            )
            g_loss = g_step(
                G,
                D,
                opt_g,
                fake,
                labels,
                aux_weight=cfg.aux_weight,
                G_ema=G_ema,
                ema=cfg.ema,
                update=mode in ("both", "g"),
            )
            step += 1
            dl, gl = d_loss.item(), g_loss.item()
            dx, dgz = torch.sigmoid(d_real).mean().item(), torch.sigmoid(d_fake).mean().item()
            if not (math.isfinite(dl) and math.isfinite(gl)):
                yield records.diverged(epoch, dl, batch=b + 1, step=step, elapsed=time.perf_counter() - t0)
                return
            sums += (dl, gl, dx, dgz)
            yield records.step(
                epoch=epoch,
                batch=b + 1,
                batches=batches,
                step=step,
                loss=dl,
                d_loss=dl,
                g_loss=gl,
                d_real=dx,
                d_fake=dgz,
                mode=mode,
                elapsed=time.perf_counter() - t0,
            )
            delay = float(controls.get("delay", 0.0))
            if delay > 0:
                # slow motion (GAN Lab): the page shows each step as it happens; the job engine takes the
                # pause without holding a slot, and Stop ends it at once
                yield records.rest(min(delay, 2.0))
        grid = generate(G_ema if G_ema is not None else G, z_fixed, l_fixed)  # (n_fixed, 1, S, S) in [0, 1]
        m = sums / batches
        yield records.epoch(
            epoch,
            step=step,
            d_loss=m[0],
            g_loss=m[1],
            d_real=m[2],
            d_fake=m[3],
            elapsed=time.perf_counter() - t0,
            grid=to_uint8(grid[:, 0]),  # (n_fixed, S, S)
        )


def train_gan(
    cfg: GanConfig,
    x: torch.Tensor,
    G: nn.Module,
    D: nn.Module,
    device: str = "cpu",
    controls: dict | None = None,
    generator: torch.Generator | None = None,
    start_epoch: int = 0,
    G_ema: nn.Module | None = None,
) -> Iterator[dict]:
    """Train the unconditional DCGAN on images x (N, 1, 28, 28) in [0, 1], in place.

    Each batch is one `d_step` then one `g_step`. Yields {"kind": "step", epoch, batch, batches,
    step, loss (= d_loss), d_loss, g_loss, d_real, d_fake, mode, elapsed} per batch and
    {"kind": "epoch", ..., "grid": uint8 (n_fixed, 28, 28)}; a non-finite loss yields one
    {"kind": "diverged", ...} and ends the run (core.records builds them all). With `controls["delay"]`
    above 0, a "rest" record of that many seconds (at most 2) follows each step: slow motion, a pause the
    job engine takes without holding a slot. With `G_ema` (a copy of G) and `cfg.ema > 0`, G_ema tracks
    the average weights and draws the grid.
    """
    return _train(cfg, x, None, G, D, device, controls, generator, start_epoch, G_ema)


def train_cgan(
    cfg: GanConfig,
    x: torch.Tensor,
    y: torch.Tensor,
    G: nn.Module,
    D: nn.Module,
    device: str = "cpu",
    controls: dict | None = None,
    generator: torch.Generator | None = None,
    start_epoch: int = 0,
    G_ema: nn.Module | None = None,
) -> Iterator[dict]:
    """Train the cGAN on (x, y) in place, records as `train_gan`; the epoch grid has one row per
    fixed z and one column per digit."""
    return _train(cfg, x, y, G, D, device, controls, generator, start_epoch, G_ema)


# ---------------------------------------------------------------------------------------------
# The run zip's train.py (core/export_scripts/gan.tmpl and cgan.tmpl)


def _script_constants(config: Mapping, model_config: Mapping, conditional: bool) -> dict:
    cfg = from_dict(GanConfig, config)
    # G's constructor arguments: those stored in model.pth, else those the settings build
    arch = dict(model_config) or model_args(build_models(cfg, conditional, torch.Generator())[0])
    d_norm = cfg.batch_norm and cfg.d_batch_norm and not cfg.spectral_norm
    common = {
        "LATENT_DIM": arch["latent_dim"],
        "G_WIDTH": arch["width"],
        "BATCH_NORM": arch["batch_norm"],
        "D_WIDTH": cfg.d_width,
    }
    if conditional:  # 8x8: scikit-learn's digits; 28x28: MNIST (core.run_export ships either)
        dataset = "digits" if arch["image_size"] == 8 else "mnist"
        model = {"IMAGE_SIZE": arch["image_size"], "D_BATCH_NORM": d_norm, "DATASET": dataset}
    else:
        model = {
            "MAPPING": arch.get("mapping", 0),
            "G_REFINE": arch.get("refine", False),
            "D_BATCH_NORM": cfg.d_batch_norm,
            "SPECTRAL_NORM": cfg.spectral_norm,
            "MBSTD": cfg.mbstd,
            "UNIT_RANGE": cfg.unit_range,
            "AUGMENT": cfg.augment,
            "DATASET": "mnist",  # core.run_export ships the run's digits as data.npz (or names the full MNIST)
        }
    train = {
        "EPOCHS": cfg.epochs,
        "BATCH_SIZE": cfg.batch_size,
        "G_LR": cfg.g_lr,
        "D_LR": cfg.d_lr,
        "G_OPTIMIZER": cfg.g_optimizer,
        "D_OPTIMIZER": cfg.d_optimizer,
        "BETA1": cfg.beta1,
        "REAL_TARGET": cfg.real_target,
        "SEED": cfg.seed,
        "MODEL_CONFIG": arch,
    }
    return common | model | train


def script_constants(config: Mapping, model_config: Mapping) -> dict:
    """The constants of the GAN page's train.py for a run's settings and its model's stored arguments."""
    return _script_constants(config, model_config, conditional=False)


def cgan_script_constants(config: Mapping, model_config: Mapping) -> dict:
    """The constants of the cGAN page's train.py for a run's settings and its model's stored arguments."""
    return _script_constants(config, model_config, conditional=True)


# ---------------------------------------------------------------------------------------------
# Judging samples with a classifier (the lesson's figures: mode collapse, label fidelity, lesson 003)


def gan_quality(G: nn.Module, classifier: nn.Module, n: int = 1000, seed: int = 0) -> dict:
    """Read n samples of an unconditional G with `classifier`: share per digit (a spike = mode
    collapse), mean confidence, and the share read with confidence >= 0.9."""
    pred, conf = classify(classifier, sample(G, n, seed))
    return {
        "pred": pred,
        "conf": conf,
        "shares": digit_shares(pred),
        "mean_conf": float(conf.mean()),
        "confident": float((conf >= 0.9).mean()),
    }


def generated_dataset(G: CondGenerator, per_digit: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """per_digit cGAN samples of each digit: x (10*per_digit, 1, S, S) in [0, 1], y (10*per_digit,)."""
    labels = torch.arange(N_CLASSES).repeat_interleave(per_digit)  # (10*per_digit,)
    z = latents(len(labels), G.latent_dim, seed)
    xs = [generate(G, z[i : i + 1000], labels[i : i + 1000]) for i in range(0, len(labels), 1000)]
    return torch.cat(xs), labels


def fidelity_per_digit(
    G: CondGenerator, classifier: nn.Module, per_digit: int = 100, seed: int = 0, upscale: bool = False
) -> dict:
    """Share of cGAN samples read as the requested digit, per digit and overall (`upscale`: 8x8
    samples are enlarged to 28x28 for an MNIST classifier)."""
    x, labels = generated_dataset(G, per_digit, seed)
    if upscale and x.shape[-1] != 28:
        x = F.interpolate(x, size=(28, 28), mode="bilinear", align_corners=False)
    pred, conf = classify(classifier, x)
    hit = pred == labels.numpy()
    per = np.array([hit[labels.numpy() == d].mean() for d in range(N_CLASSES)])
    return {"per_digit": per, "overall": float(hit.mean()), "mean_conf": float(conf.mean())}


def train_on_generated(
    G: CondGenerator, real, epochs: int = 5, per_digit: int | None = None, seed: int = 0
) -> dict:
    """Lesson 003's exercise: accuracy on the real test split of a classifier trained on cGAN samples
    only, and of the same classifier trained on the real training split (same size, epochs and seed).

    `real`: a split with x_train, y_train, x_test, y_test (`core.data.load_mnist()` or `load_digits()`).
    """
    per_digit = per_digit or max(1, len(real.x_train) // N_CLASSES)
    xg, yg = generated_dataset(G, per_digit, seed + 777)
    out = {"n_generated": len(xg), "n_real": len(real.x_train), "n_test": len(real.x_test)}
    for name, (x, y) in {"generated": (xg, yg), "real": (real.x_train, real.y_train)}.items():
        model = train_classifier(x, y, epochs, seed)
        out[f"acc_{name}"] = evaluate(model, real.x_test, real.y_test)["accuracy"]
    return out
