"""What every topic's frozen settings dataclass needs alike: read back from a saved dict, and changed in a
few fields. One copy here instead of one per topic."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TypeVar

C = TypeVar("C")


def from_dict(cls: type[C], data: Mapping) -> C:
    """A config dataclass from saved settings (run.json, a checkpoint's meta): keys it does not know are
    left out (saves of older or newer versions), lists become tuples (JSON has no tuples). A value of the
    wrong kind raises TypeError or ValueError, as the dataclass does."""
    names = {f.name for f in dataclasses.fields(cls)}
    values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in dict(data).items() if k in names}
    return cls(**values)


def with_overrides(cfg: C, **changes) -> C:
    """`cfg` with every keyword that is not None replaced: a command line's unset options keep the
    preset's value. An unknown name is an error (TypeError), never silently dropped."""
    return dataclasses.replace(cfg, **{k: v for k, v in changes.items() if v is not None})
