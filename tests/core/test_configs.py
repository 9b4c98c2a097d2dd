"""core.configs: a settings dataclass read back from a saved dict, and changed in a few fields."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pytest

from core.configs import from_dict, with_overrides


@dataclass(frozen=True)
class Config:
    width: int = 8
    channels: tuple[int, ...] = (4, 8)
    note: str | None = "x"

    def __post_init__(self) -> None:
        if self.width < 1:
            raise ValueError("width must be >= 1")


def test_from_dict_reads_what_asdict_wrote_leaving_out_unknown_keys_and_making_lists_tuples():
    cfg = Config(width=3, channels=(1, 2, 3))
    assert from_dict(Config, asdict(cfg)) == cfg
    saved = {"width": 5, "channels": [6, 7], "added_in_a_later_version": True}  # JSON has no tuples
    assert from_dict(Config, saved) == Config(width=5, channels=(6, 7))
    assert from_dict(Config, {}) == Config()


def test_from_dict_raises_as_the_dataclass_does():
    with pytest.raises(ValueError):
        from_dict(Config, {"width": 0})


def test_with_overrides_keeps_the_value_where_the_change_is_none():
    cfg = Config()
    assert with_overrides(cfg, width=2, note=None) == Config(width=2, note="x")
    assert with_overrides(cfg) == cfg
    with pytest.raises(TypeError):
        with_overrides(cfg, no_such_field=1)  # never silently dropped
