"""The lab's pages, derived from the topic registry (core.topics), and the hook every page calls first.

Home.py builds its `st.navigation` from `PAGES`; a page whose file is missing is left out, never faked.
The page scripts live in `app_pages/`, beside Home.py: not in a folder named `pages/`, which Streamlit
would claim as a legacy multipage app (docs/streamlit-notes.md, Pages live in app_pages/, not pages/).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from core.topics import TOPICS

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class PageSpec:
    file: str  # relative to the repo root, as st.Page and AppTest.switch_page want it
    url_path: str  # never translated: URLs stay the same in every language
    key: str  # i18n: nav.<key> is the title, home.blurb.<key> the one-line description
    icon: str
    part: int  # course part 1..3; 4: the class's own pages (the teacher's view, the class board)


HOME = PageSpec("app_pages/home.py", "home", "home", ":material/home:", 0)
PAGES = tuple(PageSpec(t.page_file, t.key, t.key, t.icon, t.part) for t in TOPICS)

_CURRENT = "_lab_page"  # session_state: the url_path of the page this session ran last


def available() -> list[PageSpec]:
    return [p for p in PAGES if (ROOT / p.file).is_file()]


def current_page(default: str = "") -> str:
    """The url_path of the page this session's last run drew (set by `begin`)."""
    return st.session_state.get(_CURRENT, default)


def begin(url_path: str) -> None:
    """First line of every page: what the class needs of each page alike, before the page draws.

    The lesson link's bookkeeping and hide=/lock= (ui.links), this session's seat in the class
    (ui.classroom), and the teacher's message: a fragment that polls for it every few seconds, so it
    reaches a page nobody clicks. Page tests (AppTest runs a page on its own, without Home.py) go through
    it too.
    """
    st.session_state[_CURRENT] = url_path
    from ui import classroom, links, saved_runs  # the classroom's hooks, drawn above every page

    links.begin_run()
    links.apply_classroom_view()
    classroom.check_in(saved_runs.student_name(), url_path)
    classroom.banner()
