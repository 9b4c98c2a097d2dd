"""PyTorch Hands-on Lab — entry point: page config, navigation, shared sidebar (style.md §3)."""

import streamlit as st
import torch  # noqa: F401  (imported once here: the first import costs ~1.3 s, pitfalls §34)

from ui import pages, resources, sidebar
from ui.i18n import KEPT, current_lang, t

resources.freeze_startup_objects()
resources.warm_up_in_background()  # torchvision (~3 s) loads now, not when a busy class opens the GAN page
resources.shorten_gil_turns()  # the event loop's replies do not wait 5 ms behind each page rerun

st.set_page_config(page_title="PyTorch Hands-on Lab", page_icon="🔥", layout="wide")
st.session_state.setdefault(KEPT, current_lang())  # before any page switch, which drops ?lang=

home = st.Page(pages.HOME.file, title=t("nav.home"), icon=pages.HOME.icon, default=True)
sections: dict[str, list] = {"": [home]}
by_url = {pages.HOME.url_path: home}
for spec in pages.available():
    section = t(f"nav.part{spec.part}")
    page = st.Page(spec.file, title=t(f"nav.{spec.key}"), icon=spec.icon, url_path=spec.url_path)
    sections.setdefault(section, []).append(page)
    by_url[spec.url_path] = page

current = st.navigation(sections)
pages.mark_shell()
pages.goto_pending(by_url)
with resources.page_run_slot():  # full runs take turns; fragment reruns (a prediction) skip the line
    sidebar.render()
    current.run()
