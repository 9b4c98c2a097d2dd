"""XOR lesson of Part 1 (000, 1.4): train the course MLP on a logic gate, and look inside it.

`XORConfig` holds the course's settings (2-2-2-1 Sigmoid, BCELoss, Adam lr 0.05, 1,000 epochs, batch 4);
`Trainer` runs `core.train.fit` in a job, paused or one epoch at a time; the other functions give the
numbers the page draws, and `script_constants` fills in the run zip's standalone PyTorch program
(core/export_scripts/xor.tmpl) for the same settings.
A `Trainer` can pause between epochs (slow motion, as GAN Lab) and keeps up to `SNAPSHOTS` evenly spaced
copies of the weights, so the page can replay the decision boundary epoch by epoch after the run.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field

import numpy as np
import torch
import torch.nn.functional as F
from torch.nn.utils import parameters_to_vector, vector_to_parameters

from core import records
from core.configs import from_dict
from core.data import GATES, logic_gate
from core.models import reset_parameters
from core.models.mlp import ACTIVATIONS, MLP, parse_hidden
from core.train import FitConfig, fit, make_optimizer

# a seed from which the course network learns XOR: not every seed does (bench/README.md, Defaults)
DEFAULT_SEED = 1
OPTIMIZERS = ("adam", "sgd")  # the course's two, named as in core.train.OPTIMIZERS
SNAPSHOTS = 100  # weight copies a run keeps for its replay, evenly spaced (plus epoch 0 and the last)
MAX_DELAY_S = 1.0  # the longest pause between two epochs: Stop must still act within about a second


@dataclass(frozen=True)
class XORConfig:
    gate: str = "XOR"  # AND | OR | NAND | XOR
    hidden: tuple[int, ...] = (2, 2)  # the course: two hidden layers of 2 neurons
    activation: str = "sigmoid"  # the course uses Sigmoid in every layer
    optimizer: str = "adam"  # the course: torch.optim.Adam
    lr: float = 0.05  # the course: lr=0.05
    epochs: int = 1000  # the course: range(1000)
    batch_size: int = 4  # the course: batch_size=4, the whole truth table in one batch
    seed: int = DEFAULT_SEED  # weight init and shuffling, from one per-run generator

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden", parse_hidden(self.hidden))
        object.__setattr__(self, "gate", self.gate.upper())
        if self.gate not in GATES:
            raise ValueError(f"unknown gate {self.gate!r}; choose one of {GATES}")
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {self.activation!r}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; choose one of {OPTIMIZERS}")
        if not (self.lr > 0 and math.isfinite(self.lr)) or self.epochs < 1 or not 1 <= self.batch_size <= 4:
            raise ValueError("lr must be > 0, epochs >= 1 and batch_size 1–4")

    def fit_config(self) -> FitConfig:
        return FitConfig(
            epochs=self.epochs,
            batch_size=self.batch_size,
            lr=self.lr,
            optimizer=self.optimizer,
            loss="bce",
            seed=self.seed,
        )

    def architecture(self) -> str:
        """'2-2-2-1' for the course network."""
        return "-".join(str(n) for n in (2, *self.hidden, 1))


def snapshot_every(epochs: int) -> int:
    """Epochs between two snapshots: every epoch up to 100 epochs, every 10th of 1,000, every 200th of 20,000."""
    return max(1, math.ceil(epochs / SNAPSHOTS))


def parameters_of(model: MLP) -> torch.Tensor:
    """The model's weights and biases as one flat copy, (n_params,): 15 numbers for 2-2-2-1."""
    return parameters_to_vector(model.parameters()).detach().cpu().clone()


def build_model(cfg: XORConfig) -> tuple[MLP, torch.Generator]:
    """The MLP of `cfg`, initialised from the per-run generator that then also drives the shuffling."""
    g = torch.Generator().manual_seed(cfg.seed)
    model = reset_parameters(MLP(cfg.hidden, cfg.activation), g)
    return model, g


@dataclass
class Trainer:
    """One training run that can be played in a background job, paused, and stepped one epoch at a time.

    `run()` is what a job iterates; `step_epoch()` pulls one epoch synchronously (only while no job is
    iterating). Both read the same `fit` iterator, so model and Adam state carry over between them.
    `controls["delay"]` (seconds, read after every epoch) slows `run()` down so a class can watch the
    boundary move; the page may change it while the job runs. Every `snapshot_every(epochs)`-th epoch and
    the last are kept in `snapshots` (and carried by their epoch record as "snapshot", for runs/).
    """

    cfg: XORConfig
    device: str = "cpu"
    model: MLP = field(init=False)
    history: list[dict] = field(default_factory=list)  # epoch records, in order
    steps: list[tuple[int, float]] = field(default_factory=list)  # (step, loss) per batch
    finished: bool = False
    diverged: bool = False
    controls: dict = field(default_factory=lambda: {"delay": 0.0})  # read between epochs by run()
    snapshots: dict[int, torch.Tensor] = field(default_factory=dict)  # epoch → parameters_of(model)

    def __post_init__(self) -> None:
        self.model, g = build_model(self.cfg)
        self.snapshots[0] = parameters_of(self.model)  # the initial weights: where the replay starts
        x, y, _ = logic_gate(self.cfg.gate)
        self._it = fit(self.model, x, y, self.cfg.fit_config(), device=self.device, generator=g)

    @property
    def epoch(self) -> int:
        return self.history[-1]["epoch"] if self.history else 0

    def _next(self) -> dict | None:
        if self.finished:
            return None
        try:
            rec = next(self._it)
        except StopIteration:
            self.finished = True
            return None
        if rec["kind"] == "step":
            self.steps.append((rec["step"], rec["loss"]))
        else:
            self.history.append(rec)
        if rec["kind"] == "epoch" and (
            rec["epoch"] % snapshot_every(self.cfg.epochs) == 0 or rec["epoch"] == self.cfg.epochs
        ):
            rec["snapshot"] = self.snapshots[rec["epoch"]] = parameters_of(self.model)
        if rec["kind"] == "diverged":
            self.diverged = self.finished = True
        return rec

    def run(self) -> Iterator[dict]:
        """Every record until the last epoch (for the job engine, core.jobs); with a `controls["delay"]` above 0, a
        `records.rest(delay)` record after each epoch, a pause the job engine takes."""
        while (rec := self._next()) is not None:
            yield rec
            if rec["kind"] == "epoch" and rec["epoch"] < self.cfg.epochs:
                delay = min(float(self.controls.get("delay", 0.0)), MAX_DELAY_S)
                if delay > 0:  # slow motion: a pause the job engine spends without holding a slot
                    yield records.rest(delay)
        self.finished = True

    def step_epoch(self) -> dict | None:
        """Train exactly one more epoch; its epoch record, or None when training is over."""
        while (rec := self._next()) is not None:
            if rec["kind"] != "step":
                return rec
        return None

    # -- the replay ---------------------------------------------------------------------------------
    def replay_epochs(self) -> list[int]:
        """The epochs the replay can show, in order: the snapshots' and the current one."""
        return sorted(set(self.snapshots) | {self.epoch})

    def model_at(self, epoch: int) -> MLP:
        """The network as it was after `epoch` (the live model for the current epoch); KeyError if no
        snapshot of that epoch was kept."""
        if epoch == self.epoch:
            return self.model
        model = MLP(self.cfg.hidden, self.cfg.activation)
        vector_to_parameters(self.snapshots[epoch].clone(), model.parameters())
        return model.eval()

    def load_snapshots(self, epochs: np.ndarray | None, params: np.ndarray | None) -> None:
        """Snapshots back from `snapshots_of`'s arrays (epoch 0 is this Trainer's own initial weights, the
        same for the same seed); none, so only the current epoch, when they are missing or do not fit
        this network (a run saved before snapshots were kept)."""
        n = sum(p.numel() for p in self.model.parameters())
        if epochs is None or params is None or params.ndim != 2 or params.shape != (len(epochs), n):
            self.snapshots = {}
            return
        initial = self.snapshots.get(0)
        self.snapshots = {
            int(e): torch.as_tensor(p, dtype=torch.float32).clone() for e, p in zip(epochs, params)
        }
        if initial is not None:
            self.snapshots.setdefault(0, initial)


def snapshots_of(records: list[dict]) -> dict[str, np.ndarray]:
    """The snapshots a run's epoch records carry, as two arrays for arrays.npz: "snapshot_epochs" (n,) and
    "snapshot_params" (n, n_params); {} when none carries one."""
    kept = [(r["epoch"], r["snapshot"]) for r in records if isinstance(r.get("snapshot"), torch.Tensor)]
    if not kept:
        return {}
    return {
        "snapshot_epochs": np.asarray([e for e, _ in kept], dtype=np.int64),
        "snapshot_params": torch.stack([p for _, p in kept]).numpy(),
    }


def train(cfg: XORConfig, device: str = "cpu") -> tuple[MLP, dict]:
    """Train to the end; the model and a summary (final loss, truth-table accuracy, seconds)."""
    t0 = time.perf_counter()
    trainer = Trainer(cfg, device)
    for _ in trainer.run():
        pass
    seconds = time.perf_counter() - t0
    model = trainer.model.to("cpu").eval()
    rows = truth_table(model, cfg.gate)
    return model, {
        "gate": cfg.gate,
        "architecture": cfg.architecture(),
        "activation": cfg.activation,
        "seed": cfg.seed,
        "epochs": trainer.epoch,
        "loss": final_loss(model, cfg.gate),
        "accuracy": sum(r["correct"] for r in rows) / len(rows),
        "diverged": trainer.diverged,
        "seconds": seconds,
    }


@torch.inference_mode()
def final_loss(model: MLP, gate: str) -> float:
    """BCELoss over the whole truth table (as the course's last printed loss, for batch 4)."""
    x, y, _ = logic_gate(gate)
    return F.binary_cross_entropy(model(x), y).item()


@torch.inference_mode()
def predict(model: MLP, a: float, b: float) -> tuple[int, float]:
    """As the course's inference: the 0/1 prediction (0.5 threshold) and the sigmoid output."""
    out = model(torch.tensor([[a, b]], dtype=torch.float32)).item()  # (1, 1) → float
    return int(out > 0.5), out


@torch.inference_mode()
def truth_table(model: MLP, gate: str) -> list[dict]:
    """One row per input: a, b, target, output probability, prediction, confidence, correct."""
    x, y, _ = logic_gate(gate)
    out = model(x).squeeze(1)  # (4,)
    rows = []
    for (a, b), target, p in zip(x.tolist(), y.squeeze(1).tolist(), out.tolist()):
        pred = int(p > 0.5)
        rows.append(
            {
                "a": int(a),
                "b": int(b),
                "target": int(target),
                "output": p,
                "prediction": pred,
                "confidence": p if pred else 1 - p,
                "correct": pred == int(target),
            }
        )
    return rows


@torch.inference_mode()
def decision_grid(
    model: MLP, n: int = 41, margin: float = 0.25
) -> tuple[list[float], list[float], list[list[float]]]:
    """The model's output over [-margin, 1+margin]²: xs (n,), ys (n,), probs[row=y][col=x] (n, n)."""
    axis = torch.linspace(-margin, 1 + margin, n)
    yy, xx = torch.meshgrid(axis, axis, indexing="ij")  # (n, n) each
    points = torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=1)  # (n*n, 2)
    probs = model(points).reshape(n, n)
    return axis.tolist(), axis.tolist(), probs.tolist()


def compare_linear(cfg: XORConfig, gates: tuple[str, ...] = GATES) -> list[dict]:
    """For each gate: accuracy, loss and the trained model, with no hidden layer and with the network of `cfg`.

    The point of the lesson: a single line (no hidden layer) separates AND, OR and NAND, never XOR.
    """
    rows = []
    for gate in gates:
        row = {"gate": gate}
        for name, hidden in (("linear", ()), ("network", cfg.hidden)):
            model, summary = train(XORConfig(**{**asdict(cfg), "gate": gate, "hidden": hidden}))
            row[name] = summary["accuracy"]
            row[f"{name}_loss"] = summary["loss"]
            row[f"{name}_model"] = model
        rows.append(row)
    return rows


def step_numbers(model: MLP, gate: str, optimizer: str = "adam", lr: float = 0.05) -> dict:
    """The numbers of one training step on the whole truth table (one batch of 4), on a copy of `model`.

    Returns per layer: W (out, in), b (out,), z = a_prev @ W.T + b (4, out), a = activation(z) (4, out),
    dW, db (the gradients), W_new, b_new (after one step of a fresh optimizer of the same kind);
    plus the input (4, 2), target (4, 1), output (4, 1) and loss. Adam's first step moves every weight by
    about lr in the direction of −grad (its update is m / sqrt(v), which is ±1 on the first step).
    """
    m = copy.deepcopy(model).to("cpu").train()
    x, y, _ = logic_gate(gate)
    linears = m.linears
    zs: list[torch.Tensor] = []  # pre-activations, (4, out) each
    acts: list[torch.Tensor] = [x]  # layer outputs after the activation, input first
    for i, lin in enumerate(linears):
        z = lin(acts[-1])  # (4, out)
        last = i == len(linears) - 1
        zs.append(z)
        acts.append(torch.sigmoid(z) if last else ACTIVATIONS[m.activation]()(z))
    out = acts[-1]  # (4, 1)
    loss = F.binary_cross_entropy(out, y)
    loss.backward()
    before = [(lin.weight.detach().clone(), lin.bias.detach().clone()) for lin in linears]
    opt = make_optimizer(optimizer, m.parameters(), lr)  # Adam's betas (0.9, 0.999); plain SGD
    layers = []
    for i, lin in enumerate(linears):
        layers.append(
            {
                "W": before[i][0].tolist(),
                "b": before[i][1].tolist(),
                "z": zs[i].detach().tolist(),
                "a": acts[i + 1].detach().tolist(),
                "dW": lin.weight.grad.tolist(),
                "db": lin.bias.grad.tolist(),
            }
        )
    opt.step()
    for i, lin in enumerate(linears):
        layers[i]["W_new"] = lin.weight.detach().tolist()
        layers[i]["b_new"] = lin.bias.detach().tolist()
    with torch.no_grad():
        new_loss = F.binary_cross_entropy(m(x), y).item()
    return {
        "x": x.tolist(),
        "y": y.tolist(),
        "output": out.detach().tolist(),
        "loss": loss.item(),
        "loss_after": new_loss,
        "layers": layers,
    }


def network_values(model: MLP, point: tuple[float, float] = (0.0, 1.0)) -> dict:
    """Weights, biases and the activations for one input: what the network drawing shows."""
    with torch.no_grad():
        acts = model.activations(torch.tensor([point], dtype=torch.float32))
    return {
        "sizes": model.sizes(),
        "weights": [lin.weight.detach().cpu().tolist() for lin in model.linears],  # (out, in) each
        "biases": [lin.bias.detach().cpu().tolist() for lin in model.linears],
        "activations": [a[0].tolist() for a in acts],
    }


def script_constants(config: Mapping, model_config: Mapping) -> dict:
    """The constants of the run zip's train.py (core/export_scripts/xor.tmpl) for saved settings: the
    same network, initialisation, shuffling and optimizer as the lab's run. `model_config` is not needed:
    the settings name the whole network."""
    cfg = from_dict(XORConfig, config)
    _, y, _ = logic_gate(cfg.gate)
    return {
        "GATE": cfg.gate,
        "HIDDEN": cfg.hidden,
        "ACTIVATION": cfg.activation,
        "OPTIMIZER": cfg.optimizer,
        "LR": cfg.lr,
        "EPOCHS": cfg.epochs,
        "BATCH_SIZE": cfg.batch_size,
        "SEED": cfg.seed,
        "ANSWERS": y.int().tolist(),  # (4, 1): the truth table's outputs
    }
