"""AppTest: Home and every page present, in both languages, without an exception or a raw key."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pytest

from tests.apptest import open_page, texts
from ui.i18n import LANGS, catalogs
from ui.pages import available

RAW_KEY = re.compile(r"\b[a-z]+\.[a-z_]+(\.[a-z_0-9]+)*\b")


def raw_keys_shown(text: str) -> list[str]:
    keys = set(catalogs()["en"])
    return [m.group(0) for m in RAW_KEY.finditer(text) if m.group(0) in keys]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_home_renders_in_both_languages(lang):
    at = open_page(None, lang)
    assert not at.exception
    body = texts(at)
    assert at.title[0].value == catalogs()[lang]["app.title"]
    assert catalogs()[lang]["home.part1"] in body
    assert raw_keys_shown(body) == []
    # the environment panel names torch and the data in use
    import torch

    assert torch.__version__ in body


def test_language_choice_changes_text():
    # (persistence across reruns and reloads is checked in the browser: AppTest re-sends its own
    # query string on every run, which a real browser does not)
    at = open_page(None, "ja")
    assert at.title[0].value == "PyTorch ハンズオン・ラボ"
    at.selectbox(key="lang").select_index(1).run()  # AppTest knows options only as formatted labels
    assert at.title[0].value == "PyTorch Hands-on Lab"
    assert "The course" in texts(at)


def test_a_remounted_language_box_reports_the_current_language():
    """A browser that re-mounts the sidebar selectbox (a page switch under load) sends its *default* back
    as the widget's value. The default must be the session's language, not the first option: with index 0
    every English student of bench/classroom_load.py's 30 got Japanese pages after drawing a digit."""
    at = open_page(None, "en")
    box = at.selectbox(key="lang")
    default = box.proto.default
    default = default[0] if isinstance(default, Sequence) else default
    assert LANGS[default] == "en"
    box.select_index(default).run()  # what the re-mounted box reports (the URL still says ?lang=en)
    assert at.title[0].value == catalogs()["en"]["app.title"]
    assert not at.exception


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("spec", available(), ids=lambda s: s.key)
def test_every_page_renders_without_exception(spec, lang):
    at = open_page(spec.file, lang)
    assert not at.exception, at.exception
    assert raw_keys_shown(texts(at)) == []


# What each part's summary on Home must name, per topic (the words as the summary writes them). A topic
# added to the registry without a line here fails the test, until its part's summary names it too.
SUMMARY_WORDS = {
    "tensors": ("テンソル", "Tensors"),
    "xor": ("XOR", "XOR"),
    "cnn": ("畳み込み", "Convolution"),
    "hyperparams": ("ハイパーパラメータ", "hyperparameters"),
    "sequence": ("RNN", "RNN"),
    "cifar": ("CIFAR-10", "CIFAR-10"),
    "transfer": ("転移学習", "transfer learning"),
    "keeping": ("保存・読み込み", "save, load"),
    "gan": ("DCGAN", "DCGAN"),
    "cgan": ("条件付き GAN", "conditional GAN"),
    "vae": ("変分オートエンコーダ", "variational autoencoder"),
    "diffusion": ("拡散モデル", "diffusion"),
    "attention": ("Attention", "attention"),
}


@pytest.mark.parametrize("part", [1, 2, 3])
def test_each_parts_summary_names_every_page_of_the_part(part):
    from core.topics import TOPICS

    for topic in (t for t in TOPICS if t.part == part):
        assert topic.key in SUMMARY_WORDS, f"say what Home's part {part} summary calls {topic.key!r}"
        for lang, word in zip(("ja", "en"), SUMMARY_WORDS[topic.key]):
            assert word in catalogs()[lang][f"home.part{part}"], (lang, topic.key, word)
