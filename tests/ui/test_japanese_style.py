"""Japanese as the lab writes it, on every page alike: full-width parentheses （） around a note in Japanese
text (「損失（学習）」, not 「損失 (学習)」), and one name for the accuracy on the held-out digits the class
chooses its settings on, 検証正解率 (validation accuracy), on the board as on the Hyperparameters page."""

from __future__ import annotations

import re

from ui import charts
from ui.i18n import catalogs

JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
# a half-width "(" not right after a letter, digit or prime (a call: f(z), f'(z), N(0, I))
NOTE = re.compile(r"(?:^|(?<=[^A-Za-z0-9_'\]]))( ?)\(([^()]*)\)")
# a tuple, not a note: items between half-width commas, a shape (バッチ, 系列の長さ, 特徴量) as much as (16, 32)
# or a point's placeholders ({z1:.2f}, {z2:.2f}); and a lone number, (1)
TUPLE = re.compile(r".*,.*|[\d\s.…]+")
CODE_OR_MATH = re.compile(r"\$[^$]*\$|`[^`]*`")


def half_width_notes(text: str) -> list[str]:
    """The half-width parenthesised notes of a Japanese `text`, outside $math$ and `code`."""
    if not JAPANESE.search(text):
        return []
    bare = CODE_OR_MATH.sub("", text)
    return [m.group(0).strip() for m in NOTE.finditer(bare) if not TUPLE.fullmatch(m.group(2))]


def test_the_check_finds_what_it_should():
    assert half_width_notes("損失 (学習)") == ["(学習)"]
    assert half_width_notes("検証正解率 (%)") == ["(%)"]
    assert half_width_notes("CNN (MNIST) のページ") == ["(MNIST)"]
    maths = "損失（学習）、f(z)、f'(z)、N(0, I)、(16, 32)、(バッチ, 系列の長さ)、z = ({z1:.2f}, {z2:.2f})、`x.to(d)`"
    assert half_width_notes(maths) == []


def test_japanese_text_puts_its_notes_in_full_width_parentheses():
    found = {k: notes for k, v in catalogs()["ja"].items() if (notes := half_width_notes(v))}
    assert not found, found


def test_chart_legends_compose_in_the_languages_style():
    epochs = [{"kind": "epoch", "epoch": 1, "train_loss": 0.5, "val_loss": 0.6}]
    names = [
        trace.name for trace in charts.loss_chart([(0, 1.0), (1, 0.5)], epochs, batches_per_epoch=1).data
    ]
    assert names[1:] == ["損失（学習）", "損失（検証）"]  # outside a session: the default language, Japanese


def test_one_name_for_the_accuracy_on_the_held_out_digits():
    ja, en = catalogs()["ja"], catalogs()["en"]
    assert not [k for k, v in ja.items() if "テスト正解率" in v]
    assert not [k for k, v in en.items() if "test accuracy" in v.lower()]
    assert "検証正解率" in ja["board.leaderboard"] and "検証正解率" in ja["hyperparams.chart.val_acc"]
