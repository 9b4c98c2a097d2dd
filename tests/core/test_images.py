"""core.images: the [0, 1] <-> [-1, 1] conversions the GAN and the diffusion model share."""

from __future__ import annotations

import torch

from core.images import to_signed_range, to_unit_range


def test_the_range_conversions_invert_each_other_and_clip_what_a_model_overshoots():
    x = torch.rand(4, 1, 28, 28)
    signed = to_signed_range(x)
    assert signed.min() >= -1 and signed.max() <= 1
    assert torch.allclose(to_unit_range(signed), x, atol=1e-6)
    assert to_signed_range(torch.tensor([0.0, 0.5, 1.0])).tolist() == [-1.0, 0.0, 1.0]
    assert to_unit_range(torch.tensor([-1.5, 0.0, 1.5])).tolist() == [0.0, 0.5, 1.0]
