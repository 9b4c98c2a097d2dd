"""`python -m core.cli data {info,download}`: which MNIST the lab uses, and a one-off bounded download."""

from __future__ import annotations

import argparse
import json


def _info(args: argparse.Namespace) -> int:
    from core.data import load_mnist

    p = load_mnist(allow_download=False).provenance
    print(json.dumps(p.as_dict(), ensure_ascii=False))
    return 0


def _download(args: argparse.Namespace) -> int:
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


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("data", help="the MNIST in use; download full MNIST into data/")
    dsub = p.add_subparsers(dest="data_command", required=True)
    dsub.add_parser("info", help="provenance of the MNIST the lab would use now").set_defaults(func=_info)
    dl = dsub.add_parser("download", help="download full MNIST into data/ (bounded; needs internet)")
    dl.add_argument("--timeout", type=float, default=120.0, help="seconds before giving up")
    dl.set_defaults(func=_download)
