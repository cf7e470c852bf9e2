"""The declared job kinds (advgen.pipeline.jobkinds): the declaration, its generated command
and plan, and the attack-success-per-class job (advgen.robustness.by_class) on a hand-checked table."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from advgen import paths
from advgen.cli import main as cli_main
from advgen.config import spec_json
from advgen.errors import AdvgenError, ConfigError
from advgen.io import write_parquet
from advgen.pipeline import build
from advgen.pipeline.jobkind import JobKind
from advgen.pipeline.jobkinds import BY_NAME, JOB_KINDS
from advgen.robustness.by_class import COLUMNS, SuccessByClassSpec, split_labels, success_by_class
from advgen.specs import typed_spec
from advgen.sweeps.registry import SWEEPS
from tests.unit.test_pipeline import config

KIND = BY_NAME["attack_success_by_class"]


def outcomes(classifier: str, attack: str, eps: float, clean: list[bool], adv: list[bool]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "classifier": classifier,
            "attack": attack,
            "eps": eps,
            "example": range(len(clean)),
            "clean_correct": clean,
            "adv_correct": adv,
        }
    )


def manifest(test_labels: list[int], train_labels: list[int]) -> pd.DataFrame:
    rows = [("test", i, y) for i, y in enumerate(test_labels)] + [
        ("train", i, y) for i, y in enumerate(train_labels)
    ]
    return pd.DataFrame(
        {
            "index": [i for _, i, _ in rows],
            "source_index": [i for _, i, _ in rows],
            "label": [y for _, _, y in rows],
            "split": [s for s, _, _ in rows],
            "description": "synthetic",
        }
    )


# six test examples of labels 0, 0, 1, 1, 1, 2 (the train split's labels differ: not read)
LABELS = [0, 0, 1, 1, 1, 2]
CLEAN = [True, True, False, True, True, False]
ADV = [True, False, False, False, True, False]  # examples 1 and 3 fooled


def test_success_per_class_by_hand() -> None:
    examples = pd.concat(
        [outcomes("m", "pgd", 0.1, CLEAN, ADV), outcomes("m", "pgd", 0.0, CLEAN, CLEAN)], ignore_index=True
    )
    labels = {"digits": split_labels(manifest(LABELS, [9] * 6))}
    table = success_by_class(examples, labels, {"m": "digits"})
    assert list(table.columns) == list(COLUMNS)
    assert list(zip(table["eps"], table["label"], strict=True)) == [
        (0.0, 0),
        (0.0, 1),
        (0.0, 2),
        (0.1, 0),
        (0.1, 1),
        (0.1, 2),
    ]
    at = table[table["eps"] == 0.1].set_index("label")
    assert at["n"].tolist() == [2, 3, 1]
    assert at["clean_acc"].tolist() == pytest.approx([1.0, 2 / 3, 0.0])
    assert at["robust_acc"].tolist() == pytest.approx([0.5, 1 / 3, 0.0])
    # fooled among the correctly classified: label 0 one of two, label 1 one of two, label 2 none correct
    assert at.loc[0, "success_rate"] == 0.5 and at.loc[1, "success_rate"] == 0.5
    assert math.isnan(at.loc[2, "success_rate"])
    zero = table[table["eps"] == 0.0]
    assert (zero["success_rate"].fillna(0) == 0).all() and (zero["robust_acc"] == zero["clean_acc"]).all()
    assert set(table["dataset"]) == {"digits"} and table["n"].dtype == "int64"


def test_each_classifier_reads_its_own_data_sets_labels() -> None:
    examples = pd.concat(
        [
            outcomes("a", "fgsm", 0.1, [True, True], [False, True]),
            outcomes("b", "fgsm", 0.1, [True, True], [False, True]),
        ]
    )
    labels = {"d1": split_labels(manifest([3, 4], [])), "d2": split_labels(manifest([7, 7], []))}
    table = success_by_class(examples, labels, {"a": "d1", "b": "d2"})
    assert list(zip(table["classifier"], table["dataset"], table["label"], table["n"], strict=True)) == [
        ("a", "d1", 3, 1),
        ("a", "d1", 4, 1),
        ("b", "d2", 7, 2),
    ]
    assert table.loc[table["classifier"] == "b", "success_rate"].iloc[0] == 0.5


def test_an_example_outside_the_test_split_is_one_error() -> None:
    examples = outcomes("m", "pgd", 0.1, CLEAN, ADV)
    labels = {"digits": split_labels(manifest(LABELS[:4], LABELS))}
    with pytest.raises(AdvgenError, match="example 4 is not in digits's test split"):
        success_by_class(examples, labels, {"m": "digits"})
    with pytest.raises(AdvgenError, match="no data set given for classifier m"):
        success_by_class(examples, labels, {})


def test_the_command_writes_the_table(tmp_path: Path, capsys) -> None:
    (tmp_path / "m").mkdir()
    write_parquet(outcomes("m", "pgd", 0.1, CLEAN, ADV), tmp_path / "m/pgd.examples.parquet")
    write_parquet(manifest(LABELS, [9] * 6), tmp_path / "manifest.parquet")
    spec = spec_json(dataclasses.asdict(SuccessByClassSpec(datasets={"m": "digits"}, manifests=("digits",))))
    out = tmp_path / "by_class.parquet"
    argv = [
        "attack-success-by-class",
        "--spec",
        spec,
        "--input",
        f"examples={tmp_path / 'm/pgd.examples.parquet'}",
        f"manifests={tmp_path / 'manifest.parquet'}",
        "--output",
        f"table={out}",
    ]
    assert cli_main(argv) == 0
    table = pd.read_parquet(out)
    assert table["n"].tolist() == [2, 3, 1] and table["robust_acc"].tolist() == pytest.approx(
        [0.5, 1 / 3, 0.0]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["by_class.parquet", "m", "manifest.parquet"]
    # bad input: one line, exit status 2, no output
    out.unlink()
    for bad, message in (
        (spec.replace('"manifests"', '"manifest"'), "--spec: manifest: unknown key 'manifest'"),
        ('{"datasets": {"m": "digits"}}', "--spec: manifests: missing required key 'manifests'"),
        ('{"datasets": {"m": "digits"}, "manifests": "digits"}', "--spec: manifests: expected array"),
    ):
        assert cli_main([*argv[:2], bad, *argv[3:]]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and message in err, err
    assert cli_main([*argv[:-1], f"tables={out}"]) == 2
    assert "--output: expected table, got tables" in capsys.readouterr().err
    assert not out.exists()


@dataclasses.dataclass(frozen=True)
class Inner:
    x: float


@dataclasses.dataclass(frozen=True)
class Outer:
    names: tuple[str, ...]
    inner: Inner
    flag: bool = False


def test_typed_spec_converts_and_checks_fields() -> None:
    spec = typed_spec(Outer, {"names": ["a", "b"], "inner": {"x": 1}})
    assert spec == Outer(("a", "b"), Inner(1), False)
    with pytest.raises(ConfigError, match=r"--spec\.inner: unknown field 'y'"):
        typed_spec(Outer, {"names": [], "inner": {"x": 1, "y": 2}})
    with pytest.raises(ConfigError, match=r"--spec\.inner\.x: expected float, got 'a'"):
        typed_spec(Outer, {"names": [], "inner": {"x": "a"}})
    with pytest.raises(ConfigError, match=r"--spec: missing field 'names'"):
        typed_spec(Outer, {"inner": {"x": 1}})


def test_every_declaration_is_complete() -> None:
    """Each row: outputs from advgen.paths, an ``advgen`` subcommand of its own (no hand-written
    command of that name), a log and a benchmark file per job (every wildcard of the job in
    their names, so two jobs never share one); a row whose spec is no dataclass is refused."""
    from string import Formatter

    from advgen.cli import _command_modules
    from advgen.commands._jobkind import commands
    from advgen.pipeline.figure_kinds import draws_figures

    templates = {v for k, v in vars(paths).items() if k.isupper() and isinstance(v, str)}
    templates |= {paths.fill(paths.DEFENSE_TABLE, table=t) for t in ("purify", "probe")}
    templates |= {paths.fill(paths.TABLE_MD, table="masking")}  # the masking job's Markdown
    # a sweep's point job writes in the point's folder (its registry entry names the files)
    points = {(s.name, t) for s in SWEEPS.values() for t in s.outputs.values()}
    assert all(t.startswith(paths.fill(paths.SWEEP_POINT, sweep=s) + "/") for s, t in points), points
    templates |= {t for _, t in points}
    # a figure family's files are its row's: under results/figures, or a table of the report
    figures = {t for k in JOB_KINDS if draws_figures(k) for t in k.templates.values()}
    assert all(t.startswith((paths.FIGURES, "results/tables/")) for t in figures), figures
    templates |= figures
    assert len({k.name for k in JOB_KINDS}) == len(JOB_KINDS)
    subcommands, written = commands(), set(_command_modules())
    for kind in JOB_KINDS:
        assert set(kind.templates.values()) <= templates, kind.name
        assert set(kind.state.values()) <= templates, kind.name
        assert subcommands[kind.command] is kind and kind.command not in written, kind.name
        for path in (kind.log, kind.benchmark):
            assert {name for _, name, _, _ in Formatter().parse(path) if name} == set(kind.wildcards), path
    with pytest.raises(TypeError, match="spec_type must be a dataclass"):
        JobKind("x", "", {"a": "results/y.parquet"}, *[lambda *a: []] * 3, dict, print)
    with pytest.raises(ValueError, match="same wildcards"):
        JobKind(
            "x",
            "",
            {"a": "results/{p}.parquet", "b": "results/y.parquet"},
            *[lambda *a: []] * 3,
            Inner,
            print,
        )


def test_the_plan_on_the_tiny_robustness_config() -> None:
    """The robustness .test config: one job, every attack job's per-example table and the
    manifest of the attacked data set in, each attacked classifier's data set in its spec."""
    pipe = build(config("robustness"))
    assert paths.ATTACK_SUCCESS_BY_CLASS in pipe.targets()
    wildcards = SimpleNamespace()
    inputs = pipe.jobs.input_function(KIND)(wildcards)
    jobs = pipe.robustness.attack_jobs
    assert sorted(inputs["examples"]) == sorted(
        paths.fill(paths.ATTACK_EXAMPLES, classifier=c, attack=a) for c, a in jobs
    )
    spec = typed_spec(SuccessByClassSpec, json.loads(pipe.jobs.spec_function(KIND)(wildcards)))
    assert set(spec.datasets) == {c for c, _ in jobs}
    assert inputs["manifests"] == [paths.fill(paths.MANIFEST, dataset=d) for d in spec.manifests]


def test_the_worst_case_job_takes_the_configured_set() -> None:
    """``robustness.worst_case`` of the robustness .test config: its attacks in config order and
    its standard attack in the spec, the per-example tables of those attacks in the inputs."""
    cfg = config("robustness")
    pipe = build(cfg)
    kind, wildcards = BY_NAME["worst_case"], SimpleNamespace()
    settings = cfg["robustness"]["worst_case"]
    assert json.loads(pipe.jobs.spec_function(kind)(wildcards)) == {
        "attacks": settings["attacks"],
        "standard": settings["standard"],
    }
    tables = pipe.jobs.input_function(kind)(wildcards)["tables"]
    assert tables and len(tables) == len(set(tables))
    assert {Path(t).stem.removesuffix(".examples") for t in tables} == {
        *settings["attacks"],
        settings["standard"],
    }
    assert paths.WORST_CASE in pipe.targets()
    del cfg["robustness"]["worst_case"]
    assert paths.WORST_CASE not in build(cfg).targets()


def test_a_kind_with_wildcards_knows_its_jobs() -> None:
    """One job per value of the outputs' wildcards: the log names them, and a requested file
    whose wildcards name no job of the config is one line."""
    kind = JobKind(
        "per_name",
        "a table per name",
        {"table": "results/x/{name}.parquet"},
        each=lambda plan: [{"name": "a"}, {"name": "b"}],
        inputs=lambda plan, values: {"in": [f"results/y/{values['name']}.parquet"]},
        spec=lambda plan, values: Inner(1.0),
        spec_type=Inner,
        run=print,
    )
    assert kind.wildcards == ["name"] and kind.log == "logs/per_name/{name}.log"
    plan = build(config("robustness")).jobs
    assert plan.input_function(kind)(SimpleNamespace(name="b")) == {"in": ["results/y/b.parquet"]}
    assert json.loads(plan.spec_function(kind)(SimpleNamespace(name="a"))) == {"x": 1.0}
    with pytest.raises(ConfigError, match=r"per_name: no job 'name=c' .*defined: name=a, name=b"):
        plan.input_function(kind)(SimpleNamespace(name="c"))


def test_the_data_kinds_take_the_dataset_entry() -> None:
    """download_data and data_manifest: one job per dataset (downloads only of torchvision
    sources with ``download: true``), the entry's JSON as the spec, the two splits in; the
    manifests are results, the receipts only what prepare_data reads first."""
    cfg = config("plots")
    cfg["datasets"]["fetched"] = {**cfg["datasets"]["digits"], "source": "mnist", "download": True}
    pipe = build(cfg)
    manifest, download = BY_NAME["data_manifest"], BY_NAME["download_data"]
    assert manifest.local and not download.local and manifest.target and not download.target
    assert manifest.each(pipe) == [{"dataset": "digits"}, {"dataset": "fetched"}]
    assert download.each(pipe) == [{"dataset": "fetched"}]
    for name in ("digits", "fetched"):
        wildcards = SimpleNamespace(dataset=name)
        assert pipe.jobs.spec_function(manifest)(wildcards) == spec_json(cfg["datasets"][name])
        assert pipe.jobs.input_function(manifest)(wildcards) == {
            split: [paths.fill(paths.PREPARED, dataset=name, split=split)] for split in ("train", "test")
        }
    wildcards = SimpleNamespace(dataset="fetched")
    assert pipe.jobs.spec_function(download)(wildcards) == spec_json(cfg["datasets"]["fetched"])
    assert pipe.jobs.input_function(download)(wildcards) == {}
    targets = pipe.targets()
    assert {paths.fill(paths.MANIFEST, dataset=d) for d in ("digits", "fetched")} <= set(targets)
    assert paths.fill(paths.DOWNLOAD_RECEIPT, dataset="fetched") not in targets
    prepare = BY_NAME["prepare_data"]
    assert pipe.jobs.input_function(prepare)(SimpleNamespace(dataset="fetched", split="train")) == {
        "receipt": [paths.fill(paths.DOWNLOAD_RECEIPT, dataset="fetched")]
    }
    assert pipe.jobs.input_function(prepare)(SimpleNamespace(dataset="digits", split="test")) == {}
    # a split's spec: the entry without the other split's cap (None)
    split = json.loads(pipe.jobs.spec_function(prepare)(SimpleNamespace(dataset="digits", split="train")))
    assert split["name"] == "digits" and split["split"] == "train" and split["dataset"]["max_test"] is None
    entry = {**cfg["datasets"]["digits"], "max_test": None}
    assert split["dataset"] == entry
    with pytest.raises(ConfigError, match=r"download_data: no job 'dataset=digits'"):
        pipe.jobs.spec_function(download)(SimpleNamespace(dataset="digits"))


def test_the_masking_checks_jobs_on_the_tiny_robustness_config() -> None:
    """One ``masking_checks`` job per (model, check) of ``robustness.masking``, logged by its
    wildcards; its spec names the model and the check, and crosses the command line intact."""
    from advgen.pipeline.base import splits
    from advgen.robustness.masking_spec import MaskingJobSpec
    from advgen.robustness.tables import MASKING_CHECKS

    pipe = build(config("robustness"))
    kind = BY_NAME["masking_checks"]
    assert kind.log == "logs/masking_checks/{family}/{name}/{check}.log" and kind.resources == {"gpu": 1}
    assert kind.wildcard_constraints["check"] == "|".join(MASKING_CHECKS)
    each = kind.each(pipe)
    assert each == [
        {"family": f, "name": n, "check": c} for f, n in pipe.robustness.masking for c in MASKING_CHECKS
    ]
    assert len(each) == 6 * len(pipe.robustness.masking) > 0
    # no target of its own: masking_table asks for every job's row, in job order
    tables = [kind.files(pipe, v)["table"][0] for v in each]
    assert tables == pipe.jobs.input_function(BY_NAME["masking_table"])(SimpleNamespace())["tables"]
    assert not kind.target and not set(tables) & set(pipe.targets())
    for values in each:
        wildcards = SimpleNamespace(**values)
        spec = typed_spec(MaskingJobSpec, json.loads(pipe.jobs.spec_function(kind)(wildcards)))
        assert spec == kind.spec(pipe, values)
        assert (spec.name, spec.check, spec.device) == (
            values["name"],
            values["check"],
            pipe.robustness.device,
        )
        classifier = pipe.robustness.masking[(values["family"], values["name"])].classifier
        assert pipe.jobs.input_function(kind)(wildcards) == {
            "model": [paths.fill(paths.CLASSIFIER_MODEL, classifier=classifier)],
            "test": [splits(pipe.robustness.classifier_dataset(classifier))["test"]],
        }
