"""PyTorch Hands-on Lab — entry point: page config, navigation, the shared sidebar, then the chosen page.

Run it with `make run` (`streamlit run Home.py`). Every page lives in `app_pages/`; core/topics.py lists them.
"""

import streamlit as st

from ui import pages, streamlit_text
from ui.i18n import KEPT, current_lang, t
from ui.pages import current_page

st.set_page_config(page_title="PyTorch Hands-on Lab", page_icon="🔥", layout="wide")
# A session's first run (and the server's first, which imports torch and loads data and models) takes a
# few seconds: say so from the first moment instead of showing an empty page.
warming = st.empty()
if not current_page():  # no page has run for this session yet (ui.pages.begin)
    warming.info(t("shell.warming"), icon=":material/hourglass_top:")

# The navigation next, before anything slow: until it comes, the browser draws nothing of the page, not
# even the message above. The language first, before any page switch drops ?lang= (docs/streamlit-notes.md,
# A page switch drops the query string).
st.session_state.setdefault(KEPT, current_lang())
home = st.Page(pages.HOME.file, title=t("nav.home"), icon=pages.HOME.icon, default=True)
sections: dict[str, list] = {"": [home]}
for spec in pages.available():
    section = t(f"nav.part{spec.part}")
    page = st.Page(spec.file, title=t(f"nav.{spec.key}"), icon=spec.icon, url_path=spec.url_path)
    sections.setdefault(section, []).append(page)
current = st.navigation(sections, expanded=True)  # every page listed: no "View more" hides one
streamlit_text.apply()  # Streamlit's own uploader and status words (its Stop, while warming) in the language

# torch once, here, before any page (docs/streamlit-notes.md, Importing torch is slow: do it once, early)
import torch  # noqa: E402, F401

from ui import classroom, links, resources, saved_runs, sidebar  # noqa: E402

# Once per process (each returns at once afterwards); docs/streamlit-notes.md explains the three:
resources.freeze_startup_objects()  # postScriptGC costs a full collection per run
resources.warm_up_in_background()  # torchvision loads now, not when a busy class opens the GAN page
resources.shorten_gil_turns()  # The GIL switch interval: replies do not wait behind page reruns

with resources.page_run_slot():  # full runs take turns; fragment reruns (a prediction) skip the line
    link_slot = sidebar.render()
    warming.empty()  # the sidebar is there: the page draws itself from here
    link_notes = st.container()  # the top of the page: what the lab did with a lesson link's values
    try:
        current.run()  # its first line, ui.pages.begin, checks in with the class (ui.classroom)
    except Exception as e:  # shown by Streamlit as usual; the teacher's page lists it too
        classroom.record_exception(saved_runs.student_name(), pages.current_page(), e)
        raise
    links.end_run()  # a lesson link's values the page could not use, and its choices written back
    links.panel(link_slot, current.url_path, link_notes)  # notes on top, the link in the sidebar
    classroom.check_out(saved_runs.student_name(), pages.current_page())
