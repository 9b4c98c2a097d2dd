"""The lab's pages: file, fixed URL path, translated title, course part; and the guard that makes every
page run inside Home.py's navigation and sidebar.

Home.py builds its `st.navigation` from `PAGES`; a page whose file is missing is left out, never faked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class PageSpec:
    file: str  # relative to the repo root, as st.Page and AppTest.switch_page want it
    url_path: str  # never translated: URLs stay the same in every language
    key: str  # i18n: nav.<key> is the title, home.blurb.<key> the one-line description
    icon: str
    part: int  # course part 1..3; 4: the class's own pages (the teacher's view, the class board)


HOME = PageSpec("pages/home.py", "home", "home", ":material/home:", 0)
PAGES = (
    PageSpec("pages/tensors.py", "tensors", "tensors", ":material/grid_on:", 1),
    PageSpec("pages/xor.py", "xor", "xor", ":material/hub:", 1),
    PageSpec("pages/cnn.py", "cnn", "cnn", ":material/draw:", 2),
    PageSpec("pages/hyperparams.py", "hyperparams", "hyperparams", ":material/tune:", 2),
    PageSpec("pages/gan.py", "gan", "gan", ":material/auto_awesome:", 3),
    PageSpec("pages/cgan.py", "cgan", "cgan", ":material/filter_9_plus:", 3),
    PageSpec("pages/vae.py", "vae", "vae", ":material/scatter_plot:", 3),
    PageSpec("pages/diffusion.py", "diffusion", "diffusion", ":material/blur_on:", 3),
    PageSpec("pages/attention.py", "attention", "attention", ":material/visibility:", 3),
    PageSpec("pages/board.py", "board", "board", ":material/leaderboard:", 4),
    PageSpec("pages/teacher.py", "teacher", "teacher", ":material/co_present:", 4),
)


def available() -> list[PageSpec]:
    return [p for p in PAGES if (ROOT / p.file).is_file()]


_SHELL = "_lab_shell"  # session_state: Home.py's navigation and sidebar have run for this session
_GOTO = "_lab_goto"  # session_state: the page asked for before the shell ran
_GOTO_QUERY = "_lab_goto_query"  # session_state: that request's query parameters
_CURRENT = "_lab_page"  # session_state: the url_path of the page this session ran last


def current_page(default: str = "") -> str:
    """The url_path of the page this session's last run drew (set by `require_shell`)."""
    return st.session_state.get(_CURRENT, default)


def mark_shell() -> None:
    """Home.py: the navigation and the sidebar are in place for this session."""
    st.session_state[_SHELL] = True


def require_shell(url_path: str) -> None:
    """First line of every page: make sure it runs inside Home.py's navigation and sidebar.

    On a fresh server, Streamlit treats a folder named `pages/` as a legacy multipage app until some
    session has run `st.navigation`; a page opened by its URL (say /xor) then runs on its own, with raw
    file names in the sidebar and no language selector (docs/streamlit-notes.md, pages/ is a legacy app
    until st.navigation runs). Such a page bounces once through Home.py, which then switches back to it
    (`goto_pending`). Then, for every page alike: the lesson link's bookkeeping and hide=/lock= (ui.links),
    this session's seat in the class (ui.classroom), and the teacher's message.
    """
    st.session_state[_CURRENT] = url_path
    if not st.session_state.get(_SHELL):
        from ui.i18n import KEPT, current_lang

        st.session_state.setdefault(KEPT, current_lang())  # switch_page drops ?lang=
        st.session_state[_GOTO] = url_path
        st.session_state[_GOTO_QUERY] = st.query_params.to_dict()  # a lesson link's values (ui/links.py)
        st.switch_page("Home.py")
    from ui import classroom, links, saved_runs  # the classroom's hooks, drawn above every page

    links.begin_run()
    links.apply_classroom_view()
    classroom.check_in(saved_runs.student_name(), url_path)
    classroom.banner()


def goto_pending(pages_by_url: dict[str, object]) -> None:
    """Home.py, after `st.navigation`: go to the page a bounced request asked for."""
    target = st.session_state.pop(_GOTO, None)
    query = st.session_state.pop(_GOTO_QUERY, None) or None
    if target in pages_by_url:
        st.switch_page(pages_by_url[target], query_params=query)
