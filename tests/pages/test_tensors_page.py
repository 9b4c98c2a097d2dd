"""AppTest of the Tensors page: both languages, bad input explained, autograd accumulation, the loop."""

import logging

import pytest

from tests.apptest import open_page, texts


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_tensors_page_renders(lang):
    at = open_page("app_pages/tensors.py", lang)
    assert not at.exception, at.exception
    body = texts(at)
    assert "shape" in body and "[2, 3]" in body
    assert at.button(key="tensors_fit") is not None
    if lang == "ja":
        assert "テンソル" in body and "ブロードキャスト" in body


def test_typed_code_is_not_run_and_bad_list_is_explained():
    at = open_page("app_pages/tensors.py", "en")
    at.text_input(key="tensors_values").set_value("__import__('os').getcwd()").run()
    assert not at.exception, at.exception
    assert any("Only numbers" in w.value for w in at.warning)
    at.text_input(key="tensors_values").set_value("[[1, 2], [3]]").run()
    assert not at.exception
    assert any("different lengths" in e.value for e in at.error)
    assert any("expected sequence of length" in c.value for c in at.code)


def test_impossible_reshape_and_matmul_show_pytorch_message():
    at = open_page("app_pages/tensors.py", "en")
    at.text_input(key="tensors_reshape").set_value("4, -1").run()
    at.text_input(key="tensors_mul_other").set_value("[[1, 2, 3], [4, 5, 6]]").run()
    at.radio(key="tensors_mul_how").set_value("matmul").run()
    assert not at.exception, at.exception
    codes = "\n".join(c.value for c in at.code)
    assert "invalid for input of size 6" in codes
    assert "cannot be multiplied (2x3 and 2x3)" in codes


def test_broadcast_failure_and_success():
    at = open_page("app_pages/tensors.py", "en")
    assert "shape [3, 4]" in texts(at)
    at.text_input(key="tensors_bc_a").set_value("3, 2").run()
    assert not at.exception
    assert any("do not broadcast" in e.value for e in at.error)


def test_backward_twice_accumulates_and_zero_grad_resets():
    at = open_page("app_pages/tensors.py", "en")
    assert _metric(at, "w.grad") == "12.000"  # 2·w·x with w=2, x=3
    at.button(key="tensors_backward").click().run()
    assert _metric(at, "w.grad") == "24.000"
    at.button(key="tensors_zero_grad").click().run()
    assert _metric(at, "w.grad") == "12.000"


def test_training_loop_learns_and_diverges():
    at = open_page("app_pages/tensors.py", "en")
    at.button(key="tensors_fit").click().run()
    assert not at.exception, at.exception
    assert any("Learned: w =" in s.value for s in at.success)
    at.select_slider(key="tensors_lr").set_value(2.0).run()
    at.button(key="tensors_fit").click().run()
    assert not at.exception
    assert any("diverged" in e.value for e in at.error)


def _metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_tab_opens_on_a_working_example(lang):
    """All tab bodies are drawn at once: no error anywhere on the first view, and `@` works as well."""
    at = open_page("app_pages/tensors.py", lang)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    assert "`x * y` · x [2, 3] · y [3] → shape **[2, 3]**" in texts(at)
    at.radio(key="tensors_mul_how").set_value("matmul").run()
    assert not at.error, [e.value for e in at.error]
    assert at.text_input(key="tensors_mul_other").value == "[[1, 0], [0, 1], [1, 1]]"
    assert "`x @ y` · x [2, 3] · y [3, 2] → shape **[2, 2]**" in texts(at)
    at.radio(key="tensors_mul_how").set_value("mul").run()
    assert at.text_input(key="tensors_mul_other").value == "[10, 20, 30]"  # the example follows the method
    at.text_input(key="tensors_values").set_value("[1, 2, 3, 4]").run()
    assert at.text_input(key="tensors_mul_other").value == "[10, 20, 30, 40]"  # ...and x's shape
    assert at.text_input(key="tensors_index").value == "1:"
    assert not at.error, [e.value for e in at.error]


RULES = {  # the start of each explanation, as the page shows it
    "ja": {"matmul": "`x @ y` は行列の積です", "mul": "`x * y` は同じ位置", "join": ("つなぐ", "stack")},
    "en": {"matmul": "`x @ y` is the matrix product", "mul": "`x * y` multiplies", "join": ("join", "stack")},
}


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_impossible_product_explains_its_own_rule_and_wraps_the_message(lang):
    at = open_page("app_pages/tensors.py", lang)
    at.radio(key="tensors_mul_how").set_value("matmul").run()
    at.text_input(key="tensors_mul_other").set_value("[[1, 2, 3], [4, 5, 6]]").run()
    assert not at.exception, at.exception
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith(RULES[lang]["matmul"]), errors
    assert "[2, 3]" in errors[0] and not any(w in errors[0] for w in RULES[lang]["join"])
    raw = [c for c in at.code if c.value.startswith("RuntimeError:")]
    assert raw and "cannot be multiplied (2x3 and 2x3)" in raw[0].value
    assert all(c.proto.wrap_lines for c in raw)  # PyTorch's long line wraps inside its column
    at.radio(key="tensors_mul_how").set_value("mul").run()
    at.text_input(key="tensors_mul_other").set_value("[[1, 2], [3, 4]]").run()
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith(RULES[lang]["mul"]), errors
    assert "stack" not in errors[0]


def test_the_loop_code_fits_its_column():
    at = open_page("app_pages/tensors.py", "en")
    loop = next(c for c in at.code if "optimizer.zero_grad()" in c.value)
    assert loop.proto.wrap_lines
    assert max(len(line) for line in loop.value.splitlines()) <= 68


# -- the caps: nothing a student types makes a tensor, or a table, the server cannot afford ------


@pytest.mark.parametrize("n", [400, 5000])
def test_eye_of_one_large_number_is_refused_in_japanese(n):
    at = open_page("app_pages/tensors.py", "ja")
    at.selectbox(key="tensors_kind").set_value("eye").run()
    at.text_input(key="tensors_shape").set_value(str(n)).run()
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert any(f"{n * n:,}" in w and "10,000 個まで" in w and "n×n" in w for w in warnings), warnings
    # the operations fall back to the stand-in, and say so instead of "the tensor you made above"
    body = texts(at)
    assert "代わりのテンソル x" in body and "上で作ったテンソル" not in body


def test_the_largest_tensor_is_drawn_cut_with_a_word_that_it_is_cut():
    at = open_page("app_pages/tensors.py", "en")
    at.selectbox(key="tensors_kind").set_value("rand").run()
    at.text_input(key="tensors_shape").set_value("100, 100").run()  # 10,000: allowed
    assert not at.exception, at.exception
    # the reshape tab's default -1 makes it one row of 10,000: drawn as its first 20 values
    shapes = [df.value.shape for df in at.dataframe]
    assert shapes and all(r <= 50 and c <= 20 for r, c in shapes), shapes
    cut = [c.value for c in at.caption if c.value.startswith("Large: only the first")]
    assert any("[50, 20]" in c and "[100, 100]" in c for c in cut), cut
    assert any("[20]" in c and "[10000]" in c for c in cut), cut


@pytest.mark.parametrize(
    "key, text, words",
    [
        ("tensors_values", "9" * 5000, "長すぎます"),
        ("tensors_values", "[1, 1e999]", "無限大"),
        ("tensors_values", "[" + "9" * 1500 + "]", "数が大きすぎます"),
        ("tensors_shape", "9" * 1500, "数が大きすぎます"),
        ("tensors_index", "0, " + "9" * 1500, "数が大きすぎます"),
    ],
    ids=["5000_digits", "1e999", "1500_digits", "shape", "index"],
)
def test_huge_typed_numbers_get_a_clear_japanese_message(key, text, words):
    at = open_page("app_pages/tensors.py", "ja")
    if key == "tensors_shape":
        at.selectbox(key="tensors_kind").set_value("zeros").run()
    at.text_input(key=key).set_value(text).run()
    assert not at.exception, at.exception
    assert any(words in w.value for w in at.warning), [w.value for w in at.warning]


def test_a_clashing_broadcast_logs_no_traceback():
    """The broadcast table's result column mixes sizes and "—" on a clash: it must still be one type, or
    Streamlit logs a pyarrow traceback on every rerun."""
    records: list[logging.LogRecord] = []
    handler = logging.Handler(level=logging.DEBUG)
    handler.emit = records.append
    logger = logging.getLogger("streamlit.dataframe_util")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        at = open_page("app_pages/tensors.py", "en")
        at.text_input(key="tensors_bc_a").set_value("3, 2").run()
        assert any("do not broadcast" in e.value for e in at.error)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    assert not [r.getMessage() for r in records if r.exc_info], [r.getMessage() for r in records]
    table = next(df.value for df in at.dataframe if "result" in df.value.columns)
    assert list(table["result"]) == ["3", "—"]
