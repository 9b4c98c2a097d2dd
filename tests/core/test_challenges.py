"""core.challenges: one challenge at a time, ranking the board's Hyperparameters runs submitted while it
runs (each name's best, within its epochs), the goal's target, a student's place, bad goals refused."""

from __future__ import annotations

import time

import pytest

from core import challenges, classdb


@pytest.fixture
def url(tmp_path):
    return f"sqlite:///{tmp_path / 'class.sqlite3'}"


def run(
    url: str, name: str, acc: float, epochs: int = 3, seconds: float = 10.0, page: str = "hyperparams"
) -> int:
    return classdb.db(url).submit_run(name, page, {"lr": 0.01, "epochs": epochs}, acc, epochs, seconds)


def test_ranks_each_names_best_run_within_the_epochs_since_it_opened(url):
    run(url, "early", 0.99)  # before the challenge: not counted
    time.sleep(0.01)
    c = challenges.store(url).set("best accuracy in at most 3 epochs", max_epochs=3, target=0.95)
    run(url, "Aki", 0.91)
    run(url, "aki", 0.96, epochs=3)  # the same name (case-folded): its best run counts
    run(url, "Ben", 0.98, epochs=5)  # too many epochs
    run(url, "Ben", 0.93, epochs=2)
    run(url, "Chie", 0.93, epochs=2, seconds=5.0)  # ties Ben on accuracy and epochs, faster
    run(url, "Dai", 0.97, page="cnn")  # another page's run
    places = challenges.ranking(c, classdb.db(url).entries())
    assert [(p.rank, p.name, p.acc) for p in places] == [
        (1, "aki", 0.96),
        (2, "Chie", 0.93),
        (3, "Ben", 0.93),
    ]
    assert [p.reached for p in places] == [True, False, False]
    assert challenges.place_of(" AKI ", places).rank == 1
    assert challenges.place_of("early", places) is None


def test_one_challenge_at_a_time_and_a_closed_one_keeps_its_ranking(url):
    store = challenges.store(url)
    assert store.latest() is None and not store.close()
    first = store.set("first")
    second = store.set("second", max_epochs=None, target=None)
    assert store.get(first.id).closed is not None  # the new one closed the last
    assert store.latest().id == second.id and store.latest().closed is None
    run(url, "Aki", 0.9)
    assert store.close() and store.latest().closed is not None
    time.sleep(0.01)
    run(url, "Ben", 0.99)  # after the close: not counted
    places = challenges.ranking(store.latest(), classdb.db(url).entries())
    assert [p.name for p in places] == ["Aki"] and places[0].reached is False  # no target: nobody "reached"


def test_a_hidden_entry_drops_out_of_the_ranking(url):
    c = challenges.store(url).set("go")
    entry = run(url, "Aki", 0.9)
    run(url, "Ben", 0.8)
    classdb.db(url).hide(entry)
    assert [p.name for p in challenges.ranking(c, classdb.db(url).entries(include_hidden=True))] == ["Ben"]


@pytest.mark.parametrize(
    ("text", "epochs", "target", "code"),
    [
        ("  ", None, None, "empty"),
        ("x" * (challenges.MAX_TEXT + 1), None, None, "too_long"),
        ("go", 0, None, "epochs"),
        ("go", challenges.MAX_EPOCHS + 1, None, "epochs"),
        ("go", None, 0.0, "target"),
        ("go", None, 1.5, "target"),
        ("go", None, float("nan"), "target"),
    ],
)
def test_a_goal_that_cannot_be_ranked_is_refused(url, text, epochs, target, code):
    with pytest.raises(challenges.ChallengeError) as e:
        challenges.store(url).set(text, epochs, target)
    assert e.value.code == code
    assert challenges.store(url).latest() is None  # nothing half-stored


def test_a_fresh_store_on_the_same_file_sees_the_challenge(url):
    c = challenges.store(url).set("go", 3, 0.9)
    fresh = challenges.ChallengeStore(classdb.ClassDB(url).engine)
    assert fresh.latest() == c
