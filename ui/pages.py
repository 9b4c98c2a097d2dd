"""The lab's pages: file, fixed URL path, translated title, course part.

A page whose file is not there yet (its issue has not landed) is simply left out: never faked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class PageSpec:
    file: str  # relative to the repo root, as st.Page and AppTest.switch_page want it
    url_path: str  # never translated: URLs stay the same in every language
    key: str  # i18n: nav.<key> is the title, home.blurb.<key> the one-line description
    icon: str
    part: int  # course part 1..3


HOME = PageSpec("pages/home.py", "home", "home", ":material/home:", 0)
PAGES = (
    PageSpec("pages/tensors.py", "tensors", "tensors", ":material/grid_on:", 1),
    PageSpec("pages/xor.py", "xor", "xor", ":material/hub:", 1),
    PageSpec("pages/cnn.py", "cnn", "cnn", ":material/draw:", 2),
    PageSpec("pages/hyperparams.py", "hyperparams", "hyperparams", ":material/tune:", 2),
    PageSpec("pages/gan.py", "gan", "gan", ":material/auto_awesome:", 3),
    PageSpec("pages/cgan.py", "cgan", "cgan", ":material/filter_9_plus:", 3),
    PageSpec("pages/vae.py", "vae", "vae", ":material/scatter_plot:", 3),
)


def available() -> list[PageSpec]:
    return [p for p in PAGES if (ROOT / p.file).is_file()]
