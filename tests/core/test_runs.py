"""core.runs: safe and distinct folder names (no shared bucket for nameless or emoji names), folders and
files only their owner reads, atomic saves that never raise, listing by name, reopening a run; and a CNN
run interrupted at random batches whose saved checkpoint always loads with a consistent history."""

from __future__ import annotations

import errno
import json
import os
import random
import stat

import numpy as np
import pytest
import torch

from core import checkpoints, files, runs
from core import cnn as core_cnn
from core.cnn import FAMILY, CNNTrainConfig

SMALL = CNNTrainConfig(c1=4, c2=8, hidden=16, epochs=3, batch_size=32, train_size=96, augment=False)


def tiny_data(n: int = 96, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 1, 28, 28, generator=g), torch.randint(0, 10, (n,), generator=g)


def writer(tmp_path, name: str = "たろう", page: str = "cnn") -> runs.RunWriter:
    return runs.RunWriter(page, name, {"lr": 1e-3}, root=tmp_path)


def model() -> torch.nn.Module:
    return core_cnn.build_model(SMALL, torch.Generator().manual_seed(0))


# -- names and paths ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "raw, expected",
    [
        ("たろう", "たろう"),
        ("山田 太郎", "山田_太郎"),
        ("ＡＢＣ１２", "ABC12"),  # full-width folded
        ("../../etc/passwd", "etc_passwd"),
        ("a/b\\c", "a_b_c"),
        ("nul\x00byte", "nulbyte"),  # a control character is dropped, not a word break
        ("\u202eevil", "evil"),  # a right-to-left override
        ("ta\u200bro", "taro"),  # a zero-width space would make a look-alike of "taro"
        ("", ""),  # no name: no folder at all
        ("   ", ""),
        ("\u202e\u200b", ""),
        ("x" * 100, "x" * runs.MAX_NAME),
    ],
)
def test_safe_name(raw, expected):
    assert runs.safe_name(raw) == expected


@pytest.mark.parametrize(
    "a, b",
    [
        ("🐱", "🐶"),  # emoji only
        ("🐱たろう", "🐶たろう"),
        ("たろう🐱", "たろう"),  # an emoji is part of the name
        ("!!", "??"),  # punctuation only
        ("..", "..."),
        ("★", "☆"),
    ],
)
def test_names_that_differ_only_in_symbols_get_folders_of_their_own(a, b):
    assert runs.safe_name(a) and runs.safe_name(b)
    assert runs.safe_name(a) != runs.safe_name(b) and not runs.same_name(a, b)
    for name in (a, b):
        assert runs.safe_name(name) == runs.safe_component(runs.safe_name(name)), "a plain folder name"


@pytest.mark.parametrize(
    "a, b", [("Taro 🐱", "taro 🐱"), ("ＴＡＲＯ🐱", "taro🐱"), ("山田 太郎", "山田_太郎"), (" ann ", "ANN")]
)
def test_the_same_student_typed_differently_is_one_name(a, b):
    assert runs.same_name(a, b)


def test_no_name_is_nobodys():
    assert not runs.same_name("", "") and not runs.same_name("\u202e", " ")


def test_a_shown_name_keeps_its_letters_and_emoji_without_control_characters():
    assert runs.clean_name("  \u202eたろう\t🐱\u200b\n ") == "たろう 🐱"
    assert runs.clean_name("ＡＢＣ") == "ABC"
    long = "あ" * (runs.MAX_NAME + 5)
    assert runs.clean_name(long) == "あ" * runs.MAX_NAME and runs.name_cut(long)
    assert not runs.name_cut("あ" * runs.MAX_NAME)


def test_a_nameless_run_waits_in_memory_until_it_gets_a_name(tmp_path):
    w = runs.RunWriter("cnn", "  ", {"lr": 0.1}, root=tmp_path)
    assert w.waiting and not w.save(None, state="running", epochs_done=1) and w.error == ""
    assert list(tmp_path.iterdir()) == [] and runs.list_runs("cnn", "", root=tmp_path) == []
    w.claim("\u202eたろう")
    assert not w.waiting and w.save(None, state="done", epochs_done=2), w.error
    (info,) = runs.list_runs("cnn", "たろう", root=tmp_path)
    assert info.name == "たろう" and info.epochs_done == 2 and info.config == {"lr": 0.1}
    w.claim("hanako")  # a name once given stays
    assert runs.list_runs("cnn", "hanako", root=tmp_path) == []


def test_folders_and_files_are_for_their_owner_only(tmp_path):
    root = tmp_path / "fresh" / "runs"
    w = runs.RunWriter("gan", "ann", {}, root=root)
    assert w.save(model(), SMALL.model_config(), state="done", epochs_done=1, arrays={"g": np.zeros(3)})
    for folder in (root.parent, root, w.path):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    files = list(w.path.iterdir())
    assert {f.name for f in files} == {runs.MODEL_FILE, runs.INFO_FILE, runs.ARRAYS_FILE}
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f.name


@pytest.mark.parametrize(
    "name", ["../../evil", "/etc/passwd", "..", "a/../../b", "C:\\x", "名前/../..", "\x00x", "🐱/.."]
)
def test_writer_never_leaves_the_store(tmp_path, name):
    root = tmp_path / "runs"
    w = runs.RunWriter("cnn", name, {}, root=root)
    assert w.save(model(), SMALL.model_config(), state="running", epochs_done=0), w.error
    (folder,) = list(root.iterdir())
    assert folder.resolve().parent == root.resolve()
    assert "/" not in w.run_id and ".." not in w.run_id
    assert [p.name for p in tmp_path.iterdir()] == ["runs"]  # nothing written beside the store


@pytest.mark.parametrize("run_id", ["../x", "..", "", "a/b", "/tmp", "cnn_x/../../y"])
def test_open_refuses_ids_outside_the_store(tmp_path, run_id):
    with pytest.raises(runs.RunError):
        runs.open_run(run_id, root=tmp_path)


def test_symlink_out_of_the_store_is_ignored_and_refused(tmp_path):
    outside = tmp_path / "outside"
    w = runs.RunWriter("cnn", "x", {}, root=outside)
    assert w.save(None, None, state="done", epochs_done=0)
    root = tmp_path / "runs"
    root.mkdir()
    (root / "cnn_link").symlink_to(outside / w.run_id)
    assert runs.list_runs("cnn", root=root) == []
    with pytest.raises(runs.RunError):
        runs.open_run("cnn_link", root=root)


# -- save, list, open --------------------------------------------------------------------------
def test_round_trip_model_history_arrays(tmp_path):
    m = model()
    w = writer(tmp_path)
    hist = {
        "epochs": [{"kind": "epoch", "epoch": 1, "val_acc": np.float32(0.5), "grid": np.zeros((2, 2))}],
        "steps": [[1, 2.0], [2, float("nan")]],
    }
    grids = np.arange(2 * 4 * 28 * 28, dtype=np.uint8).reshape(2, 4, 28, 28)
    assert w.save(
        m,
        SMALL.model_config(),
        state="stopped",
        epochs_done=1,
        history=hist,
        metrics={"val_acc": 0.5},
        arrays={"grids": grids},
    )
    opened = runs.open_run(w.run_id, expected_family=FAMILY, root=tmp_path)
    assert opened.info.name == "たろう" and opened.info.state == "stopped" and opened.info.epochs_done == 1
    assert opened.history["epochs"] == [{"kind": "epoch", "epoch": 1, "val_acc": 0.5}]  # array dropped
    assert opened.history["steps"] == [[1, 2.0], [2, None]]  # NaN is not JSON: None
    assert opened.meta["epochs"] == 1
    np.testing.assert_array_equal(opened.arrays["grids"], grids)
    for k, v in m.state_dict().items():
        assert torch.equal(opened.model.state_dict()[k], v)
    assert not opened.model.training


def test_list_filters_by_page_and_name_newest_first(tmp_path):
    a = writer(tmp_path, "たろう")
    b = writer(tmp_path, "Hanako")
    c = writer(tmp_path, "たろう", page="gan")
    for w in (a, b, c):
        assert w.save(None, None, state="done", epochs_done=0)
    d = writer(tmp_path, " たろう ")  # the same student, typed with spaces
    assert d.save(None, None, state="running", epochs_done=0)
    (tmp_path / "cnn_garbage").mkdir()  # unreadable folders are skipped
    (tmp_path / "cnn_bad").mkdir()
    (tmp_path / "cnn_bad" / runs.INFO_FILE).write_text("{not json")
    found = runs.list_runs("cnn", "たろう", root=tmp_path)
    assert {r.run_id for r in found} == {a.run_id, d.run_id}
    assert [r.name for r in runs.list_runs("cnn", "hanako", root=tmp_path)] == ["Hanako"]
    assert runs.list_runs("cnn", "nobody", root=tmp_path) == []
    assert runs.list_runs("cnn", root=tmp_path / "missing") == []


def test_open_of_a_foreign_or_corrupt_model_is_a_clear_error(tmp_path):
    w = writer(tmp_path)
    assert w.save(model(), SMALL.model_config(), state="done", epochs_done=1)
    with pytest.raises(runs.RunError) as e:
        runs.open_run(w.run_id, expected_family="gan.Generator", root=tmp_path)
    assert e.value.code == "model"
    (w.path / runs.MODEL_FILE).write_bytes(b"\x00" * 10)
    with pytest.raises(runs.RunError):
        runs.open_run(w.run_id, root=tmp_path)


# -- failures never raise ----------------------------------------------------------------------
def test_read_only_store_returns_an_error_and_training_goes_on(tmp_path, monkeypatch):
    root = tmp_path / "ro"
    root.mkdir()
    root.chmod(0o500)
    if os.geteuid() == 0:  # root ignores directory permissions: make mkdir fail as on a read-only mount

        def read_only(self, *a, **k):
            raise PermissionError(errno.EROFS, "Permission denied: read-only file system", str(self))

        monkeypatch.setattr(runs.Path, "mkdir", read_only)
    try:
        w = runs.RunWriter("cnn", "x", {}, root=root)
        assert not w.save(model(), SMALL.model_config(), state="running", epochs_done=1)
        assert "Permission" in w.error or "denied" in w.error
    finally:
        root.chmod(0o700)


def test_store_under_a_file_returns_an_error(tmp_path):
    (tmp_path / "file").write_text("x")
    w = runs.RunWriter("cnn", "x", {}, root=tmp_path / "file")
    assert not w.save(model(), SMALL.model_config(), state="running", epochs_done=1)
    assert w.error


def test_disk_full_keeps_the_previous_save_and_recovers(tmp_path, monkeypatch):
    w = writer(tmp_path)
    m = model()
    assert w.save(m, SMALL.model_config(), state="running", epochs_done=1, history={"epochs": [{"epoch": 1}]})
    real_write = runs.write_atomic

    def full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(runs, "write_atomic", full)
    monkeypatch.setattr(files.os, "replace", lambda *a: full(None, None))
    assert not w.save(
        m,
        SMALL.model_config(),
        state="running",
        epochs_done=2,
        history={"epochs": [{"epoch": 1}, {"epoch": 2}]},
    )
    assert "No space" in w.error
    assert not [p for p in w.path.iterdir() if p.name.endswith(".tmp")], "temp files are cleaned up"
    opened = runs.open_run(w.run_id, FAMILY, root=tmp_path)  # the previous save is intact
    assert opened.info.epochs_done == 1 and opened.meta["epochs"] == 1
    monkeypatch.setattr(runs, "write_atomic", real_write)
    monkeypatch.undo()
    assert w.save(m, SMALL.model_config(), state="done", epochs_done=2)
    assert w.error == "" and runs.open_run(w.run_id, root=tmp_path).info.epochs_done == 2


def test_shipped_checkpoints_are_refused_unless_the_cli_asks(tmp_path, monkeypatch):
    target = checkpoints.SHIPPED_DIR / "cnn_mnist.pth"
    before = target.read_bytes() if target.is_file() else None
    with pytest.raises(PermissionError):
        checkpoints.save(model(), target, SMALL.model_config())
    with pytest.raises(PermissionError):
        checkpoints.save(
            model(), checkpoints.SHIPPED_DIR / ".." / "checkpoints" / "new.pth", SMALL.model_config()
        )
    assert (target.read_bytes() if target.is_file() else None) == before
    assert not (checkpoints.SHIPPED_DIR / "new.pth").exists()
    w = runs.RunWriter("cnn", "x", {}, root=checkpoints.SHIPPED_DIR)  # a misconfigured LAB_RUNS_DIR
    assert not w.save(model(), SMALL.model_config(), state="running", epochs_done=1)
    assert "shipped" in w.error
    # the flag the CLI passes (core/commands/*): a temporary shipped dir, so nothing real is touched
    monkeypatch.setattr(checkpoints, "SHIPPED_DIR", tmp_path)
    assert checkpoints.save(model(), tmp_path / "cli.pth", SMALL.model_config(), shipped=True).is_file()
    import shutil

    if w.path.exists():  # the folder may have been created before the refusal
        shutil.rmtree(w.path)


def test_runs_dir_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv(runs.ENV_VAR, str(tmp_path))
    assert runs.runs_dir() == tmp_path
    monkeypatch.delenv(runs.ENV_VAR)
    assert runs.runs_dir() == runs.DEFAULT_DIR


# -- interrupted at random points --------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_random_stops_and_resumes_keep_a_loadable_checkpoint_and_monotonic_history(tmp_path, seed):
    """Train, stop at a random batch, save, reopen, resume, repeat: every save loads; epochs grow."""
    rnd = random.Random(seed)
    x, y = tiny_data()
    net, make_iter = core_cnn.make_train_iter(SMALL, x, y, x[:32], y[:32])
    w = writer(tmp_path)
    epochs: list[dict] = []
    steps: list[list] = []

    def save(state: str) -> None:
        assert w.save(
            net,
            SMALL.model_config(),
            state=state,
            epochs_done=len(epochs),
            history={"epochs": epochs, "steps": steps},
        ), w.error

    it = make_iter()
    finished = False
    while not finished:
        budget = rnd.randint(1, 5)  # batches until the next "Stop"
        for rec in it:
            if rec["kind"] == "step":
                steps.append([rec["step"], rec["loss"]])
                budget -= 1
            elif rec["kind"] == "epoch":
                epochs.append(rec)
                save("running")  # what the page's saver does on every epoch record
            if budget == 0:
                break
        else:
            finished = True
        save("done" if finished else "stopped")
        opened = runs.open_run(w.run_id, FAMILY, root=tmp_path)
        got = [r["epoch"] for r in opened.history["epochs"]]
        assert got == list(range(1, len(got) + 1)), got  # monotonic, no gaps, no repeats
        assert opened.info.epochs_done == len(got) == opened.meta["epochs"]
        step_ids = [s for s, _ in opened.history["steps"]]
        assert step_ids == sorted(set(step_ids))
        for k, v in net.state_dict().items():  # the file holds exactly the weights at the stop
            assert torch.equal(opened.model.state_dict()[k], v.cpu())
    assert opened.info.state == "done" and opened.info.epochs_done == SMALL.epochs
    assert json.loads((w.path / runs.INFO_FILE).read_text(encoding="utf-8"))["has_model"]
