"""The repository's docs stay true: docs/architecture.md's table names every file of core/, ui/ and pages/
(and only files that exist), and nothing in the repository points outside it."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARCHITECTURE = ROOT / "docs" / "architecture.md"
TABLE_HEADING = "## Where each topic lives"


def table_paths() -> list[str]:
    """Every `path` in the rows of the architecture doc's table (the section under TABLE_HEADING)."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    assert TABLE_HEADING in text, f"{ARCHITECTURE.name} has no section {TABLE_HEADING!r}"
    section = text.split(TABLE_HEADING, 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|") and not set(line) <= set("|-: ")]
    assert len(rows) > 1, "the table has no rows"
    return [p for row in rows[1:] for p in re.findall(r"`([^`]+)`", row)]


def tracked_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [p for p in out.splitlines() if (ROOT / p).is_file()]


def test_every_file_the_table_names_exists():
    missing = [p for p in table_paths() if not (ROOT / p).exists()]
    assert not missing, f"docs/architecture.md names files that do not exist: {missing}"


def test_every_file_of_core_ui_and_pages_is_in_the_table():
    named = set(table_paths())
    ours = [p for p in tracked_files() if p.startswith(("core/", "ui/", "app_pages/")) and p.endswith(".py")]
    assert ours, "no files found"
    absent = sorted(p for p in ours if p not in named and not p.endswith("__init__.py"))
    assert not absent, f"add these to the table in docs/architecture.md: {absent}"


def test_the_table_check_catches_a_missing_file(tmp_path, monkeypatch):
    doc = tmp_path / "architecture.md"
    doc.write_text(f"{TABLE_HEADING}\n| topic | files |\n|---|---|\n| x | `core/nope.py`, `Home.py` |\n")
    monkeypatch.setattr(sys.modules[__name__], "ARCHITECTURE", doc)
    assert table_paths() == ["core/nope.py", "Home.py"]


# a path into the course's shared folder, a research note's section, or the tracker's issue numbers
OUTSIDE = re.compile(
    r"\.\./shared|shared/(research|design|style|course)|pitfalls\s*§|research/\w+\.md|\bissue\s*#?\d+", re.I
)


def test_nothing_in_the_repository_points_outside_it():
    hits = []
    for p in tracked_files():
        if not p.endswith((".py", ".md", ".toml", ".txt", ".cfg", ".yml", ".yaml")):
            continue
        if p.startswith((".ci/", "bench/")) and p.endswith(".txt"):
            continue
        for n, line in enumerate((ROOT / p).read_text(encoding="utf-8").splitlines(), start=1):
            if OUTSIDE.search(line):
                hits.append(f"{p}:{n}: {line.strip()[:100]}")
    assert not hits, "\n".join(hits[:40])


def test_the_outside_pattern_matches_what_it_should():
    # the samples are put together from pieces, so that this file does not itself point outside
    up, section, number = "../" + "shared", "pitfalls " + "§34", "issue " + "8"
    assert OUTSIDE.search("see " + "research/" + "streamlit_torch_pitfalls.md §5")
    assert OUTSIDE.search(f"({section})") and OUTSIDE.search(f"to runs/ ({number})")
    assert OUTSIDE.search(f"{up}/course/000.txt")
    assert not OUTSIDE.search("docs/streamlit-notes.md, Worker threads never call st.*")
