"""The tiny GPT and its lessons: shapes, the causal mask, attention rows, a falling loss, seeded sampling,
the digit tasks, the text's vocabulary, checkpoints and the command line."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch

from core import attention as A
from core import checkpoints, configs
from core.models import model_args
from core.models.gpt import GPT, GPTConfig


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models run fastest on one thread, and the suite shares the machine."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


TINY = dict(vocab_size=7, block_size=10, n_layer=2, n_head=2, n_embd=16)


def _model(seed: int = 0, **kw) -> GPT:
    return GPT(**(TINY | kw)).init_weights(torch.Generator().manual_seed(seed)).eval()


@pytest.mark.parametrize("n_layer,n_head,n_embd", [(1, 1, 8), (2, 2, 16), (3, 4, 32)])
@pytest.mark.parametrize("pos_emb", [True, False])
def test_shapes(n_layer, n_head, n_embd, pos_emb):
    model = _model(vocab_size=5, n_layer=n_layer, n_head=n_head, n_embd=n_embd, pos_emb=pos_emb)
    idx = torch.randint(0, 5, (3, 7), generator=torch.Generator().manual_seed(0))
    logits, loss = model(idx)
    assert logits.shape == (3, 7, 5) and loss is None
    logits, loss, att = model(idx, idx, return_attention=True)
    assert att.shape == (n_layer, 3, n_head, 7, 7)
    assert loss.ndim == 0 and torch.isfinite(loss)
    assert ("transformer.wpe.weight" in model.state_dict()) == pos_emb


def test_config_is_checked_and_kept():
    with pytest.raises(AssertionError, match="divide by n_head"):
        GPT(n_embd=10, n_head=3)
    with pytest.raises(AssertionError, match="at most 10"):
        _model()(torch.zeros(1, 11, dtype=torch.long))
    assert _model().model_args == GPTConfig(**TINY).__dict__


def test_the_causal_mask_hides_the_future():
    """Changing a later token leaves every earlier position's output unchanged, and its attention to the
    future is exactly zero; without the mask an earlier output does change."""
    g = torch.Generator().manual_seed(1)
    a = torch.randint(0, 7, (1, 8), generator=g)
    b = a.clone()
    b[0, 5] = (a[0, 5] + 1) % 7  # a different token at position 5
    masked = _model()
    la, _, att = masked(a, return_attention=True)
    lb, _ = masked(b)
    assert torch.allclose(la[0, :5], lb[0, :5], atol=1e-6)  # positions 0-4 never saw position 5
    assert not torch.allclose(la[0, 5:], lb[0, 5:])
    assert torch.all(att.triu(diagonal=1) == 0)
    open_ = _model(causal=False)
    la, _ = open_(a)
    lb, _ = open_(b)
    assert not torch.allclose(la[0, :5], lb[0, :5], atol=1e-6)  # mask off: the past sees the future


def test_attention_rows_sum_to_one_and_match_the_formula():
    """Every row of every head sums to 1; layer 0's weights equal softmax(QK^T/sqrt(d) + mask) written
    out by hand from the block's own projections."""
    model = _model()
    idx = torch.randint(0, 7, (2, 6), generator=torch.Generator().manual_seed(2))
    _, _, att = model(idx, return_attention=True)
    assert torch.allclose(att.sum(-1), torch.ones(att.shape[:-1]), atol=1e-6)
    x = model.transformer.wte(idx) + model.transformer.wpe(torch.arange(6))
    q, k, _ = model.transformer.h[0].attn.c_attn(model.transformer.h[0].ln_1(x)).split(16, dim=2)
    q = q.view(2, 6, 2, 8).transpose(1, 2)
    k = k.view(2, 6, 2, 8).transpose(1, 2)
    scores = q @ k.transpose(-2, -1) / 8**0.5
    scores = scores.masked_fill(torch.ones(6, 6).triu(1).bool(), float("-inf"))
    assert torch.allclose(att[0], torch.softmax(scores, -1), atol=1e-5)


def test_the_worked_example_steps_match_the_model_head():
    """The page's three steps (scores, mask, softmax and weighted sum) give the same weights and output
    as the model's own attention for one head."""
    model = _model(n_head=1, n_embd=8)
    attn = model.transformer.h[0].attn
    x = torch.randn(1, 5, 8, generator=torch.Generator().manual_seed(3))
    q, k, v = attn.c_attn(x).split(8, dim=2)
    steps = A.attention_steps(q[0], k[0], v[0])
    y, att = attn(x)
    assert torch.allclose(steps["weights"], att[0, 0], atol=1e-6)
    assert torch.allclose(attn.c_proj(steps["out"]), y[0], atol=1e-5)
    assert torch.isneginf(steps["masked"][0, 1]) and steps["weights"][0, 0] == 1


def test_one_step_lowers_the_loss():
    cfg = configs.with_overrides(A.SORT, n_layer=1, n_embd=16, n_head=2)
    model = A.build_model(cfg).train()
    x, y = A.digit_batch(A.draw_inputs(cfg, 64, torch.Generator().manual_seed(0)), "sort", cfg.digits)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    before = model(x, y)[1]
    opt.zero_grad()
    before.backward()
    opt.step()
    after = model(x, y)[1]
    assert after.item() < before.item()


def test_sampling_is_reproducible_by_seed():
    model = _model()
    idx = torch.tensor([[1, 2, 3]])

    def draw(seed, **kw):
        return model.generate(idx, 6, generator=torch.Generator().manual_seed(seed), **kw)

    assert torch.equal(draw(0), draw(0)) and draw(0).shape == (1, 9)
    assert not all(torch.equal(draw(0), draw(s)) for s in range(1, 6))
    greedy = model.generate(idx, 6, temperature=0)
    assert torch.equal(greedy, model.generate(idx, 6, temperature=0))
    assert torch.equal(draw(3, top_k=1), greedy)  # top-k of 1 is greedy whatever the seed
    logits, _ = model(idx)
    assert greedy[0, 3] == logits[0, -1].argmax()


def test_digit_tasks_and_held_out_split():
    cfg = A.SORT
    g = torch.Generator().manual_seed(0)
    x = A.draw_inputs(cfg, 300, g)
    test = A.draw_inputs(cfg, 300, g, test=True)
    assert x.shape == test.shape == (300, 6) and x.max() <= 9
    assert not A.held_out(x, 10).any() and A.held_out(test, 10).all()
    share = A.held_out(torch.randint(0, 10, (20000, 6), generator=g), 10).float().mean().item()
    assert 0.17 < share < 0.23
    inp, tgt = A.digit_batch(torch.tensor([[3, 1, 2, 0, 0, 5]]), "sort", 10)
    assert inp.tolist() == [[3, 1, 2, 0, 0, 5, 10, 0, 0, 1, 2, 3]]
    assert tgt.tolist() == [[-1] * 6 + [0, 0, 1, 2, 3, 5]]
    assert A.digits_answer(torch.tensor([[3, 1, 2]]), "reverse").tolist() == [[2, 1, 3]]


def test_parse_digits_explains_bad_input():
    cfg = A.SORT
    assert A.parse_digits("3 1 4 1 5 9", cfg).tolist() == [3, 1, 4, 1, 5, 9]
    assert A.parse_digits("314159", cfg).tolist() == [3, 1, 4, 1, 5, 9]
    assert A.parse_digits("3,1,4,1,5,9", cfg).tolist() == [3, 1, 4, 1, 5, 9]
    for bad, match in (("31415", "6 digits"), ("3141a9", "digits only"), ("", "digits only")):
        with pytest.raises(ValueError, match=match):
            A.parse_digits(bad, cfg)
    with pytest.raises(ValueError, match="digits 0-2"):
        A.parse_digits("123456", configs.with_overrides(cfg, digits=3))


def _short(cfg: A.AttentionConfig, **kw) -> list[dict]:
    cfg = configs.with_overrides(cfg, **kw)
    return list(A.train_attention(A.build_model(cfg), cfg))


def test_training_sorts_and_records_attention():
    """A short seeded run: the loss falls, and each record carries accuracy and the attention maps of
    the fixed input (layers x heads x 12 x 12, rows summing to 1)."""
    recs = _short(A.SORT, steps=60, eval_every=20, eval_n=50, n_layer=1, n_head=2, n_embd=32, warmup=10)
    steps = [r for r in recs if r["kind"] == "step"]
    epochs = [r for r in recs if r["kind"] == "epoch"]
    assert len(steps) == 60 and len(epochs) == 3 and steps[-1]["batches"] == 20
    assert np.mean([s["loss"] for s in steps[-20:]]) < 0.5 * np.mean([s["loss"] for s in steps[:5]])
    att = epochs[-1]["attention"]
    assert att.shape == (1, 2, 12, 12) and att.dtype == np.float32
    assert np.allclose(att.sum(-1), 1, atol=1e-5)
    assert epochs[-1]["tokens"].shape == (12,) and epochs[-1]["tokens"][6] == 10  # the separator
    assert 0 <= epochs[-1]["acc"] <= epochs[-1]["token_acc"] <= 1
    assert epochs[-1]["token_acc"] > 0.5


def test_a_repeat_run_with_the_same_seed_gives_the_same_records():
    kw = dict(steps=20, eval_every=10, eval_n=20, n_layer=1, n_head=1, n_embd=16)
    a, b = _short(A.SORT, **kw), _short(A.SORT, **kw)
    assert [r.get("loss") for r in a] == [r.get("loss") for r in b]
    assert np.array_equal(a[-1]["attention"], b[-1]["attention"])


def test_a_diverged_run_ends_with_its_record():
    cfg = configs.with_overrides(A.SORT, steps=50, eval_every=10, n_layer=1, n_head=1, n_embd=16)
    model = A.build_model(cfg)
    with torch.no_grad():
        model.lm_head.weight.fill_(float("inf"))  # as after a step far too large
    recs = list(A.train_attention(model, cfg))
    assert [r["kind"] for r in recs] == ["diverged"]


def test_mask_off_is_caught_by_writing_the_answer():
    """With the mask off the model reads the next digit in training (teacher-forced digits right) but
    fails when it has to write the answer itself."""
    kw = dict(steps=60, eval_every=60, eval_n=50, warmup=10, lr=1e-2, n_layer=1, n_embd=32)
    recs = _short(A.SORT, causal=False, **kw)
    last = recs[-1]
    assert last["token_acc"] > 0.9 and last["acc"] < 0.2


def test_text_vocabulary_batches_and_baseline():
    text = A.load_text()
    assert 10_000 < len(text) < 200_000 and "注意" not in A.CharVocab("ab").chars
    data = A.TextData.of(text)
    assert data.vocab.decode(data.vocab.encode("学習")) == "学習"
    assert len(data.train) + len(data.val) == len(text)
    assert data.vocab.unknown("学習🙂") == "🙂"
    with pytest.raises(ValueError, match="never seen"):
        data.vocab.encode("🙂")
    x, y = A.text_batch(data.train, 16, 4, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (4, 16) and torch.equal(x[:, 1:], y[:, :-1])
    uniform = np.log(data.vocab.size)
    assert 3.0 < A.unigram_loss(data.train, data.val, data.vocab.size) < uniform


def test_text_training_and_sampling_by_seed():
    data = A.TextData.of(A.load_text()[:4000])
    cfg = configs.with_overrides(
        A.TEXT, steps=30, eval_every=15, eval_n=12, n_layer=1, n_embd=32, block_size=16, batch_size=8
    )
    model = A.build_model(cfg, data.vocab.size)
    recs = list(A.train_attention(model, cfg, data=data))
    ep = [r for r in recs if r["kind"] == "epoch"]
    assert len(ep) == 2 and isinstance(ep[-1]["sample"], str) and len(ep[-1]["sample"]) == 60
    assert ep[-1]["attention"].shape == (1, 4, 16, 16)  # the snippet is cut to the context
    assert ep[-1]["val_loss"] < np.log(data.vocab.size) + 0.5
    prompt = data.vocab.decode(data.train[:5])
    one = A.sample_text(model, data.vocab, prompt, 20, seed=7)
    assert one == A.sample_text(model, data.vocab, prompt, 20, seed=7) and len(one) == 20
    with pytest.raises(ValueError, match="never seen"):
        A.sample_text(model, data.vocab, "🙂", 5)


def test_checkpoint_round_trip(tmp_path):
    """Saved with the project's helpers, read back with weights_only=True: the same outputs, the meta
    (task, characters) intact, and a plain torch.load of the file works without pickled code."""
    data = A.TextData.of(A.load_text()[:2000])
    cfg = configs.with_overrides(A.TEXT, n_layer=1, n_embd=16, block_size=16)
    model = A.build_model(cfg, data.vocab.size).eval()
    path = checkpoints.save(model, tmp_path / "gpt.pth", meta=A.checkpoint_meta(cfg, data, metrics={"x": 1}))
    raw = torch.load(io.BytesIO(path.read_bytes()), weights_only=True)
    assert raw["family"] == "gpt.GPT" and raw["config"] == model_args(model)
    loaded = checkpoints.load(path, expected_family="gpt.GPT")
    idx = data.train[:10].view(1, -1)
    assert torch.allclose(loaded.model(idx)[0], model(idx)[0])
    assert A.vocab_of(loaded.meta) == data.vocab and A.config_of(loaded.meta) == cfg
    assert loaded.meta["task"] == "text" and loaded.meta["metrics"] == {"x": 1}


def test_shipped_checkpoints_do_what_their_metadata_says():
    for name, task in (("gpt_sort.pth", "sort"), ("gpt_text_ja.pth", "text")):
        path = checkpoints.SHIPPED_DIR / name
        if not path.is_file():
            pytest.skip(f"{name} not shipped yet")
        assert path.stat().st_size < 2_000_000
        loaded = checkpoints.load(path, expected_family="gpt.GPT")
        assert loaded.meta["task"] == task and "command" in loaded.meta and loaded.meta["metrics"]
        cfg = A.config_of(loaded.meta)
        if task == "sort":
            x = A.draw_inputs(cfg, 200, torch.Generator().manual_seed(5), test=True)
            assert A.digit_accuracy(loaded.model, cfg, x)["acc"] >= 0.99
        else:
            assert A.vocab_of(loaded.meta).size == loaded.model.config.vocab_size


def test_cli_train_and_sample(tmp_path, capsys):
    from core.cli import main

    out = tmp_path / "sort.pth"
    args = ["attention", "train", "--task", "sort", "--steps", "20", "--eval-every", "10", "--n-layer", "1"]
    assert main(args + ["--n-embd", "16", "--n-head", "2", "--out", str(out)]) == 0
    assert "accuracy" in capsys.readouterr().out
    assert main(["attention", "sample", "--checkpoint", str(out), "--prompt", "3 1 4 1 5 9"]) == 0
    answer = capsys.readouterr().out.strip().splitlines()[-1]
    assert answer.startswith("3 1 4 1 5 9 →")
    assert main(["attention", "sample", "--checkpoint", str(out), "--prompt", "3 1"]) == 2
    assert "6 digits" in capsys.readouterr().err
    assert main(["attention", "sample", "--checkpoint", str(tmp_path / "none.pth"), "--prompt", "1"]) == 2
    text_out = tmp_path / "text.pth"
    args = ["attention", "train", "--task", "text", "--steps", "4", "--eval-every", "2", "--n-layer", "1"]
    assert main(args + ["--n-embd", "16", "--block-size", "16", "--out", str(text_out)]) == 0
    assert "unigram" in capsys.readouterr().out
    assert main(["attention", "sample", "--checkpoint", str(text_out), "--prompt", "学習", "--n", "5"]) == 0
    assert capsys.readouterr().out.startswith("学習")
    assert main(["attention", "sample", "--checkpoint", str(text_out), "--prompt", "🙂"]) == 2
    assert "never seen" in capsys.readouterr().err


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_training_and_sampling_on_cuda():
    cfg = configs.with_overrides(
        A.SORT, steps=20, eval_every=10, eval_n=20, n_layer=1, n_embd=16, dropout=0.1
    )
    model = A.build_model(cfg)
    recs = list(A.train_attention(model, cfg, device="cuda"))
    assert recs[-1]["kind"] == "epoch" and recs[-1]["attention"].shape == (1, 4, 12, 12)
    data = A.TextData.of(A.load_text()[:2000])
    text_model = A.build_model(configs.with_overrides(A.TEXT, n_layer=1, n_embd=16), data.vocab.size).cuda()
    prompt = data.vocab.decode(data.train[:3])
    assert A.sample_text(text_model, data.vocab, prompt, 8, seed=1) == A.sample_text(
        text_model, data.vocab, prompt, 8, seed=1
    )


@pytest.mark.parametrize(("length", "digits"), [(4, 3), (5, 4), (3, 10)])
def test_repeat_share_counts_every_input(length, digits):
    """The share of inputs with some digit at least k times, against counting all digits ** length."""
    import itertools
    from collections import Counter

    inputs = list(itertools.product(range(digits), repeat=length))
    for k in range(1, length + 2):
        counted = sum(max(Counter(x).values()) >= k for x in inputs) / len(inputs)
        assert A.repeat_share(length, digits, k) == pytest.approx(counted, abs=1e-12), k


def test_most_repeated_and_how_rare_six_equal_digits_are():
    assert A.most_repeated(torch.tensor([3, 1, 4, 1, 5, 1])) == 3
    assert A.most_repeated(torch.tensor([9] * 6)) == 6
    assert A.repeat_share(6, 10, 6) == pytest.approx(10 / 10**6)  # 000000 ... 999999
