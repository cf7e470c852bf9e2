"""Limited-data recipes: DiffAugment, spectral norm in D, R1, and how a run and its checkpoint carry them."""

from __future__ import annotations

import pytest
import torch

from advgen.errors import ConfigError, NotStackableError
from advgen.gan.augment import cutout, diff_augment, translate
from advgen.gan.recipe import Recipe
from advgen.gan.regularizers import r1_penalty
from advgen.gan.train import GanRun
from advgen.models.registry import build_discriminator
from advgen.models.spectral import spectral_normalised
from tests.unit.gen_helpers import gan_spec, tiny_split  # noqa: F401  (fixtures)

pytestmark = pytest.mark.usefixtures("one_thread")

DA = ["translation", "cutout"]


def test_translation_shifts_whole_images_and_fills_with_zero():
    torch.manual_seed(0)
    x = torch.zeros(64, 1, 28, 28)
    x[:, :, 12:16, 12:16] = 1.0  # a 4x4 square in the middle
    y = translate(x, 0.125)
    assert y.shape == x.shape
    assert torch.equal(y.sum(dim=(1, 2, 3)), x.sum(dim=(1, 2, 3)))  # shifts of <= 4 px keep the square inside
    rows = y[:, 0].amax(dim=2).argmax(dim=1) - 12  # the square's first row moved by the shift
    assert rows.abs().max() <= 4 and len(rows.unique()) > 1
    edge = translate(torch.ones(256, 1, 28, 28), 0.125)
    assert edge.min() == 0.0 and edge.max() == 1.0  # uncovered border pixels are 0
    assert translate(x, 0.0) is x


def test_cutout_zeroes_one_square_of_half_the_side():
    torch.manual_seed(1)
    y = cutout(torch.ones(128, 1, 28, 28), 0.5)
    zeroed = (y == 0).sum(dim=(1, 2, 3))
    assert zeroed.max() == 14 * 14  # a whole square inside the image
    assert zeroed.min() > 0 and zeroed.min() < 14 * 14  # squares centred near a border are clipped
    assert torch.equal(y.amax(dim=(1, 2, 3)), torch.ones(128))


def test_diff_augment_is_seeded_differentiable_and_checks_the_policy():
    x = torch.rand(8, 1, 28, 28, requires_grad=True)
    torch.manual_seed(3)
    a = diff_augment(x, DA)
    torch.manual_seed(3)
    assert torch.equal(a, diff_augment(x, DA))
    a.sum().backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    assert diff_augment(x, []) is x
    with pytest.raises(ValueError, match="color"):
        diff_augment(x, ["color"])


def test_translation_and_cutout_fill_with_the_value_given():
    torch.manual_seed(2)
    background = torch.full((64, 1, 28, 28), -1.0)
    assert torch.equal(translate(background, 0.125, fill=-1.0), background)
    assert torch.equal(cutout(background, 0.5, fill=-1.0), background)
    shifted = translate(torch.ones(64, 1, 28, 28), 0.125, fill=-1.0)
    assert set(shifted.unique().tolist()) == {-1.0, 1.0}
    cut = cutout(torch.ones(64, 1, 28, 28), 0.5, fill=-1.0)
    assert set(cut.unique().tolist()) == {-1.0, 1.0} and (cut == -1).sum(dim=(1, 2, 3)).max() == 14 * 14


@pytest.mark.parametrize("generator, discriminator", [("mlp_small", "mlp_small"), ("dcgan28", "conv_sn")])
def test_diffaugment_keeps_the_background_of_the_data(tiny_split, generator, discriminator):
    """The digits' background is the low end of D's input range (-1): a run's DiffAugment fills
    the pixels its shift uncovers and its cutout square with it, so an augmented digit has no
    pixel that is not ink or background, and never more ink than before. The reference code's 0
    (``fill: zero``) draws a grey frame and square instead."""
    run = GanRun(
        gan_spec(generator=generator, discriminator=discriminator, recipe={"diffaugment": DA}),
        str(tiny_split / "train.pt"),
    )
    low = run.D.input_range[0]
    assert low == -1.0 and run.images.min() == low  # the data's background
    real = run.images[:64]
    torch.manual_seed(0)
    seen = run.recipe.augment(real)
    ink_before = (real > low).sum(dim=(1, 2, 3))
    assert ((seen > low).sum(dim=(1, 2, 3)) <= ink_before).all()
    assert (seen > low).sum() < ink_before.sum()  # cutout removed some strokes
    blank = torch.full_like(real, low)
    assert torch.equal(run.recipe.augment(blank), blank)
    zero = GanRun(gan_spec(recipe={"diffaugment": DA, "fill": "zero"}), str(tiny_split / "train.pt"))
    grey = zero.recipe.augment(blank)
    assert (grey == 0).any() and ((grey == 0) | (grey == low)).all()


def test_half_side_cutout_removes_a_fifth_of_a_digit(tiny_split):
    """Cutout at half the side (Zhao et al.'s 0.5: 14 px at 28 px) removes about a fifth of a
    digit's ink on average; a quarter side (7 px) about 6 %."""
    from advgen.data.prepared import load_prepared

    x = 2 * load_prepared(tiny_split / "train.pt").images - 1
    ink = (x > -1).sum(dim=(1, 2, 3)).double()
    removed = {}
    for ratio in (0.5, 0.25):
        torch.manual_seed(0)
        left = (cutout(x, ratio, fill=-1.0) > -1).sum(dim=(1, 2, 3))
        removed[ratio] = float((1 - left / ink).mean())
    assert 0.15 < removed[0.5] < 0.3 and 0.03 < removed[0.25] < 0.1


def test_the_mlp_gans_augment_images_not_flattened_vectors(tiny_split):
    """An MLP G's samples are images (N, 1, 28, 28) before D flattens them, so DiffAugment shifts
    and cuts the image grid, as for the conv models; a flattened batch is refused."""
    run = GanRun(gan_spec(recipe={"diffaugment": DA}), str(tiny_split / "train.pt"))
    fake = run.G(run._noise())
    assert fake.shape[1:] == (1, 28, 28) and run.recipe.augment(fake).shape == fake.shape
    with pytest.raises(ValueError):
        translate(fake.flatten(1))


def test_r1_penalty_is_the_squared_input_gradient():
    d = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 1))
    with torch.no_grad():
        d[1].weight.copy_(torch.tensor([[1.0, 2.0, 0.0, -2.0]]))
    logits, penalty = r1_penalty(lambda x: d(x).squeeze(1), torch.rand(5, 1, 2, 2), gamma=10.0)
    assert logits.shape == (5,)
    assert penalty.item() == pytest.approx(0.5 * 10.0 * 9.0)  # |w|^2 = 9 for every image
    penalty.backward()  # differentiable in D's weights (create_graph)
    assert d[1].weight.grad.abs().sum() > 0


def test_spectral_norm_bounds_every_layer_and_survives_a_checkpoint(tiny_split, tmp_path):
    d = spectral_normalised(build_discriminator("dcgan28", (1, 28, 28)))
    d.train()
    for _ in range(30):  # power iterations
        d(torch.rand(4, 1, 28, 28))
    linear = d.head.weight.detach()
    assert torch.linalg.matrix_norm(linear, ord=2) == pytest.approx(1.0, rel=1e-2)
    spec = gan_spec(discriminator="dcgan28", generator="dcgan28", recipe={"spectral_norm": True})
    run = GanRun(spec, str(tiny_split / "train.pt"))
    run.step(run.images[:16])
    ckpt = run.checkpoint()
    assert ckpt["discriminator"]["spectral_norm"] is True
    from advgen.checkpoints import save_torch
    from advgen.models.loading import load_discriminator

    save_torch(ckpt, tmp_path / "c.pt")
    loaded = load_discriminator(tmp_path / "c.pt")
    x = torch.rand(3, 1, 28, 28)
    run.D.eval()
    assert torch.allclose(loaded(x), run.D(2 * x - 1), atol=1e-6)


def test_a_recipe_changes_the_run_and_an_empty_one_does_not(tiny_split):
    def losses(recipe):
        run = GanRun(gan_spec(recipe=recipe), str(tiny_split / "train.pt"))
        return [float(v) for v in run.step(run.images[:16])]

    plain = losses({})
    assert losses({}) == plain  # seeded
    assert not Recipe(gan_spec().recipe).active
    for recipe in ({"diffaugment": DA}, {"r1_gamma": 10.0}, {"spectral_norm": True}):
        assert Recipe(gan_spec(recipe=recipe).recipe).active
        assert losses(recipe) != plain, recipe


def test_a_recipe_refuses_second_order_unrolling_and_stacked_seeds(tiny_split):
    spec = gan_spec(recipe={"diffaugment": DA}, unroll_k=2, unroll_order="second")
    with pytest.raises(ConfigError, match="second-order unrolling"):
        GanRun(spec, str(tiny_split / "train.pt"))
    first = gan_spec(recipe={"diffaugment": DA}, unroll_k=2)
    run = GanRun(first, str(tiny_split / "train.pt"))
    run.step(run.images[:16])  # first-order unrolling takes it
    from advgen.gan.replicates import StackedGanRun

    with pytest.raises(NotStackableError, match="recipe"):
        StackedGanRun(gan_spec(recipe={"r1_gamma": 1.0}), [0, 1], str(tiny_split / "train.pt"), samples=[])
