"""Run the tiny `.test` workflows end to end, and compare two such result folders.

The proof that a refactor of the pipeline layer changed no output:

    python tests/compare_outputs.py run --repo /path/to/checkout --out /tmp/before
    python tests/compare_outputs.py run --repo . --out /tmp/after
    python tests/compare_outputs.py compare /tmp/before /tmp/after

`run` copies the workflow of ``--repo`` (Snakefile, workflow/, config/, profiles/, .test/)
into ``OUT/<config>/`` for each tiny config and runs Snakemake there with ``--repo``'s
``src/`` on ``PYTHONPATH``. `compare` then checks, config by config:

- every Parquet file is in both folders and equal (``pandas.testing.assert_frame_equal``);
- every checkpoint (``*.pt``) is in both and equal (``torch.load``; tensors compared exactly);
- except wall-clock columns and keys (``seconds``, ``*_seconds``), which no two runs share,
  and provenance records (a checkpoint's ``provenance`` key, a Parquet file's key-value
  metadata: the code and spec digests of :mod:`advgen.provenance`), which differ whenever
  the code does;
- every figure (``results/figures/**.png``/``.svg``) has a byte-identical twin in the other
  folder: figures may differ in NAME only (a file is matched by its content, and the pairing
  of old and new names is printed). Figures that draw wall-clock time (:data:`TIMING_FIGURES`)
  only need to exist under the same name.

Exit status 0 when everything matches, 1 otherwise (each difference on one line).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

#: together these exercise every stage (data, generative + sample quality, robustness with
#: transfer and capacity/data-size sweeps, plots, generator sweeps, defense)
CONFIGS = ("plots", "robustness", "sweeps", "defense")
WORKFLOW_FILES = ("Snakefile", "workflow", "config", "profiles", ".test", "docs/sources")
FIGURE_SUFFIXES = (".png", ".svg")


#: figures that draw wall-clock measurements: compared by presence (same name), not bytes
TIMING_FIGURES = ("defense/purify_cost",)


def is_timing(name: object) -> bool:
    """Wall-clock measurements (a name with the word ``seconds``: ``seconds``,
    ``attack_seconds_per_image``): they differ
    between any two runs of the same code."""
    return isinstance(name, str) and "seconds" in name.split("_")


#: checkpoint keys that record which code made the file (advgen.provenance.CHECKPOINT_KEY)
PROVENANCE_KEYS = ("provenance",)


def _ignored(key: object) -> bool:
    return is_timing(key) or key in PROVENANCE_KEYS


def _timing_figure(rel: str) -> bool:
    return any(f"figures/{stem}." in rel for stem in TIMING_FIGURES)


def run(repo: Path, out: Path, configs: Sequence[str], cores: int = 1) -> None:
    """Copy ``repo``'s workflow to ``out/<config>`` and run every target of each config."""
    env = dict(os.environ)
    env["PYTHONPATH"] = f"{repo / 'src'}{os.pathsep}{env.get('PYTHONPATH', '')}"
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("MKL_NUM_THREADS", "1")
    env.setdefault("ADVGEN_GPU_LOCK_DIR", str(out / ".locks"))
    for name in configs:
        dest = out / name
        dest.mkdir(parents=True, exist_ok=True)
        for item in WORKFLOW_FILES:
            src = repo / item
            if src.is_dir():
                shutil.copytree(src, dest / item, dirs_exist_ok=True)
            elif src.exists():
                shutil.copy2(src, dest / item)
        cmd = [
            sys.executable,
            "-m",
            "snakemake",
            "--cores",
            str(cores),
            "--configfile",
            f".test/config/{name}.yaml",
        ]
        print(f"[{name}] {' '.join(cmd)}", flush=True)
        proc = subprocess.run(cmd, cwd=dest, env=env, capture_output=True, text=True)
        (dest / "snakemake.log").write_text(proc.stdout + proc.stderr)
        if proc.returncode != 0:
            sys.exit(f"[{name}] snakemake failed ({proc.returncode}); see {dest / 'snakemake.log'}")


def _files(root: Path, suffixes: tuple[str, ...]) -> dict[str, Path]:
    results = root / "results"
    return {
        str(p.relative_to(root)): p
        for p in sorted(results.rglob("*"))
        if p.is_file() and p.suffix in suffixes and "benchmarks" not in p.parts
    }


def _equal_objects(a: Any, b: Any, where: str) -> list[str]:
    import torch

    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
            return [f"{where}: tensor vs {type(b).__name__}"]
        if a.dtype != b.dtype or a.shape != b.shape or not torch.equal(a, b):
            return [f"{where}: tensors differ"]
        return []
    if isinstance(a, dict) and isinstance(b, dict):
        a_keys = {k for k in a if k not in PROVENANCE_KEYS}
        b_keys = {k for k in b if k not in PROVENANCE_KEYS}
        if a_keys != b_keys:
            return [f"{where}: keys differ: {sorted(map(str, a_keys ^ b_keys))}"]
        return [d for k in a_keys if not _ignored(k) for d in _equal_objects(a[k], b[k], f"{where}.{k}")]
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        if len(a) != len(b):
            return [f"{where}: lengths differ"]
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in _equal_objects(x, y, f"{where}[{i}]")
        ]
    import numpy as np

    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        same = isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype
        return [] if same and np.array_equal(a, b) else [f"{where}: arrays differ"]
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:
        return []  # both NaN
    return [] if type(a) is type(b) and a == b else [f"{where}: {a!r} != {b!r}"]


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compare(before: Path, after: Path) -> list[str]:
    """Differences between two `run` folders (empty: equal)."""
    import pandas as pd
    import torch

    problems: list[str] = []
    configs = sorted(p.name for p in before.iterdir() if (p / "results").is_dir())
    for name in configs:
        a_root, b_root = before / name, after / name
        for suffix, label in ((".parquet", "Parquet"), (".pt", "checkpoint")):
            a_files, b_files = _files(a_root, (suffix,)), _files(b_root, (suffix,))
            for rel in sorted(set(a_files) ^ set(b_files)):
                side = "after" if rel in a_files else "before"
                problems.append(f"[{name}] {rel}: {label} missing {side}")
            for rel in sorted(set(a_files) & set(b_files)):
                if suffix == ".parquet":
                    try:
                        a_df, b_df = pd.read_parquet(a_files[rel]), pd.read_parquet(b_files[rel])
                        timing = [c for c in a_df.columns if is_timing(c)]
                        pd.testing.assert_frame_equal(
                            a_df.drop(columns=timing), b_df.drop(columns=timing, errors="ignore")
                        )
                    except AssertionError as exc:
                        problems.append(f"[{name}] {rel}: {str(exc).splitlines()[0]}")
                else:
                    a = torch.load(a_files[rel], map_location="cpu", weights_only=False)
                    b = torch.load(b_files[rel], map_location="cpu", weights_only=False)
                    problems += [f"[{name}] {rel}: {d}" for d in _equal_objects(a, b, "checkpoint")]
            print(f"[{name}] {label}s compared: {len(set(a_files) & set(b_files))}")
        a_all = {rel: p for rel, p in _files(a_root, FIGURE_SUFFIXES).items() if "figures" in rel}
        b_all = {rel: p for rel, p in _files(b_root, FIGURE_SUFFIXES).items() if "figures" in rel}
        for rel in sorted({r for r in a_all if _timing_figure(r)} ^ {r for r in b_all if _timing_figure(r)}):
            problems.append(f"[{name}] {rel}: timing figure missing on one side")
        a_figs = {_digest(p): rel for rel, p in a_all.items() if not _timing_figure(rel)}
        b_figs = {_digest(p): rel for rel, p in b_all.items() if not _timing_figure(rel)}
        a_count = sum(1 for rel in a_all if not _timing_figure(rel))
        if len(a_figs) != a_count:
            problems.append(f"[{name}] two figures before are byte-identical: cannot pair them by content")
        renamed = 0
        for digest, rel in sorted(a_figs.items(), key=lambda item: item[1]):
            if digest not in b_figs:
                problems.append(f"[{name}] {rel}: no byte-identical figure after")
            elif b_figs[digest] != rel:
                renamed += 1
                print(f"[{name}] renamed: {rel} -> {b_figs[digest]}")
        for digest, rel in sorted(b_figs.items(), key=lambda item: item[1]):
            if digest not in a_figs:
                problems.append(f"[{name}] {rel}: figure after has no twin before")
        print(f"[{name}] figures compared: {len(a_figs)} ({renamed} renamed)")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="run the tiny configs end to end into OUT/<config>/")
    run_p.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1])
    run_p.add_argument("--out", type=Path, required=True)
    run_p.add_argument("--configs", nargs="+", default=list(CONFIGS))
    run_p.add_argument("--cores", type=int, default=1)
    cmp_p = sub.add_parser("compare", help="compare two `run` folders")
    cmp_p.add_argument("before", type=Path)
    cmp_p.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "run":
        run(args.repo.resolve(), args.out.resolve(), args.configs, args.cores)
        return 0
    problems = compare(args.before, args.after)
    for line in problems:
        print(f"DIFFERENT: {line}")
    print("outputs equal" if not problems else f"{len(problems)} difference(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
