"""The transfer matrix as one job per source model (``transfer_source``) and a table job
(``transfer``): a source's rows do not depend on the sources computed before it, the plan's
jobs, inputs and specs on the tiny robustness config, and the table's order and checks."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
import torch

from advgen import paths
from advgen.cli import main as cli_main
from advgen.columns import TRANSFER_COLUMNS
from advgen.io import write_parquet
from advgen.pipeline import build
from advgen.pipeline.base import splits
from advgen.pipeline.jobkinds import BY_NAME
from advgen.robustness.spec import AttackSpec, TransferSourceSpec, TransferTableSpec
from advgen.robustness.transfer import source_rows, transfer_matrix
from advgen.robustness.transfer_table import gather, groups
from advgen.specs import typed_spec
from tests.jobs import job_argv
from tests.unit.test_pipeline import config
from tests.unit.test_robustness_tables import FGSM_SPEC, PGD_SPEC, X, Y, models

ATTACKS = {
    "fgsm": FGSM_SPEC,
    "pgd": PGD_SPEC,  # a random start from the attack's own seeded generator
    "lbfgs": AttackSpec("LBFGS", {"search_steps": 2, "steps": 5}, 0),
}


@pytest.mark.usefixtures("one_thread")
def test_a_sources_rows_do_not_depend_on_the_sources_before_it() -> None:
    """Each source's rows computed alone, the global RNG moved in between and sources in reverse
    order, gathered: the matrix of one pass over every source, equal to the last bit."""
    zoo = models()
    matrix = transfer_matrix(zoo, X, Y, ATTACKS, 0.3, batch_size=16, noise_seed=4)
    alone = {}
    for i, source in enumerate(sorted(zoo, reverse=True)):
        torch.manual_seed(100 + i)
        torch.rand(7)
        alone[source] = source_rows(zoo, source, X, Y, ATTACKS, 0.3, batch_size=16, noise_seed=4)
        assert set(alone[source]["source"]) == {source}
    pd.testing.assert_frame_equal(gather(alone), matrix)
    assert list(matrix.columns) == list(TRANSFER_COLUMNS) and len(matrix) == 3 * 3 * 3 * 3


def test_groups_and_gather_within_a_key() -> None:
    """``within``: one matrix per value (sorted), names sorted in each; other keys annotated."""
    meta = {"b1": {"seed": 1, "width": 2.0}, "a1": {"seed": 1, "width": 1.0}, "z0": {"seed": 0, "width": 1.0}}
    assert groups(list(meta), meta, "seed") == [(0, ["z0"]), (1, ["a1", "b1"])]

    def rows(source: str, targets: list[str]) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "source": source,
                    "attack": "fgsm",
                    "kind": "adversarial",
                    "target": t,
                    "eps": 0.2,
                    "n": 4,
                    "error": 0.5,
                }
                for t in targets
            ]
        )

    tables = {"a1": rows("a1", ["a1", "b1"]), "b1": rows("b1", ["a1", "b1"]), "z0": rows("z0", ["z0"])}
    table = gather(tables, meta, "seed")
    assert list(table["source"]) == ["z0", "a1", "a1", "b1", "b1"]
    assert list(table["seed"]) == [0, 1, 1, 1, 1] and table["seed"].dtype == "int64"
    assert list(table["target_width"]) == [1.0, 1.0, 2.0, 1.0, 2.0]
    assert "source_seed" not in table.columns
    plain = gather(tables)
    assert list(plain["source"]) == ["a1", "a1", "b1", "b1", "z0"] and list(plain.columns) == list(
        TRANSFER_COLUMNS
    )


def test_the_transfer_kinds_on_the_tiny_robustness_config() -> None:
    """One GPU job per source (name order, logged by its name), every model and the test split
    in, its spec the source and the matrix's settings; the table job reads their tables in the
    same order, needs no GPU, and only its output is a target."""
    cfg = config("robustness")
    pipe = build(cfg)
    settings = cfg["robustness"]["transfer"]
    names = sorted(settings["classifiers"])
    source, table = BY_NAME["transfer_source"], BY_NAME["transfer"]
    assert source.log == "logs/transfer_source/{source}.log" and source.resources == {"gpu": 1}
    assert not table.resources and table.spec_type is TransferTableSpec
    each = source.each(pipe)
    assert each == [{"source": name} for name in names]
    dataset = pipe.robustness.classifier_dataset(names[0])
    for values in each:
        wildcards = SimpleNamespace(**values)
        assert pipe.jobs.input_function(source)(wildcards) == {
            "models": [paths.fill(paths.CLASSIFIER_MODEL, classifier=n) for n in names],
            "test": [splits(dataset)["test"]],
        }
        spec = typed_spec(TransferSourceSpec, json.loads(pipe.jobs.spec_function(source)(wildcards)))
        assert spec == source.spec(pipe, values)
        assert (spec.source, spec.targets, spec.eps) == (values["source"], tuple(names), settings["eps"])
        assert (
            sorted(spec.attacks) == sorted(settings["attacks"]) and spec.noise_seed == settings["noise_seed"]
        )
    tables = [paths.fill(paths.TRANSFER_SOURCE, source=n) for n in names]
    assert pipe.jobs.input_function(table)(SimpleNamespace()) == {"tables": tables}
    assert json.loads(pipe.jobs.spec_function(table)(SimpleNamespace())) == {"sources": names}
    assert paths.TRANSFER in pipe.targets() and not set(tables) & set(pipe.targets())
    del cfg["robustness"]["transfer"]
    assert not source.each(build(cfg)) and not table.each(build(cfg))


def source_table(source: str, targets: str, error: float) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "source": source,
                "attack": a,
                "kind": "adversarial",
                "target": t,
                "eps": 0.2,
                "n": 8,
                "error": error,
            }
            for a in ("fgsm", "pgd")
            for t in targets
        ],
        columns=list(TRANSFER_COLUMNS),
    )


def test_the_table_concatenates_the_sources_in_name_order(tmp_path: Path, capsys) -> None:
    """``advgen transfer``: the sources' tables one after the other in name order (extra
    columns dropped); a table missing, or of another source, is one line and no output."""
    frames = {s: source_table(s, "abc", e) for s, e in (("a", 0.1), ("b", 0.2), ("c", 0.3))}
    frames["b"]["extra"] = 1
    files = {}
    for name, frame in frames.items():
        files[name] = tmp_path / f"{name}.parquet"
        write_parquet(frame, files[name])
    out = tmp_path / "transfer.parquet"

    def argv(sources: list[str], tables: list[Path]) -> list[str]:
        return job_argv("transfer", {"sources": sources}, {"tables": tables}, {"table": out})

    assert cli_main(argv(["a", "b", "c"], [files[n] for n in "abc"])) == 0
    table = pd.read_parquet(out)
    expected = pd.concat([frames[n][list(TRANSFER_COLUMNS)] for n in "abc"], ignore_index=True)
    pd.testing.assert_frame_equal(table, expected)
    assert list(table["source"].drop_duplicates()) == ["a", "b", "c"]
    out.unlink()
    for sources, tables, message in (
        (["a", "b", "c"], [files["a"], files["b"]], "--input: 2 tables=PATH for 3 in the spec (a, b, c)"),
        (
            ["a", "b", "c"],
            [files[n] for n in "acb"],
            f"{files['c']}: expected the rows of source 'b', found 'c'",
        ),
        (["a", "b"], [files["a"], files["b"]], f"{files['a']}: target(s) c are not sources of the matrix"),
    ):
        assert cli_main(argv(sources, tables)) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and message in err, err
        assert not out.exists()
