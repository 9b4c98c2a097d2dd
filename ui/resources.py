"""Process-wide, read-only resources shared by every session: loaded ones in `st.cache_resource`, what the
shipped models compute from fixed inputs in a `SharedResults` (once per server, out of a client's reach).

Loaders here are pure computation with no `st.*` inside: a rerun must not restart them
(docs/streamlit-notes.md, "Cached loaders never call st.*").
Datasets and shipped models are never modified after loading; a page that trains takes its own copy.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Any

import streamlit as st

from core import data as core_data
from core import device as core_device
from ui.i18n import t

_GC_FROZEN = False


def freeze_startup_objects() -> None:
    """Once per process: move everything imported so far (torch, plotly, ...) out of the garbage
    collector's reach. Nothing imported is ever freed, and a full collection then walks only what the
    sessions made, instead of holding Python's lock for torch's millions of objects while every session's
    chart waits (docs/streamlit-notes.md, "postScriptGC costs a full collection per run")."""
    global _GC_FROZEN
    if not _GC_FROZEN:
        _GC_FROZEN = True
        gc.collect()
        gc.freeze()


_warm_up: threading.Thread | None = None
_init_lock = threading.Lock()  # creates `_warm_up` and `_page_slots` once per process


def warm_up_in_background() -> threading.Thread:
    """Once per process: import what pages need later (torchvision holds Python's lock for seconds) in a daemon
    thread, while the first visitor reads Home. Nobody waits for it unless a page needs torchvision before
    it is done (Python's import lock then makes that page wait for the same import, not do it twice).
    Afterwards the new objects are frozen out of the garbage collector, as at start-up."""
    global _warm_up
    with _init_lock:
        if _warm_up is None:

            def work() -> None:
                try:
                    import torchvision.transforms  # noqa: F401  (the CNN page's upload and dataset views)
                    import torchvision.utils  # noqa: F401  (the GAN pages' image grids)
                except ImportError:  # the page that needs it will say so itself
                    return
                gc.freeze()

            _warm_up = threading.Thread(target=work, name="lab-warm-up", daemon=True)
            _warm_up.start()
        return _warm_up


PAGE_RUN_WAIT_S = 10.0  # a full page run waits at most this long for its turn, then runs anyway
_page_slots: threading.BoundedSemaphore | None = None


def page_run_slots() -> int:
    """How many full page runs may execute at once: LAB_PAGE_RUNS if a positive integer, else the CPU
    cores (at least 2)."""
    env = os.environ.get("LAB_PAGE_RUNS", "")
    return int(env) if env.isdigit() and int(env) > 0 else max(2, os.cpu_count() or 2)


def _slots() -> threading.BoundedSemaphore:
    global _page_slots
    with _init_lock:
        if _page_slots is None:
            _page_slots = threading.BoundedSemaphore(page_run_slots())
        return _page_slots


@contextlib.contextmanager
def page_run_slot() -> Iterator[bool]:
    """Full page runs (a page opened, a widget changed) take turns, a few at a time for the whole server;
    fragment reruns (a stroke's prediction, a live chart, a place in line) never enter here, so when
    thirty students open pages at once a drawn digit's answer shares Python's lock with a couple of page
    runs instead of thirty. Waiting costs no CPU; after PAGE_RUN_WAIT_S the run goes ahead
    anyway, so a slow page can delay others but never block them. Yields whether it got a turn."""
    slots = _slots()
    got = slots.acquire(timeout=PAGE_RUN_WAIT_S)
    try:
        yield got
    finally:
        if got:
            slots.release()


SWITCH_INTERVAL_MS = 0.5  # how long a Python thread may hold the GIL while another waits (Python: 5 ms)


def switch_interval_ms() -> float:
    """LAB_SWITCH_INTERVAL_MS if it is a number between 0.05 and 100, else SWITCH_INTERVAL_MS."""
    try:
        value = float(os.environ.get("LAB_SWITCH_INTERVAL_MS", ""))
    except ValueError:
        return SWITCH_INTERVAL_MS
    return value if 0.05 <= value <= 100 else SWITCH_INTERVAL_MS


def shorten_gil_turns() -> float:
    """Process-wide: let a thread that waits for Python's lock get it after 0.5 ms, not 5 ms.

    The server's event loop (websocket messages, the app's files for each new browser) gives the lock up at
    every socket write and must win it back from the sessions' script threads; with Python's default 5 ms
    turn each write of a busy server waits up to 5 ms, so 30 students' page reruns starve the replies of
    everyone (the "convoy effect"; `bench/gil_convoy.py` measures it). Returns the interval now in force,
    in ms."""
    sys.setswitchinterval(switch_interval_ms() / 1000)
    return sys.getswitchinterval() * 1000


@st.cache_resource(show_spinner=False)
def _device_choice() -> tuple[core_device.DeviceInfo, str]:
    """(the device, the LAB_DEVICE value if it names a device this machine lacks, else "")."""
    try:
        return core_device.default_device(), ""
    except ValueError:  # e.g. LAB_DEVICE=cuda on a CPU-only machine: the sidebar says so, we go on
        return core_device.choose_device(core_device.list_devices()), os.environ.get(core_device.ENV_VAR, "")


def device() -> core_device.DeviceInfo:
    """Chosen once per server: the GPU with most free memory, else MPS, else CPU (or LAB_DEVICE)."""
    return _device_choice()[0]


def device_unavailable() -> str:
    """The LAB_DEVICE value that could not be used ("" if none was set or it was usable)."""
    return _device_choice()[1]


@st.cache_resource(show_spinner=False)
def devices() -> list[core_device.DeviceInfo]:
    return core_device.list_devices()


@st.cache_resource(show_spinner="MNIST …")
def mnist() -> core_data.Split:
    return core_data.load_mnist()


@st.cache_resource(show_spinner=False)
def digits() -> core_data.Split:
    return core_data.load_digits()


GREY_SETS = ("mnist", "fashion")  # the 28x28 one-channel data sets the MNIST CNN trains on


@st.cache_resource(show_spinner=False)
def _fashion(limit: int) -> core_data.Split:
    from core import image_data

    return image_data.grey_split("fashion", limit)


def grey_split(name: str, limit: int) -> core_data.Split:
    """The training data `name` (GREY_SETS): MNIST as every page has it, or `limit` Fashion-MNIST images
    (stratified), one copy for the whole class; MNIST when Fashion-MNIST is not installed.
    core.image_data.DataUnavailable when its files are there but unreadable."""
    from core import image_data

    if name == "fashion" and image_data.available()["fashion"] is None:
        return _fashion(limit)
    return mnist()


@st.cache_resource(show_spinner=False)
def shipped_checkpoints() -> list[tuple[str, dict | str]]:
    """(file name, metadata) for each checkpoint in checkpoints/, or (name, error code) if unusable."""
    from core import checkpoints

    out: list[tuple[str, dict | str]] = []
    for path in sorted(checkpoints.SHIPPED_DIR.glob("*.pth")):
        try:
            out.append((path.name, checkpoints.read_meta(path)))
        except checkpoints.CheckpointError as e:
            out.append((path.name, e.code))
    return out


def test_mode() -> bool:
    """LAB_TEST_MODE=1 (tests, CI): pages use tiny epochs and data so every AppTest run is quick."""
    return os.environ.get("LAB_TEST_MODE") == "1"


class Sizes:
    """A lesson's sizes (see `sizes`). Each is looked up when read, so a test that sets LAB_TEST_MODE=0 for
    one page run sees the class's sizes although the lesson module was imported in test mode."""

    def __init__(self, full: dict, tiny: dict) -> None:
        unknown = set(tiny) - set(full)
        assert not unknown, f"tiny sizes without a full size: {sorted(unknown)}"
        self._full, self._tiny = dict(full), dict(tiny)

    def __getattr__(self, name: str):
        # only the sizes: `_full` and `_tiny` are missing while a copy is being made
        if name.startswith("_"):
            raise AttributeError(name)
        values = self._full | self._tiny if test_mode() else self._full
        if name not in values:
            raise AttributeError(name)
        return values[name]


def sizes(full: dict, tiny: dict) -> Sizes:
    """A lesson's sizes (epochs, data, samples), declared once in its ui/lessons module: `full` for a class,
    `tiny` under LAB_TEST_MODE=1 (tests and CI), where only the names in `tiny` change. Pages read
    `lesson.SIZES.epochs` and never ask which mode they are in."""
    return Sizes(full, tiny)


def shipped(file_name: str, family: str):
    """The shipped checkpoint `checkpoints/<file_name>` (`core.checkpoints.Loaded`), or None when it is
    missing or unusable: then `shipped_problem` says why, in the student's language."""
    loaded = shipped_model(file_name, family)
    return None if isinstance(loaded, Exception) else loaded


def shipped_problem(file_name: str, family: str) -> str:
    """Why the shipped checkpoint cannot be used, translated ("" when it can)."""
    loaded = shipped_model(file_name, family)
    if not isinstance(loaded, Exception):
        return ""
    return t(f"ckpt.{loaded.code}", family=family, path=file_name)


def shipped_warning(file_name: str, family: str, message_key: str, caption: bool = False) -> None:
    """The page's sentence `message_key` (with `{reason}`) for an unusable shipped checkpoint: a warning,
    or a caption where the page can do without it."""
    text = t(message_key, reason=shipped_problem(file_name, family))
    st.caption(text) if caption else st.warning(text)


@st.cache_resource(show_spinner=False)
def shipped_model(file_name: str, family: str):
    """A shipped checkpoint from checkpoints/, read-only: eval mode, no gradients, shared by all sessions.

    Returns `core.checkpoints.Loaded`, or the `CheckpointError` if the file is missing or unusable
    (cached too, so a missing file is looked for once). Pages use `shipped` and `shipped_warning`.
    """
    from core import checkpoints

    path = checkpoints.SHIPPED_DIR / file_name
    try:
        loaded = checkpoints.load(path, expected_family=family)
    except checkpoints.CheckpointError as e:
        return e
    loaded.model.eval().requires_grad_(False)
    stat = path.stat()
    # the file and its version: what `result_key` names the model by (a new file, new results)
    _SHIPPED_KEYS[loaded.model] = (file_name, stat.st_size, stat.st_mtime_ns)
    return loaded


# -- results of shipped models, computed once per server ---------------------------------------------------
_SHIPPED_KEYS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # shipped model -> its file's key


def result_key(model) -> Hashable:
    """What a `SharedResults` key names a model by. A shipped model: its checkpoint file and version, so its
    results outlive a "Clear cache" that reloads it as a new object. Any other model (a test's): the
    object itself, which the memo then keeps alive, so its id cannot be reused by another model."""
    try:
        return _SHIPPED_KEYS.get(model, model)
    except TypeError:  # None (no classifier) or another value that is no model: itself
        return model


class _Flight:
    """One computation in progress: the callers that came after the first wait for its `done`."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class SharedResults:
    """A process-wide memo for what shipped models compute from fixed inputs (a sampler comparison, a grid,
    a judge's readings): the same for every student, so computed once per server.

    - Single-flight: thirty students clicking at once cost one computation; the others wait for it (no CPU)
      and get the same object, which they read and never change in place.
    - Out of a client's reach: any browser may send Streamlit's "clear cache", which empties
      `st.cache_resource` (docs/streamlit-notes.md); this is a plain object no message clears, so a click
      cannot make the server compute 25 seconds again.
    - Bounded: at most `max_entries` results; the least recently used goes first.
    - A computation that fails is not kept: those waiting for it get its error, the next caller tries again.

    `compute` must not call `st.*` (it may run for another session's page, which a rerun must not stop).
    """

    def __init__(self, max_entries: int = 64) -> None:
        assert max_entries > 0, f"a memo keeps at least one result, got max_entries={max_entries}"
        self.max_entries = max_entries
        self.computations = 0  # how many computations ran (tests and bench/ read it)
        self._lock = threading.Lock()
        self._done: OrderedDict[Hashable, Any] = OrderedDict()
        self._flights: dict[Hashable, _Flight] = {}

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The result for `key`: kept, being computed by someone else (then wait for it), or computed now."""
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                return self._done[key]
            flight = self._flights.get(key)
            first = flight is None
            if first:
                flight = self._flights[key] = _Flight()
        if not first:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return flight.value
        try:
            flight.value = compute()
        except BaseException as e:  # re-raised: the waiters get it too, nothing is kept
            flight.error = e
            raise
        else:
            with self._lock:
                self.computations += 1
                self._done[key] = flight.value
                while len(self._done) > self.max_entries:
                    self._done.popitem(last=False)
        finally:
            with self._lock:
                del self._flights[key]
            flight.done.set()
        return flight.value

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._done

    def __len__(self) -> int:
        with self._lock:
            return len(self._done)

    def clear(self) -> None:
        """Forget every result (tests only: no page offers it, so no client can force a recomputation)."""
        with self._lock:
            self._done.clear()


# -- the shipped generators' pictures (GAN and cGAN pages), computed once for the whole class ----------------
_GENERATED = SharedResults(max_entries=64)  # at most 64 results of 200 digits each: about 40 MB


def from_shipped(G, fn: str, *args):
    """`core.gan.<fn>(G, *args)` ("sample" or "interpolate") for a shipped generator, which every session
    shares read-only: a class opening the page with the same seed costs one forward pass, not forty.
    The result is shared as well: read it, never change it in place. Kept in a `SharedResults`, so a
    client's "Clear cache" does not make the server draw them again."""
    sample = _generator_fn(fn)  # only the two sampling functions can be named
    return _GENERATED.get(("samples", result_key(G), fn, args), lambda: sample(G, *args))


def shipped_png(G, fn: str, args: tuple, nrow: int, scale: int) -> bytes:
    """The PNG of `from_shipped(G, fn, *args)` tiled `nrow` a row, shared likewise: the class sees the same
    grid, so it is tiled and compressed once, not on every rerun of every session."""
    from ui.figures import images

    def tile() -> bytes:
        return images.png_bytes(images.grid_image(from_shipped(G, fn, *args), nrow=nrow, scale=scale))

    return _GENERATED.get(("png", result_key(G), fn, args, nrow, scale), tile)


def generated_png(G, fn: str, args: tuple, nrow: int, scale: int, *, shared: bool) -> bytes:
    """`core.gan.<fn>(G, *args)` as a PNG grid: through `shipped_png` for a shared generator (once for the
    class), directly for a student's own, which stays out of the class's memo."""
    if shared:
        return shipped_png(G, fn, args, nrow, scale)
    from ui.figures import images

    return images.png_bytes(images.grid_image(_generator_fn(fn)(G, *args), nrow=nrow, scale=scale))


def shipped_generators(n: int, seed: int) -> dict:
    """{"gan": ..., "vae": ...}: functions that draw `n` samples, seeded, from the GAN page's and the VAE
    page's shipped generators (the VAE's own 2-D model), for a page that compares generative models. A
    model that is missing or unusable is left out."""
    import torch

    from core import gan, vae

    makers = {}
    gan_ck = shipped("gan_mnist.pth", "gan.Generator")
    if gan_ck is not None:
        makers["gan"] = lambda: gan.sample(gan_ck.model, n, seed)
    vae_ck = shipped("vae_mnist.pth", "vae.ConvVAE")
    if vae_ck is not None:
        makers["vae"] = lambda: vae.sample_prior(vae_ck.model, n, torch.Generator().manual_seed(seed))
    return makers


def read_digits(classifier, images):
    """The CNN's reading (digits, confidences) of (N, 1, S, S) images in [0, 1] (8x8 digits are upscaled)."""
    import torch

    from core.metrics import classify

    if images.shape[-1] != 28:
        images = torch.nn.functional.interpolate(images, size=(28, 28), mode="bilinear", align_corners=False)
    return classify(classifier, images)


def shipped_reading(classifier, G, n: int, seed: int):
    """`read_digits(classifier, sample(G, n, seed))` for a shipped classifier and generator, shared likewise."""
    key = ("reading", result_key(classifier), result_key(G), n, seed)
    return _GENERATED.get(key, lambda: read_digits(classifier, from_shipped(G, "sample", n, seed)))


def _generator_fn(fn: str):
    from core import gan

    return {"sample": gan.sample, "interpolate": gan.interpolate}[fn]
