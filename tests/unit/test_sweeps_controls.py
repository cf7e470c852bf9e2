"""The sweeps' control columns: the inpainting table says how much of the digit a mask hides and where."""

from __future__ import annotations

import torch

from advgen.sweeps.image_stats import hidden_ink, mask_centre
from advgen.sweeps.masks import make_masks


def test_hidden_ink_and_mask_centre():
    images = torch.zeros(2, 1, 8, 8)
    images[:, :, 2:6, 2:6] = 1.0  # a 4x4 digit: 16 ink pixels
    hidden = torch.zeros(2, 1, 8, 8, dtype=torch.bool)
    hidden[0, :, 0:4, 0:4] = True  # covers rows/cols 2-3 of the digit: 4 of 16
    hidden[1, :, 4:8, 4:8] = True
    assert hidden_ink(images, hidden).tolist() == [0.25, 0.25]
    rows, cols = mask_centre(hidden)
    assert rows.tolist() == [1.5, 5.5] and cols.tolist() == [1.5, 5.5]
    squares = make_masks("square", 50, 28, 28, seed=0)
    rows, _ = mask_centre(squares)
    assert rows.min() >= 3.5 and rows.max() <= 23.5 and rows.std() > 3  # random squares lie all over
    assert torch.isnan(hidden_ink(torch.zeros(1, 1, 8, 8), hidden[:1])).all()
