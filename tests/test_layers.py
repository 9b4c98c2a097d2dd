"""The layer rules of docs/architecture.md, read from the code itself (its imports and definitions):
core never imports streamlit or ui; pages define no model, loss or optimizer; no topic imports another
topic's modules; the figure modules draw without streamlit."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from core.topics import TOPICS
from tests.conftest import ROOT


def imports(path: Path) -> set[str]:
    """Every module `path` imports, dotted (`from ui import jobs` gives ui and ui.jobs)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return out


def files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_core_never_imports_streamlit_or_ui():
    wrong = {
        rel(f): sorted(m for m in imports(f) if m.split(".")[0] in ("streamlit", "ui")) for f in files("core")
    }
    assert {f: m for f, m in wrong.items() if m} == {}


def test_the_figure_modules_never_import_streamlit():
    wrong = [rel(f) for f in files("ui/figures") if any(m.split(".")[0] == "streamlit" for m in imports(f))]
    assert wrong == []


LOSSES_AND_OPTIMIZERS = ("torch.optim", "torch.nn.functional")


def test_pages_define_no_model_loss_or_optimizer():
    found = []
    for f in files("app_pages") + [ROOT / "Home.py"]:
        tree = ast.parse(f.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                found.append(f"{rel(f)}: class {node.name}")
            elif isinstance(node, ast.Attribute) and node.attr.endswith("Loss"):
                found.append(f"{rel(f)}: {node.attr}")
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if node.value.id == "optim" or (node.value.id == "torch" and node.attr == "optim"):
                    found.append(f"{rel(f)}: an optimizer")
        found += [f"{rel(f)}: imports {m}" for m in imports(f) if m.startswith(LOSSES_AND_OPTIMIZERS)]
    assert found == []


def topic_modules(key: str) -> set[str]:
    """A topic's own modules, dotted: its core modules (the registry's), its command, its ui modules, its
    page."""
    topic = next(t for t in TOPICS if t.key == key)
    own = set(topic.core_modules) | {f"core.commands.{key}", f"app_pages.{key}"}
    return own | {f"ui.{layer}.{key}" for layer in ("lessons", "figures", "panels")}


def module_file(name: str) -> Path:
    return ROOT / (name.replace(".", "/") + ".py")


@pytest.mark.parametrize("key", [t.key for t in TOPICS])
def test_no_topic_imports_another_topics_modules(key):
    mine = topic_modules(key)
    others = set().union(*(topic_modules(t.key) for t in TOPICS if t.key != key)) - mine
    wrong = {}
    for name in sorted(mine):
        path = module_file(name)
        if path.is_file():
            bad = sorted(m for m in imports(path) if m in others)
            if bad:
                wrong[rel(path)] = bad
    assert wrong == {}


def test_every_topics_modules_are_where_the_registry_says():
    for t in TOPICS:
        assert (ROOT / t.page_file).is_file(), t.page_file
        for name in t.core_modules if (t.trains or t.core) else ():
            assert module_file(name).is_file(), f"{t.key}: {name}"
        if t.trains:
            assert (ROOT / "ui" / "lessons" / f"{t.key}.py").is_file(), t.key


def test_no_import_circle_among_core_and_ui_modules():
    """Module-level imports only (a function may import lazily): no module of core/ or ui/ reaches itself
    again, as ui/lesson.py and ui/saved_runs.py once did."""
    modules = {
        rel(f)[:-3].replace("/", ".").removesuffix(".__init__"): f for f in files("core") + files("ui")
    }

    def module_level(path: Path) -> set[str]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found = set()
        for node in tree.body:
            if isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
        return {m for m in found if m in modules}

    graph = {name: module_level(path) - {name} for name, path in modules.items()}
    circles = []
    for start in graph:
        stack = [(start, (start,))]
        seen = set()
        while stack:
            node, path = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    circles.append(" → ".join((*path, start)))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, (*path, nxt)))
    assert circles == []


def test_the_circle_check_finds_a_circle(tmp_path, monkeypatch):
    (tmp_path / "core").mkdir()
    (tmp_path / "ui").mkdir()
    (tmp_path / "core" / "a.py").write_text("from core import b\n")
    (tmp_path / "core" / "b.py").write_text("import core.a\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    with pytest.raises(AssertionError, match="core.a → core.b → core.a"):
        test_no_import_circle_among_core_and_ui_modules()
