"""The attention page's panels (course Part 3.1.3): the settings' row, the preview before training (with a
note when this session's run belongs to another task), "try it" for the digits (with why a wrong answer is
wrong, and the inputs the model finds hard) and for the text (example beginnings, the characters the model
knows), and reading what the student types. They draw ui/figures/attention.py's figures; the models, the session's state and the live panel are
ui/lessons/attention.py's."""

from __future__ import annotations

import string
import unicodedata

import numpy as np
import streamlit as st
import torch

from core import attention as core_attention
from ui import charts, inputs, layout, links
from ui.figures import attention as figures
from ui.i18n import t
from ui.jobs import Job
from ui.lessons import attention as lesson
from ui.projector import projector_on

ss = st.session_state
DIGITS = "0123456789"  # what a digit box reads (str.isdigit would let "²" through, which int() refuses)
RARE = 0.05  # an input kind rarer than 1 in 20 training sequences is "rare" when the model gets it wrong
# beginnings whose every character is in the text (tests/pages/test_attention_page.py checks): the model
# knows only the lab's own words, so "日本" or a student's name would be refused
EXAMPLES = ("学習率は", "損失が", "ニューラルネットワークの", "画像を", "GAN は", "Attention は")


def settings_columns() -> list:
    """Four slots for task, experiment, steps and seed, the two choices widest: one row, or in projector
    mode (21-px text) two rows of two, so the longest choice ("小さい順に並べる", "No position embedding")
    is never cut at 1280x720, even with the sidebar opened again."""
    if projector_on():
        return [*st.columns(2, vertical_alignment="bottom"), *st.columns(2, vertical_alignment="bottom")]
    return st.columns([4, 4, 3, 2.5], vertical_alignment="bottom")  # 2.5: "Random seed" on one line


# -- a run of another task -------------------------------------------------------------------------------
def other_task(job: Job | None, task: str) -> str:
    """The note for the left column when this session's run is of another task than `task` ("" when
    not), and while that run trains, a small poll that reruns the page once it ends (so Train comes back)."""
    other = lesson.job_task(job)
    if job is None or other is None or other == task:
        return ""
    if job.active:

        @st.fragment(run_every=1.0)
        def _wait() -> None:
            if not job.active:
                st.rerun()

        _wait()
        return t("attention.other_running", task=t(f"attention.task.{other}"))
    return t("attention.other_done", task=t(f"attention.task.{other}"))


# -- try it: the digits ----------------------------------------------------------------------------------
def try_digits(model, cfg, source: str, job: Job | None, layer: int, head, column) -> None:
    """A student's digits, the model's answer (with why, when wrong) and one answer position's attention."""
    example = " ".join("314159265358979"[: cfg.length])
    typed = column.text_input(
        t("attention.try_digits", n=cfg.length), example, key=f"attention_try_digits_{cfg.task}"
    )
    pos = st.select_slider(
        t("attention.pick_position"), list(range(1, cfg.length + 1)), 1, key="attention_try_pos"
    )
    x, problem = read_digits(typed, cfg)
    if problem:
        st.warning(problem)
        return
    ex = core_attention.digit_example(model, cfg, x)
    truth = core_attention.digits_answer(x.view(1, -1), cfg.task)[0]
    answer = " ".join(map(str, ex["answer"].tolist()))
    with st.container(key="attention_answer"):
        st.markdown(f"### {' '.join(map(str, x.tolist()))} {figures.SEP} {answer}")
        if torch.equal(ex["answer"], truth):
            st.success(t("attention.right"))
        else:
            st.error(t("attention.wrong", truth=" ".join(map(str, truth.tolist()))))
            st.info(why_wrong(x, cfg, lesson.trained_steps(cfg, source, job)), icon=":material/lightbulb:")
    names = figures.token_labels(ex["tokens"], cfg)
    r = answer_row(cfg, pos - 1)
    att = ex["attention"]
    row = att[layer].mean(0)[r] if head == "mean" else att[layer, head, r]
    seen = r + 1 if cfg.causal else len(names)
    charts.plot(st, figures.row_bars(row[:seen], names[:seen]), key="attention_try_bars", width="stretch")
    token = str(int(ex["answer"][pos - 1]))
    st.caption(t("attention.bars_caption", pos=pos, token=token, layer=layer + 1))


def why_wrong(x: torch.Tensor, cfg: core_attention.AttentionConfig, steps: int) -> str:
    """Why the model got x wrong, in the student's language: an experiment that breaks the task, or an
    input of a kind its batches rarely showed (many copies of one digit), or a model not trained enough
    yet."""
    experiment = lesson.experiment_of(cfg)
    if experiment != "none":
        return t("attention.wrong_experiment", experiment=t(f"attention.experiment.{experiment}"))
    k = core_attention.most_repeated(x)
    share = core_attention.training_share(cfg, k)  # as its batches were drawn (the easy families mixed in)
    if share >= RARE:
        return t("attention.wrong_common")
    seen = steps * cfg.batch_size
    expected = seen * share
    return t(
        "attention.wrong_rare",
        k=k,
        one_in=round(1 / share),
        seen=seen,
        expected=f"{expected:.1f}" if expected < 10 else f"{expected:,.0f}",
    )


# -- which inputs the model finds hard -------------------------------------------------------------------
HARD_N = 200  # held-out uniform inputs behind the bars (and n / 4 of each easy family): about 0.1 s


def hard_inputs(model, cfg) -> None:
    """An expander: the share of wrong digits at each answer position over HARD_N held-out inputs, and for
    the first input the model gets wrong, where every head looked when it wrote the first wrong digit."""
    with st.expander(t("attention.hard"), icon=":material/troubleshoot:"):
        found = _hard(model, cfg)
        st.caption(t("attention.hard_caption", n=found["n"], acc=100 * found["acc"]))
        charts.plot(st, figures.position_errors(found["errors"]), key="attention_hard_bars", width="stretch")
        wrong = found["wrong"]
        if wrong is None:
            st.success(t("attention.hard_none", n=found["n"]))
            return
        pos, x = wrong["position"], wrong["input"]
        truth = core_attention.digits_answer(x.view(1, -1), cfg.task)[0]
        st.markdown(
            t(
                "attention.hard_wrong",
                family=t(f"attention.family.{wrong['family']}"),
                sep=figures.SEP,
                x=" ".join(map(str, x.tolist())),
                answer=" ".join(map(str, wrong["answer"].tolist())),
                truth=" ".join(map(str, truth.tolist())),
                pos=pos + 1,
            )
        )
        names, r = figures.token_labels(wrong["tokens"], cfg), answer_row(cfg, pos)
        seen = r + 1 if cfg.causal else len(names)
        charts.plot(st, figures.wrong_heatmap(wrong["attention"], r, names, seen), key="attention_hard_map")
        st.caption(t("attention.hard_map_caption", pos=pos + 1, token=int(wrong["answer"][pos])))


def _hard(model, cfg) -> dict:
    """`core.attention.hard_inputs` once per model and settings in this session (the page reruns often).
    The model itself is kept with the result, not its id: a retrained model could reuse a freed id."""
    kept = ss.get("attention_hard")
    if not kept or kept[0] is not model or kept[1] != cfg:
        kept = ss["attention_hard"] = (model, cfg, core_attention.hard_inputs(model, cfg, HARD_N))
    return kept[2]


# -- try it: the text ------------------------------------------------------------------------------------
def try_text(model, cfg, vocab, layer: int, head, column) -> None:
    """A beginning (typed, or one of the examples), what the model writes on, and the attention of one
    written character; characters the model never saw are named, never fed to it."""
    examples = [e for e in EXAMPLES if not vocab.unknown(e)]
    ss.setdefault("attention_try_prompt", examples[0] if examples else "")
    prompt_text = column.text_input(t("attention.try_prompt"), **links.keep("attention_try_prompt"))
    prompt, problem = read_prompt(prompt_text, vocab, 200)
    if problem:  # right under the box, beside the examples and the list that help
        st.warning(problem)
    st.pills(t("attention.examples"), examples, key="attention_try_example", on_change=_use_example)
    known_characters(vocab)
    p1, p2, p3, p4 = st.columns(4, vertical_alignment="bottom")
    temperature = p1.slider(
        t("attention.temperature"),
        0.0,
        2.0,
        0.8,
        0.1,
        **links.keep("attention_temp"),
        help=t("attention.temperature_help"),
    )
    top_k = p2.slider(
        t("attention.top_k"), 1, 50, 10, **links.keep("attention_top_k"), help=t("attention.top_k_help")
    )
    n_chars = p3.slider(t("attention.n_chars"), 10, 200, 80, 10, **links.keep("attention_n_chars"))
    gen_seed = inputs.number(p4, t("common.seed"), 0, 10_000, 0, **links.keep("attention_gen_seed"))
    pick = st.slider(
        t("attention.pick_position"), 1, cfg.block_size - 1, cfg.block_size - 1, key="attention_try_char"
    )
    if problem:
        return
    text = core_attention.sample_text(model, vocab, prompt, n_chars, temperature, top_k, int(gen_seed))
    st.markdown(f"**{t('attention.generated')}**")
    with st.container(key="attention_generated"):
        st.code(prompt + text, language=None, wrap_lines=True)
    window = (prompt + text)[-cfg.block_size :]
    ids = vocab.encode(window)
    att = core_attention.attention_maps(model, ids)  # (L, H, T, T)
    names = figures.token_labels(ids.numpy(), cfg, vocab)
    pos = max(1, min(pick, len(window) - 1))  # the window may be shorter than the context
    row = att[layer].mean(0)[pos - 1] if head == "mean" else att[layer, head, pos - 1]
    charts.plot(st, figures.row_bars(row[:pos], names[:pos]), key="attention_try_bars", width="stretch")
    st.caption(t("attention.text_bars_caption", token=names[pos], layer=layer + 1))


def _use_example() -> None:
    """The examples' callback (before the script, so the text box may still be set): the picked
    beginning goes into the box, and the pills are cleared so the same one can be picked again."""
    picked = ss.get("attention_try_example")
    if picked:
        ss["attention_try_prompt"] = picked
    ss["attention_try_example"] = None


def known_characters(vocab) -> None:
    """Every character the model knows, by kind, shown as plain text (a code block: nothing is formatted)."""
    with st.expander(t("attention.known_chars", n=vocab.size), icon=":material/translate:"):
        data = lesson.text_data()
        st.caption(t("attention.known_caption", total=len(data.train) + len(data.val)))
        for kind, chars in char_groups(vocab.chars).items():
            if chars:
                st.markdown(f"**{t(f'attention.chars.{kind}')}**")
                st.code(" ".join(chars), language=None, wrap_lines=True)


# -- before training, the worked example and reading what the student types ----------------------------
def preview(task: str, note: str = "") -> None:
    """Before any training of `task`: the shipped model's heatmaps for the fixed input, where the live ones
    will be; `note` in place of the usual hint (a run of another task is this session's)."""
    got = lesson.model_for(task, None) if task in lesson.SHIPPED else None
    left, right = layout.main_columns([2, 3], main=1)  # the heatmaps on top in projector mode, as live
    if note:  # what the right side holds, said only when it holds something
        hint = note + (t("attention.right_is_shipped") if got else "")
    else:
        hint = t("attention.before_train" if got else "attention.before_train_new")
    left.info(hint, icon=":material/show_chart:")
    if got is None:
        return
    model, cfg, vocab, _ = got
    if cfg.task == "text":
        # the fixed snippet in the model's own characters (a text rewritten since keeps them apart)
        data = lesson.text_data()
        snippet = data.vocab.decode(core_attention.fixed_text(data, cfg.block_size))
        tokens = vocab.encode("".join(c for c in snippet if c in vocab.chars) or vocab.chars[0])
        att = core_attention.attention_maps(model, tokens)
    else:
        ex = core_attention.digit_example(model, cfg, core_attention.fixed_digits(cfg))
        tokens, att = ex["tokens"], ex["attention"]
    with right, st.container(key="attention_heatmaps"):
        lesson.maps(att, figures.token_labels(tokens, cfg, vocab), "attention_preview_maps")
        st.caption(t("attention.preview_caption"))


def worked_example() -> dict[str, np.ndarray]:
    """Three tokens with two-number queries, keys and values, and each step of attention on them."""
    q = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    k = torch.tensor([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
    v = torch.tensor([[1.0, 0.0], [0.0, 2.0], [3.0, 1.0]])
    steps = core_attention.attention_steps(q, k, v)
    return {"Q": q.numpy(), "K": k.numpy(), "V": v.numpy(), **{n: s.numpy() for n, s in steps.items()}}


def read_digits(text: str, cfg) -> tuple[torch.Tensor | None, str]:
    """(digits (L,), "") or (None, the reason in the student's language)."""
    raw = (text or "").replace(",", " ").replace("、", " ").strip()
    raw = raw.translate(str.maketrans("０１２３４５６７８９", "0123456789"))  # full-width digits too
    chars = raw.split() if " " in raw else list(raw)
    if not chars:
        return None, t("attention.bad.empty")
    if not all(len(c) == 1 and c in DIGITS for c in chars):
        bad = "".join(dict.fromkeys(c for c in "".join(chars) if c not in DIGITS))
        if not bad:  # "12 3 4": a number of several digits among single ones
            return None, t("attention.bad.range", top=cfg.digits - 1)
        return None, t("attention.bad.chars", chars=quoted(bad))
    if len(chars) != cfg.length:
        return None, t("attention.bad.length", n=cfg.length, got=len(chars))
    if max(int(c) for c in chars) >= cfg.digits:
        return None, t("attention.bad.range", top=cfg.digits - 1)
    return torch.tensor([int(c) for c in chars]), ""


def read_prompt(text: str, vocab, limit: int) -> tuple[str | None, str]:
    """(prompt, "") or (None, the reason): only characters of the training text, at most `limit`."""
    text = text or ""
    if len(text) > limit:
        return None, t("attention.bad.long", n=limit)
    missing = vocab.unknown(text)
    if missing:
        message = t("attention.bad.unknown", chars=quoted(missing))
        near = other_width(missing, vocab)
        if near:
            pairs = [f"{quoted(c)} → {quoted(known)}" for c, known in near.items()]
            message += " " + t("attention.bad.other_width", pairs=t("attention.char_sep").join(pairs))
        return None, message
    return text, ""


def other_width(chars: str, vocab) -> dict[str, str]:
    """The characters of `chars` the model knows in another width (a Japanese keyboard types "Ｇ", "（",
    "ｶ" or a full-width space where the text has "G", "(", "カ", " "): {typed: known} by Unicode's NFKC."""
    near = {c: unicodedata.normalize("NFKC", c) for c in chars}
    return {c: n for c, n in near.items() if n and n != c and not vocab.unknown(n)}


def quoted(chars: str) -> str:
    """Characters a student typed, each quoted, for a message Streamlit draws as Markdown: ASCII
    punctuation is escaped, so "*", "[", "$" or "<" show as themselves and never format the message."""
    marks = [t("attention.char_quote", c=f"\\{c}" if c in string.punctuation else c) for c in chars]
    return t("attention.char_sep").join(marks)


def char_groups(chars: str) -> dict[str, str]:
    """The characters of a vocabulary by kind (hiragana, katakana, kanji, the rest), a space drawn as "␣"
    and a new line as "⏎", for the list of the characters the text model knows."""
    groups = {"hiragana": "", "katakana": "", "kanji": "", "other": ""}
    for c in chars:
        name = unicodedata.name(c, "")
        kind = next((k for k in ("hiragana", "katakana") if name.startswith(k.upper())), None)
        kind = kind or ("kanji" if name.startswith("CJK UNIFIED IDEOGRAPH") else "other")
        groups[kind] += {"\n": "⏎", " ": "␣"}.get(c, c)
    return groups


def answer_row(cfg, pos: int) -> int:
    """The row of the maps that writes answer digit `pos` (0-based): the separator writes the first."""
    return cfg.length + pos


def results_rows() -> list[dict]:
    """This session's finished runs as table rows, in the student's language."""
    return figures.results_table(list(ss.get(lesson.RESULTS, {}).values()))
