"""What an edit reruns: a table of config edits, each on a completed run of a tiny config.

Each row copies a completed run (one per config, made once per test session), applies one edit,
and asserts exactly which jobs (rule and wildcards) ``snakemake -n`` schedules. The table is
``docs/reruns.md``'s. For every edit of the robustness config the edited workflow is also run to
completion, and every table, checkpoint and figure it leaves is compared with a clean
recomputation of the edited config (every output removed but the prepared data and the
classifiers the edit does not retrain, which are deterministic).

The robustness config runs the real ``advgen`` (CV from ``tests/data/cv``, claims from the
workflow's ``config/claims.yaml``, both in the scratch copy). The generative-sweep and purifier
rows only need Snakemake's records, so their runs use the stand-in ``advgen`` of
``tests/conftest.py`` (it creates the files it is asked to write); that an incremental sweep
aggregate equals a clean run's is checked with the real ``advgen`` in
``tests/workflow/test_sweeps_e2e.py``, and an incremental purification table in
``tests/workflow/test_defense_e2e.py``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from advgen.robustness.tables import MASKING_CHECKS
from tests.conftest import scheduled, snakemake
from tests.workflow.completed_runs import Run, copy_run, inversion_block

pytestmark = pytest.mark.slow

#: rerun after any change of the attack curves: the tables that concatenate them and their readers
CURVE_READERS = {
    "attack_table",
    "attack_success_by_class",
    "plot_robustness_curves",
    "plot_minimal_perturbation",
    "table_robustness",
    "claims",
    "findings",  # the report's main numbers read the attack table and the verdict table
}


#: the classifier sweeps' jobs: one per (sweep, point), then each sweep's table
SWEEPS = {
    "robustness_sweep_point[sweep=capacity, point=tiny_cnn_pgd]",
    "robustness_sweep_point[sweep=capacity, point=tiny_cnn_pgd_pgd_w0p5]",
    "robustness_sweep_point[sweep=data_size, point=tiny_cnn_pgd]",
    "robustness_sweep_point[sweep=data_size, point=tiny_cnn_pgd_pgd_f0p5]",
    "robustness_sweep[sweep=capacity]",
    "robustness_sweep[sweep=data_size]",
}


def attack(classifier: str, name: str) -> str:
    return f"attack[classifier={classifier}, attack={name}]"


#: the transfer matrix's jobs: one per source model (each reads every model of the matrix), the table
TRANSFER = {
    *(
        f"transfer_source[source={s}]"
        for s in ("tiny_cnn_pgd", "tiny_fc", "tiny_fc_half_a", "tiny_fc_half_b")
    ),
    "transfer",
}


def masking(check: str, name: str = "tiny_fc") -> str:
    return f"masking_checks[family=classifier, name={name}, check={check}]"


def sweep_job(rule: str, generator: str, point: str) -> str:
    return f"{rule}[generator={generator}, point={point}]"


def dry_run(run: Run, config: str) -> set[str]:
    return scheduled(snakemake(run.folder, "-n", *run.targets, "--configfile", config, env=run.env).stdout)


# --- the edits
@dataclass(frozen=True)
class Edit:
    config: str  # which completed run
    change: Callable[[dict[str, Any], Path], None]  # edits the config dict and/or files of the copy
    expected: set[str]


def config_edit(fn: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any], Path], None]:
    return lambda config, wf: fn(config)


def file_edit(path: str, old: str, new: str) -> Callable[[dict[str, Any], Path], None]:
    def change(config: dict[str, Any], wf: Path) -> None:
        text = (wf / path).read_text(encoding="utf-8")
        assert old in text, f"{path}: {old!r} not found"
        (wf / path).write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def attacks(config: dict[str, Any]) -> dict[str, Any]:
    return config["robustness"]["attacks"]


def masking_checks(config: dict[str, Any]) -> dict[str, Any]:
    return config["robustness"]["masking"]["checks"]


EDITS = {
    "nothing": Edit("robustness", config_edit(lambda c: None), set()),
    # the new eps alone would do (one job per eps): docs/reruns.md says why the unit is the whole grid
    "fgsm: add an eps": Edit(
        "robustness",
        config_edit(lambda c: attacks(c)["fgsm"]["eps"].append(0.3)),
        {attack("tiny_fc", "fgsm"), attack("tiny_cnn_pgd", "fgsm"), *CURVE_READERS},
    ),
    # intended: the aggregates alone (the other eps' rows are unchanged); as above
    "fgsm: remove an eps": Edit(
        "robustness",
        config_edit(lambda c: attacks(c)["fgsm"]["eps"].remove(0.1)),
        {attack("tiny_fc", "fgsm"), attack("tiny_cnn_pgd", "fgsm"), *CURVE_READERS},
    ),
    "lbfgs: one parameter": Edit(
        "robustness",
        config_edit(lambda c: attacks(c)["lbfgs"]["params"].update(steps=6)),
        {attack("tiny_fc", "lbfgs"), *CURVE_READERS},
    ),
    # PGD is also the attack of the transfer matrix and of both classifier sweeps: they rerun too
    "pgd: one parameter": Edit(
        "robustness",
        config_edit(lambda c: attacks(c)["pgd"]["params"].update(steps=4)),
        {
            attack("tiny_fc", "pgd"),
            attack("tiny_cnn_pgd", "pgd"),
            *TRANSFER,
            *SWEEPS,
            "plot_transfer",
            "plot_robustness_sweep",
            "worst_case",  # PGD is one of the worst case's attacks
            *CURVE_READERS,
        },
    ),
    "lbfgs: one more classifier": Edit(
        "robustness",
        config_edit(lambda c: attacks(c)["lbfgs"]["classifiers"].append("tiny_cnn_pgd")),
        {attack("tiny_cnn_pgd", "lbfgs"), *CURVE_READERS},
    ),
    "spatial: removed": Edit("robustness", config_edit(lambda c: attacks(c).pop("spatial")), CURVE_READERS),
    "tiny_fc: epochs": Edit(
        "robustness",
        config_edit(lambda c: c["classifiers"]["tiny_fc"].update(epochs=11)),
        {
            "train_classifier[classifier=tiny_fc]",
            *(
                attack("tiny_fc", a)
                for a in ("fgsm", "pgd", "lbfgs", "deepfool", "onepixel", "spatial", "apgd", "square")
            ),
            *TRANSFER,  # tiny_fc is a source and every source's target
            "plot_transfer",
            "worst_case",  # its PGD, APGD and Square (the standard stand-in) on tiny_fc
            *(masking(c) for c in MASKING_CHECKS),  # tiny_fc is the masking checks' classifier
            "masking_table",
            *CURVE_READERS,
        },
    ),
    # Masking checks: one job per (classifier, check), its spec the settings that check reads
    "masking: long_steps": Edit(
        "robustness",
        config_edit(lambda c: masking_checks(c).update(long_steps=7)),
        {masking("more_steps_restarts"), "masking_table"},
    ),
    "masking: n_queries": Edit(
        "robustness",
        config_edit(lambda c: masking_checks(c).update(n_queries=21)),
        {masking("whitebox_vs_blackbox"), "masking_table"},
    ),
    # eps: the three checks that compare attacks at eps (not the grid, unbounded or gradient checks)
    "masking: eps": Edit(
        "robustness",
        config_edit(lambda c: masking_checks(c).update(eps=0.1)),
        {
            masking("iterative_vs_single_step"),
            masking("whitebox_vs_blackbox"),
            masking("more_steps_restarts"),
            "masking_table",
        },
    ),
    "masking: one more classifier": Edit(
        "robustness",
        config_edit(lambda c: c["robustness"]["masking"]["classifiers"].append("tiny_cnn_pgd")),
        {*(masking(c, "tiny_cnn_pgd") for c in MASKING_CHECKS), "masking_table"},
    ),
    # no masking section: no check or table to make; the claims job's spec lists the tables the
    # run produces (a claim on a table no job makes is "not measured"), so it reruns
    "masking: removed": Edit(
        "robustness", config_edit(lambda c: c["robustness"].pop("masking")), {"claims", "findings"}
    ),
    # a family's spec holds the options it draws (advgen.plots.figure_specs): an
    # option edit reruns the families that draw it, not the Markdown tables, not the others
    "plots: dpi": Edit(
        "robustness",
        config_edit(lambda c: c.setdefault("plots", {}).update(dpi=61)),
        {"plot_robustness_curves", "plot_minimal_perturbation", "plot_transfer", "plot_robustness_sweep"},
    ),
    "plots: smoothing (drawn by no family of the config)": Edit(
        "robustness", config_edit(lambda c: c.setdefault("plots", {}).update(smoothing=4)), set()
    ),
    # a config without cv: reads no CV file (cv: {} builds it: tests/workflow/test_cv_workflow.py)
    "CV data: one entry (a config that asks for no CV)": Edit(
        "robustness",
        file_edit("config/cv/cv.yaml", "last_updated: 2023-03-20", "last_updated: 2023-03-21"),
        set(),
    ),
    "claims file: one claim": Edit(
        "robustness",
        file_edit("config/claims.yaml", "statement: ", "statement: (edited) "),
        {"claims", "findings"},
    ),
    # Generative sweeps: one job per (sweep, generator, grid point), named by the point's axis
    # values. A new point runs its jobs (one per generator), a removed one reruns the aggregate.
    "inpainting: add a mask": Edit(
        "sweeps",
        config_edit(lambda c: c["sweeps"]["inpainting"]["mask"].append("center")),
        {
            sweep_job("inpaint", "tiny_ae", "mask-center"),
            sweep_job("inpaint", "tiny_gan", "mask-center"),
            "aggregate_sweep[sweep=inpainting]",
        },
    ),
    "inversion: remove a restarts value": Edit(
        "sweeps",
        config_edit(lambda c: inversion_block(c).update(restarts=[1])),
        {"aggregate_sweep[sweep=inversion]"},
    ),
    "inversion: add an optimizer": Edit(
        "sweeps_optimizer_axis",
        config_edit(lambda c: inversion_block(c)["optimizer"].append("sgd")),
        {
            *(
                sweep_job("invert", g, f"init-{init}_optimizer-sgd_restarts-{r}")
                for g, inits in (("tiny_gan", ("random",)), ("tiny_ae", ("random", "encoder")))
                for init in inits
                for r in (1, 5)
            ),
            "aggregate_sweep[sweep=inversion]",
        },
    ),
    # a key that becomes an axis renames every point (its value joins their names): all rerun
    "inversion: optimizer becomes an axis": Edit(
        "sweeps",
        config_edit(lambda c: inversion_block(c).update(optimizer=["adam", "sgd"])),
        {
            *(
                sweep_job("invert", g, f"init-{init}_optimizer-{opt}_restarts-{r}")
                for g, inits in (("tiny_gan", ("random",)), ("tiny_ae", ("random", "encoder")))
                for init in inits
                for opt in ("adam", "sgd")
                for r in (1, 5)
            ),
            "aggregate_sweep[sweep=inversion]",
        },
    ),
    "truncation: add a psi": Edit(
        "sweeps",
        config_edit(lambda c: c["sweeps"]["truncation"]["psi"].insert(1, 1.0)),
        {
            sweep_job("truncation", "tiny_ae", "psi-1"),
            sweep_job("truncation", "tiny_gan", "psi-1"),
            "aggregate_sweep[sweep=truncation]",
        },
    ),
    "truncation: remove a psi": Edit(
        "sweeps",
        config_edit(lambda c: c["sweeps"]["truncation"]["psi"].remove(0.5)),
        {"aggregate_sweep[sweep=truncation]"},
    ),
    # one job per (purifier, point): a new point computes only itself, a removed one only the table
    "purifier: add a point": Edit(
        "defense",
        config_edit(lambda c: c["defense"]["purify"]["purifiers"]["gan"]["tradeoff"]["steps"].append(8)),
        {"purify[purifier=gan, point=L8_R1]", "purify[purifier=gan, point=L8_R2]", "purify_table"},
    ),
    "purifier: remove a point": Edit(
        "defense",
        config_edit(lambda c: c["defense"]["purify"]["purifiers"]["gan"]["tradeoff"].update(steps=[4])),
        {"purify_table"},
    ),
    # Data and replicates, on the tiny generative config run with the stand-in advgen (completed_runs.GENERATIVE_RUN).
    # max_test: the test split's job and what reads it; the training split and the GANs stay
    "datasets: max_test": Edit(
        "generative",
        config_edit(lambda c: c["datasets"]["digits"].update(max_test=48)),
        {
            "prepare_data[dataset=digits, split=test]",
            "data_manifest[dataset=digits]",
            "train_ae[ae=tiny_ae]",  # its test MSE and latent CDFs read the test split every epoch
            "train_classifier[classifier=tiny_clf]",  # its history reads the test split
            "sample_quality",
        },
    ),
    # the first seed's run keeps the entry's name and spec: only the second seed's jobs run
    "gan: replicates 2": Edit(
        "generative",
        config_edit(lambda c: c["gans"]["tiny_ns"].update(replicates=2)),
        {"train_gan[gan=tiny_ns_seed1]", "sample_quality"},
    ),
    "autoencoder: seeds [0, 5]": Edit(
        "generative",
        config_edit(lambda c: c["autoencoders"]["tiny_ae"].update(seeds=[0, 5])),
        {"train_ae[ae=tiny_ae_seed5]", "sample_quality"},
    ),
}


def clean_copy(run: Run, dest: Path, retrained: set[str]) -> Run:
    """A copy of an edited, completed run with every output removed but the prepared data, the
    classifiers the edit did not retrain (training is deterministic and costs most) and the CV
    (its documents are no input of another job, and :func:`assert_same_outputs` compares
    tables, checkpoints and figures only; an edit of the CV data reruns it all the same): running
    it recomputes everything else of the edited config from scratch."""
    clean = copy_run(run, dest)
    results = clean.folder / "results"
    for path in results.iterdir():
        if path.name == "classifiers":
            for folder in path.iterdir():
                if f"train_classifier[classifier={folder.name}]" in retrained:
                    shutil.rmtree(folder)
        elif path.name not in ("data", "cv"):
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    return clean


def assert_same_outputs(incremental: Path, clean: Path, tmp_path: Path) -> None:
    """Every table, checkpoint and figure of the clean recomputation equals the incremental
    run's (tests/compare_outputs.py: wall-clock columns and provenance records aside); outputs
    of jobs the edit removed (left behind by Snakemake) are not compared."""
    from tests.compare_outputs import compare

    made = {
        p.relative_to(clean)
        for p in (clean / "results").rglob("*")
        if p.is_file() and "benchmarks" not in p.parts
    }
    for p in list((incremental / "results").rglob("*")):
        if p.is_file() and "benchmarks" not in p.parts and p.relative_to(incremental) not in made:
            p.unlink()  # an orphan: no job of the edited config makes it
    layout = {}
    for side, folder in (("incremental", incremental), ("clean", clean)):
        layout[side] = tmp_path / "compare" / side
        layout[side].mkdir(parents=True)
        (layout[side] / "robustness").symlink_to(folder)
    assert compare(layout["clean"], layout["incremental"]) == []


@pytest.mark.parametrize("name", list(EDITS))
def test_an_edit_reruns_exactly_its_units(name: str, completed, tmp_path: Path) -> None:
    edit = EDITS[name]
    run = copy_run(completed(edit.config), tmp_path)
    config = yaml.safe_load((run.folder / run.config).read_text())
    edit.change(config, run.folder)
    # edited in place, as a user edits config/config.yaml: the claims page names its config
    # file(s) (the claims job's spec), so a copy under another name would rerun it
    (run.folder / run.config).write_text(yaml.safe_dump(config, sort_keys=False))
    # the report's provenance page reads every target of a full run, so it follows any rerun
    whole_study = edit.config == "robustness" and edit.expected
    assert dry_run(run, run.config) == edit.expected | ({"provenance"} if whole_study else set())
    if not whole_study:
        return  # the sweep and purifier rows run the stand-in advgen (test_sweeps_e2e runs the real one)
    # the incremental run's outputs equal a clean recomputation of the edited config
    snakemake(run.folder, "--cores", "2", "--configfile", run.config)
    assert dry_run(run, run.config) == set()
    clean = clean_copy(run, tmp_path / "clean", edit.expected)
    snakemake(clean.folder, "--cores", "2", "--configfile", clean.config)
    assert_same_outputs(run.folder, clean.folder, tmp_path)
