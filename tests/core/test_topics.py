"""core.topics: every list of topics agrees with the registry, and everything it names is there."""

from __future__ import annotations

import importlib

import pytest

from core import run_export, runs, topics
from core.topics import TOPICS, TRAINED
from tests.conftest import ROOT

KEYS = [t.key for t in TOPICS]


def test_keys_are_unique_and_parts_in_course_order():
    assert len(set(KEYS)) == len(KEYS)
    parts = [t.part for t in TOPICS]
    assert parts == sorted(parts) and set(parts) <= {1, 2, 3, 4}
    assert all(topics.topic(k).key == k for k in KEYS)
    with pytest.raises(KeyError):
        topics.topic("nope")


def test_the_saved_runs_pages_are_the_topics_that_train():
    assert runs.PAGES == TRAINED == tuple(t.key for t in TOPICS if t.trains)


def test_the_navigation_is_the_registry():
    from ui.pages import PAGES

    assert [(p.key, p.url_path, p.part, p.icon, p.file) for p in PAGES] == [
        (t.key, t.key, t.part, t.icon, t.page_file) for t in TOPICS
    ]


@pytest.mark.parametrize("key", KEYS)
def test_every_topic_has_its_page_and_its_strings(key):
    from ui.i18n import LANGS, catalogs

    assert (ROOT / topics.topic(key).page_file).is_file()
    for lang in LANGS:
        assert f"nav.{key}" in catalogs()[lang], (lang, key)
        assert f"home.blurb.{key}" in catalogs()[lang], (lang, key)


def test_the_run_zips_scripts_are_the_topics_with_an_export_and_every_template_is_there():
    exported = tuple(t.key for t in TOPICS if t.export)
    assert run_export.TRAIN_SCRIPTS == exported
    assert set(exported) <= set(TRAINED)
    for key in exported:
        assert (run_export.TEMPLATES / topics.topic(key).template).is_file(), key
    templates = {p.name for p in run_export.TEMPLATES.glob("*.tmpl")}
    assert templates == {topics.topic(k).template for k in exported}  # no template without its topic
    with pytest.raises(KeyError):
        run_export.train_script("tensors", {})


@pytest.mark.parametrize("key", TRAINED)
def test_each_trained_topics_code_resolves(key):
    """The config class is a dataclass that reads its own defaults back; the export function (where
    there is one) makes a script from the default settings; the model family is one core.models knows."""
    import dataclasses

    from core.configs import from_dict
    from core.models import resolve_family

    t = topics.topic(key)
    cls = t.config_class()
    assert dataclasses.is_dataclass(cls)
    default = cls()
    assert from_dict(cls, dataclasses.asdict(default)) == default
    if t.family:
        resolve_family(t.family)
    if t.export:
        assert callable(t.export_constants())
        if key != "attention" or default.task != "text":  # a text run's script needs its model
            script = run_export.train_script(key, dataclasses.asdict(default))
            compile(script, f"{key}/train.py", "exec")


def test_code_names_that_do_not_resolve_are_errors():
    with pytest.raises(LookupError):
        topics._resolve("core.xor")
    with pytest.raises(AttributeError):
        topics._resolve("core.xor:NoSuchThing")


@pytest.mark.parametrize("key", TRAINED)
def test_every_lesson_of_a_topic_that_trains_declares_its_lesson(key):
    """ui/lessons/<key>.py declares `LESSON` (ui.trainable.Lesson) under the topic's key."""
    module = importlib.import_module(f"ui.lessons.{key}")
    lesson = getattr(module, "LESSON", None)
    assert lesson is not None, f"ui/lessons/{key}.py declares no LESSON"
    assert lesson.key == key
