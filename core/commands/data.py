"""`python -m core.cli data {info,download}`: which data the lab can use, and one-off bounded downloads.

`data download` fetches full MNIST; `data download fashion` Debian's dataset-fashion-mnist package (no
root: `apt-get download` + `dpkg-deb -x`), else torchvision's mirror; `data download cifar10` the official
archive, checked against its published md5. Every download runs in a child process killed after
`--timeout` seconds, so offline fails fast instead of hanging.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

# the downloads, each run in a child Python killed after --timeout (torchvision's urlopen has none)
_FASHION_SCRIPT = """
import os, sys
from torchvision.datasets import FashionMNIST
mirror = os.environ.get("LAB_FASHION_MIRROR")
if mirror:
    FashionMNIST.mirrors = [mirror.rstrip("/") + "/"]
FashionMNIST(sys.argv[1], train=True, download=True)
FashionMNIST(sys.argv[1], train=False, download=True)
"""
_APT_SCRIPT = """
import glob, os, subprocess, sys
tmp = sys.argv[1]


def run(cmd):
    try:
        done = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True)
    except FileNotFoundError:
        sys.exit(cmd[0] + " is not installed")
    if done.returncode != 0:
        sys.exit(cmd[0] + ": " + ((done.stderr or done.stdout).strip().splitlines() or ["failed"])[-1])


run(["apt-get", "download", "dataset-fashion-mnist"])  # the .deb into tmp, as this user: no root
run(["dpkg-deb", "-x", glob.glob(os.path.join(tmp, "*.deb"))[0], os.path.join(tmp, "x")])
"""
_CIFAR_SCRIPT = """
import os, sys
from torchvision.datasets import CIFAR10
from torchvision.datasets.utils import download_url
url = os.environ.get("LAB_CIFAR_URL") or CIFAR10.url
download_url(url, sys.argv[1], CIFAR10.filename, CIFAR10.tgz_md5)
"""


def _info(args: argparse.Namespace) -> int:
    from core import image_data
    from core.data import load_mnist

    p = load_mnist(allow_download=False).provenance
    print(json.dumps(p.as_dict(), ensure_ascii=False))
    for name, reason in image_data.available().items():
        print(f"{name}: {'present' if reason is None else f'missing ({reason})'}")
    return 0


def _download_mnist(args: argparse.Namespace) -> int:
    from core.data import DATA_DIR, load_full_mnist, mnist_files_present, try_download_mnist

    if not mnist_files_present(DATA_DIR):
        reason = try_download_mnist(DATA_DIR, timeout=args.timeout)
        if reason:
            print(f"MNIST not downloaded: {reason}. The lab uses the embedded 5,000-digit subset.")
            return 1
    try:
        split = load_full_mnist(DATA_DIR)
    except ValueError as e:
        print(f"MNIST files in data/ are not usable: {e}")
        return 1
    print(f"ready: {split.provenance.description} in {DATA_DIR}")
    return 0


def _fetch_fashion(into: Path, timeout: float) -> str:
    """The four .gz files into `into`: Debian's package first (no root), torchvision's mirror second."""
    from core.data import run_python

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        why = run_python(_APT_SCRIPT, [str(tmp)], timeout)
        found = tmp / "x" / "usr" / "share" / "datasets" / "fashion-mnist"
        if not why and found.is_dir():
            return _copy_gz(found, into)
        why_tv = run_python(_FASHION_SCRIPT, [str(tmp / "tv")], timeout)
        if not why_tv:
            return _copy_gz(tmp / "tv" / "FashionMNIST" / "raw", into)
        return f"Debian package: {why or 'not found'}; torchvision: {why_tv}"


def _copy_gz(found: Path, into: Path) -> str:
    from core.image_data import FASHION_FILES

    into.mkdir(parents=True, exist_ok=True)
    for f in FASHION_FILES:
        if not (found / f"{f}.gz").is_file():
            return f"{f}.gz missing from the download"
        shutil.copyfile(found / f"{f}.gz", into / f"{f}.gz")
    return ""


def _download_fashion(args: argparse.Namespace) -> int:
    from core import image_data
    from core.data import DATA_DIR

    if image_data.available()["fashion"] is not None:
        reason = _fetch_fashion(DATA_DIR / "fashion-mnist", args.timeout)
        if reason:
            print(f"Fashion-MNIST not downloaded: {reason}.")
            print("Offline: install the Debian package dataset-fashion-mnist, or copy its four files")
            print(f"into {DATA_DIR / 'fashion-mnist'}.")
            return 1
    return _ready("fashion")


def _download_cifar(args: argparse.Namespace) -> int:
    from core import image_data
    from core.data import DATA_DIR, run_python

    base = Path(os.environ.get("LAB_CIFAR_DIR") or DATA_DIR)
    if image_data.available()["cifar10"] is not None:
        base.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(
            dir=base
        ) as tmp:  # the same disk: the archive is renamed, not copied
            reason = run_python(_CIFAR_SCRIPT, [tmp], args.timeout)
            archive = Path(tmp) / image_data.CIFAR_ARCHIVE
            if not reason and archive.is_file():
                os.replace(archive, base / image_data.CIFAR_ARCHIVE)
        if reason:
            print(f"CIFAR-10 not downloaded: {reason}.")
            print(
                f"Offline: copy {image_data.CIFAR_ARCHIVE} (or its {image_data.CIFAR_FOLDER}/) into {base}."
            )
            return 1
    return _ready("cifar10")  # loading checks the archive's md5 and unpacks it


def _ready(name: str) -> int:
    from core import image_data

    try:
        s = image_data.load(name)
    except image_data.DataUnavailable as e:
        print(f"{name} is not usable ({e.reason}): {e}")
        return 1
    print(f"ready: {s.source}")
    return 0


def _download(args: argparse.Namespace) -> int:
    return {"mnist": _download_mnist, "fashion": _download_fashion, "cifar10": _download_cifar}[args.dataset](
        args
    )


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "data", help="the data sets in use; download MNIST, Fashion-MNIST or CIFAR-10 into data/"
    )
    dsub = p.add_subparsers(dest="data_command", required=True)
    dsub.add_parser(
        "info", help="the MNIST the lab would use now; which image sets are present"
    ).set_defaults(func=_info)
    dl = dsub.add_parser("download", help="download a data set into data/ (bounded; needs internet)")
    dl.add_argument("dataset", nargs="?", default="mnist", choices=("mnist", "fashion", "cifar10"))
    dl.add_argument("--timeout", type=float, default=120.0, help="seconds before giving up, per step")
    dl.set_defaults(func=_download)
