"""Gradient-masking checks (advgen.robustness.masking), the masking-checks job
(advgen.robustness.masking_job) and its command."""

from __future__ import annotations

import dataclasses
import json
import math

import pandas as pd
import pytest
import torch
from torch import nn

from advgen.attacks import Square
from advgen.checkpoints import save_torch
from advgen.classifiers.checkpoint import checkpoint_dict, save_classifier
from advgen.classifiers.zoo import build_classifier
from advgen.cli import main as advgen
from advgen.columns import MASKING_COLUMNS as COLUMNS
from advgen.data.prepared import save_prepared
from advgen.data.split import Split
from advgen.errors import ConfigError
from advgen.io import read_parquet
from advgen.models.registry import build_autoencoder
from advgen.robustness.masking import gradient_health, masking_checks, robust_accuracy
from advgen.robustness.masking_job import blackbox_from, masking_job
from advgen.robustness.masking_spec import BlackBoxSpec, MaskingJobSpec, MaskingSettings
from advgen.robustness.tables import MASKING_CHECK_SETTINGS as CHECK_SETTINGS
from advgen.robustness.tables import MASKING_CHECKS as CHECKS
from advgen.robustness.tables import masking_markdown
from advgen.specs import typed_spec
from tests.jobs import job_argv
from tests.unit.robust_helpers import blob_split, trained_linear

pytestmark = pytest.mark.usefixtures("one_thread")
SMALL = MaskingSettings(
    eps=0.35,
    eps_grid=(0.0, 0.2, 0.35, 0.4),
    pgd_steps=40,
    long_steps=80,
    long_restarts=2,
    unbounded_steps=20,
    n_queries=100,
)


class Quantised(nn.Module):
    """Input quantisation to 5 levels: the gradient of ``round`` is zero (a masked gradient)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(torch.round(x * 4) / 4)


class Saturated(nn.Module):
    """Returns saturated softmax probabilities as 'logits' (cross-entropy gradient underflows)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(1000 * self.model(x), dim=1)


@pytest.fixture(scope="module")
def blobs():
    # two classes: the loss gradient's sign is then the same everywhere for a linear model, so
    # PGD-40 already finds the worst case and more steps or restarts cannot lower it
    split = blob_split(n=60, size=8, num_classes=2)
    return split, trained_linear(split)


def test_an_ordinary_classifier_passes_every_check(blobs):
    split, model = blobs
    table = masking_checks(model, split.images, split.labels, name="linear", settings=SMALL)
    assert list(table.columns) == COLUMNS and tuple(table["check"]) == CHECKS
    assert table["passed"].all(), table[~table["passed"]]["detail"].tolist()
    row = table.set_index("check")
    assert row.loc["unbounded_eps", "value"] == 0.0 and row.loc["unbounded_eps", "eps"] == 1.0
    assert (
        0 < row.loc["iterative_vs_single_step", "value"] <= row.loc["iterative_vs_single_step", "reference"]
    )
    assert math.isnan(row.loc["zero_gradients", "eps"]) and (table["n"] == 60).all()
    assert model.training is False


def one_by_one(run) -> pd.DataFrame:
    """``run(checks=[c])`` for each check, in order, as one table (the workflow's jobs)."""
    return pd.concat([run(checks=[c]) for c in CHECKS], ignore_index=True)


def test_each_check_alone_gives_its_row_of_the_whole_run(blobs):
    # iterative_vs_single_step, whitebox_vs_blackbox and more_steps_restarts recompute PGD at
    # eps (0.35, on the grid) alone; PGD, Square and the rest draw from their own seeded generators
    split, model = blobs

    def run(**kw):
        return masking_checks(model, split.images, split.labels, name="linear", settings=SMALL, seed=2, **kw)

    together = run()
    pd.testing.assert_frame_equal(one_by_one(run), together)
    off_grid = dataclasses.replace(SMALL, eps=0.3)  # acc_pgd is not a grid point: computed apart as before
    pd.testing.assert_frame_equal(
        pd.concat(
            [
                masking_checks(model, split.images, split.labels, settings=off_grid, checks=[c])
                for c in CHECKS
            ],
            ignore_index=True,
        ),
        masking_checks(model, split.images, split.labels, settings=off_grid),
    )
    two = run(checks=["more_steps_restarts", "zero_gradients"])  # rows in CHECKS order
    assert list(two["check"]) == ["zero_gradients", "more_steps_restarts"]
    with pytest.raises(ConfigError, match=r"^checks: unknown check\(s\) nope"):
        run(checks=["nope"])


def test_each_check_reads_only_its_settings(blobs):
    """A check's row is the same whatever the settings it does not read (so its job's spec can
    carry its own settings only: advgen.pipeline.robustness.masking_check_spec)."""
    split, model = blobs
    other = MaskingSettings(
        eps=0.2,
        eps_grid=(0.0, 0.1),
        pgd_steps=7,
        long_steps=9,
        long_restarts=3,
        unbounded_steps=4,
        n_queries=30,
        tolerance=0.05,
        zero_tolerance=0.5,
        early_stop=True,
    )
    assert set(CHECK_SETTINGS) == set(CHECKS)
    fields = {f.name for f in dataclasses.fields(MaskingSettings)}
    for check, read in CHECK_SETTINGS.items():
        assert set(read) <= fields
        mixed = dataclasses.replace(other, **{k: getattr(SMALL, k) for k in read})
        rows = [
            masking_checks(model, split.images, split.labels, settings=s, checks=[check])
            for s in (SMALL, mixed)
        ]
        pd.testing.assert_frame_equal(rows[0], rows[1], obj=check)


def test_early_stop_keeps_the_verdicts_and_never_raises_robust_accuracy(blobs):
    split, model = blobs
    full = masking_checks(model, split.images, split.labels, name="linear", settings=SMALL).set_index("check")
    early = dataclasses.replace(SMALL, early_stop=True)
    fast = masking_checks(model, split.images, split.labels, name="linear", settings=early).set_index("check")
    assert (fast["passed"] == full["passed"]).all()
    for check in ("unbounded_eps", "iterative_vs_single_step", "whitebox_vs_blackbox"):
        assert fast.loc[check, "value"] <= full.loc[check, "value"]


def test_masked_gradients_are_still_flagged_with_early_stop(blobs):
    split, model = blobs
    settings = dataclasses.replace(SMALL, early_stop=True)
    table = masking_checks(
        Quantised(model), split.images, split.labels, name="masked", settings=settings
    ).set_index("check")
    assert not table.loc["unbounded_eps", "passed"] and table.loc["unbounded_eps", "value"] > 0.5


@pytest.mark.parametrize("wrapper", [Quantised, Saturated])
def test_a_masked_gradient_is_flagged(blobs, wrapper):
    split, model = blobs
    table = masking_checks(
        wrapper(model), split.images, split.labels, name="masked", settings=SMALL
    ).set_index("check")
    assert table.loc["zero_gradients", "value"] == 1.0 and not table.loc["zero_gradients", "passed"]
    assert not table.loc["unbounded_eps", "passed"] and table.loc["unbounded_eps", "value"] > 0.5
    md = masking_markdown(table.reset_index())
    assert md.count("**FLAG**") == int((~table["passed"]).sum()) >= 2


def test_gradient_health_counts_non_finite_gradients():
    class NaNGrad(nn.Module):
        def forward(self, x):
            return torch.sqrt(x.flatten(1)[:, :3] - 0.5)  # NaN below 0.5

    x = torch.cat([torch.full((2, 1, 2, 2), 0.9), torch.full((2, 1, 2, 2), 0.1)])
    zero, nonfinite = gradient_health(NaNGrad(), x, torch.zeros(4).long())
    assert (zero, nonfinite) == (0.0, 0.5)


def test_the_default_black_box_is_square_with_the_settings_queries(blobs):
    split, model = blobs
    x, y = split.images, split.labels
    table = masking_checks(model, x, y, settings=SMALL, seed=3).set_index("check")
    row = table.loc["whitebox_vs_blackbox"]
    square = robust_accuracy(model, Square(model, SMALL.eps, n_queries=SMALL.n_queries, seed=3), x, y)
    assert row["reference"] == square and "black-box Square" in row["detail"]


def test_a_black_box_attack_plugs_in(blobs):
    split, model = blobs
    calls = []

    def factory(m, eps):
        calls.append(eps)
        return Square(m, eps, n_queries=10)

    table = masking_checks(model, split.images, split.labels, settings=SMALL, blackbox=factory)
    assert calls == [0.35]
    assert "Square" in table.set_index("check").loc["whitebox_vs_blackbox", "detail"]


def test_blackbox_from_a_spec_entry(blobs):
    _, model = blobs
    assert blackbox_from(None, 0) is None and blackbox_from(BlackBoxSpec(), 0) is None
    entry = typed_spec(BlackBoxSpec, {"attack": "Square", "params": {"n_queries": 7, "p_init": 0.5}})
    attack = blackbox_from(entry, 4)(model, 0.2)
    assert isinstance(attack, Square)
    assert (attack.eps, attack.n_queries, attack.p_init, attack.seed) == (0.2, 7, 0.5, 4)
    with pytest.raises(ConfigError, match="blackbox.attack: unknown attack 'Nope'"):
        blackbox_from(BlackBoxSpec("Nope"), 0)


def test_settings_from_a_mapping():
    settings = MaskingSettings.from_mapping({"eps_grid": [0, 0.1], "pgd_steps": 5.0, "early_stop": True})
    assert settings.eps_grid == (0.0, 0.1) and settings.pgd_steps == 5 and isinstance(settings.pgd_steps, int)
    assert settings.early_stop is True and MaskingSettings.from_mapping(None) == MaskingSettings()
    with pytest.raises(ConfigError, match=r"^checks: unknown key\(s\) epz \(known: .*n_queries"):
        MaskingSettings.from_mapping({"epz": 1})
    with pytest.raises(ConfigError, match=r"^--spec: checks.long_steps: must be non-negative"):
        MaskingSettings.from_mapping({"long_steps": -1}, "--spec: checks", "--spec: ")
    with pytest.raises(ConfigError, match="^checks: "):
        MaskingSettings.from_mapping({"pgd_steps": "many"})


# -- the command ----------------------------------------------------------------------------------

SIDE, CLASSES = 8, 3


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("masking")
    split = blob_split(n=30, size=SIDE, seed=1)
    save_prepared(
        Split(split.images, split.labels, torch.arange(30)),
        root / "test.pt",
        dataset="blobs",
        name="test",
        num_classes=CLASSES,
        spec={},
    )
    torch.manual_seed(0)
    shape = [1, SIDE, SIDE]
    clf = build_classifier("fc10", shape, CLASSES)
    opt = torch.optim.Adam(clf.parameters(), lr=0.05)
    for _ in range(40):
        opt.zero_grad()
        nn.functional.cross_entropy(clf(split.images), split.labels).backward()
        opt.step()
    kwargs = {"in_shape": shape, "num_classes": CLASSES, "width": 1.0}
    save_classifier(
        root / "c.pt",
        checkpoint_dict(clf, name="c", arch="fc10", arch_kwargs=kwargs, config={}, epoch=1, rng=None),
    )
    ae = build_autoencoder("conv", shape, 4, {"width": 4})
    save_torch(
        {
            "kind": "autoencoder",
            "model": {"arch": "conv", "kwargs": {"width": 4}, "z_dim": 4, "image_shape": shape},
            "state": ae.state_dict(),
        },
        root / "ae.pt",
    )
    return root


FAST = (
    '{"checks": {"eps": 0.3, "eps_grid": [0, 0.3], "pgd_steps": 5, "long_steps": 10, "long_restarts": 2, '
    '"unbounded_steps": 5, "n_queries": 20}, "device": "cpu"'
)


def command(files, spec: str, out, *, generator: bool = False) -> list[str]:
    """``advgen masking-checks`` (the generated subcommand of the job kind) on the fixture's files."""
    inputs = [f"model={files / 'c.pt'}", f"test={files / 'test.pt'}"]
    inputs += [f"generator={files / 'ae.pt'}"] if generator else []
    return [
        "--threads",
        "1",
        "masking-checks",
        "--spec",
        spec,
        "--input",
        *inputs,
        "--output",
        f"table={out}",
    ]


def test_masking_checks_command(files, tmp_path):
    out = tmp_path / "m.parquet"
    assert advgen(command(files, FAST + ', "name": "c"}', out)) == 0
    table = read_parquet(out)
    assert (
        list(table.columns) == COLUMNS and tuple(table["check"]) == CHECKS and (table["model"] == "c").all()
    )
    assert table.dtypes["passed"].kind == "b" and masking_markdown(table).startswith("| model | check |")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.parquet"]


def test_masking_checks_on_a_purifier_pipeline(files, tmp_path):
    out = tmp_path / "p.parquet"
    spec = (
        FAST + ', "name": "ae_recon", "purifier": {"method": "reconstruct", "generator_kind": "autoencoder"},'
        ' "gradient": "exact"}'
    )
    assert advgen(command(files, spec, out, generator=True)) == 0
    assert len(read_parquet(out)) == len(CHECKS)


def test_one_check_of_a_stochastic_purifier_pipeline_alone_equals_its_row(files):
    """A projection purifier draws its random starts from a call counter; each check starts it
    over (Purifier.rewind), so a check alone gives its row of the run of all six."""
    spec = typed_spec(
        MaskingJobSpec,
        json.loads(
            FAST + ', "name": "ae_proj", "purifier": {"method": "project", "generator_kind": "autoencoder",'
            ' "steps": 2, "restarts": 2, "optimizer": "adam", "lr": 0.1}, "gradient": "bpda",'
            ' "max_examples": 12}'
        ),
    )
    kwargs = {"model": str(files / "c.pt"), "test": str(files / "test.pt"), "generator": str(files / "ae.pt")}

    def run(checks=None):
        check = None if checks is None else checks[0]
        return masking_job(dataclasses.replace(spec, check=check), **kwargs)

    pd.testing.assert_frame_equal(one_by_one(run), run())
    with pytest.raises(ConfigError, match=r"^--spec: check: unknown check\(s\) nope"):
        run(checks=["nope"])


def test_masking_checks_command_runs_the_check_named(files, tmp_path):
    out = tmp_path / "one.parquet"
    assert advgen(command(files, FAST + ', "name": "c", "check": "unbounded_eps"}', out)) == 0
    assert list(read_parquet(out)["check"]) == ["unbounded_eps"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ('{"name": "c", "checks": {"epz": 1}}', "--spec: checks.epz: unknown key 'epz'"),
        (
            '{"name": "c", "checks": {"eps": -1}}',
            "--spec: checks.eps: -1 is less than or equal to the minimum of 0",
        ),
        ('{"name": "c", "gradient": "magic"}', "--spec: gradient"),
        ('{"name": "c", "blackbox": {"attack": "Nope"}}', "--spec: blackbox.attack"),
        ('{"name": "c", "check": "nope"}', "--spec: check: unknown check(s) nope"),
        ('{"name": "c", "colour": 1}', "--spec: colour: unknown key 'colour'"),
        ('{"checks": {}}', "--spec: name: missing required key 'name'"),
        ("[1", "not valid JSON"),
    ],
)
def test_masking_checks_bad_spec(files, tmp_path, capsys, spec, message):
    out = tmp_path / "bad.parquet"
    assert advgen(command(files, spec, out)) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert not out.exists()


def test_masking_table_aggregates(files, tmp_path):
    parts = []
    for i, name in enumerate(("a", "b")):
        df = pd.DataFrame(
            [
                {
                    "model": name,
                    "check": c,
                    "passed": j != i,
                    "value": 0.1,
                    "reference": 0.0,
                    "tolerance": 0.02,
                    "eps": 0.3,
                    "n": 5,
                    "detail": "x",
                }
                for j, c in enumerate(CHECKS)
            ]
        )
        parts.append(tmp_path / f"{name}.parquet")
        df.to_parquet(parts[-1])
    out, md = tmp_path / "all.parquet", tmp_path / "all.md"
    assert advgen(job_argv("masking-table", {}, {"tables": parts}, {"table": out, "markdown": md})) == 0
    assert len(read_parquet(out)) == 2 * len(CHECKS) and md.read_text().count("**FLAG**") == 2
