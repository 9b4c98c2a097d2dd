"""Save and load model checkpoints safely (PyTorch's "saving and loading models"; nanoGPT's checkpoints).

A file holds plain types only: {"format", "family": "cnn.MNISTCNN", "config": the model's model_args,
"state_dict", "meta"}. Loading reads the zip's table of contents first (what the members would inflate
to), then uses `weights_only=True`, checks keys, shapes, dtypes and strides before any computation,
rebuilds the model from its config and refuses non-finite weights (`CheckpointError`).
"""

from __future__ import annotations

import datetime as _dt
import io
import pickle
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import torch
from torch import nn

from core.files import write_atomic
from core.models import family_name, model_args, resolve_family

FORMAT = "pytorch-lab/1"
SHIPPED_DIR = Path(__file__).resolve().parents[1] / "checkpoints"  # read-only for the app
MAX_ELEMENTS = 50_000_000  # 200 MB of float32: far above any model of the course
MAX_FILE_BYTES = 100 * 1024 * 1024
# torch.save stores its members uncompressed, so a real checkpoint inflates to about its own size; a
# compressed member (a zip bomb) makes torch.load allocate what the member declares, before any check
MAX_INFLATED_BYTES = MAX_FILE_BYTES
MAX_MEMBERS = 10_000  # one member per tensor, plus a few: the course's models have tens
_PREFIXES = ("module.", "_orig_mod.")  # DataParallel and torch.compile wrappers
_CONFIG_TYPES = (int, float, str, bool, type(None))


class CheckpointError(ValueError):
    """A checkpoint that cannot be used. `code` keys the translated message; `detail` is for logs."""

    CODES = (
        "missing",
        "empty",
        "too_large",
        "truncated",
        "not_checkpoint",
        "unsafe",
        "foreign",
        "mismatch",
        "bomb",
        "nonfinite",
        "inflated",
    )

    def __init__(self, code: str, detail: str = "", **params: Any):
        assert code in self.CODES, code
        self.code, self.detail, self.params = code, detail, params
        super().__init__(f"{code}: {detail}" if detail else code)


@dataclass
class Loaded:
    model: nn.Module
    family: str
    config: dict
    meta: dict = field(default_factory=dict)


def _plain(value: Any) -> Any:
    """Config/metadata values as plain Python (tuples to lists), so `weights_only` can read them."""
    if isinstance(value, str):
        return str(value)  # str subclasses (torch.__version__ is one) are not plain to weights_only
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, torch.Tensor):
        return value.tolist()
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return value.item()
    return value


def build_payload(model: nn.Module, config: Mapping | None = None, meta: Mapping | None = None) -> dict:
    """The checkpoint dict; `config` defaults to the model's own `model_args`."""
    config = model_args(model) if config is None else config
    meta = dict(meta or {})
    meta.setdefault("torch", torch.__version__)
    meta.setdefault("date", _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"))
    return {
        "format": FORMAT,
        "family": family_name(model),
        "config": _plain(config),
        "state_dict": {k: v.detach().cpu().contiguous().clone() for k, v in model.state_dict().items()},
        "meta": _plain(meta),
    }


def to_bytes(model: nn.Module, config: Mapping | None = None, meta: Mapping | None = None) -> bytes:
    buf = io.BytesIO()
    torch.save(build_payload(model, config, meta), buf)
    return buf.getvalue()


def is_shipped_path(path: str | Path) -> bool:
    """True for a path inside checkpoints/ (symlinks and `..` resolved)."""
    return Path(path).resolve().is_relative_to(SHIPPED_DIR.resolve())


def save(
    model: nn.Module,
    path: str | Path,
    config: Mapping | None = None,
    meta: Mapping | None = None,
    *,
    shipped: bool = False,
) -> Path:
    """Write atomically (temp file + rename): a crash mid-save never leaves a half-written checkpoint.

    Refuses to write inside checkpoints/ unless `shipped=True` (only the CLI training commands that
    produce the shipped weights pass it): the app never overwrites them.
    """
    path = Path(path)
    if is_shipped_path(path) and not shipped:
        raise PermissionError(f"{path} is a shipped checkpoint; only the training CLI may write there")
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, to_bytes(model, config, meta))
    return path


def _read_bytes(source: str | Path | bytes | BinaryIO) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    elif isinstance(source, (str, Path)):
        p = Path(source)
        if not p.is_file():
            raise CheckpointError("missing", str(p), path=str(p))
        if p.stat().st_size > MAX_FILE_BYTES:
            raise CheckpointError("too_large", f"{p.stat().st_size} bytes")
        data = p.read_bytes()
    else:
        data = source.read(MAX_FILE_BYTES + 1)
    if not data:
        raise CheckpointError("empty")
    if len(data) > MAX_FILE_BYTES:
        raise CheckpointError("too_large", f"more than {MAX_FILE_BYTES} bytes")
    return data


def check_archive(data: bytes, max_inflated: int = MAX_INFLATED_BYTES) -> None:
    """Refuse a zip that would inflate past `max_inflated` bytes, or hold too many members, from its
    central directory alone (the table of names and sizes at its end): nothing is decompressed here.

    miniz, torch.load's zip reader, allocates each member's declared size and never writes past it, so
    the declared sizes bound what loading can take."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as e:
        raise CheckpointError("truncated", f"{type(e).__name__}: {str(e)[:300]}") from e
    inflated = sum(m.file_size for m in members)
    if len(members) > MAX_MEMBERS or inflated > max_inflated:
        raise CheckpointError(
            "inflated",
            f"{len(members)} members, {inflated} bytes once unpacked (at most {max_inflated})",
            mb=inflated / 2**20,
            limit_mb=max_inflated / 2**20,
        )


def _torch_load(data: bytes, max_inflated: int = MAX_INFLATED_BYTES) -> Any:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        # torch.save writes a zip archive; anything else (a raw pickle, random bytes, an image) is
        # refused before unpickling, so even a forced `weights_only=False` could not run its code.
        if data.startswith(b"PK\x03\x04"):  # a zip that lost its end (the directory is at the end)
            raise CheckpointError("truncated", "zip archive without its central directory")
        raise CheckpointError("not_checkpoint", "not a torch zip archive")
    check_archive(data, max_inflated)
    try:
        return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as e:  # code, whole pickled models, numpy arrays, custom classes
        raise CheckpointError("unsafe", str(e).splitlines()[0][:300]) from e
    except (RuntimeError, EOFError, zipfile.BadZipFile, OSError, IndexError, KeyError) as e:
        raise CheckpointError("truncated", f"{type(e).__name__}: {str(e)[:300]}") from e


def _strip_prefixes(sd: Mapping[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in sd.items():
        for p in _PREFIXES:
            if k.startswith(p):
                k = k[len(p) :]
        out[k] = v
    return out


def _check_config(config: Any) -> dict:
    if not isinstance(config, Mapping):
        raise CheckpointError("not_checkpoint", "config is not a dict")
    for k, v in config.items():
        items = v if isinstance(v, list) else [v]
        if not isinstance(k, str) or not all(isinstance(i, _CONFIG_TYPES) for i in items):
            raise CheckpointError("not_checkpoint", f"config value {k!r} is not a plain value")
    return dict(config)


def _plain_meta(value: Any, depth: int = 0) -> Any:
    """Metadata as plain values only: a tensor hidden in "meta" (a zero-stride one claiming 160 GB, say)
    would be computed on when the page prints it, so it is dropped, as is anything nested too deep."""
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    if depth > 8:
        return None
    if isinstance(value, Mapping):
        return {
            str(k): _plain_meta(v, depth + 1) for k, v in value.items() if not isinstance(v, torch.Tensor)
        }
    if isinstance(value, (list, tuple)):
        return [_plain_meta(v, depth + 1) for v in value if not isinstance(v, torch.Tensor)]
    return None


def _check_tensors(sd: Mapping[str, Any], expected: Mapping[str, torch.Tensor]) -> None:
    """Keys, shapes, dtypes and memory layout, all before a single element is read."""
    missing = sorted(set(expected) - set(sd))
    extra = sorted(set(sd) - set(expected))
    if missing or extra:
        raise CheckpointError(
            "mismatch", f"missing keys {missing[:5]}, unexpected keys {extra[:5]}", keys=(missing + extra)[:5]
        )
    total = 0
    for k, ref in expected.items():
        t = sd[k]
        if not isinstance(t, torch.Tensor):
            raise CheckpointError("mismatch", f"{k} is not a tensor", keys=[k])
        if t.layout != torch.strided or t.device.type != "cpu" or t.is_quantized or t.is_nested:
            # sparse, meta (no data at all), quantized or nested tensors: never what a lab model saves
            raise CheckpointError("mismatch", f"{k}: a {t.layout} tensor on {t.device.type}", keys=[k])
        if tuple(t.shape) != tuple(ref.shape):
            raise CheckpointError(
                "mismatch", f"{k}: shape {tuple(t.shape)} but the model needs {tuple(ref.shape)}", keys=[k]
            )
        if t.dtype != ref.dtype and not (t.is_floating_point() and ref.is_floating_point()):
            raise CheckpointError("mismatch", f"{k}: dtype {t.dtype}, expected {ref.dtype}", keys=[k])
        needed = t.numel() * t.element_size()
        if t.numel() > 1 and (not t.is_contiguous() or 0 in t.stride()):
            raise CheckpointError("bomb", f"{k}: strides {t.stride()} (a tensor claiming memory it lacks)")
        if t.untyped_storage().nbytes() < needed + t.storage_offset() * t.element_size():
            raise CheckpointError("bomb", f"{k}: storage smaller than its shape claims")
        total += t.numel()
    if total > MAX_ELEMENTS:
        raise CheckpointError("too_large", f"{total} parameters")


def load(
    source: str | Path | bytes | BinaryIO,
    expected_family: str | None = None,
    default_config: Mapping | None = None,
    max_inflated: int = MAX_INFLATED_BYTES,
) -> Loaded:
    """A fresh model in eval mode from a checkpoint file, bytes or upload; CheckpointError otherwise.

    `expected_family` refuses checkpoints of another family. With `default_config`, a bare state_dict
    (what the course's `torch.save(model.state_dict(), ...)` writes) is accepted for that family.
    `max_inflated` bounds what the file may unpack to (an upload page passes about twice its largest
    real checkpoint).
    """
    obj = _torch_load(_read_bytes(source), max_inflated)
    if isinstance(obj, Mapping) and obj.get("format") == FORMAT:
        family, config, sd = obj.get("family"), _check_config(obj.get("config")), obj.get("state_dict")
        meta = _plain_meta(obj.get("meta")) if isinstance(obj.get("meta"), Mapping) else {}
    elif isinstance(obj, Mapping) and expected_family and default_config is not None:
        inner = obj.get("state_dict", obj.get("model", obj))  # {"state_dict": ..., "epoch": 3} nesting
        family, config, sd, meta = expected_family, dict(default_config), inner, {}
    else:
        raise CheckpointError("not_checkpoint", "no lab checkpoint header")
    if not isinstance(sd, Mapping) or not sd:
        raise CheckpointError("not_checkpoint", "no state_dict")
    if expected_family and family != expected_family:
        raise CheckpointError("foreign", f"{family} where {expected_family} was expected", family=str(family))
    try:
        cls = resolve_family(str(family))
    except ValueError as e:
        raise CheckpointError("foreign", str(e), family=str(family)) from e
    sd = _strip_prefixes(sd)
    try:
        with torch.device("meta"):  # shapes only: a config asking for a huge model allocates nothing
            expected = cls(**config).state_dict()
    except (TypeError, ValueError, RuntimeError, AssertionError) as e:
        raise CheckpointError("mismatch", f"config does not build a {family}: {e}") from e
    _check_tensors(sd, expected)
    model = cls(**config)
    try:
        model.load_state_dict(sd, strict=True)
    except (
        RuntimeError,
        TypeError,
        ValueError,
        NotImplementedError,
    ) as e:  # whatever slipped past the checks
        raise CheckpointError("mismatch", f"{type(e).__name__}: {str(e)[:300]}") from e
    for name, t in model.state_dict().items():
        if t.is_floating_point() and not torch.isfinite(t).all():
            raise CheckpointError("nonfinite", f"{name} holds NaN or infinity", keys=[name])
    model.eval()
    return Loaded(model, str(family), config, dict(meta))


def read_meta(path: str | Path) -> dict:
    """Family, config and metadata of a checkpoint, loading its weights too (files are small)."""
    loaded = load(path)
    return {"family": loaded.family, "config": loaded.config, **loaded.meta}
