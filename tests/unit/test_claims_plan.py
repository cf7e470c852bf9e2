"""The claims plan: roles, the tables and columns claims read, checked when the config is built."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pytest

from advgen import columns, paths
from advgen.claims.reading.claims_file import read_claims_file
from advgen.config import validate_config
from advgen.config_files import check_config_files, read_config_file
from advgen.errors import ConfigError
from advgen.pipeline import build
from advgen.pipeline import claims as plan
from advgen.pipeline.jobkind import Values
from advgen.pipeline.jobkinds_claims import claims_inputs
from advgen.pipeline.study import Study, resolve_roles
from advgen.smoke import smoke_config

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = read_claims_file(ROOT / "config" / "claims.yaml")


#: the top-level keys of a config the schema has filled (advgen.config.ConfigFile)
TOP = {"seed": 0, "max_jobs": 1, "device": "cpu", "plots": {}, "claims": None}


def default() -> dict:
    return check_config_files([str(ROOT / "config" / "config.yaml")])


def paper_smoke() -> dict:
    config = smoke_config(read_config_file(ROOT / "config" / "paper.yaml"))
    return validate_config(config)


def uncovered(config: dict) -> list[str]:
    """Claims neither measured on this DAG (role declared, table produced) nor declared otherwise."""
    pipe = build(config)
    out = []
    for c in CLAIMS.claims:
        if c.status != "measured":
            assert c.reason, c.id  # declared paper-only / not testable, with the reason
            continue
        for t in c.terms:
            if any(r not in pipe.claims.roles for r in t.roles):
                out.append(f"{c.id}: role {[r for r in t.roles if r not in pipe.claims.roles]}")
                continue
            tables = (
                [t.table.format(**{t.table_roles[0]: r}) for r in pipe.claims.roles[t.table_roles[0]]]
                if t.table_roles
                else [t.table]
            )
            missing = [x for x in tables if x not in pipe.claims.produced]
            if missing or not tables:
                out.append(f"{c.id}: {missing or t.table}")
    return out


@pytest.mark.parametrize("config", [default, paper_smoke], ids=["default", "paper-smoke"])
def test_every_claim_is_measured_or_declared(config) -> None:
    """Planning level: the DAG makes every table a measured claim reads, with its columns
    (the columns are checked when the plan is built), and the config fills its roles."""
    assert uncovered(config()) == []


def test_the_rule_reads_the_claims_tables_and_passes_roles() -> None:
    pipe = build(default())
    assert paths.CLAIMS_HTML in pipe.targets()
    inputs = claims_inputs(pipe, Values())
    assert paths.ATTACKS in inputs["tables"]
    # the saturation claims read the GANs without spectral norm, and their control the run built to saturate
    for gan in ("mnist_ns_plain", "mnist_ce_plain", "mnist_ce_d5_plain", "mnist_ce_saturating"):
        assert f"results/gans/{gan}/losses.parquet" in inputs["tables"], gan
    assert "results/gans/mnist_ns/losses.parquet" not in inputs["tables"]
    assert paths.fill(paths.MANIFEST, dataset="mnist") in inputs["manifests"]
    spec = pipe.claims.command_spec()
    # the first seed's run keeps the entry's name (advgen.replicates); the others are named by
    # their seeds, which seed_base (2000 in the default config: round 2) moved
    assert spec.roles["standard_cnn"] == (
        "mnist_cnn_small",
        *(f"mnist_cnn_small_seed{2000 + k}" for k in range(1, 8)),
    )
    pool = ("mnist_fc100_100_pool", "mnist_fc100_100_pool_seed2001", "mnist_fc100_100_pool_seed2002")
    assert spec.roles["fc_pool"] == pool
    assert spec.seeds["fc_pool"] == {name: 2000 + k for k, name in enumerate(pool)}
    data = default()
    data["claims"] = None
    assert not any("claims" in t for t in build(data).targets())


def test_a_role_names_an_entry_or_its_expanded_runs() -> None:
    from advgen.config import complete_entry

    # a classifier entry as the schema completes it
    clf = complete_entry({"dataset": "mnist", "arch": "cnn_small"}, "robustness.schema.yaml", "classifier")
    config = {
        **TOP,
        "classifiers": {
            "cnn_seed0": {**clf, "seed": 0, "replicate_of": "cnn"},
            "cnn_seed1": {**clf, "seed": 1, "replicate_of": "cnn"},
            "mlp": clf,
        },
        "roles": {"standard_cnn": "cnn", "fc_nets": ["mlp", "cnn"]},
    }
    roles = resolve_roles(Study.of(config, "c.yaml"), CLAIMS.roles)
    assert roles == {"standard_cnn": ["cnn_seed0", "cnn_seed1"], "fc_nets": ["mlp", "cnn_seed0", "cnn_seed1"]}
    with pytest.raises(ConfigError, match=r"^c.yaml: roles.pgd_cnn: 'nope' names no entry"):
        resolve_roles(Study.of({**config, "roles": {"pgd_cnn": "nope"}}, "c.yaml"), CLAIMS.roles)
    with pytest.raises(
        ConfigError, match=r"^c.yaml: roles.best_cnn: unknown role \(the claims file's roles: "
    ):
        resolve_roles(Study.of({**config, "roles": {"best_cnn": "mlp"}}, "c.yaml"), CLAIMS.roles)


def test_column_lists_match_their_writers() -> None:
    """The plan lists the columns torch-free; the writers (which import torch) must agree."""
    from advgen.ae.train import COLUMNS as AE
    from advgen.gan.train import COLUMNS as GAN
    from advgen.robustness.robust_features import COLUMNS as RF
    from advgen.robustness.sweeps import COLUMNS as SWEEP
    from advgen.robustness.transfer import COLUMNS as TRANSFER

    assert columns.GAN_LOSS_COLUMNS == tuple(GAN) and columns.AE_LOSS_COLUMNS == tuple(AE)
    assert columns.TRANSFER_COLUMNS == tuple(TRANSFER) and columns.ROBUST_FEATURES_COLUMNS == tuple(RF)
    assert plan.ROBUSTNESS_SWEEP_COLUMNS == (*SWEEP, "robust_gap")


def test_column_lists_match_the_golden_command_outputs() -> None:
    import pandas as pd

    golden = ROOT / "tests" / "data" / "command_outputs"
    for name in ("sample_quality_gan.parquet", "sample_quality_real.parquet"):
        assert set(pd.read_parquet(golden / name).columns) <= set(columns.SAMPLE_QUALITY_COLUMNS), name


def test_unknown_tables_and_columns_fail_at_build(tmp_path: Path) -> None:
    text = (ROOT / "config" / "claims.yaml").read_text(encoding="utf-8")
    cases = {
        "value: g_grad_norm, per: run}": (
            "value: g_grad_norm_x, per: run}",
            "unknown column 'g_grad_norm_x'",
        ),
        "table: sample_quality/summary.parquet,": ("table: sample_quality/summry.parquet,", "unknown table"),
    }
    shutil.copytree(ROOT / "docs" / "sources", tmp_path / "docs" / "sources")  # the file's `sources:`
    (tmp_path / "config").mkdir()
    for old, (new, message) in cases.items():
        path = tmp_path / "config" / "claims.yaml"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        config = copy.deepcopy(default())
        config["claims"] = str(path)
        with pytest.raises(ConfigError, match=rf"^{path}:\d+: claims\[\w+\]\.[ab].*{message}"):
            build(config, source="config/config.yaml")


def attack_points(claims, table: str = "robustness/attacks.parquet") -> list[tuple[str, str, float]]:
    """(claim id, attack, eps) for every side that reads one attack at one eps of the attacks table."""
    import re

    points = []
    for c in claims:
        for t in c.all_terms():
            if t.table != table or not t.query:
                continue
            eps = re.search(r"\beps == ([0-9.]+)", t.query)
            names = re.search(r"\battack (?:==|in) (\[[^\]]*\]|'[^']*')", t.query)
            if eps and names:
                for name in re.findall(r"'([^']*)'", names.group(1)):
                    points.append((c.id, name, float(eps.group(1))))
    return points


def worst_case_points(claims) -> list[tuple[str, str, float]]:
    """(claim id, "", eps) for every side that reads one eps of the worst-case table."""
    import re

    return [
        (c.id, "", float(m.group(1)))
        for c in claims
        for t in c.all_terms()
        if t.table == "robustness/worst_case.parquet"
        and t.query
        and (m := re.search(r"\beps == ([0-9.]+)", t.query))
    ]


def test_every_attack_point_a_claim_reads_is_on_the_default_grid() -> None:
    """A claim (or its control) reading ``attack == A and eps == E`` is "not measured" when the
    config's grid for A lacks E: the plan checks tables and columns, this checks the grid points."""
    config = default()
    measured = [c for c in CLAIMS.claims if c.status == "measured"]
    points = attack_points(measured)
    # a side of the worst-case table at eps E reads every attack of the set at E (the standard
    # budget's gap only where it ran: the page says where it did not)
    worst = config["robustness"]["worst_case"]
    for cid, _, eps in worst_case_points(measured):
        points += [(cid, a, eps) for a in worst["attacks"]]
    assert {a for _, a, _ in points} >= {
        "fgsm",
        "pgd40",
        "autoattack",
        "spatial_random",
        "onepixel",
        "lbfgs",
        "random_sign",  # the control of goodfellow_fgsm_fools_standard
    }
    attacks = config["robustness"]["attacks"]
    off_grid = [
        (cid, a, e)
        for cid, a, e in points
        if a not in attacks or not any(abs(e - g) < 1e-12 for g in attacks[a]["eps"])
    ]
    assert off_grid == []
