"""core.records: the typed training records. Every loop in core builds them with its constructors (no
hand-built `{"kind": ...}` literal left), and what the loops yield carries each kind's required keys."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
import torch

from core import records, tensor_lab
from core.train import FitConfig, fit

ROOT = Path(__file__).resolve().parents[2]
TYPES = {
    "step": records.Step,
    "epoch": records.Epoch,
    "diverged": records.Diverged,
    "rest": records.Rest,
    "run_end": records.RunEnd,
}


def test_every_kind_has_a_type_and_a_constructor():
    assert set(TYPES) == set(records.KINDS)
    for kind in records.KINDS:
        assert callable(getattr(records, kind))


def test_the_constructors_make_plain_json_ready_dicts_of_their_kind():
    made = [
        records.step(epoch=1, batch=2, batches=5, step=7, loss=0.5, elapsed=1.25, seen=448, d_loss=0.4),
        records.epoch(3, train_loss=0.1, val_acc=0.9),
        records.diverged(2, float("inf"), step=9),
        records.rest(1),
        records.run_end(4, "done"),
    ]
    for rec in made:
        assert type(rec) is dict
        assert TYPES[rec["kind"]].__required_keys__ <= rec.keys(), rec
        json.dumps(rec)  # saved to runs/ as it is
    assert made[0] == {
        "kind": "step",
        "epoch": 1,
        "batch": 2,
        "batches": 5,
        "step": 7,
        "loss": 0.5,
        "seen": 448,
        "d_loss": 0.4,
        "elapsed": 1.25,
    }
    assert made[3] == {"kind": "rest", "seconds": 1.0} and isinstance(made[3]["seconds"], float)
    assert made[4] == {"kind": "run_end", "run": 4, "status": "done", "reason": ""}
    with pytest.raises(TypeError):
        records.step(epoch=1, batch=1, batches=1, step=1, loss=0.0)  # a step says when it was taken


def _record_literals(path: Path) -> list[str]:
    """`{"kind": "<a record kind>", ...}` dict displays in a module's code (docstrings are not code)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if (
                    isinstance(key, ast.Constant)
                    and key.value == "kind"
                    and isinstance(value, ast.Constant)
                    and value.value in records.KINDS
                ):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_loop_in_core_builds_a_record_by_hand():
    modules = sorted(p for p in (ROOT / "core").rglob("*.py") if p.name != "records.py")
    assert len(modules) > 20
    assert _record_literals(ROOT / "core" / "records.py"), "the check itself can find one"
    hand_built = [hit for path in modules for hit in _record_literals(path)]
    assert not hand_built, hand_built


def test_fit_yields_each_kinds_required_keys():
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(40, 3, generator=g), torch.randint(0, 2, (40,), generator=g)
    model = torch.nn.Linear(3, 2)
    out = list(
        fit(model, x, y, FitConfig(epochs=2, batch_size=16, lr=0.1, loss="cross_entropy"), x, y, generator=g)
    )
    assert {r["kind"] for r in out} == {"step", "epoch"}
    for rec in out:
        assert TYPES[rec["kind"]].__required_keys__ <= rec.keys(), rec
    assert [r["step"] for r in out if r["kind"] == "step"] == list(range(1, 7))
    assert [r["seen"] for r in out if r["kind"] == "step"][:3] == [16, 32, 40]
    assert {"val_loss", "val_acc", "train_acc"} <= out[-1].keys()


def test_a_diverging_loop_ends_on_a_typed_diverged_record():
    x, y = tensor_lab.line_data()
    out = list(tensor_lab.fit_line(x, y, lr=50.0, epochs=200))
    assert out[-1]["kind"] == "diverged" and records.Diverged.__required_keys__ <= out[-1].keys()
    assert all(r["kind"] == "epoch" for r in out[:-1])
