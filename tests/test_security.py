"""The lab's security guarantees, each asserted: loopback by default, XSRF on, small uploads, safe
`torch.load` everywhere, no eval/exec/shell/pickle in app code, no widget value used as a file path.

The source scans use `ast`, so a comment or a string mentioning `eval(` does not trip them, and each
scanner has a self-test on a small bad snippet: a scan that can never fail proves nothing.
"""

from __future__ import annotations

import ast
import re
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

CONFIG = ROOT / ".streamlit" / "config.toml"
MAX_UPLOAD_MB = 25  # the largest file the lab accepts is a 10 MB image or checkpoint
APP_DIRS = ("core", "ui", "pages")  # plus Home.py: everything a running server executes
SKIP_DIRS = {".venv", ".git", "node_modules", "__pycache__", "data", "runs", "checkpoints"}


def app_files() -> list[Path]:
    files = [ROOT / "Home.py"]
    for d in APP_DIRS:
        files += sorted((ROOT / d).rglob("*.py"))
    return files


def repo_files() -> list[Path]:
    return [p for p in sorted(ROOT.rglob("*.py")) if not SKIP_DIRS & set(p.relative_to(ROOT).parts)]


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def dotted(node: ast.AST) -> str:
    """`os.path.join` for an Attribute chain, `open` for a Name, "" for anything else."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):  # `model.to(x).eval` has no dotted name: "" (not "eval")
        inner = dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def calls(tree: ast.AST) -> Iterator[tuple[ast.Call, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node, dotted(node.func)


# -- server configuration ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def config() -> dict:
    return tomllib.loads(CONFIG.read_text(encoding="utf-8"))


def test_config_keys_are_real_streamlit_options(config):
    """A misspelt key (`enableXSRFProtection`) is silently ignored by Streamlit: refuse it here."""
    from streamlit import config as st_config

    known = set(st_config._config_options_template)
    unknown = [f"{s}.{k}" for s, table in config.items() for k in table if f"{s}.{k}" not in known]
    assert not unknown, f"unknown options in config.toml: {unknown}"


def test_server_listens_on_loopback_only(config):
    assert config["server"].get("address") in ("127.0.0.1", "localhost", "::1"), (
        "without server.address Streamlit binds every interface; share on a LAN only on purpose (README)"
    )


def test_xsrf_and_cors_protection_stay_on(config):
    server = config["server"]
    assert server.get("enableXsrfProtection", True) is True
    assert server.get("enableCORS", True) is True
    assert "allowedHosts" not in server or "*" not in server["allowedHosts"]


def test_upload_size_is_limited(config):
    assert 1 <= config["server"].get("maxUploadSize", 200) <= MAX_UPLOAD_MB  # Streamlit's default is 200 MB
    from core import preprocess
    from ui.lessons.cnn import MAX_CKPT_BYTES

    limit = config["server"]["maxUploadSize"] * 2**20
    assert preprocess.MAX_BYTES <= limit and MAX_CKPT_BYTES >= limit  # the server's 413 comes first


def test_students_get_no_developer_tools_or_tracebacks(config):
    assert config["client"].get("toolbarMode") == "viewer"
    assert config["client"].get("showErrorDetails") in ("none", "type")  # "full" prints server paths


def test_launch_commands_do_not_override_the_safe_settings():
    """`make run`, the README and the test server never widen the address or turn XSRF/CORS off."""
    bad = re.compile(
        r"--server\.address[ =]+(?!127\.0\.0\.1|localhost)\S+"
        r"|--server\.(enableXsrfProtection|enableCORS)[ =]+false"
        r"|STREAMLIT_SERVER_(ENABLE_XSRF_PROTECTION|ENABLE_CORS)=(false|0)",
        re.IGNORECASE,
    )
    sources = [
        ROOT / "Makefile",
        *ROOT.glob("*.sh"),
        *(ROOT / "tests").rglob("*.py"),
        *(ROOT / "bench").rglob("*.py"),
    ]
    for path in sources:
        if path.is_file() and path != Path(__file__):
            assert not bad.search(path.read_text(encoding="utf-8")), rel(path)


# -- torch.load ----------------------------------------------------------------------------------
def unsafe_torch_loads(tree: ast.AST) -> list[int]:
    """Lines of `torch.load(...)` calls that do not pass `weights_only=True` literally."""
    aliases = {"torch.load"}
    for node in ast.walk(tree):  # `from torch import load as tl` / `import torch as th`
        if isinstance(node, ast.ImportFrom) and node.module == "torch":
            aliases |= {a.asname or a.name for a in node.names if a.name == "load"}
        if isinstance(node, ast.Import):
            aliases |= {f"{a.asname}.load" for a in node.names if a.name == "torch" and a.asname}
    bad = []
    for call, name in calls(tree):
        if name in aliases:
            kw = {k.arg: k.value for k in call.keywords}
            ok = isinstance(kw.get("weights_only"), ast.Constant) and kw["weights_only"].value is True
            if not ok or "pickle_module" in kw or None in kw:  # **kwargs could hide weights_only=False
                bad.append(call.lineno)
    return bad


def test_torch_load_scanner_catches_unsafe_calls():
    src = (
        "import torch as th\nfrom torch import load\nth.load(f)\nload(f, weights_only=False)\n"
        "torch.load(f, weights_only=True)\ntorch.load(f, weights_only=True, pickle_module=p)\n"
    )
    assert unsafe_torch_loads(ast.parse(src)) == [3, 4, 6]


def test_every_torch_load_in_the_repo_passes_weights_only_true():
    found = {rel(p): unsafe_torch_loads(ast.parse(p.read_text(encoding="utf-8"))) for p in repo_files()}
    assert not {k: v for k, v in found.items() if v}


def test_only_core_checkpoints_calls_torch_load():
    """One gateway: every checkpoint the app reads goes through the checks of core.checkpoints."""
    users = [
        rel(p) for p in app_files() if "torch.load" in {n for _, n in calls(ast.parse(p.read_text("utf-8")))}
    ]
    assert users in ([], ["core/checkpoints.py"])


# -- code execution ------------------------------------------------------------------------------
FORBIDDEN_CALLS = {
    "eval",
    "exec",
    "compile",
    "__import__",
    "execfile",
    "os.system",
    "os.popen",
    "os.execv",
    "os.execl",
    "os.spawnl",
    "os.spawnv",
    "os.startfile",
    "pickle.load",
    "pickle.loads",
    "pickle.Unpickler",
    "marshal.load",
    "marshal.loads",
    "shelve.open",
    "dill.load",
    "dill.loads",
    "yaml.load",
    "yaml.unsafe_load",
    "runpy.run_path",
    "runpy.run_module",
    "importlib.import_module",
}
# import_module is allowed where the module name is a constant prefix plus a file name found on disk, or a
# constant of the code's own tables (the topic registry, the job backends): never a name a user wrote.
ALLOWED_CALLS = {
    (f, "importlib.import_module")
    for f in ("ui/i18n.py", "core/models/__init__.py", "core/cli.py", "core/topics.py", "core/jobs.py")
}
# A bounded MNIST download runs torchvision in a child process (torchvision's urlopen has no timeout):
# a fixed argv list, no shell, nothing from a user. Checked below.
ALLOWED_SUBPROCESS = {"core/data.py"}


def forbidden(tree: ast.AST, path: str) -> list[str]:
    found = []
    for call, name in calls(tree):
        if name in FORBIDDEN_CALLS and (path, name) not in ALLOWED_CALLS:
            found.append(f"{path}:{call.lineno} {name}(")
        kw = {k.arg: k.value for k in call.keywords}
        if name in ("np.load", "numpy.load") and not (
            isinstance(kw.get("allow_pickle"), ast.Constant) and kw["allow_pickle"].value is False
        ):  # np.load(..., allow_pickle=True) unpickles object arrays
            found.append(f"{path}:{call.lineno} {name}( without allow_pickle=False")
        for k in call.keywords:
            if k.arg == "shell" and not (isinstance(k.value, ast.Constant) and k.value.value is False):
                found.append(f"{path}:{call.lineno} shell=")
        if name.startswith("subprocess.") or name.startswith("os.exec") or name.startswith("os.spawn"):
            if path not in ALLOWED_SUBPROCESS:
                found.append(f"{path}:{call.lineno} {name}(")
            elif not (
                isinstance(call.args[0], ast.List) and dotted(call.args[0].elts[0]) == "sys.executable"
            ):
                found.append(f"{path}:{call.lineno} {name}( without a fixed [sys.executable, ...] argv")
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] + [f"{node.module}.{a.name}" for a in node.names]
        for n in names:
            if (
                n.split(".")[0] in ("subprocess", "pty", "dill", "shelve", "marshal")
                and path not in ALLOWED_SUBPROCESS
            ):
                found.append(f"{path}:{node.lineno} import {n}")
            if n in (
                "os.system",
                "os.popen",
                "pickle.load",
                "pickle.loads",
                "builtins.eval",
                "builtins.exec",
            ):
                found.append(f"{path}:{node.lineno} import {n}")
    return found


def test_code_execution_scanner_catches_each_pattern():
    src = (
        "import subprocess\nfrom os import system\nx = eval(s)\nexec(s)\nimport os\nos.system(s)\n"
        "pickle.loads(b)\nf(s, shell=True)\nast.literal_eval(s)\nm.to(d).eval()\nnp.load(f)\n"
        "np.load(f, allow_pickle=False)\n"
    )
    found = forbidden(ast.parse(src), "ui/x.py")
    assert [f.split(" ", 1)[1] for f in found] == [
        "eval(",
        "exec(",
        "os.system(",
        "pickle.loads(",
        "shell=",
        "np.load( without allow_pickle=False",
        "import subprocess",
        "import os.system",
    ]


def test_no_eval_exec_shell_or_pickle_in_app_code():
    found = [f for p in app_files() for f in forbidden(ast.parse(p.read_text(encoding="utf-8")), rel(p))]
    assert not found, found


# -- the server's file system -------------------------------------------------------------------
USER_TEXT = {"text_input", "text_area", "chat_input", "query_params", "experimental_get_query_params"}
PATH_SINKS = {  # any call of these names
    "open",
    "Path",
    "PurePath",
    "PosixPath",
    "unlink",
    "rmtree",
    "copyfile",
    "read_bytes",
    "read_text",
    "write_bytes",
    "write_text",
    "listdir",
    "scandir",
    "glob",
    "rglob",
    "iterdir",
    "mkdir",
    "read_meta",
    "shipped_model",
    "imread",
    "fdopen",
}
QUALIFIED_SINKS = (  # names too common alone (`lab.join` joins tensors): only with these receivers
    "os.path.join",
    "os.remove",
    "os.rename",
    "os.replace",
    "shutil.",
    "checkpoints.load",
    "checkpoints.save",
    "torch.save",
    "np.save",
    "Image.open",
)
# core.runs confines a student's run name to runs/ (its own tests cover `../` and non-ASCII names).
TRUSTED_RECEIVERS = ("runs.", "core.runs.")


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _is_user_text(node: ast.AST, upload_vars: set[str]) -> bool:
    for sub in ast.walk(node):
        name = dotted(sub.func) if isinstance(sub, ast.Call) else dotted(sub)
        if name.split(".")[-1] in USER_TEXT:
            return True
        if isinstance(sub, ast.Attribute) and sub.attr == "name" and dotted(sub.value) in upload_vars:
            return True  # an upload's file name is typed by the student too
    return False


def path_leaks(tree: ast.AST, path: str) -> list[str]:
    """Calls that may open a path built from a widget's text (flow-insensitive, module-wide taint)."""
    uploads, tainted = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Call):
            if dotted(node.value.func).endswith("file_uploader"):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                uploads |= set().union(*(_names(t) for t in targets))
    for _ in range(5):  # propagate through assignments until nothing changes
        before = len(tainted)
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign | ast.NamedExpr) and node.value:
                value = node.value
                if _is_user_text(value, uploads) or _names(value) & tainted:
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    tainted |= set().union(*(_names(t) for t in targets))
        if len(tainted) == before:
            break
    leaks = []
    for call, name in calls(tree):
        sink = name.split(".")[-1] in PATH_SINKS or any(q in name for q in QUALIFIED_SINKS)
        if sink and not name.startswith(TRUSTED_RECEIVERS):
            args = [*call.args, *(k.value for k in call.keywords)]
            if any(_names(a) & tainted or _is_user_text(a, uploads) for a in args):
                leaks.append(f"{path}:{call.lineno} {name}(...)")
    for node in ast.walk(tree):  # SOME_DIR / name, Path(x) / name
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            left = dotted(node.left.func) if isinstance(node.left, ast.Call) else dotted(node.left)
            if re.search(r"Path|DIR|dir|root", left) and (
                _names(node.right) & tainted or _is_user_text(node.right, uploads)
            ):
                leaks.append(f"{path}:{node.lineno} {left}/...")
    return leaks


def test_path_scanner_catches_widget_text_used_as_a_path():
    src = (
        "import streamlit as st\nname = st.text_input('file')\np = Path('data') / name\nopen(p)\n"
        "up = st.file_uploader('x')\ncheckpoints.load(up)\ncheckpoints.save(m, up.name, {})\n"
        "runs.save(m, name)\nx = st.query_params.get('f')\nImage.open(x)\n"
    )
    assert [f.split(" ")[1] for f in path_leaks(ast.parse(src), "app_pages/x.py")] == [
        "open(...)",
        "checkpoints.save(...)",
        "Image.open(...)",
        "Path/...",
    ]


def test_no_widget_text_reaches_a_file_path():
    leaks = [
        f
        for p in app_files()
        if not rel(p).startswith("core/")
        for f in path_leaks(ast.parse(p.read_text("utf-8")), rel(p))
    ]
    assert not leaks, leaks


SHIPPED_CALLS = ("shipped_model", "shipped", "shipped_problem", "shipped_warning")  # ui.resources


def _shipped_names_in(tree: ast.AST) -> tuple[set[str], list[str]]:
    """File names passed to `shipped_model(...)` and the other SHIPPED_CALLS, and the calls whose name
    is not a constant."""
    tables: dict[str, object] = {}
    for n in tree.body:  # module-level UPPER_CASE constants: SHIPPED = {...}, SHIPPED_FILE = "..."
        if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name):
            if n.targets[0].id.isupper():
                try:
                    tables[n.targets[0].id] = ast.literal_eval(n.value)
                except ValueError:
                    pass
    names, bad = set(), []
    for call, name in calls(tree):
        if name.split(".")[-1] not in SHIPPED_CALLS or not call.args:
            continue
        arg = call.args[0].value if isinstance(call.args[0], ast.Starred) else call.args[0]
        root = arg.value if isinstance(arg, ast.Subscript) else arg
        if isinstance(root, ast.Constant) and isinstance(root.value, str):
            names.add(root.value)
        elif isinstance(root, ast.Name) and root.id in tables:
            table = tables[root.id]
            values = table.values() if isinstance(table, dict) else [table]
            names |= {v[0] if isinstance(v, tuple) else v for v in values}
        else:
            bad.append(f"{call.lineno}: {name}({ast.unparse(call.args[0])})")
    return names, bad


def test_shipped_checkpoints_are_named_by_constants():
    """Every `shipped_model(name, ...)` names a file that the shipped list holds, by a literal or a
    constant table, never by input; the list itself is read from checkpoints/ and stays inside it."""
    from core import checkpoints
    from ui import resources

    listed = [name for name, _ in resources.shipped_checkpoints()]
    assert listed, "no shipped checkpoints found"
    for name in listed:
        assert (checkpoints.SHIPPED_DIR / name).resolve().parent == checkpoints.SHIPPED_DIR.resolve(), name
    used: set[str] = set()
    for p in app_files():
        names, bad = _shipped_names_in(ast.parse(p.read_text(encoding="utf-8")))
        if rel(p) == "ui/resources.py":  # the helpers themselves pass their own parameter on
            bad = [b for b in bad if not b.endswith("(file_name)")]
        assert not bad, (rel(p), bad)
        used |= names
    assert used and used <= set(listed), used - set(listed)
    assert all("/" not in n and "\\" not in n and not n.startswith(".") for n in used)


def test_shipped_name_scanner_catches_input():
    src = (
        "SHIPPED = {'a': ('x.pth', 'f')}\nshipped_model(*SHIPPED[o])\nshipped_model('y.pth', f)\n"
        "shipped_model(st.text_input('f'), fam)\n"
    )
    assert _shipped_names_in(ast.parse(src)) == ({"x.pth", "y.pth"}, ["4: shipped_model(st.text_input('f'))"])
    src = "resources.shipped('z.pth', f)\nresources.shipped_warning(name, f, 'k')\n"
    assert _shipped_names_in(ast.parse(src)) == ({"z.pth"}, ["2: resources.shipped_warning(name)"])
