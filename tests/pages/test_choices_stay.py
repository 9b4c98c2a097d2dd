"""Every setting of every page survives a visit to another page and a language switch.

Streamlit forgets a widget's value on a run that does not draw it: a student who looked at another page
came back to the defaults and trained settings they had not chosen. A setting is kept by the URL
(`links.bind`), by `links.choice`, or by `links.keep` (Streamlit's `persist_state="session"`). Here each
page's settings are set to values that are not their defaults, then the student goes to another page and
back, switches the language, and goes away and back once more: every value must still be there, and
Streamlit must not have warned about a widget given a value twice (docs/streamlit-notes.md, A language
switch empties choice widgets).
"""

from __future__ import annotations

from unittest import mock

import pytest
from streamlit.elements.lib import policies

from tests.apptest import open_page

# page → (widget key, a value that is not its default), in the order a student would set them (a widget
# that appears only for some choice comes after that choice)
SETTINGS: dict[str, list[tuple[str, object]]] = {
    "gan": [
        ("gan_grid_n", 4),
        ("gan_seed", 5),
        ("gan_preset", "course"),
        ("gan_mode", "d"),
        ("gan_delay", 0.5),
        ("gan_epochs", 3),
        ("gan_g_opt", "sgd_momentum"),
        ("gan_d_opt", "sgd_momentum"),
        ("gan_train_seed", 4),
        ("gan_unit_range", True),
        ("gan_seed_a", 7),
        ("gan_seed_b", 9),
        ("gan_interp_t", 0.2),
    ],
    "cgan": [
        ("cgan_dataset", "digits"),
        ("cgan_digit", 3),
        ("cgan_n", 6),
        ("cgan_seed", 5),
        ("cgan_rows", 2),
        ("cgan_seed_a", 7),
        ("cgan_seed_b", 9),
        ("cgan_g_lr", 1e-4),
        ("cgan_d_lr", 4e-4),
    ],
    "vae": [
        ("vae_which", "ae"),
        ("vae_interp_a", 5),
        ("vae_interp_b", 6),
        ("vae_prior_seed", 3),
        ("vae_kind", "ae"),
        ("vae_latent", 16),
        ("vae_epochs", 2),
        ("vae_seed", 8),
    ],
    "diffusion": [
        ("diffusion_label", 8),
        ("diffusion_w", 0.5),
        ("diffusion_steps", 3),
        ("diffusion_seed", 4),
        ("diffusion_index", 5),
        ("diffusion_t", 100),
        ("diffusion_objective", "ddpm"),
        ("diffusion_schedule", "cosine"),
        ("diffusion_train_seed", 6),
    ],
    "attention": [
        ("attention_task", "text"),
        ("attention_experiment", "one_head"),
        ("attention_seed", 3),
        ("attention_try_prompt", "勾配"),
        ("attention_temp", 0.5),
        ("attention_top_k", 5),
        ("attention_n_chars", 20),
        ("attention_gen_seed", 2),
    ],
    "xor": [
        ("xor_gate", "AND"),
        ("xor_layers", 1),
        ("xor_activation", "relu"),
        ("xor_optimizer", "sgd"),
        ("xor_lr", 0.5),
        ("xor_epochs", 300),
        ("xor_seed", 7),
        ("xor_speed", "fast"),
        ("xor_in_a", 1),
        ("xor_in_b", 0),
    ],
    "cnn": [
        ("cnn_stroke", 24),
        ("cnn_inside_index", 4),
        ("cnn_epochs", 2),
        ("cnn_seed", 3),
        ("cnn_augment", False),
        ("cnn_sb_size", 32),
        ("cnn_sb_kernel", 5),
        ("cnn_sb_stride", 2),
        ("cnn_sb_padding", 1),
    ],
    "hyperparams": [
        ("hyperparams_p1", "batch_size"),
        ("hyperparams_values_batch_size", [32, 128]),
        ("hyperparams_p2", "dropout"),
        ("hyperparams_values_dropout", [0.5]),
        ("hyperparams_base_optimizer", "sgd"),
        ("hyperparams_seed", 9),
    ],
    "tensors": [
        ("tensors_kind", "arange"),
        ("tensors_dtype", "float64"),
        ("tensors_start", 1.0),
        ("tensors_end", 9.0),
        ("tensors_step", 2.0),
        ("tensors_bc_a", "2, 1"),
        ("tensors_bc_b", "5"),
        ("tensors_w", 1.0),
        ("tensors_xv", -1.0),
        ("tensors_b", 0.5),
        ("tensors_lr", 0.3),
        ("tensors_epochs", 20),
        ("tensors_noise", 0.5),
        ("tensors_matmul_n", 64),
    ],
}
TIMEOUT = 180  # seconds per run: the shared test machine can be slow, and a page here runs 8 times
KINDS = (
    "slider",
    "select_slider",
    "selectbox",
    "radio",
    "number_input",
    "text_input",
    "checkbox",
    "toggle",
    "multiselect",
    "segmented_control",
    "pills",
)


def widget(at, key: str):
    """The widget with this key, whatever its kind (AppTest looks them up by kind)."""
    for kind in KINDS:
        try:
            return getattr(at, kind)(key=key)
        except KeyError:
            continue
    raise AssertionError(f"no widget {key!r} on the page")


def values(at, keys) -> dict:
    return {key: widget(at, key).value for key in keys}


def away_and_back(at, page: str):
    other = "app_pages/xor.py" if page != "xor" else "app_pages/tensors.py"
    at.switch_page(other).run()
    assert not at.exception, at.exception
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("page", list(SETTINGS))
def test_every_setting_survives_other_pages_and_a_language_switch(page, monkeypatch):
    warned = []
    monkeypatch.setattr(policies, "_shown_default_value_warning", False)  # Streamlit says it once a process
    with mock.patch.object(policies._LOGGER, "warning", side_effect=lambda *a, **k: warned.append(a)):
        at = open_page(f"app_pages/{page}.py", "ja", timeout=TIMEOUT)
        chosen = dict(SETTINGS[page])
        defaults = values(at, [k for k in chosen if _has(at, k)])
        pending = list(SETTINGS[page])
        while pending:  # what can be set now, in one run; then what that brought
            now = [(key, value) for key, value in pending if _has(at, key) and not widget(at, key).disabled]
            assert now, f"no widget for {[key for key, _ in pending]} on the page"
            for key, value in now:
                widget(at, key).set_value(value)
            at.run()
            assert not at.exception, at.exception
            pending = [item for item in pending if item not in now]
        for key, default in defaults.items():
            assert default != chosen[key], f"{key}: {chosen[key]!r} is its default; the test needs another"
        assert values(at, chosen) == chosen  # the widgets took them

        away_and_back(at, page)
        assert values(at, chosen) == chosen, "after another page"
        at.selectbox(key="lang").set_value("en").run()
        assert not at.exception, at.exception
        assert values(at, chosen) == chosen, "after the language switch"
        away_and_back(at, page)
        assert values(at, chosen) == chosen, "after another page, in English"
        assert at.selectbox(key="lang").value == "en"
    assert not warned, warned


def _has(at, key: str) -> bool:
    try:
        widget(at, key)
    except AssertionError:
        return False
    return True


def test_a_button_is_not_kept_but_what_it_did_is():
    """gan_new adds one to the seed: the seed is kept, the click is not replayed on the way back."""
    at = open_page("app_pages/gan.py", "en")
    seed = at.number_input(key="gan_seed").value
    at.button(key="gan_new").click().run()
    away_and_back(at, "gan")
    assert at.number_input(key="gan_seed").value == seed + 1
    assert at.button(key="gan_new").value is False
