"""A minimal GPT in one file, the way nanoGPT's model.py writes it (Radford et al. 2018/2019; Vaswani et
al. 2017, "Attention is all you need"): token and position embeddings, a stack of pre-norm blocks of
causal multi-head self-attention and an MLP, a final layer norm and a linear head over the vocabulary.

Two switches exist for the page's experiments: `pos_emb=False` leaves out the position embedding and
`causal=False` takes the mask away (the model may then look at the token it is asked to predict).
`forward(idx, return_attention=True)` also returns every head's attention weights, computed in the
forward pass itself (no hooks): a shared model stays untouched.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

from core.models import Dropout

FAMILIES = ("GPT",)


@dataclass(frozen=True)
class GPTConfig:
    vocab_size: int = 11  # the digits 0-9 and the separator "→" of the sort task; a text's characters
    block_size: int = 12  # the longest input: 6 digits, "→" and 5 of the answer (the 6th is never read)
    n_layer: int = 2  # two blocks: one to find the next digit, one to copy it is enough for sorting
    n_head: int = 4  # several heads, each with its own pattern; n_embd must divide by it
    n_embd: int = 48  # minGPT's gpt-nano width; 12 dimensions per head
    # generated data never repeats, so nothing to overfit; the text model uses 0.2 (core.attention.TEXT)
    dropout: float = 0.0
    bias: bool = True  # biases in Linear and LayerNorm, as GPT-2 (nanoGPT's False is a little faster)
    pos_emb: bool = True  # False: no position embedding, the model sees a bag of tokens (an experiment)
    causal: bool = True  # False: no mask, position t also sees t+1... (the "cheating" experiment)


class CausalSelfAttention(nn.Module):
    """softmax(Q K^T / sqrt(d) + mask) V for n_head heads at once, then a linear projection."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        assert config.n_embd % config.n_head == 0, (
            f"n_embd ({config.n_embd}) must divide by n_head ({config.n_head})"
        )
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)  # q, k, v in one matmul
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.attn_dropout = Dropout(config.dropout)
        self.resid_dropout = Dropout(config.dropout)
        self.n_head, self.n_embd, self.causal = config.n_head, config.n_embd, config.causal
        # the mask as a buffer, rebuilt from block_size rather than saved (it holds no learnt numbers)
        mask = torch.tril(torch.ones(config.block_size, config.block_size, dtype=torch.bool))
        self.register_buffer("mask", mask.view(1, 1, config.block_size, config.block_size), persistent=False)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        B, T, C = x.size()  # batch, sequence length, embedding size (n_embd)
        hs = C // self.n_head  # head size
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)  # (B, T, C) each
        q = q.view(B, T, self.n_head, hs).transpose(1, 2)  # (B, nh, T, hs)
        k = k.view(B, T, self.n_head, hs).transpose(1, 2)  # (B, nh, T, hs)
        v = v.view(B, T, self.n_head, hs).transpose(1, 2)  # (B, nh, T, hs)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hs)  # (B, nh, T, T) scores Q K^T / sqrt(d)
        if self.causal:
            att = att.masked_fill(~self.mask[:, :, :T, :T], float("-inf"))  # the future gets weight 0
        att = F.softmax(att, dim=-1)  # (B, nh, T, T) each row sums to 1
        y = self.attn_dropout(att) @ v  # (B, nh, T, hs) weighted sum of the values
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # (B, T, C) heads side by side again
        return self.resid_dropout(self.c_proj(y)), att


class MLP(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))  # (B, T, C)


class Block(nn.Module):
    """x + attention(LN(x)), then x + MLP(LN(x)): tokens talk to each other, then each thinks alone."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        a, att = self.attn(self.ln_1(x))
        x = x + a  # (B, T, C)
        x = x + self.mlp(self.ln_2(x))  # (B, T, C)
        return x, att


class GPT(nn.Module):
    """Built from plain keyword arguments (those of `GPTConfig`), kept in `model_args` for checkpoints."""

    def __init__(self, **kwargs):
        super().__init__()
        self.config = config = GPTConfig(**kwargs)
        self.model_args = asdict(config)
        self.transformer = nn.ModuleDict(
            dict(
                wte=nn.Embedding(config.vocab_size, config.n_embd),  # token embedding
                wpe=nn.Embedding(config.block_size, config.n_embd) if config.pos_emb else nn.Identity(),
                drop=Dropout(config.dropout),
                h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
                ln_f=nn.LayerNorm(config.n_embd, bias=config.bias),
            )
        )
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)

    def init_weights(self, generator: torch.Generator) -> GPT:
        """GPT-2's initialisation (nanoGPT's `_init_weights`) drawn from a per-run generator: N(0, 0.02) for
        linear and embedding weights, zero biases, and the residual projections scaled by 1/sqrt(2 n_layer)
        so the residual stream does not grow with depth."""
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif p.dim() == 1:  # layer norm gains
                nn.init.ones_(p)
            else:
                std = 0.02 / math.sqrt(2 * self.config.n_layer) if name.endswith("c_proj.weight") else 0.02
                nn.init.normal_(p, 0.0, std, generator=generator)
        return self

    def forward(
        self, idx: torch.Tensor, targets: torch.Tensor | None = None, return_attention: bool = False
    ) -> tuple:
        """(logits (B, T, vocab), loss or None[, attention (n_layer, B, n_head, T, T)]).

        `targets` (B, T) of -1 are ignored by the loss (the sort task's input half)."""
        B, T = idx.size()
        assert T <= self.config.block_size, (
            f"a sequence of {T} tokens; the model reads at most {self.config.block_size}"
        )
        x = self.transformer.wte(idx)  # (B, T, C) token embeddings
        if self.config.pos_emb:
            pos = torch.arange(T, dtype=torch.long, device=idx.device)  # (T,)
            x = x + self.transformer.wpe(pos)  # (B, T, C) + (T, C): each token learns where it stands
        x = self.transformer.drop(x)
        atts = []
        for block in self.transformer.h:
            x, att = block(x)  # (B, T, C), (B, nh, T, T)
            atts.append(att)
        x = self.transformer.ln_f(x)
        logits = self.lm_head(x)  # (B, T, vocab)
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        if return_attention:
            return logits, loss, torch.stack(atts)  # (n_layer, B, nh, T, T)
        return logits, loss

    @torch.no_grad()
    def generate(
        self,
        idx: torch.Tensor,
        max_new_tokens: int,
        temperature: float = 1.0,
        top_k: int | None = None,
        generator: torch.Generator | None = None,
    ) -> torch.Tensor:
        """Append `max_new_tokens` tokens to idx (B, T), each fed back in (nanoGPT's `generate`).

        temperature 0 takes the most likely token (greedy); otherwise logits / temperature, optionally
        only the top_k largest, softmax, and a draw from `generator` (the same seed, the same text)."""
        for _ in range(max_new_tokens):
            idx_cond = idx[:, -self.config.block_size :]  # (B, <= block_size) the context the model reads
            logits, _ = self(idx_cond)
            logits = logits[:, -1, :]  # (B, vocab) the next token's scores
            if temperature <= 0:
                idx_next = logits.argmax(dim=-1, keepdim=True)  # (B, 1)
            else:
                logits = logits / temperature
                if top_k is not None and top_k > 0:
                    v, _ = torch.topk(logits, min(top_k, logits.size(-1)))
                    logits[logits < v[:, [-1]]] = -float("inf")
                probs = F.softmax(logits, dim=-1)  # (B, vocab)
                idx_next = torch.multinomial(probs, num_samples=1, generator=generator)  # (B, 1)
            idx = torch.cat((idx, idx_next), dim=1)  # (B, T + 1)
        return idx
