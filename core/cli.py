"""Command line of the lab, like the course's scripts: `python -m core.cli <command> ...`.

`info` lives here; every other command is a module in `core/commands/` exposing
`register(subparsers)`, so each part of the course adds its own (`xor`, `cnn`, `gan`, ...).
"""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys

import core.commands as commands


def cmd_info(args: argparse.Namespace) -> int:
    import torch

    from core import data, device

    devices = device.list_devices()
    try:
        chosen = device.choose_device(devices, device.os.environ.get(device.ENV_VAR))
    except ValueError as e:
        print(f"warning: {e}", file=sys.stderr)
        chosen = device.choose_device(devices)
    split = data.load_mnist(allow_download=False if args.offline else None)
    p = split.provenance
    info = {
        "torch": torch.__version__,
        "devices": [device.device_summary(d) for d in devices],
        "device": chosen.name,
        "mnist": p.description,
        "mnist_note": p.note,
    }
    if args.json:
        print(json.dumps(info, ensure_ascii=False))
    else:
        print(f"torch:   {info['torch']}")
        print("devices: " + "\n         ".join(info["devices"]))
        print(f"device:  {chosen.name} (override with {device.ENV_VAR})")
        print(f"MNIST:   {p.description}" + (f" — {p.note}" if p.note else ""))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m core.cli", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    info = sub.add_parser("info", help="torch version, devices and the MNIST source in use")
    info.add_argument("--json", action="store_true", help="one JSON line")
    info.add_argument("--offline", action="store_true", help="do not try to download MNIST")
    info.set_defaults(func=cmd_info)
    for mod in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        if not mod.name.startswith("_"):  # what several commands share (core/commands/_gan.py)
            importlib.import_module(f"core.commands.{mod.name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
