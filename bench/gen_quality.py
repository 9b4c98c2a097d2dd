"""Quality of the shipped generative models, judged by the shipped CNN.

Each part lives in its own module (`bench/gen_quality_gan.py`, `bench/gen_quality_vae.py`) exposing
`report() -> tuple[list[str], dict[str, bool]]`: lines to print and named targets met or not. This
script runs every part present and ends with one summary line:
    summary: N/M targets met (name=ok, name=MISSED, ...)
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PARTS = ("gen_quality_gan", "gen_quality_vae")


def main() -> int:
    targets: dict[str, bool] = {}
    for name in PARTS:
        if not (Path(__file__).parent / f"{name}.py").exists():
            print(f"[{name}] not present")
            continue
        lines, met = importlib.import_module(f"bench.{name}").report()
        for line in lines:
            print(f"[{name}] {line}")
        targets.update(met)
    ok = sum(targets.values())
    print(
        f"summary: {ok}/{len(targets)} targets met ("
        + ", ".join(f"{k}={'ok' if v else 'MISSED'}" for k, v in targets.items())
        + ")"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
