"""The digit inputs a student types first (all equal, many repeats, already sorted, back to front): their
generator, the training mixture that shows them, the per-family report, where a model goes wrong, and
that the shipped sort model gets every family right."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core import attention as A
from core import checkpoints, configs


@pytest.fixture(autouse=True)
def one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


TINY = configs.with_overrides(A.SORT, n_layer=1, n_head=2, n_embd=16)


def _sorted_answers(x: torch.Tensor) -> torch.Tensor:
    return x.sort(dim=1).values


@pytest.mark.parametrize("test", [False, True])
def test_each_family_is_what_its_name_says(test):
    g = torch.Generator().manual_seed(0)
    x = {f: A.draw_family(A.SORT, f, 300, g, test=test) for f in A.FAMILIES}
    for family, batch in x.items():
        if family == "equal" and test:
            assert batch.tolist() == [[d] * 6 for d in range(10)]  # every all-equal input, once
            continue
        assert batch.shape == (300, 6) and batch.min() >= 0 and batch.max() <= 9, family
        assert (A.held_out(batch, 10) == test).all(), family
    assert (x["sorted"] == _sorted_answers(x["sorted"])).all()
    assert (x["reversed"] == _sorted_answers(x["reversed"]).flip(1)).all()
    assert not (x["sorted"] == x["sorted"][:, :1]).all(dim=1).all()  # not only all-equal ones
    counts = [A.most_repeated(row) for row in x["repeats"]]
    assert min(counts) >= 2 and set(range(2, 6)) <= set(counts)  # one digit 2 to 5 times
    if not test:
        assert (x["equal"] == x["equal"][:, :1]).all() and len(x["equal"].unique(dim=0)) == 10


def test_all_equal_inputs_are_never_held_out_and_the_rest_one_in_five():
    assert not A.held_out(A.all_equal(A.SORT), 10).any()
    g = torch.Generator().manual_seed(1)
    share = A.held_out(torch.randint(0, 10, (20000, 6), generator=g), 10).float().mean().item()
    assert abs(share - 1 / A.HELD_OUT) < 0.01


def test_training_batches_mix_in_the_easy_families():
    g = torch.Generator().manual_seed(2)
    x = A.training_inputs(A.SORT, 64, g)
    assert x.shape == (64, 6) and not A.held_out(x, 10).any()
    many = A.training_inputs(A.SORT, 4000, g)
    equal = (many == many[:, :1]).all(dim=1).float().mean().item()
    assert 0.05 < equal < 0.08  # a quarter of the batch, one family in four: about 6 %
    none = A.training_inputs(configs.with_overrides(A.SORT, easy_share=0.0), 4000, g)
    assert (none == none[:, :1]).all(dim=1).sum() < 3  # uniform draws: about 1 in 100,000


@pytest.mark.parametrize("k", [3, 5, 6])
def test_training_share_is_the_share_the_batches_show(k):
    x = A.training_inputs(A.SORT, 40_000, torch.Generator().manual_seed(5))
    counted = np.mean([A.most_repeated(row) >= k for row in x])
    assert A.training_share(A.SORT, k) == pytest.approx(counted, abs=0.006)
    uniform = configs.with_overrides(A.SORT, easy_share=0.0)
    assert A.training_share(uniform, k) == A.repeat_share(6, 10, k)
    assert A.training_share(A.SORT, k) > A.repeat_share(6, 10, k)  # the mixture shows more of them


def test_report_counts_each_family(monkeypatch):
    """With a stand-in model that gets exactly the inputs holding a 0 wrong, each family's count is the
    number of its inputs without a 0, all equal inputs are all ten, and every other family has n."""
    seen = []

    def solve(model, x):
        seen.append(x)
        answer = _sorted_answers(x)
        answer[(x == 0).any(dim=1), 0] += 1  # wrong only where there is a 0
        return answer

    monkeypatch.setattr(A, "solve", solve)
    report = A.easy_case_report(None, A.SORT, n=50, seed=3)
    assert list(report) == list(A.FAMILIES)
    for (family, r), x in zip(report.items(), seen):
        assert r["n"] == len(x) == (10 if family == "equal" else 50), family
        assert r["right"] == int((x != 0).all(dim=1).sum()) and r["acc"] == r["right"] / r["n"]
    assert report["equal"]["right"] == 9


def test_report_runs_on_a_tiny_model_and_a_first_wrong_answer_is_found():
    model = A.build_model(TINY).eval()
    report = A.easy_case_report(model, TINY, n=40)
    assert {r["n"] for r in report.values()} == {10, 40}
    assert all(0 <= r["right"] <= r["n"] for r in report.values())
    x = A.draw_inputs(TINY, 60, torch.Generator().manual_seed(4), test=True)
    errors, answer = A.position_errors(model, TINY, x)
    assert errors.shape == (6,) and answer.shape == (60, 6) and errors.max() > 0  # untrained: wrong
    wrong = (answer != _sorted_answers(x)).float().mean(dim=0).numpy()
    assert np.allclose(errors, wrong)
    found = A.first_wrong(model, TINY, x)
    i = int((answer != _sorted_answers(x)).any(dim=1).nonzero()[0])
    assert torch.equal(found["input"], x[i]) and torch.equal(found["answer"], answer[i])
    p = found["position"]
    assert (
        found["answer"][p] != _sorted_answers(x)[i, p]
        and (found["answer"][:p] == _sorted_answers(x)[i, :p]).all()
    )
    assert found["attention"].shape == (1, 2, 12, 12)


def test_first_wrong_is_none_when_every_answer_is_right(monkeypatch):
    monkeypatch.setattr(A, "solve", lambda model, x: _sorted_answers(x))
    assert A.first_wrong(None, A.SORT, A.all_equal(A.SORT)) is None


def test_a_checkpoint_saved_before_the_mixture_reads_as_uniform():
    assert A.config_of({"train_config": {"task": "sort", "steps": 10}}).easy_share == 0.0
    assert A.config_of({"train_config": A.SORT.as_dict()}).easy_share == A.SORT.easy_share


def test_the_shipped_sort_model_gets_every_family_right():
    path = checkpoints.SHIPPED_DIR / "gpt_sort.pth"
    if not path.is_file():
        pytest.skip("gpt_sort.pth not shipped")
    loaded = checkpoints.load(path, expected_family="gpt.GPT")
    report = A.easy_case_report(loaded.model, A.config_of(loaded.meta), n=1000)
    assert report["equal"]["n"] == 10
    assert all(r["acc"] >= 0.999 for r in report.values()), report
    assert report["random"]["acc"] == 1.0
