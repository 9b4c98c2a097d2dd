"""Translations: both languages have the same keys and every format placeholder matches."""

import string

import pytest

from ui.i18n import LANGS, catalogs


def placeholders(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_both_languages_have_the_same_keys():
    cats = catalogs()
    assert set(cats["ja"]) == set(cats["en"])


def test_placeholders_match_between_languages():
    cats = catalogs()
    bad = [k for k in cats["en"] if placeholders(cats["en"][k]) != placeholders(cats["ja"][k])]
    assert bad == []


def test_no_empty_or_untranslated_japanese():
    ja, en = catalogs()["ja"], catalogs()["en"]
    assert all(v.strip() for lang in LANGS for v in catalogs()[lang].values())
    # Japanese strings that are identical to English must be names or symbols, not sentences
    same = [k for k in ja if ja[k] == en[k] and len(ja[k].split()) > 3]
    assert same == []


def test_every_page_has_title_and_blurb():
    from ui.pages import PAGES

    for spec in PAGES:
        for lang in LANGS:
            assert f"nav.{spec.key}" in catalogs()[lang]
            assert f"home.blurb.{spec.key}" in catalogs()[lang]


@pytest.mark.parametrize(
    "state, query, expected",
    [
        ({"lang": "en", "_lang": "en"}, {}, "en"),
        ({"_lang": "en"}, {}, "en"),  # the widget's key dropped and ?lang= cleared by a page switch
        ({"lang": "ja", "_lang": "en"}, {"lang": "en"}, "ja"),  # the selectbox was just changed to ja
        ({}, {"lang": "en"}, "en"),  # a new session (reload): the URL says
        ({}, {"lang": "fr"}, "ja"),  # anything else: Japanese
        ({}, {}, "ja"),
    ],
)
def test_current_lang_survives_losing_the_widget_key(monkeypatch, state, query, expected):
    """The session's choice is kept apart from the selectbox's own key (`_lang`), so a run in which the
    widget's key is missing, or ?lang= was cleared by a page switch, still knows the language."""
    from types import SimpleNamespace

    from ui import i18n

    monkeypatch.setattr(i18n, "st", SimpleNamespace(session_state=state, query_params=query))
    assert i18n.current_lang() == expected
