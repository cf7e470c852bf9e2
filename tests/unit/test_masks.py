"""Masks hide exactly the intended pixels, are seeded, and fit the image size."""

from __future__ import annotations

import dataclasses

import pytest
import torch

from advgen.errors import ConfigError
from advgen.specs import typed_spec
from advgen.sweeps.masks import MASKS, apply_mask, default_square_size, make_masks, mask_set, select_indices
from advgen.sweeps.spec import InpaintingPoint, MaskSpec
from tests.unit.sweep_points import inversion_point


def inpainting_point(generator: str, kind: str) -> dict:
    """An inpainting point's spec JSON (advgen.sweeps.grid.GridPoint.spec): a 3-pixel square."""
    return inversion_point(
        sweep="inpainting",
        point="mask-square",
        generator=generator,
        generator_kind=kind,
        dataset="digits",
        seed=7,
        num_images=4,
        steps=2,
        mask="square",
        method="known_pixels",
        pepper_fraction=None,
        square_size=3,
        center_size=None,
    )


def test_pepper_hides_exact_fraction_per_image_and_is_seeded():
    m = make_masks("pepper", 16, 28, 28, seed=3, pepper_fraction=0.3)
    assert m.shape == (16, 1, 28, 28) and m.dtype == torch.bool
    assert (m.flatten(1).sum(1) == round(0.3 * 784)).all()
    assert not torch.equal(m[0], m[1])  # a different pattern per image
    assert torch.equal(m, make_masks("pepper", 16, 28, 28, seed=3, pepper_fraction=0.3))
    assert not torch.equal(m, make_masks("pepper", 16, 28, 28, seed=4, pepper_fraction=0.3))


def test_crosswalk_hides_every_second_row_only():
    m = make_masks("crosswalk", 3, 28, 20)
    rows = m[:, 0].all(dim=2)  # fully hidden rows
    assert rows[:, 1::2].all() and not m[:, 0, 0::2].any()
    assert m.sum() == 3 * 14 * 20


@pytest.mark.parametrize(("side", "expected"), [(28, 8), (32, 9), (64, 18), (8, 2)])
def test_square_is_one_contiguous_patch_inside_the_image(side, expected):
    assert default_square_size(side) == expected
    m = make_masks("square", 50, side, side, seed=1)
    for mask in m[:, 0]:
        rows = mask.any(1).nonzero().flatten()
        cols = mask.any(0).nonzero().flatten()
        assert len(rows) == len(cols) == expected
        assert rows[-1] - rows[0] == cols[-1] - cols[0] == expected - 1
        assert mask.sum() == expected * expected  # the whole bounding box, nothing else
    tops = m[:, 0].any(2).float().argmax(1)
    assert len(set(tops.tolist())) > 1  # placed at random


def test_center_and_left_half():
    c = make_masks("center", 2, 28, 28)
    assert c.sum() == 2 * 14 * 14 and c[:, 0, 7:21, 7:21].all()
    c = make_masks("center", 1, 28, 28, center_size=6)
    assert c[0, 0, 11:17, 11:17].all() and c.sum() == 36
    left = make_masks("left_half", 2, 28, 28)
    assert left[:, :, :, :14].all() and not left[:, :, :, 14:].any()


def test_bad_kind_and_sizes_are_config_errors():
    with pytest.raises(ConfigError, match="unknown kind 'stripes'"):
        make_masks("stripes", 1, 8, 8)
    with pytest.raises(ConfigError, match="square_size"):
        make_masks("square", 1, 8, 8, square_size=9)
    with pytest.raises(ConfigError, match="pepper_fraction"):
        make_masks("pepper", 1, 8, 8, pepper_fraction=1.5)
    assert set(MASKS) == {"pepper", "crosswalk", "square", "center", "left_half"}


def test_apply_mask_blackens_hidden_pixels_of_every_channel():
    x = torch.rand(2, 3, 8, 8) + 0.1
    m = make_masks("pepper", 2, 8, 8, seed=0)
    y = apply_mask(x, m)
    assert (y[m.expand_as(x)] == 0).all()
    assert torch.equal(y[~m.expand_as(x)], x[~m.expand_as(x)])


def test_select_indices_is_seeded_sorted_and_bounded():
    a = select_indices(100, 10, seed=0)
    assert torch.equal(a, select_indices(100, 10, seed=0)) and (a.diff() > 0).all()
    assert not torch.equal(a, select_indices(100, 10, seed=1))
    assert torch.equal(select_indices(5, 10, seed=0), torch.arange(5))


def test_mask_set_is_a_function_of_its_spec():
    """Each generator's job draws its masks itself: the same spec gives the same images and pixels."""
    spec = MaskSpec("square", num_images=6, seed=3, pepper_fraction=None, square_size=4, center_size=None)
    indices, hidden = mask_set(spec, 50, 10, 12)
    again = mask_set(dataclasses.replace(spec), 50, 10, 12)
    assert torch.equal(indices, again[0]) and torch.equal(hidden, again[1])
    assert torch.equal(indices, select_indices(50, 6, seed=3))
    assert torch.equal(hidden, make_masks("square", 6, 10, 12, seed=3, square_size=4))
    assert not torch.equal(hidden, mask_set(dataclasses.replace(spec, seed=4), 50, 10, 12)[1])


def test_an_inpainting_points_masks_leave_out_its_generator():
    """Two generators' points of one mask setting draw one mask set."""
    point = typed_spec(InpaintingPoint, inpainting_point("g", "gan"))
    other = typed_spec(InpaintingPoint, inpainting_point("ae", "autoencoder"))
    assert point.masks == other.masks == MaskSpec("square", 4, 7, None, 3, None)
    assert torch.equal(mask_set(point.masks, 30, 8, 8)[1], mask_set(other.masks, 30, 8, 8)[1])
