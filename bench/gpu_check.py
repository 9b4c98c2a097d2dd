"""One command that checks the lab on a CUDA GPU: `python bench/gpu_check.py`.

For every page that trains (core.topics.TOPICS) it runs that page's own core training iterator for a few
steps on the GPU, in bfloat16 mixed precision where the topic can take it, and prints steps/s or
images/s and the peak GPU memory; then the shipped models' inference (checkpoints/), the least-loaded GPU
choice (core.device), and an out-of-memory error provoked and survived. Without CUDA it prints one line
and exits 0; `--device cpu` runs the same checks on the CPU (a dry run of this script). The last line is a
summary; the exit status is 1 when a check failed. Figures go to bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from core.topics import TOPICS  # noqa: E402

TRAIN_N = 2048  # images each check trains on: enough batches for a steady rate, loaded in seconds
BUDGET_S = 240.0  # checks still waiting after this are skipped, so the whole run stays within 5 minutes


@dataclass
class Run:
    """What a check trains: a factory of the topic's record iterator, the items per step, how to run it."""

    records: Callable[[], Iterator[dict]]
    per_step: int  # images (or sequences, windows) per step record
    unit: str = "images"
    device: str = ""  # where it runs, if not the device asked for (a topic that trains on the CPU)
    autocast: bool = True  # wrap the iterator in torch.autocast (False: it has its own AMP, or must not)
    amp: str = "bf16 autocast"


# -- data, loaded once ---------------------------------------------------------------------------------


class Data:
    _mnist = None

    @classmethod
    def mnist(cls):
        """The lab's MNIST (full where data/ has it, else the embedded 4,000), cut to TRAIN_N."""
        if cls._mnist is None:
            from core.data import load_mnist

            s = load_mnist(allow_download=False)
            cls._mnist = (s.x_train[:TRAIN_N], s.y_train[:TRAIN_N], s.x_test[:500], s.y_test[:500])
        return cls._mnist


# -- one entry per trainable topic: build its run as its lesson does (ui/lessons/<key>.py) ------------


def _xor(dev: str) -> Run:
    from core import xor

    trainer = xor.Trainer(xor.XORConfig(epochs=10_000), device=dev)
    return Run(trainer.run, 4, "examples", autocast=False, amp="off (17 weights)")


def _cnn(dev: str) -> Run:
    from core import cnn

    x, y, xt, yt = Data.mnist()
    cfg = cnn.CNNTrainConfig(epochs=50)
    g = torch.Generator().manual_seed(cfg.seed)
    model = cnn.build_model(cfg, g)
    fit_cfg = replace(cfg.fit_config(), amp="bf16" if dev.startswith("cuda") else "off")
    return Run(
        lambda: cnn.fit_augmented(model, x, y, fit_cfg, xt, yt, device=dev, generator=g),
        cfg.batch_size,
        autocast=False,
        amp=f"FitConfig.amp={fit_cfg.amp}",
    )


def _hyperparams(dev: str) -> Run:
    from core import experiments as ex

    x, y, xt, yt = Data.mnist()
    base = ex.Settings(epochs=40, train_size=len(x))
    q = ex.RunQueue(ex.new_results(ex.grid(base, {})), ex.Data(x, y, xt, yt), device=dev)
    return Run(q.records, base.batch_size)


def _cifar(dev: str) -> Run:
    from core import cifar

    cfg = cifar.CifarConfig(dataset="fashion", epochs=20, train_limit=TRAIN_N, evals_per_epoch=1)
    model, data, g = cifar.make_run(cfg, cifar.load("fashion", limit=TRAIN_N))
    # the guide's loop takes no device: it trains where the model and the data are
    return Run(
        lambda: cifar.train(model, data, cfg, g), cfg.batch_size, device="cpu", autocast=False, amp="off"
    )


def _transfer(dev: str) -> Run:
    from core import transfer

    cfg = transfer.TransferConfig(test_limit=200)
    source, task = transfer.load_source(cfg.source), transfer.load_task(cfg.target, cfg.test_limit)
    # the page trains its sweep on the CPU: each run is a hundred small updates
    return Run(
        lambda: transfer.train(cfg, source, task),
        cfg.batch_size,
        device="cpu",
        autocast=False,
        amp="off (CPU by design)",
    )


def _sequence(dev: str) -> Run:
    from core import sequence

    cfg = sequence.SequenceConfig(epochs=500)
    model, g = sequence.build_model(cfg)
    s = sequence.load_series(cfg.series, cfg.noise, cfg.second)
    # the page trains it on the CPU: a recurrent net this small steps faster there
    return Run(
        lambda: sequence.train(model, s, cfg, g),
        cfg.batch_size,
        "windows",
        "cpu",
        False,
        "off (CPU by design)",
    )


def _gan(dev: str, conditional: bool = False) -> Run:
    from core import gan

    x, y, _, _ = Data.mnist()
    cfg = gan.GanConfig(epochs=50)
    g = torch.Generator().manual_seed(cfg.seed)
    G, D = gan.build_models(cfg, conditional, g)
    if conditional:
        return Run(lambda: gan.train_cgan(cfg, x, y, G, D, device=dev, generator=g), cfg.batch_size)
    return Run(lambda: gan.train_gan(cfg, x, G, D, device=dev, generator=g), cfg.batch_size)


def _vae(dev: str) -> Run:
    from core import vae

    x, _, xt, yt = Data.mnist()
    cfg = vae.VAEConfig(epochs=50)
    model = vae.build_model(cfg)
    return Run(
        lambda: vae.train_autoencoder(model, x, cfg, xt[:100], yt[:100], device=dev, grid=5), cfg.batch_size
    )


def _diffusion(dev: str) -> Run:
    from core import diffusion

    x, y, _, _ = Data.mnist()
    cfg = diffusion.DiffusionConfig(epochs=50)
    g = torch.Generator().manual_seed(cfg.seed)
    model = diffusion.build_model(cfg, g)
    ema = copy.deepcopy(model)
    return Run(lambda: diffusion.train_diffusion(model, x, y, cfg, dev, g, ema), cfg.batch_size)


def _attention(dev: str) -> Run:
    from core import attention

    cfg = attention.AttentionConfig()
    model = attention.build_model(cfg)
    return Run(lambda: attention.train_attention(model, cfg, dev), cfg.batch_size, "sequences")


CHECKS: dict[str, Callable[[str], Run]] = {
    "xor": _xor,
    "cnn": _cnn,
    "hyperparams": _hyperparams,
    "cifar": _cifar,
    "transfer": _transfer,
    "sequence": _sequence,
    "gan": _gan,
    "cgan": lambda dev: _gan(dev, conditional=True),
    "vae": _vae,
    "diffusion": _diffusion,
    "attention": _attention,
}


# -- measuring -----------------------------------------------------------------------------------------


def _sync(dev: str) -> None:
    if dev.startswith("cuda"):
        torch.cuda.synchronize(dev)


def _peak(dev: str) -> str:
    return (
        f"{torch.cuda.max_memory_allocated(dev) / 2**20:8.1f} MiB"
        if dev.startswith("cuda")
        else "       - MiB"
    )


def measure(run: Run, dev: str, steps: int, warmup: int = 2) -> tuple[float, int]:
    """(seconds, steps) of `steps` step records after `warmup` ones (cuDNN's and the allocator's first
    calls are not the rate a class sees)."""
    if dev.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats(dev)
    use_autocast = run.autocast and dev.startswith("cuda")
    ctx = torch.autocast("cuda", dtype=torch.bfloat16) if use_autocast else contextlib.nullcontext()
    it = run.records()
    n, t0 = 0, time.perf_counter()
    try:
        with ctx:
            for rec in it:
                if rec.get("kind") != "step":
                    continue
                n += 1
                if n == warmup:
                    _sync(dev)
                    t0 = time.perf_counter()
                if n >= warmup + steps:
                    break
        _sync(dev)
    finally:
        if hasattr(it, "close"):
            it.close()
    if n <= warmup:
        raise RuntimeError(f"the iterator ended after {n} steps")
    return time.perf_counter() - t0, n - warmup


def check_topic(key: str, dev: str, steps: int) -> str:
    """One line: the topic's rate and peak memory; a failure in mixed precision is retried in float32."""
    run = CHECKS[key](dev)
    where = run.device or dev
    try:
        seconds, n = measure(run, where, steps)
        amp = run.amp if where.startswith("cuda") else "off"
    except (RuntimeError, TypeError) as e:
        if not (run.autocast and where.startswith("cuda")):
            raise
        run = replace(CHECKS[key](dev), autocast=False)  # a fresh model: the failed one may be half-stepped
        seconds, n = measure(run, where, steps)
        amp = f"fp32 (autocast failed: {str(e).splitlines()[0][:80]})"
    rate = n / seconds
    return (
        f"{key:<12} {where:<7} {rate:8.1f} steps/s {rate * run.per_step:10,.0f} {run.unit}/s"
        f"  peak {_peak(where)}  amp: {amp}"
    )


# -- shipped models, device choice, out-of-memory ----------------------------------------------------


def _inference_input(loaded, dev: str, n: int) -> Callable[[], object]:
    """A call that runs the shipped model as its page does, on n inputs."""
    from core import diffusion, gan, vae

    model, family = loaded.model.to(dev).eval(), loaded.family
    if family == "gan.Generator":
        z = torch.randn(n, model.latent_dim, device=dev)
        return lambda: gan.generate(model, z)
    if family == "gan.CondGenerator":
        z = torch.randn(n, model.latent_dim, device=dev)
        return lambda: gan.generate(model, z, torch.arange(n) % 10)
    if family.startswith("vae."):
        return lambda: vae.decode(model, torch.randn(n, model.latent_dim))
    if family.startswith("diffusion."):
        return lambda: diffusion.sample(model, min(n, 100), steps=4)
    if family.startswith("gpt."):
        args = model.model_args
        idx = torch.randint(0, args["vocab_size"], (n, args["block_size"]), device=dev)
        return lambda: model(idx)
    x = torch.rand(n, 1, 28, 28, device=dev)  # the CNNs read 28x28 digits
    return lambda: model(x)


def check_inference(dev: str, n: int = 256) -> list[str]:
    from core import checkpoints

    lines = []
    for path in sorted(checkpoints.SHIPPED_DIR.glob("*.pth")):
        try:
            loaded = checkpoints.load(path)
            call = _inference_input(loaded, dev, n)
            with torch.inference_mode():
                call()  # warm-up
                _sync(dev)
                t0 = time.perf_counter()
                for _ in range(3):
                    call()
                _sync(dev)
            rate = 3 * n / (time.perf_counter() - t0)
            lines.append(f"infer {path.name:<24} {loaded.family:<18} {rate:10,.0f} inputs/s")
        except Exception as e:  # one model's problem must not hide the others
            lines.append(f"infer {path.name:<24} FAILED {type(e).__name__}: {str(e).splitlines()[0][:100]}")
    return lines


def check_device_choice() -> str:
    from core import device

    gpu = device.job_gpu({})
    busy = device.job_gpu({gpu.name: 1}) if gpu else None
    pick = device.job_device("cuda:0", {gpu.name: 1} if gpu else {}, override="")
    free = f"{(gpu.free_bytes or 0) / 2**30:.1f} GiB free" if gpu else "none"
    return f"device: least-loaded {gpu.name if gpu else '-'} ({free}); with a job on it: {busy and busy.name}, job_device → {pick}"


def check_out_of_memory(dev: str, chunk_gib: float = 1.0) -> str:
    """Allocate until CUDA runs out, then free and check that a small training step still works."""
    total = torch.cuda.get_device_properties(dev).total_memory
    held, n = [], int(chunk_gib * 2**30 / 4)
    try:
        for _ in range(int(2 * total / (chunk_gib * 2**30)) + 2):  # bounded: never loops forever
            held.append(torch.empty(n, dtype=torch.float32, device=dev))
        return f"oom: no OutOfMemoryError after {len(held)} GiB: FAILED"
    except torch.cuda.OutOfMemoryError:
        got = len(held) * chunk_gib
    finally:
        held.clear()
        torch.cuda.empty_cache()
    model = torch.nn.Linear(784, 10).to(dev)
    loss = model(torch.rand(64, 784, device=dev)).logsumexp(1).mean()
    loss.backward()
    _sync(dev)
    free, _ = torch.cuda.mem_get_info(dev)
    return f"oom: OutOfMemoryError after {got:.0f} GiB, survived (a step after empty_cache works; {free / 2**30:.1f} GiB free)"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default="cuda", help="cuda (default), cuda:N, or cpu for a dry run")
    p.add_argument("--steps", type=int, default=20, help="measured steps per page")
    p.add_argument("--only", nargs="*", default=None, help="topic keys to check (default: all)")
    args = p.parse_args(argv)
    dev = "cuda:0" if args.device == "cuda" else args.device
    if dev.startswith("cuda") and not torch.cuda.is_available():
        print("no CUDA GPU: skipped")
        return 0
    torch.set_num_threads(min(4, torch.get_num_threads()))
    name = torch.cuda.get_device_name(dev) if dev.startswith("cuda") else "CPU"
    print(f"gpu_check on {dev} ({name}), torch {torch.__version__}, {args.steps} steps per page")
    start, failed, done, skipped = time.perf_counter(), [], 0, []
    keys = [t.key for t in TOPICS if t.trains and (args.only is None or t.key in args.only)]
    for key in keys:
        if time.perf_counter() - start > BUDGET_S:
            skipped.append(key)
            continue
        if key not in CHECKS:
            print(f"{key:<12} FAILED: no entry in bench/gpu_check.py's CHECKS")
            failed.append(key)
            continue
        try:
            print(check_topic(key, dev, args.steps), flush=True)
            done += 1
        except Exception as e:
            print(f"{key:<12} FAILED {type(e).__name__}: {str(e).splitlines()[0][:120]}", flush=True)
            failed.append(key)
        if dev.startswith("cuda"):
            torch.cuda.empty_cache()
    extra = check_inference(dev)
    print("\n".join(extra), flush=True)
    failed += [line.split()[1] for line in extra if " FAILED " in line]
    if dev.startswith("cuda"):
        for check in (check_device_choice, lambda: check_out_of_memory(dev)):
            try:
                line = check()
            except Exception as e:
                line = f"FAILED {type(e).__name__}: {e}"
            print(line, flush=True)
            if "FAILED" in line:
                failed.append(line.split(":")[0])
    summary = f"summary: {done}/{len(keys)} pages trained on {dev}, {len(extra)} shipped models"
    summary += f", {len(failed)} failed{(' (' + ', '.join(failed) + ')') if failed else ''}"
    summary += f", {len(skipped)} skipped for time" if skipped else ""
    print(f"{summary}, {time.perf_counter() - start:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
