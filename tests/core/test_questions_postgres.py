"""Live questions on PostgreSQL (`LAB_DB_URL=postgresql+psycopg://...`, several replicas on one class): the
behaviours of tests/core/test_questions.py run again on a throwaway server (tests/core/test_classdb_postgres.py
starts it, and says when it is skipped), plus a database restart in the middle of a question."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from core import classdb, questions
from tests.core.test_classdb_postgres import server  # noqa: F401 - the module's throwaway PostgreSQL

# The behaviours shared with SQLite, collected again here, where `url` and `qs` are the fixtures below.
from tests.core.test_questions import (  # noqa: F401 - pytest collects these names from this module
    test_a_bad_answer_is_refused_with_a_code,
    test_a_bad_question_is_refused_with_a_code,
    test_a_fresh_engine_on_the_same_file_sees_everything,
    test_anonymous_answers_are_counted_apart,
    test_numbers_give_a_histogram_and_the_median,
    test_one_answer_per_session_changeable_until_closed,
    test_reveal_follows_close_and_asking_again_closes_the_open_question,
    test_text_answers_are_listed_in_order,
    test_the_report_has_every_answer_and_quotes_formulas,
)

pytestmark = pytest.mark.xdist_group("postgres")


def _drop_tables(url: str) -> None:
    engine = sa.create_engine(url)
    questions.metadata.drop_all(engine)
    classdb.metadata.drop_all(engine)
    engine.dispose()


@pytest.fixture
def url(server):  # noqa: F811 - the imported fixture
    """The server's URL with none of the tables in it, before and after the test."""
    _drop_tables(server.url)
    yield server.url
    _drop_tables(server.url)


@pytest.fixture
def qs(url):
    engine = classdb.ClassDB(url).engine  # a fresh engine each test: the store's cache keeps one per URL
    yield questions.QuestionStore(engine)
    engine.dispose()


def test_a_database_restart_mid_question_costs_nothing(qs, server):  # noqa: F811 - the imported fixture
    qid = qs.ask("Which loss for XOR?", "choice", ["MSE", "BCE"], answer=1)
    qs.answer(qid, "s1", 0, name="ann")
    with qs.engine.connect() as conn:  # a connection now waiting in the pool
        conn.execute(sa.select(1))
    server.stop("fast")
    server.start()
    qs.answer(qid, "s1", 1, name="ann")  # the pooled connection is dead: tested before use, replaced
    qs.answer(qid, "s2", 1)
    assert qs.distribution(qid).counts == (0, 2)
    assert qs.close(qid).state == "closed"
