"""Subcommands of `python -m core.cli`: one module per topic, each with `register(sub)`, and what they
share (here, and in modules named `_*`, which core.cli does not register). A topic's command imports only
its own topic's core modules and shared ones, never another topic's command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable


def guarded(fn: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """A subcommand whose bad files and values end with one clear line and exit code 2, not a traceback."""

    def run(args: argparse.Namespace) -> int:
        from core.checkpoints import CheckpointError

        try:
            return fn(args)
        except CheckpointError as e:
            print(f"error: cannot use the checkpoint ({e.code}): {e.detail or e}", file=sys.stderr)
        except (ValueError, OSError) as e:
            print(f"error: {e}", file=sys.stderr)
        return 2

    return run


def pick_device(name: str | None) -> str:
    """The device a training command runs on: its --device, else the lab's choice (core.device)."""
    from core.device import default_device

    return name or default_device().name


def shipped_cnn():
    """The shipped CNN that judges samples for the checkpoint's metrics, or None."""
    from core import checkpoints

    try:
        return checkpoints.load(
            checkpoints.SHIPPED_DIR / "cnn_mnist.pth", expected_family="cnn.MNISTCNN"
        ).model
    except checkpoints.CheckpointError:
        return None
