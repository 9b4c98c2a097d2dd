"""Subcommands of `python -m core.cli`: one module per part of the course, each with `register(sub)`."""

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
