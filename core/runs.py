"""Saved runs: a student's models and histories under `runs/`, so a reload loses nothing.

One folder per run, `runs/<page>_<YYYYmmdd-HHMMSS>_<rand>_<name>/`: model.pth (a core.checkpoints file),
run.json (page, name, config, state, metrics, history) and arrays.npz (e.g. the GAN's grids, read
without pickle), each written atomically. A failed save never raises into training (`RunWriter.save`).
The folders are made 0o700 and the files 0o600: on a server where students have shell accounts, only
the app's own user reads them. A run without a name has no folder (`RunWriter.claim`).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import math
import os
import secrets
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from torch import nn

from core import checkpoints, topics
from core.files import write_atomic

ENV_VAR = "LAB_RUNS_DIR"
DEFAULT_DIR = Path(__file__).resolve().parents[1] / "runs"  # git-ignored
PAGES = topics.TRAINED  # the pages whose runs are saved here, as the registry declares them
MODEL_FILE, INFO_FILE, ARRAYS_FILE = "model.pth", "run.json", "arrays.npz"
MAX_NAME = 40  # characters of a student's name (the sidebar cuts a longer one, and says so)
DIGEST_CHARS = 10  # hex digits that tell two names with emoji apart in a folder name
DIR_MODE = 0o700  # runs/ and each run's folder: students with shell accounts on the server see nothing
MAX_HISTORY = 2000  # records of any one history list kept on disk (thinned evenly beyond that)
STATES = ("running", "stopped", "done", "diverged", "error")


class RunError(ValueError):
    """A run that cannot be listed or opened; `code` keys the translated message."""

    def __init__(self, code: str, detail: str = ""):
        self.code, self.detail = code, detail
        super().__init__(f"{code}: {detail}" if detail else code)


def runs_dir() -> Path:
    """The store's root: $LAB_RUNS_DIR if set (tests), else runs/ at the repository root."""
    return Path(os.environ.get(ENV_VAR) or DEFAULT_DIR)


def clean_name(typed: str, max_len: int = MAX_NAME) -> str:
    """A typed name as it is shown and stored: control and format characters removed (a right-to-left
    override, U+202E, would reorder the board's rows; a zero-width space would make two names that look
    alike), NFKC-folded ("ＡＢ" → "AB"), spaces collapsed, cut to `max_len` characters. Letters of any
    script and emoji stay."""
    text = "".join(" " if c.isspace() else c for c in str(typed or ""))
    text = "".join(c for c in text if unicodedata.category(c) not in _HIDDEN)
    text = "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) not in _HIDDEN)
    return " ".join(text.split())[:max_len].strip()


def name_cut(typed: str, max_len: int = MAX_NAME) -> bool:
    """Whether `clean_name` had to cut the name short (the sidebar says so)."""
    return len(clean_name(typed, max_len=10 * max_len)) > max_len


_HIDDEN = {"Cc", "Cf", "Cs", "Zl", "Zp"}  # control, format (bidi overrides, zero widths), surrogates


def _kept_aside(c: str) -> bool:
    """A character a folder name cannot keep but that tells two names apart: emoji and other symbols,
    combining marks, private-use characters. Punctuation and spaces only separate words."""
    return not c.isalnum() and unicodedata.category(c)[0] not in "PZ"


def _readable(text: str) -> str:
    """Letters and digits of `text`, every other run of characters as one "_"."""
    out = "".join(c if c.isalnum() or c in "-_" else "_" for c in text)
    while "__" in out:
        out = out.replace("__", "_")
    return out.strip("_-")


def safe_name(name: str, max_len: int = MAX_NAME) -> str:
    """A student's name as one safe path component, distinct for names that are not the same student.

    Letters and digits of any script (日本語) are kept, anything else becomes "_" (so "/", "\\", ".",
    NUL and spaces never reach the file system): "山田 太郎" → "山田_太郎". A name with emoji or other
    symbols gets a short digest of the whole name besides ("🐱たろう" → "たろう-3f2a…"), so two emoji
    names never share a folder; a name of symbols or punctuation alone is its digest ("x-…"). "" for no
    name at all: a nameless run has no folder (ui.saved_runs keeps it in the session until a name is typed).
    """
    shown = clean_name(name)
    readable = _readable(shown)[:max_len]
    if readable and not any(_kept_aside(c) for c in shown):
        return readable
    if not shown:
        return ""
    # case-folded, and words split the way the readable part splits them: "Taro 🐱" is "taro_🐱"
    basis = "".join(c if c.isalnum() or _kept_aside(c) or c in "-_" else "_" for c in shown.casefold())
    basis = basis if _readable(basis) else shown.casefold()  # punctuation alone: "!!" is not "??"
    digest = hashlib.sha256(basis.encode("utf-8")).hexdigest()[:DIGEST_CHARS]
    return f"{readable[: max_len - DIGEST_CHARS - 1]}-{digest}" if readable else f"x-{digest}"


def same_name(a: str, b: str) -> bool:
    """Whether two typed names are the same student (case and width folded, as in folder names); no name
    is nobody's."""
    key = safe_name(a).casefold()
    return bool(key) and key == safe_name(b).casefold()


def make_private_dir(path: Path) -> None:
    """`path` and any missing parents as folders only their owner can open (DIR_MODE; the files in them
    are written 0o600, as core.files.write_atomic's temporary files are)."""
    missing = []
    for p in (path, *path.parents):
        if p.is_dir():
            break
        missing.append(p)
    for p in reversed(missing):
        try:
            p.mkdir(mode=DIR_MODE)
        except FileExistsError:  # another replica made it a moment ago
            continue
        os.chmod(p, DIR_MODE)  # mkdir's mode passes through the umask


def _inside(root: Path, path: Path) -> Path:
    """`path` resolved, or RunError if it lies outside `root` (a `..` or a symlink pointing away)."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()) or resolved == root.resolve():
        raise RunError("outside", str(path))
    return resolved


def run_path(run_id: str, root: Path | None = None) -> Path:
    """The folder of run `run_id` (a folder name), checked to be a direct child of the store."""
    root = root or runs_dir()
    if not run_id or run_id != safe_component(run_id):
        raise RunError("outside", repr(run_id))
    path = _inside(root, root / run_id)
    if path.parent != root.resolve():
        raise RunError("outside", repr(run_id))
    return path


def safe_component(text: str) -> str:
    """A folder name as the store writes it (letters, digits, "-", "_"), for checking ids."""
    return "".join(c if (c.isalnum() or c in "-_") else "_" for c in unicodedata.normalize("NFKC", text))


# ---------------------------------------------------------------------------------------------
# Plain data for JSON


def _plain(value: Any) -> Any:
    """JSON-safe copy: numbers (NaN/inf → None), strings, lists, dicts; arrays and tensors are dropped."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            v = _plain(v)
            if v is not _DROP:
                out[str(k)] = v
        return out
    if isinstance(value, (list, tuple)):
        items = [_plain(v) for v in value]
        return [v for v in items if v is not _DROP]
    if isinstance(value, np.generic) and value.ndim == 0:
        return _plain(value.item())
    return _DROP  # arrays, tensors, models: too big or not JSON (kept in arrays.npz if wanted)


_DROP = object()


def thin(records: Sequence, limit: int = MAX_HISTORY) -> list:
    """At most `limit` records, evenly spaced, the last one always kept (the chart's current point)."""
    records = list(records)
    if len(records) <= limit:
        return records
    stride = math.ceil(len(records) / limit)
    kept = records[::stride]
    if kept[-1] is not records[-1]:
        kept.append(records[-1])
    return kept


# ---------------------------------------------------------------------------------------------
# Writing


@dataclass
class RunWriter:
    """Saves one training run, again and again as it trains; never raises on a file-system error."""

    page: str
    name: str
    config: dict
    root: Path = field(default_factory=runs_dir)
    run_id: str = ""
    error: str = ""  # the last save's failure ("" after a good save), for the UI
    saves: int = 0  # successful saves

    def __post_init__(self) -> None:
        assert self.page in PAGES, f"unknown page {self.page!r}"
        self.config = _plain(dict(self.config))
        if not self.run_id:
            self.claim(self.name)

    def claim(self, name: str) -> None:
        """Give the run its student's name, once: a run started without one (or under a name this
        session may not write to) is kept in memory until then, and `save` writes nothing."""
        if self.run_id or not safe_name(name):
            return
        stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.name = clean_name(name)
        self.run_id = f"{self.page}_{stamp}_{secrets.token_hex(2)}_{safe_name(name)}"  # set last: the
        # worker thread reads it to decide whether to save

    @property
    def waiting(self) -> bool:
        """No name yet: nothing is saved until `claim`."""
        return not self.run_id

    @property
    def path(self) -> Path:
        return run_path(self.run_id, self.root)

    def save(
        self,
        model: nn.Module | None,
        model_config: Mapping | None = None,
        *,
        state: str,
        epochs_done: int,
        history: Mapping[str, Sequence] | None = None,
        metrics: Mapping | None = None,
        meta: Mapping | None = None,
        arrays: Mapping[str, np.ndarray] | None = None,
    ) -> bool:
        """Write the model (if given), arrays and run.json; True on success, False (and `error`) if not.

        Call it from the training thread between batches (e.g. on each epoch record), so the weights
        are a consistent snapshot; the live chart reads only records and is never blocked by it.
        """
        assert state in STATES, state
        if self.waiting:  # no name yet: not a failure, the run waits in the session (ui.saved_runs)
            self.error = ""
            return False
        try:
            path = self.path
            if checkpoints.is_shipped_path(path):  # a misconfigured LAB_RUNS_DIR: never write there
                raise PermissionError(f"{path} is inside the shipped checkpoints/")
            make_private_dir(path)
            if model is not None:
                full_meta = {**dict(meta or {}), "epochs": epochs_done, "metrics": dict(metrics or {})}
                checkpoints.save(model, path / MODEL_FILE, model_config, full_meta)  # None: model_args
            if arrays:
                buf = io.BytesIO()
                np.savez(buf, **{k: np.asarray(v) for k, v in arrays.items()})
                write_atomic(path / ARRAYS_FILE, buf.getvalue())
            info = {
                "format": "pytorch-lab-run/1",
                "run_id": self.run_id,
                "page": self.page,
                "name": str(self.name),
                "state": state,
                "epochs_done": int(epochs_done),
                "config": self.config,
                "metrics": _plain(dict(metrics or {})),
                "history": {k: _plain(thin(v)) for k, v in (history or {}).items()},
                "has_model": (path / MODEL_FILE).is_file(),
                "updated": _dt.datetime.now().isoformat(timespec="seconds"),
            }
            write_atomic(path / INFO_FILE, json.dumps(info, ensure_ascii=False).encode("utf-8"))
        except (OSError, RunError, RuntimeError) as e:  # ENOSPC, EROFS, EACCES, a path under a file...
            self.error = f"{type(e).__name__}: {e}"[:300]
            return False
        self.error = ""
        self.saves += 1
        return True


# ---------------------------------------------------------------------------------------------
# Reading


@dataclass
class RunInfo:
    run_id: str
    page: str
    name: str
    state: str
    epochs_done: int
    updated: str
    config: dict
    metrics: dict
    has_model: bool


@dataclass
class OpenedRun:
    info: RunInfo
    history: dict  # name → list of records, as saved
    model: nn.Module | None  # eval mode, on the CPU
    family: str  # e.g. "cnn.MNISTCNN"; "" without a model
    model_config: dict
    meta: dict
    arrays: dict[str, np.ndarray]


def _read_info(path: Path) -> dict:
    try:
        data = json.loads((path / INFO_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise RunError("unreadable", f"{path.name}: {e}") from e
    if not isinstance(data, dict) or data.get("page") not in PAGES:
        raise RunError("unreadable", f"{path.name}: not a run")
    return data


def _info(data: dict, run_id: str) -> RunInfo:
    return RunInfo(
        run_id=run_id,
        page=str(data.get("page")),
        name=str(data.get("name", "")),
        state=str(data.get("state", "")),
        epochs_done=int(data.get("epochs_done") or 0),
        updated=str(data.get("updated", "")),
        config=dict(data.get("config") or {}),
        metrics=dict(data.get("metrics") or {}),
        has_model=bool(data.get("has_model")),
    )


def list_runs(page: str | None = None, name: str | None = None, root: Path | None = None) -> list[RunInfo]:
    """Saved runs, newest first, of one page and one student's name (None = all); unreadable ones skipped."""
    root = root or runs_dir()
    try:
        folders = [p for p in root.iterdir() if p.is_dir() and not p.is_symlink()]
    except OSError:
        return []
    if name is not None and not safe_name(name):
        return []  # no name is nobody's: nameless runs are never listed together
    out = []
    suffix = f"_{safe_name(name)}".casefold() if name is not None else ""
    for p in folders:
        if page and not p.name.startswith(f"{page}_") or not p.name.casefold().endswith(suffix):
            continue  # the folder name tells page and name: no need to read its run.json
        try:
            data = _read_info(p)
        except RunError:
            continue
        if (
            page
            and data["page"] != page
            or name is not None
            and not same_name(str(data.get("name", "")), name)
        ):
            continue
        out.append(_info(data, p.name))
    return sorted(out, key=lambda r: (r.updated, r.run_id), reverse=True)


def is_saved_run(run_id: str, root: Path | None = None) -> bool:
    """`run_id` names a run folder of the store (with its run.json)."""
    try:
        return (run_path(run_id, root) / INFO_FILE).is_file()
    except RunError:
        return False


def open_run(run_id: str, expected_family: str | None = None, root: Path | None = None) -> OpenedRun:
    """A saved run back: model (weights_only load, checked), history and arrays; RunError otherwise."""
    path = run_path(run_id, root)
    data = _read_info(path)
    model, family, model_config, meta = None, "", {}, {}
    if (path / MODEL_FILE).is_file():
        try:
            loaded = checkpoints.load(path / MODEL_FILE, expected_family=expected_family)
        except checkpoints.CheckpointError as e:
            raise RunError("model", f"{e.code}: {e.detail}") from e
        model, family, model_config, meta = loaded.model, loaded.family, loaded.config, loaded.meta
    arrays: dict[str, np.ndarray] = {}
    if (path / ARRAYS_FILE).is_file():
        try:
            with np.load(path / ARRAYS_FILE, allow_pickle=False) as z:
                arrays = {k: z[k] for k in z.files}
        except (OSError, ValueError) as e:
            raise RunError("unreadable", f"{ARRAYS_FILE}: {e}") from e
    history = data.get("history") if isinstance(data.get("history"), dict) else {}
    return OpenedRun(_info(data, path.name), history, model, family, model_config, meta, arrays)
