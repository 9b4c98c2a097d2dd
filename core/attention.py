"""The attention lessons (course Part 3.1.3, the Transformer for text): a tiny GPT (`core.models.gpt`)
learns to sort or reverse a few digits, or to continue a Japanese text one character at a time.

The digit tasks are minGPT's sorting demo: sequences drawn on the fly from a per-run `torch.Generator`,
the input and its answer read as one sequence, and the loss only on the answer. A fixed share of all
possible inputs is never trained on; accuracy is measured there. A quarter of each batch comes from the
inputs a student types first (all equal, many repeats, sorted, reversed), which uniform draws almost
never show; `easy_case_report` measures each family apart. The text is the lab's own Japanese page
text (`core/texts/ja.txt`), read character by character as nanoGPT's shakespeare_char reads its play.
`train_attention` is a generator of records like the other loops, with every head's attention map for a
fixed input now and then.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
import torch
from torch import nn

from core import records
from core.configs import from_dict
from core.device import set_thread_count
from core.models import attach_generator, evaluating, model_args
from core.models.gpt import GPT

TASKS = ("sort", "reverse", "text")
TEXT_PATH = Path(__file__).resolve().parent / "texts" / "ja.txt"
HELD_OUT = 5  # one input in 5 (by a fixed hash) is never trained on: accuracy is measured on those
TEXT_SNIPPET = 24  # characters of the fixed text whose attention the page draws


@dataclass(frozen=True)
class AttentionConfig:
    task: str = "sort"  # "sort" | "reverse" (digits, generated) | "text" (characters of core/texts/ja.txt)
    length: int = 6  # digits per sequence (minGPT's demo); the model reads 2 * length tokens
    digits: int = 10  # the digits 0-9 (minGPT uses 0-2): a million inputs, so held-out ones are new
    block_size: int = 64  # text: characters of context (nanoGPT's shakespeare_char on a CPU; TEXT uses 32)
    n_layer: int = 2  # blocks: one to find where the next digit is, one to copy it
    n_head: int = 4  # heads per block; the page's "1 head" experiment sets 1
    n_embd: int = 48  # width; minGPT's gpt-nano
    dropout: float = 0.0  # generated digits never repeat; the small text overfits without (TEXT: 0.2)
    # digits: the share of each batch drawn from the input families a student types first (many copies of
    # one digit, already sorted, back to front; `EASY_FAMILIES`), the rest uniform. Uniform draws alone
    # show five equal digits of six about once in 1,800 inputs, and a model trained on them alone got
    # 1 1 1 1 1 1 wrong (bench/README.md, Attention)
    easy_share: float = 0.25
    pos_emb: bool = True  # False: the "no position embedding" experiment
    causal: bool = True  # False: the "mask off" experiment
    steps: int = 1200  # updates; 99 % of held-out sequences come well before the end (bench/README.md)
    batch_size: int = 64  # sequences per update
    lr: float = 3e-3  # AdamW; a model this small takes a large step (minGPT's 5e-4 needs ~2,000 steps)
    weight_decay: float = 0.01  # AdamW's decoupled decay on the matrices, not on biases, gains, embeddings
    grad_clip: float = 1.0  # nanoGPT's clip: one bad batch cannot throw the model off
    warmup: int = 50  # updates of linear warm-up, then a cosine decay to lr / 10 (nanoGPT's get_lr)
    eval_every: int = 50  # updates between two records with accuracy and attention maps (one "epoch")
    eval_n: int = 500  # held-out sequences per evaluation (text: eval_n // 12 batches of 32 windows)
    seed: int = 0  # initial weights, the batches and the evaluation's sequences
    threads: int = 1  # CPU threads of the training thread: a model this small is fastest on one (0: torch's)

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def epochs(self) -> int:
        """Records with accuracy and maps: the job's progress counts these."""
        return max(1, math.ceil(self.steps / self.eval_every))


SORT = AttentionConfig()  # the page's first live run
REVERSE = AttentionConfig(task="reverse")
# the page's text run and the shipped text model (its minutes and loss: bench/README.md, Attention)
TEXT = AttentionConfig(
    task="text",
    block_size=32,  # 32 characters of context: a sentence or two
    n_layer=2,
    n_head=4,
    n_embd=64,  # ~190k parameters, most of them the 693 characters' embedding and output rows
    dropout=0.2,  # 24,000 characters overfit a wider or undropped model within a few hundred updates
    steps=1500,
    batch_size=32,
    lr=2e-3,
    eval_every=100,
    eval_n=100,
)


def preset(task: str) -> AttentionConfig:
    assert task in TASKS, f"task must be one of {TASKS}, got {task!r}"
    return {"sort": SORT, "reverse": REVERSE, "text": TEXT}[task]


# ---------------------------------------------------------------------------------------------
# The digit tasks


def digits_answer(x: torch.Tensor, task: str) -> torch.Tensor:
    """What the model must write after x (B, L): x sorted, or x back to front."""
    assert task in ("sort", "reverse"), f"a digit task, got {task!r}"
    return x.sort(dim=1).values if task == "sort" else x.flip(1)


def held_out(x: torch.Tensor, digits: int) -> torch.Tensor:
    """(B,) bool: the inputs never trained on, one in HELD_OUT by a fixed hash of the digits.

    The all-equal inputs are never held out: they are the only ones whose sorted answer starts with the
    largest digit or ends with the smallest (9 9 9 9 9 9, 0 0 0 0 0 0), so a model that never saw them has
    never written those and gets them wrong (the hash alone held out all ten of 6 digits 0-9)."""
    code = (x * digits ** torch.arange(x.shape[1], device=x.device)).sum(dim=1)  # (B,) the input as a number
    equal = (x == x[:, :1]).all(dim=1) & (x.shape[1] > 1)  # (B,) one digit alone is no family
    return ((code * 2654435761) % 1000003 % HELD_OUT == 0) & ~equal


def draw_inputs(cfg: AttentionConfig, n: int, generator: torch.Generator, test: bool = False) -> torch.Tensor:
    """n input sequences (n, length) of the training share (or with `test`, the held-out share)."""
    out, have = [], 0
    while have < n:
        x = torch.randint(
            0, cfg.digits, (max(64, 2 * n * (HELD_OUT if test else 1)), cfg.length), generator=generator
        )
        keep = held_out(x, cfg.digits) == test
        out.append(x[keep])
        have += int(keep.sum())
    return torch.cat(out)[:n]


FAMILIES = ("equal", "repeats", "sorted", "reversed", "random")  # easy_case_report's input families
EASY_FAMILIES = ("equal", "repeats", "sorted", "reversed")  # what the training mixture adds to uniform draws


def family_candidates(
    family: str, n: int, length: int, digits: int, generator: torch.Generator
) -> torch.Tensor:
    """n inputs (n, length) of one family, before the held-out split:

    equal     every digit the same, the digit uniform (`all_equal` lists each once)
    repeats   one digit k times (k uniform in 2..length-1) at random places, the others any other digits
    sorted    a uniform input sorted from small to large
    reversed  a uniform input sorted from large to small
    random    uniform digits, as the training batches draw them"""
    assert family in FAMILIES, f"family must be one of {FAMILIES}, got {family!r}"
    if family == "equal":
        return torch.randint(0, digits, (n, 1), generator=generator).repeat(1, length)  # (n, length)
    x = torch.randint(0, digits, (n, length), generator=generator)  # (n, length)
    if family == "sorted":
        return x.sort(dim=1).values
    if family == "reversed":
        return x.sort(dim=1, descending=True).values
    if family == "repeats":
        k = torch.randint(2, max(3, length), (n, 1), generator=generator)  # (n, 1) copies of the digit
        d = torch.randint(0, digits, (n, 1), generator=generator)  # (n, 1) the repeated digit
        other = (d + torch.randint(1, digits, (n, length), generator=generator)) % digits  # never d
        rank = torch.rand(n, length, generator=generator).argsort(dim=1).argsort(dim=1)  # random places
        x = torch.where(rank < k, d, other)
    return x


def draw_family(
    cfg: AttentionConfig, family: str, n: int, generator: torch.Generator, test: bool = False
) -> torch.Tensor:
    """n inputs (n, length) of `family` in the training share (or with `test`, the held-out share). The
    all-equal inputs are all in the training share (`held_out`): asked for held-out ones, "equal" gives
    every all-equal input once (`all_equal`), a check of inputs the model was trained on."""
    if family == "equal" and test:
        return all_equal(cfg)
    out, have = [], 0
    for _ in range(100):  # a family with no held-out inputs (many repeats of 2 digits) gives none
        if have >= n:
            break
        x = family_candidates(
            family, max(64, 2 * n * (HELD_OUT if test else 1)), cfg.length, cfg.digits, generator
        )
        keep = held_out(x, cfg.digits) == test
        out.append(x[keep])
        have += int(keep.sum())
    return torch.cat(out)[:n]


def all_equal(cfg: AttentionConfig) -> torch.Tensor:
    """Every input whose digits are all the same, once each: (digits, length)."""
    return torch.arange(cfg.digits).view(-1, 1).repeat(1, cfg.length)


def training_inputs(cfg: AttentionConfig, n: int, generator: torch.Generator) -> torch.Tensor:
    """One batch of training inputs (n, length): `easy_share` of them from `EASY_FAMILIES` (in turn), the
    rest uniform, all from the training share, in a random order."""
    n_easy = round(n * cfg.easy_share)
    parts = [draw_inputs(cfg, n - n_easy, generator)]
    for i, family in enumerate(EASY_FAMILIES):
        m = n_easy // len(EASY_FAMILIES) + (i < n_easy % len(EASY_FAMILIES))
        if m:
            parts.append(draw_family(cfg, family, m, generator))
    x = torch.cat(parts)  # (n, length)
    return x[torch.randperm(len(x), generator=generator)]


def training_share(cfg: AttentionConfig, k: int, n: int = 20_000, seed: int = 0) -> float:
    """The share of training inputs in which some digit appears at least k times: the uniform share
    (`repeat_share`, exact) mixed with the easy families' (`easy_share`, each family alike; the many-repeats
    family's counted over n draws). Sorted and reversed inputs are uniform ones reordered, so their
    share is the uniform one; every all-equal input has all its digits the same."""
    uniform = repeat_share(cfg.length, cfg.digits, k)
    if cfg.easy_share == 0:
        return uniform
    x = family_candidates("repeats", n, cfg.length, cfg.digits, torch.Generator().manual_seed(seed))
    counts = torch.nn.functional.one_hot(x, cfg.digits).sum(dim=1)  # (n, digits)
    repeats = float((counts.max(dim=1).values >= k).float().mean())
    families = {"equal": float(k <= cfg.length), "repeats": repeats, "sorted": uniform, "reversed": uniform}
    easy = sum(families[f] for f in EASY_FAMILIES) / len(EASY_FAMILIES)
    return (1 - cfg.easy_share) * uniform + cfg.easy_share * easy


def separator(digits: int) -> int:
    """The token between the input and its answer (drawn as "→"): the id after the digits'."""
    return digits


def with_separator(x: torch.Tensor, digits: int) -> torch.Tensor:
    """x (B, L) -> x followed by the separator: (B, L + 1), the prompt the model answers."""
    return torch.cat([x, torch.full((len(x), 1), separator(digits), dtype=x.dtype)], dim=1)


def digit_batch(x: torch.Tensor, task: str, digits: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs, targets), each (B, 2L): the sequence x → answer and the same shifted by one; the targets
    of the first L positions are -1 (ignored), so only the answer is learnt (minGPT's sorting demo).

    The separator tells an answer's digits from the input's even without a position embedding: only
    tokens after it can see it."""
    L = x.shape[1]
    seq = torch.cat([with_separator(x, digits), digits_answer(x, task)], dim=1)  # (B, 2L + 1)
    inp, tgt = seq[:, :-1], seq[:, 1:].clone()  # (B, 2L) each
    tgt[:, :L] = -1
    return inp, tgt


@torch.no_grad()
def solve(model: GPT, x: torch.Tensor) -> torch.Tensor:
    """The model's answer to x (B, L), written one digit at a time from its own output (greedy): (B, L).

    Only the input is given, so a model that learnt to peek at the next token (mask off) is caught."""
    device = next(model.parameters()).device
    prompt = with_separator(x, model.config.vocab_size - 1)  # (B, L + 1)
    with evaluating(model):
        out = model.generate(prompt.to(device), x.shape[1], temperature=0)  # (B, 2L + 1)
    return out[:, prompt.shape[1] :].cpu()


@torch.no_grad()
def digit_accuracy(model: GPT, cfg: AttentionConfig, x: torch.Tensor) -> dict:
    """Whole sequences right when the model writes the answer itself ("acc"), and single digits right
    when it is shown the true answer so far ("token_acc", what the training loss sees)."""
    device = next(model.parameters()).device
    y = digits_answer(x, cfg.task)
    acc = (solve(model, x) == y).all(dim=1).float().mean().item()
    inp, tgt = digit_batch(x, cfg.task, cfg.digits)
    with evaluating(model):
        logits, _ = model(inp.to(device))  # (B, 2L, digits + 1)
    right = (logits.argmax(-1).cpu() == tgt)[:, cfg.length :]  # (B, L) answer positions only
    return {"acc": acc, "token_acc": right.float().mean().item()}


@torch.no_grad()
def easy_case_report(model: GPT, cfg: AttentionConfig, n: int = 1000, seed: int = 0) -> dict[str, dict]:
    """Each input family's exact-sequence accuracy (the model writes its answer itself): {family: {"n",
    "right", "acc"}} for n held-out inputs of each family, and every all-equal input (there are only
    `digits` of them, all trained on: `held_out` says why)."""
    g = torch.Generator().manual_seed(seed)
    report = {}
    for family in FAMILIES:
        x = draw_family(cfg, family, n, g, test=True)
        if len(x) == 0:
            continue
        right = int((solve(model, x) == digits_answer(x, cfg.task)).all(dim=1).sum())
        report[family] = {"n": len(x), "right": right, "acc": right / len(x)}
    return report


@torch.no_grad()
def position_errors(model: GPT, cfg: AttentionConfig, x: torch.Tensor) -> tuple[np.ndarray, torch.Tensor]:
    """Where the model goes wrong on inputs x (B, L): the share of wrong digits at each answer position
    (L,), and the model's answers (B, L). A first wrong digit makes the later ones likely wrong too (the
    model reads its own answer), so the bars say where mistakes start and how they carry on."""
    answer = solve(model, x)  # (B, L)
    wrong = answer != digits_answer(x, cfg.task)  # (B, L)
    return wrong.float().mean(dim=0).numpy(), answer


def first_wrong(model: GPT, cfg: AttentionConfig, x: torch.Tensor) -> dict | None:
    """The first input of x (B, L) the model answers wrong, with its first wrong answer position (0-based),
    the model's answer and its attention maps (`digit_example`), or None when every answer is right."""
    _, answer = position_errors(model, cfg, x)
    wrong = answer != digits_answer(x, cfg.task)  # (B, L)
    rows = wrong.any(dim=1).nonzero()
    if len(rows) == 0:
        return None
    i = int(rows[0])
    example = digit_example(model, cfg, x[i])
    return {"input": x[i], "position": int(wrong[i].nonzero()[0]), **example}


def hard_inputs(model: GPT, cfg: AttentionConfig, n: int = 200, seed: int = 0) -> dict:
    """What the page shows of the inputs a model finds hard: "errors" (L,), the share of wrong digits at
    each answer position over n held-out uniform inputs; "acc", the share of those answered right; and
    "wrong", the first input answered wrong (`first_wrong`; the uniform ones first, then every all-equal
    input and n // 4 held-out ones of each other easy family, with its "family"), or None."""
    g = torch.Generator().manual_seed(seed)
    parts = {"random": draw_inputs(cfg, n, g, test=True)}
    parts |= {f: draw_family(cfg, f, max(1, n // 4), g, test=True) for f in EASY_FAMILIES}
    x = torch.cat(list(parts.values()))  # (N, L)
    answer = solve(model, x)  # (N, L)
    wrong = answer != digits_answer(x, cfg.task)  # (N, L)
    errors = wrong[:n].float().mean(dim=0).numpy()  # (L,) over the uniform inputs only
    out = {"errors": errors, "acc": float((~wrong[:n].any(dim=1)).float().mean()), "n": n, "wrong": None}
    rows = wrong.any(dim=1).nonzero()
    if len(rows):
        i = int(rows[0])
        family = next(f for f, j in zip(parts, np.cumsum([len(v) for v in parts.values()])) if i < j)
        example = digit_example(model, cfg, x[i])
        out["wrong"] = {"input": x[i], "position": int(wrong[i].nonzero()[0]), "family": family, **example}
    return out


def most_repeated(x: torch.Tensor) -> int:
    """How many times the commonest digit of x (L,) appears: 3 for 3 1 4 1 5 1."""
    return int(torch.bincount(x.flatten()).max())


def repeat_share(length: int, digits: int, k: int) -> float:
    """The share of all `digits ** length` inputs in which some digit appears at least k times: how often
    the training batches, drawn uniformly, show an input like that (1e-5 for six equal digits of ten).

    Counted exactly: the inputs whose every digit appears fewer than k times are
    length! * [x^length] (sum_{j<k} x^j / j!) ** digits (one factor per digit)."""
    if k <= 1:
        return 1.0
    factor = [Fraction(1, math.factorial(j)) for j in range(min(k, length + 1))]
    poly = [Fraction(1)]
    for _ in range(digits):  # multiply by one digit's factor, keeping powers up to `length`
        poly = [
            sum(poly[i] * factor[n - i] for i in range(len(poly)) if 0 <= n - i < len(factor))
            for n in range(length + 1)
        ]
    below = poly[length] * math.factorial(length)
    return float(1 - below / digits**length)


def fixed_digits(cfg: AttentionConfig) -> torch.Tensor:
    """The input whose attention the page draws while the model learns: every digit at least once where
    the length allows, in an order that sorting changes. (L,)"""
    base = torch.arange(cfg.length) % cfg.digits  # 0 1 2 0 1 2
    return base[torch.randperm(cfg.length, generator=torch.Generator().manual_seed(1))]


def parse_digits(text: str, cfg: AttentionConfig) -> torch.Tensor:
    """'2 0 1 1 0 2', '201102' or '2,0,1,1,0,2' -> (L,) digits; ValueError saying what is wrong."""
    chars = (
        [c for c in text.replace(",", " ").split()]
        if (" " in text.strip() or "," in text)
        else list(text.strip())
    )
    if not chars or not all(len(c) == 1 and c.isdigit() for c in chars):
        raise ValueError(f"digits only, got {text!r}")
    x = [int(c) for c in chars]
    if len(x) != cfg.length:
        raise ValueError(f"{cfg.length} digits, got {len(x)}")
    if max(x) >= cfg.digits:
        raise ValueError(f"digits 0-{cfg.digits - 1}, got {max(x)}")
    return torch.tensor(x)


# ---------------------------------------------------------------------------------------------
# The text task


@dataclass(frozen=True)
class CharVocab:
    """Characters <-> token ids, nanoGPT's stoi/itos; `chars` is stored in the checkpoint's metadata."""

    chars: str

    @staticmethod
    def of(text: str) -> CharVocab:
        return CharVocab("".join(sorted(set(text))))

    @property
    def size(self) -> int:
        return len(self.chars)

    def unknown(self, text: str) -> str:
        """The characters of `text` the model has never seen, each once, in order."""
        return "".join(dict.fromkeys(c for c in text if c not in self.chars))

    def encode(self, text: str) -> torch.Tensor:
        stoi = {c: i for i, c in enumerate(self.chars)}
        missing = self.unknown(text)
        if missing:
            raise ValueError(f"characters the model has never seen: {missing!r}")
        return torch.tensor([stoi[c] for c in text], dtype=torch.long)

    def decode(self, ids: torch.Tensor | list[int]) -> str:
        return "".join(self.chars[int(i)] for i in ids)


def load_text(path: str | Path = TEXT_PATH) -> str:
    return Path(path).read_text(encoding="utf-8")


@dataclass(frozen=True)
class TextData:
    vocab: CharVocab
    train: torch.Tensor  # (N,) token ids: 9 of every 10 pieces of the text
    val: torch.Tensor  # (M,) every 10th piece, never trained on

    @staticmethod
    def of(text: str, piece: int = 500) -> TextData:
        """Every 10th piece of `piece` characters is held out: the pages' texts follow each other in the
        file, so a plain last 10 % would hold out one page's topic rather than the same kind of text."""
        vocab = CharVocab.of(text)
        ids = vocab.encode(text)
        pieces = list(ids.split(piece))
        val = [p for i, p in enumerate(pieces) if i % 10 == 9]
        train = [p for i, p in enumerate(pieces) if i % 10 != 9]
        return TextData(vocab, torch.cat(train), torch.cat(val) if val else ids[-piece:])


def text_batch(
    data: torch.Tensor, block: int, batch: int, generator: torch.Generator
) -> tuple[torch.Tensor, torch.Tensor]:
    """Random windows of the text and the same windows one character later: (B, block) each."""
    ix = torch.randint(0, len(data) - block - 1, (batch,), generator=generator)
    x = torch.stack([data[i : i + block] for i in ix.tolist()])
    y = torch.stack([data[i + 1 : i + 1 + block] for i in ix.tolist()])
    return x, y


@torch.no_grad()
def text_loss(model: GPT, data: torch.Tensor, block: int, batches: int = 8, seed: int = 0) -> float:
    """Mean cross-entropy per character (nats) on `batches` fixed windows of `data`."""
    device = next(model.parameters()).device
    g = torch.Generator().manual_seed(seed)
    total = 0.0
    with evaluating(model):
        for _ in range(batches):
            x, y = text_batch(data, block, 32, g)
            total += model(x.to(device), y.to(device))[1].item()
    return total / batches


def unigram_loss(train: torch.Tensor, val: torch.Tensor, vocab_size: int) -> float:
    """The baseline a GPT must beat: cross-entropy per character (nats) of `val` under the characters'
    frequencies in `train` (add-one smoothed), a model that ignores all context."""
    counts = torch.bincount(train, minlength=vocab_size).double() + 1
    logp = (counts / counts.sum()).log()
    return float(-logp[val].mean())


@torch.no_grad()
def sample_text(
    model: GPT,
    vocab: CharVocab,
    prompt: str,
    n: int = 100,
    temperature: float = 0.8,
    top_k: int | None = 10,
    seed: int = 0,
) -> str:
    """`n` characters after `prompt` (the same seed, the same text); ValueError for unseen characters."""
    device = next(model.parameters()).device
    idx = vocab.encode(prompt or "\n").unsqueeze(0).to(device)  # (1, T)
    g = torch.Generator(device).manual_seed(seed)
    with evaluating(model):
        out = model.generate(idx, n, temperature=temperature, top_k=top_k, generator=g)
    return vocab.decode(out[0, idx.shape[1] :].tolist())


def fixed_text(data: TextData, block_size: int) -> torch.Tensor:
    """The characters whose attention the page draws: the start of the validation text. (<= TEXT_SNIPPET,)"""
    return data.val[: min(TEXT_SNIPPET, block_size)]


# ---------------------------------------------------------------------------------------------
# Model, attention maps, training


def model_kwargs(cfg: AttentionConfig, vocab_size: int | None = None) -> dict:
    """The GPT's arguments for `cfg`: the digits' vocabulary and 2L - 1 positions, or the text's."""
    if cfg.task == "text":
        assert vocab_size, "the text task needs its vocabulary size"
        vocab, block = vocab_size, cfg.block_size
    else:
        vocab, block = cfg.digits + 1, 2 * cfg.length  # the digits and the separator
    return dict(
        vocab_size=vocab,
        block_size=block,
        n_layer=cfg.n_layer,
        n_head=cfg.n_head,
        n_embd=cfg.n_embd,
        dropout=cfg.dropout,
        pos_emb=cfg.pos_emb,
        causal=cfg.causal,
    )


def build_model(
    cfg: AttentionConfig, vocab_size: int | None = None, generator: torch.Generator | None = None
) -> GPT:
    """A fresh GPT for `cfg`, initialised from `generator` (or from `cfg.seed`)."""
    assert cfg.task in TASKS, f"task must be one of {TASKS}, got {cfg.task!r}"
    model = GPT(**model_kwargs(cfg, vocab_size))
    return model.init_weights(generator or torch.Generator().manual_seed(cfg.seed))


def attention_steps(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = True) -> dict:
    """One head's attention written out step by step for q, k, v (T, d), as the page's example shows it:
    scores Q K^T / sqrt(d) (T, T); the mask (the future set to -inf); softmax row by row (T, T); and
    the weighted sum of the values (T, d). `CausalSelfAttention.forward` does the same for all heads."""
    scores = q @ k.T / math.sqrt(q.shape[-1])  # (T, T)
    T = scores.shape[0]
    future = torch.ones(T, T, dtype=torch.bool).triu(1)  # above the diagonal: later positions
    masked = scores.masked_fill(future, float("-inf")) if causal else scores
    weights = torch.softmax(masked, dim=-1)  # (T, T) each row sums to 1
    return {"scores": scores, "masked": masked, "weights": weights, "out": weights @ v}


@torch.no_grad()
def attention_maps(model: GPT, idx: torch.Tensor) -> np.ndarray:
    """Every head's attention for one sequence idx (T,): (n_layer, n_head, T, T) float32, row = the
    position that looks, column = the position looked at; each row sums to 1."""
    device = next(model.parameters()).device
    with evaluating(model):
        _, _, att = model(idx.view(1, -1).to(device), return_attention=True)  # (L, 1, H, T, T)
    return att[:, 0].float().cpu().numpy()


def digit_example(model: GPT, cfg: AttentionConfig, x: torch.Tensor) -> dict:
    """For one input x (L,): the model's answer (L,), the sequence it then reads (2L,: input, separator,
    answer but its last digit) and that sequence's attention maps (n_layer, n_head, 2L, 2L)."""
    answer = solve(model, x.view(1, -1))[0]  # (L,)
    seq = torch.cat([with_separator(x.view(1, -1), cfg.digits)[0], answer])[:-1]  # (2L,)
    return {"answer": answer, "tokens": seq, "attention": attention_maps(model, seq)}


def _optimizer(model: nn.Module, cfg: AttentionConfig) -> torch.optim.Optimizer:
    """AdamW with weight decay on the matrices of the linear layers only (nanoGPT's two groups)."""
    decay = [p for n, p in model.named_parameters() if p.dim() >= 2 and "wte" not in n and "wpe" not in n]
    rest = [
        p for n, p in model.named_parameters() if not (p.dim() >= 2 and "wte" not in n and "wpe" not in n)
    ]
    groups = [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": rest, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=cfg.lr, betas=(0.9, 0.99))


def learning_rate(cfg: AttentionConfig, i: int) -> float:
    """nanoGPT's schedule at update i (0-based): linear warm-up, then cosine from lr down to lr / 10."""
    if i < cfg.warmup:
        return cfg.lr * (i + 1) / cfg.warmup
    progress = min(1.0, (i - cfg.warmup) / max(1, cfg.steps - cfg.warmup))
    return cfg.lr / 10 + 0.5 * (1 + math.cos(math.pi * progress)) * (cfg.lr - cfg.lr / 10)


def train_attention(
    model: GPT,
    cfg: AttentionConfig,
    device: str | torch.device = "cpu",
    generator: torch.Generator | None = None,
    data: TextData | None = None,
    start_step: int = 0,
) -> Iterator[dict]:
    """AdamW on the next-token loss, yielding records like `core.train.fit`:

    step:  {"kind": "step", epoch, batch, batches, step, loss, elapsed}
    epoch: {"kind": "epoch", epoch, step, train_loss, elapsed, tokens (T,) int64,
            attention (n_layer, n_head, T, T) float32, and acc, token_acc (digits) or val_loss, sample (text)}
    """
    assert cfg.task in TASKS, f"task must be one of {TASKS}, got {cfg.task!r}"
    assert cfg.task != "text" or data is not None, "the text task needs its TextData"
    device = torch.device(device)
    if device.type == "cpu":
        set_thread_count(cfg.threads)
    gen = generator or torch.Generator().manual_seed(cfg.seed + 1)  # batches (CPU)
    eval_seed = int(torch.randint(0, 2**31, (1,), generator=gen))
    attach_generator(model, gen, device)
    model.to(device).train()
    opt = _optimizer(model, cfg)
    if cfg.task == "text":
        fixed = fixed_text(data, cfg.block_size)
    else:
        fixed = fixed_digits(cfg)
        x_test = draw_inputs(cfg, cfg.eval_n, torch.Generator().manual_seed(eval_seed), test=True)
    t0, losses = time.perf_counter(), []
    for i in range(cfg.steps):
        step = start_step + i + 1
        if cfg.task == "text":
            x, y = text_batch(data.train, cfg.block_size, cfg.batch_size, gen)
        else:
            x, y = digit_batch(training_inputs(cfg, cfg.batch_size, gen), cfg.task, cfg.digits)
        for group in opt.param_groups:
            group["lr"] = learning_rate(cfg, i)
        _, loss = model(x.to(device), y.to(device))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        opt.step()
        loss_v = loss.item()
        epoch, batch = i // cfg.eval_every + 1, i % cfg.eval_every + 1
        if not math.isfinite(loss_v):
            yield records.diverged(epoch, loss_v, step=step)
            return
        losses.append(loss_v)
        yield records.step(
            epoch=epoch,
            batch=batch,
            batches=cfg.eval_every,
            step=step,
            loss=loss_v,
            elapsed=time.perf_counter() - t0,
        )
        if batch == cfg.eval_every or i == cfg.steps - 1:
            rec = records.epoch(epoch, step=step, batches=cfg.eval_every, train_loss=float(np.mean(losses)))
            if cfg.task == "text":
                rec["val_loss"] = text_loss(model, data.val, cfg.block_size, max(1, cfg.eval_n // 12))
                rec["sample"] = sample_text(model, data.vocab, data.vocab.decode(fixed[:8]), 60, seed=0)
                rec["tokens"] = fixed.numpy()
                rec["attention"] = attention_maps(model, fixed)
            else:
                rec.update(digit_accuracy(model, cfg, x_test))
                example = digit_example(model, cfg, fixed)
                rec["tokens"] = example["tokens"].numpy()
                rec["attention"] = example["attention"]
            rec["elapsed"] = time.perf_counter() - t0
            losses = []
            model.train()
            yield rec


# ---------------------------------------------------------------------------------------------
# Checkpoints: the GPT's arguments are its config; the task and the text's characters are metadata


def checkpoint_meta(cfg: AttentionConfig, data: TextData | None = None, **extra) -> dict:
    """What a GPT checkpoint carries beside its weights: the task's settings and, for text, the
    characters (nanoGPT's meta.pkl), so the same token ids mean the same characters after loading."""
    meta = {"task": cfg.task, "train_config": cfg.as_dict(), "data": provenance(cfg, data), **extra}
    if data is not None:
        meta["vocab"] = data.vocab.chars
    return meta


def provenance(cfg: AttentionConfig, data: TextData | None = None) -> str:
    """Where the training data came from, in one line (stored with a checkpoint)."""
    if data is None:
        done = {"sort": "sorted", "reverse": "reversed"}[cfg.task]
        return (
            f"generated on the fly: {cfg.length} digits 0-{cfg.digits - 1} and their {done} copy, "
            f"{cfg.easy_share:.0%} of each batch from {', '.join(EASY_FAMILIES)}; 1 input in {HELD_OUT} held out"
        )
    n = len(data.train) + len(data.val)
    return f"core/texts/ja.txt: {n} characters of the lab's Japanese page texts, {data.vocab.size} distinct"


def config_of(meta: dict) -> AttentionConfig:
    """The AttentionConfig a checkpoint was trained with (keys it does not know are left out; a run saved
    before the easy families were mixed in trained on uniform draws only)."""
    stored = meta.get("train_config") or {}
    try:
        return from_dict(AttentionConfig, {"easy_share": 0.0, **stored} if stored else {})
    except TypeError as e:
        raise ValueError(f"unreadable settings in the checkpoint: {e}") from e


def vocab_of(meta: dict) -> CharVocab | None:
    chars = meta.get("vocab")
    return CharVocab(chars) if isinstance(chars, str) and chars else None


# ---------------------------------------------------------------------------------------------
# The run zip's train.py (core/export_scripts/attention.tmpl)


def script_files(config: Mapping) -> dict[str, str]:
    """What a run zip's train.py reads beside it: the Japanese text, for a text run."""
    return {"text.txt": load_text()} if config.get("task") == "text" else {}


def script_constants(config: Mapping, model_config: Mapping) -> dict:
    """The constants of the run zip's train.py for a run's settings and its model's stored constructor
    arguments. A digit task's settings build the model where the run has none; a text run's vocabulary
    is only in its model, so without one there is no script (ValueError)."""
    cfg = from_dict(AttentionConfig, config)
    if not model_config and cfg.task == "text":
        raise ValueError("a text run without its model has no vocabulary")
    arch = dict(model_config) or model_args(build_model(cfg))
    model = {name: arch[name.lower()] for name in ("VOCAB_SIZE", "BLOCK_SIZE", "N_LAYER", "N_HEAD", "N_EMBD")}
    model |= {"DROPOUT": arch.get("dropout", 0.0), "BIAS": arch.get("bias", True)}
    model |= {"POS_EMB": arch.get("pos_emb", True), "CAUSAL": arch.get("causal", True)}
    task = {"TASK": cfg.task, "LENGTH": cfg.length, "DIGITS": cfg.digits, "EASY_SHARE": cfg.easy_share}
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
    return model | task | train
