"""Commands that need no torch do not import it (the import costs ~2 s per job).

Each case runs one real invocation of a table, figure or claims command in a fresh
interpreter, as a rule's shell line does (``--threads 1`` included), and checks that
``torch`` never entered ``sys.modules``. Seeding (every torch job) must not load
``torch._inductor`` either: ``torch.use_deterministic_algorithms`` does, for ~2 s of CPU
(:func:`advgen.seeding.seed_everything` uses the public ``torch.set_deterministic_debug_mode``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.jobs import plot_argv
from tests.unit import plots_data

REPO = Path(__file__).resolve().parents[2]
PROBE = (
    "import sys; from advgen.cli import main; rc = main(sys.argv[1:]); "
    "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH'); sys.exit(rc)"
)


def run(args: list[str], cwd: Path, probe: str = PROBE) -> str:
    """The last line a command prints after ``probe`` (default: whether torch was imported)."""
    env = dict(os.environ, PYTHONPATH=f"{REPO / 'src'}{os.pathsep}{REPO}")
    proc = subprocess.run(
        [sys.executable, "-c", probe, "--threads", "1", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.strip().splitlines()[-1]


def python_stdout(code: str, env: dict[str, str] | None = None) -> str:
    """What a fresh interpreter running ``code`` (``src`` on its path) prints."""
    env = dict(os.environ if env is None else env, PYTHONPATH=str(REPO / "src"))
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout


def attack_inputs(tmp_path: Path) -> Path:
    """An attack job's curve (every column of advgen.robustness.tables.CURVE_COLUMNS)."""
    from advgen.robustness.tables import CURVE_COLUMNS

    path = tmp_path / "curve.parquet"
    table = plots_data.attack_table()
    table = table.assign(**{c: 0.5 for c in CURVE_COLUMNS if c not in table.columns})
    table = table.assign(attack_type="FGSM", seconds=1.0, params="{}")
    table[CURVE_COLUMNS].to_parquet(path)
    return path


def masking_rows(tmp_path: Path) -> Path:
    path = tmp_path / "masking_job.parquet"
    pd.DataFrame(
        {
            "model": ["m"],
            "check": ["unbounded_eps"],
            "passed": [True],
            "value": [0.0],
            "reference": [0.0],
            "tolerance": [0.02],
            "eps": [1.0],
            "n": [10],
            "detail": ["acc 0.000 at eps 1"],
        }
    ).to_parquet(path)
    return path


def robust_features_rows(tmp_path: Path, seed: int) -> Path:
    """One robust-features job's table (every column of ROBUST_FEATURES_COLUMNS)."""
    from advgen.columns import ROBUST_FEATURES_COLUMNS

    path = tmp_path / f"seed{seed}.parquet"
    row = ["robust", "standard CNN on D_R", 60, 0.1, 0.95, 0.9, 0.3, "PGD", 0.2, seed]
    pd.DataFrame([row], columns=ROBUST_FEATURES_COLUMNS).to_parquet(path)
    return path


def claims_inputs(tmp_path: Path) -> list[str]:
    results = tmp_path / "results"
    (results / "robustness").mkdir(parents=True)
    pd.DataFrame({"classifier": ["c"], "robust_acc": [0.2]}).to_parquet(
        results / "robustness" / "attacks.parquet"
    )
    claims = tmp_path / "claims.yaml"
    for source in ("001", "003"):
        (tmp_path / f"{source}.txt").write_text("the source says q", encoding="utf-8")
    claims.write_text(
        "sources: {'001': 001.txt, '003': 003.txt}\nfamilies: {f: one claim}\n"
        "roles: {standard_cnn: a CNN}\nclaims:\n  - id: c\n    source: '001'\n    section: s\n"
        "    quote: the source says\n"
        "    statement: st\n"
        "    reading: {proposition: p, measures: m, sides: one_sided, scales: [raw], control_guards: g}\n"
        "    test: {effect: value, direction: less, margin: 0.5, margin_source: {ours: r}}\n"
        "    a: {label: acc, table: robustness/attacks.parquet, value: robust_acc, per: run}\n"
        "    control: {kind: null_input, what: none, a: {value: robust_acc + 1}}\n    family: f\n",
        encoding="utf-8",
    )
    spec = (
        '{"roles": {}, "produced": ["robustness/attacks.parquet"], "datasets": {}, "seeds": {},'
        ' "generators": [], "budgets": {}, "config": "config"}'
    )
    return [
        "claims",
        "--config",
        str(claims),
        "--results",
        str(results),
        "--spec",
        spec,
        "--html",
        str(tmp_path / "claims.html"),
        "-o",
        str(tmp_path / "claims.md"),
    ]


def example_rows(t: Path) -> Path:
    """Per-example outcomes of two attacks on one classifier (advgen attack --examples)."""
    path = t / "examples.parquet"
    pd.DataFrame(
        {
            "classifier": "c",
            "attack": ["a", "a", "b", "b"],
            "eps": 0.3,
            "example": [0, 1, 0, 1],
            "clean_correct": True,
            "adv_correct": [True, False, False, False],
        }
    ).to_parquet(path)
    return path


def manifest_rows(t: Path) -> Path:
    """A data manifest of two test examples (advgen data-manifest)."""
    path = t / "manifest.parquet"
    pd.DataFrame({"index": [0, 1], "source_index": [0, 1], "label": [3, 5], "split": "test"}).to_parquet(path)
    return path


def transfer_rows(t: Path, source: str) -> Path:
    """One ``transfer-source`` job's rows (every column of TRANSFER_COLUMNS) on targets a and b."""
    from advgen.columns import TRANSFER_COLUMNS

    path = t / f"transfer_{source}.parquet"
    rows = [(source, "fgsm", "adversarial", target, 0.2, 8, 0.5) for target in "ab"]
    pd.DataFrame(rows, columns=list(TRANSFER_COLUMNS)).to_parquet(path)
    return path


CASES = {
    "transfer": lambda t: [
        "transfer",
        "--spec",
        json.dumps({"sources": ["a", "b"]}),
        "--input",
        f"tables={transfer_rows(t, 'a')}",
        f"tables={transfer_rows(t, 'b')}",
        "--output",
        f"table={t / 'transfer.parquet'}",
    ],
    "attack-table": lambda t: [
        "attack-table",
        "--spec",
        json.dumps({"classifiers": []}),
        "--input",
        f"curves={attack_inputs(t)}",
        "--output",
        f"curves={t / 'a.parquet'}",
        f"minimal={t / 'm.parquet'}",
    ],
    "masking-table": lambda t: [
        "masking-table",
        "--spec",
        "{}",
        "--input",
        f"tables={masking_rows(t)}",
        "--output",
        f"table={t / 'mask.parquet'}",
        f"markdown={t / 'mask.md'}",
    ],
    "claims": claims_inputs,
    "findings": lambda t: [
        "findings",
        "--spec",
        json.dumps({"replicate_of": {}}),
        "--input",
        f"attacks={attack_inputs(t)}",
        "--output",
        f"rst={t / 'findings.rst'}",
        f"md={t / 'findings.md'}",
    ],
    "robust-features-table": lambda t: [
        "robust-features-table",
        "--spec",
        "{}",
        "--input",
        f"tables={robust_features_rows(t, 0)}",
        f"tables={robust_features_rows(t, 1)}",
        "--output",
        f"table={t / 'rf.parquet'}",
    ],
    "worst-case": lambda t: [
        "worst-case",
        "--spec",
        json.dumps({"attacks": ["a", "b"], "standard": None}),
        "--input",
        f"tables={example_rows(t)}",
        "--output",
        f"table={t / 'wc.parquet'}",
    ],
    "attack-success-by-class": lambda t: [
        "attack-success-by-class",
        "--spec",
        json.dumps({"datasets": {"c": "d"}, "manifests": ["d"]}),
        "--input",
        f"examples={example_rows(t)}",
        f"manifests={manifest_rows(t)}",
        "--output",
        f"table={t / 'by_class.parquet'}",
    ],
    "plot-robustness-curves": lambda t: plot_argv(
        "robustness_curves", [attack_inputs(t)], [t / "curves.png"], {"dpi": 50, "experiment": "x"}
    ),
}


@pytest.mark.parametrize("command", sorted(CASES))
def test_table_and_figure_commands_do_not_import_torch(command, tmp_path):
    assert run(CASES[command](tmp_path), tmp_path) == "NO-TORCH"


def test_help_of_every_command_does_not_import_torch(tmp_path):
    # building the parser imports every command module and runs its add_arguments
    code = "import sys; from advgen.cli import build_parser; build_parser(); print('torch' in sys.modules)"
    out = python_stdout(code)
    assert out.strip() == "False"


def test_a_torch_command_still_gets_its_thread_count(tmp_path):
    env = dict(os.environ)
    env.pop("OMP_NUM_THREADS", None)
    code = (
        "import sys, argparse; from advgen import cli; cli._limit_threads(1); import torch; "
        "print(torch.get_num_threads())"
    )
    out = python_stdout(code, env)
    assert out.strip() == "1"


def test_seeding_sets_the_deterministic_flags_without_loading_inductor():
    # torch.use_deterministic_algorithms imports torch._inductor.config (TorchDynamo): ~2 s a job;
    # torch.set_deterministic_debug_mode('warn') sets the same eager flags without it
    code = (
        "import sys, torch; from advgen.seeding import seed_everything; seed_everything(3); "
        "print(torch.are_deterministic_algorithms_enabled(), torch.is_deterministic_algorithms_warn_only_enabled(), "
        "'torch._inductor.config' in sys.modules, torch.initial_seed())"
    )
    out = python_stdout(code)
    assert out.split() == ["True", "True", "False", "3"]


def test_a_job_imports_only_its_own_command_module(tmp_path):
    # building every subparser imports all ~30 command modules (~0.1-0.2 s a job)
    from advgen.cli import command_in

    assert command_in(["--threads", "1", "attack", "--spec", "{}"]) == "attack"
    assert command_in(["-v", "plot", "--list"]) == "plot"
    assert command_in(["--version"]) is None and command_in([]) is None
    args = CASES["masking-table"](tmp_path)
    probe = PROBE.replace(
        "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH')",
        "print(sorted(m for m in sys.modules if m.startswith('advgen.commands.') "
        "and m not in ('advgen.commands._args', 'advgen.commands._files')))",
    )
    # a job kind's subcommand is the one generated module (advgen.commands._jobkind)
    assert run(args, tmp_path, probe) == "['advgen.commands._jobkind']"
