"""Write the tables of ``invert``, ``interpolate``, ``inpaint`` and ``sample-quality`` on tiny
seeded inputs, or compare two such folders.

The refactor that made these commands thin must not change their outputs: run
``write`` with the old and the new ``src`` on ``PYTHONPATH`` and ``compare`` the folders
(``tests/unit/test_command_outputs.py`` compares the current code against the Parquets in
``tests/data/command_outputs/``, written by the code before the refactor; ``inpaint.parquet``
was rewritten once when the inpainting sweep gained its ``method`` axis: a new
``method`` column and the point id that hashes it changed, every number stayed equal; the
sweep tables' ``point`` column was rewritten once more when the sweeps became one job per
(sweep, generator): it names the point by its label instead of a hash, every
other column stayed equal; ``invert_final.parquet`` was rewritten once more when the inversion
table gained ``independent_start_mse``, every other column stayed equal; ``invert_final.parquet``
and ``interpolate_paths.parquet`` were rewritten once more when the inversion table gained
``pred_other``, ``initial_mse`` and ``ink_*`` and the interpolation table ``third_class_blend``,
``endpoint_mse`` and ``end_approach*``, the claims' controls; the sample-quality tables were
rewritten once when they gained the quality gate's ``roles``, ``gate`` and ``gate_failures``
columns (the generator's row with a bar): every other column stayed equal; ``invert_final.parquet``
was rewritten once more when the controls' "other digit" became a seeded draw of another class
(``other_image``, ``pred_other``, ``ink_other`` and a second draw's ``ink_other2``; was the next
image, often of the same class in a class-sorted split): every other column stayed equal);
``interpolate_paths.parquet`` and ``inpaint.parquet`` gained ``pair_l2`` / ``similar_pair`` and
``hidden_ink`` / ``mask_row`` / ``mask_col``, the new columns copied in beside the golden's
unchanged ones; ``interpolate_paths.parquet`` gained ``endpoint_mse_other`` the same way).

    python tests/golden/command_outputs.py write OUT_DIR
    python tests/golden/command_outputs.py compare DIR_A DIR_B
"""

from __future__ import annotations

import sys
from pathlib import Path

SIDE, Z, CLASSES = 16, 6, 3
TABLES = (
    "invert_final.parquet",
    "invert_steps.parquet",
    "interpolate_paths.parquet",
    "interpolate_frames.parquet",
    "inpaint.parquet",
    "sample_quality_gan.parquet",
    "sample_quality_real.parquet",
)


def blob_split(n: int, seed: int):
    """``n`` images of ``CLASSES`` bands (class c lights rows 5c..5c+4), noise, in [0, 1]."""
    import torch

    from advgen.data.split import Split

    gen = torch.Generator().manual_seed(seed)
    labels = torch.arange(n) % CLASSES
    images = 0.1 * torch.rand(n, 1, SIDE, SIDE, generator=gen)
    for c in range(CLASSES):
        images[labels == c, :, 5 * c : 5 * c + 5, :] += 0.8
    return Split(images.clamp(0, 1), labels, torch.arange(n))


# a tiny sweep's settings: of an inversion or inpainting point, and of an interpolation
TINY_POINTS = {"classifier": "c", "num_images": 4, "steps": 6}
TINY_INTERPOLATION = {"classifier": "c", "num_pairs": 3, "num_alphas": 5, "steps": 4, "restarts": 2}


def blob_sweep_plan(sweeps: dict):
    """The grid (:func:`advgen.sweeps.grid.of`) of the config section ``sweeps`` (validated, its
    defaults filled) over :func:`make_inputs`'s runs: GAN ``g``, autoencoder ``ae``, classifier ``c``."""
    from advgen.config import validate_config
    from advgen.sweeps.grid import of as grid_of

    config = {
        "seed": 0,
        "sweeps": validate_config({"sweeps": sweeps})["sweeps"],
        "gans": {"g": {"dataset": "blobs"}},
        "autoencoders": {"ae": {"dataset": "blobs"}},
        "classifiers": {"c": {"dataset": "blobs"}},
    }
    return grid_of(config)


def make_inputs(root: Path) -> dict[str, Path]:
    """Tiny seeded inputs in ``root``: train/test splits, a GAN, an autoencoder, a classifier."""
    import torch

    from advgen.checkpoints import save_torch
    from advgen.classifiers.checkpoint import checkpoint_dict, save_classifier
    from advgen.classifiers.zoo import build_classifier
    from advgen.data.prepared import save_prepared
    from advgen.models.registry import build_autoencoder, build_generator

    paths = {
        k: root / v
        for k, v in {
            "train": "train.pt",
            "test": "test.pt",
            "gan": "gan.pt",
            "ae": "ae.pt",
            "classifier": "clf.pt",
        }.items()
    }
    for name, n, seed in (("train", 30, 0), ("test", 24, 1)):
        save_prepared(
            blob_split(n, seed), paths[name], dataset="blobs", name=name, num_classes=CLASSES, spec={}
        )
    torch.manual_seed(0)
    shape = [1, SIDE, SIDE]
    g = build_generator("mlp_small", Z, shape, None)
    save_torch(
        {
            "kind": "gan",
            "generator": {"arch": "mlp_small", "kwargs": {}, "z_dim": Z, "image_shape": shape},
            "G": g.state_dict(),
        },
        paths["gan"],
    )
    ae = build_autoencoder("conv", shape, Z, {"width": 4})
    save_torch(
        {
            "kind": "autoencoder",
            "model": {"arch": "conv", "kwargs": {"width": 4}, "z_dim": Z, "image_shape": shape},
            "state": ae.state_dict(),
        },
        paths["ae"],
    )
    clf = build_classifier("fc10", shape, CLASSES)
    kwargs = {"in_shape": shape, "num_classes": CLASSES, "width": 1.0}
    save_classifier(
        paths["classifier"],
        checkpoint_dict(clf, name="c", arch="fc10", arch_kwargs=kwargs, config={}, epoch=1, rng=None),
    )
    return paths


def write(out: Path) -> None:
    """Run the four commands on tiny inputs; their tables land in ``out``."""
    import torch

    from advgen.cli import main as advgen
    from advgen.config import spec_json

    torch.set_num_threads(1)
    out.mkdir(parents=True, exist_ok=True)
    work = out / "work"
    work.mkdir(exist_ok=True)
    files = make_inputs(work)
    sweeps = {
        "inversion": {"generators": ["ae"], **TINY_POINTS, "restarts": 3, "init": "encoder"},
        "inpainting": {"generators": ["g"], **TINY_POINTS, "restarts": 2, "mask": "pepper"},
        "interpolation": {"generators": ["g"], **TINY_INTERPOLATION},
    }
    sweep_plan = blob_sweep_plan(sweeps)

    def run(*argv) -> None:
        if advgen(["--threads", "1", *map(str, argv)]) != 0:
            raise SystemExit(f"advgen {argv[0]} failed")

    def job(sweep: str) -> str:
        """A sweep job's spec: its one grid point."""
        (point,) = sweep_plan.points(sweep)
        return spec_json(point.spec("cpu"))

    def files_args(inputs: dict, outputs: dict) -> list:
        """``--input NAME=PATH ... --output NAME=PATH ...`` (a name may map to a list)."""

        def pairs(named: dict) -> list[str]:
            return [f"{k}={p}" for k, v in named.items() for p in (v if isinstance(v, list) else [v])]

        return ["--input", *pairs(inputs), "--output", *pairs(outputs)]

    common = {"classifier": files["classifier"], "images": files["test"]}
    run(
        "invert",
        "--spec",
        job("inversion"),
        *files_args(
            {"generator": files["ae"], **common},
            {
                "final": out / TABLES[0],
                "steps": out / TABLES[1],
                "latents": work / "z.pt",
                "figure": work / "inversion.png",
            },
        ),
    )
    run(
        "interpolate",
        "--spec",
        job("interpolation"),
        *files_args(
            {"generator": files["gan"], **common},
            {"paths": out / TABLES[2], "frames": out / TABLES[3], "figure": work / "strips.png"},
        ),
    )
    run(
        "inpaint",
        "--spec",
        job("inpainting"),
        *files_args(
            {"generator": files["gan"], **common}, {"table": out / TABLES[4], "figure": work / "inpaint.png"}
        ),
    )
    from advgen.gan.spec import complete_spec

    settings = complete_spec(
        {"classifier": "c", "n_samples": 40, "batch_size": 16, "seed": 3}, "sample_quality"
    )
    (work / "status.json").write_text("{}\n")  # a run's info with no status: as none given
    for source, table in (("model", TABLES[5]), ("real", TABLES[6])):
        # the quality gate: one bar met (modes), one missed (FID), on the generator's row
        bars = {"bars": {"some_gan": {"fid": 0.01, "modes": 1}}} if source == "model" else {}
        row = {"name": "x", "dataset": "blobs", "classifier_name": "c", "real": source == "real", **bars}
        quality = spec_json({"settings": settings, "rows": [row], "device": "cpu"})
        inputs = {"classifiers": files["classifier"], "references": files["train"]}
        if source == "model":
            inputs.update(models=files["gan"], infos=work / "status.json")
            outputs = {"summary": out / table}
        else:
            inputs.update(reals=files["test"])
            outputs = {"summary": out / table, "grids": work / "real.png"}
        run("sample-quality", "--spec", quality, *files_args(inputs, outputs))


def compare(a: Path, b: Path, *, rtol: float = 0.0) -> list[str]:
    """Names of the tables that differ between folders ``a`` and ``b`` (with a reason)."""
    import pandas as pd

    problems = []
    for name in TABLES:
        left, right = pd.read_parquet(a / name), pd.read_parquet(b / name)
        try:
            pd.testing.assert_frame_equal(left, right, check_exact=rtol == 0.0, rtol=rtol or 1e-5)
        except AssertionError as exc:
            problems.append(f"{name}: {str(exc).splitlines()[0]}")
    return problems


if __name__ == "__main__":
    if sys.argv[1:2] == ["write"] and len(sys.argv) == 3:
        write(Path(sys.argv[2]))
    elif sys.argv[1:2] == ["compare"] and len(sys.argv) == 4:
        bad = compare(Path(sys.argv[2]), Path(sys.argv[3]))
        print("\n".join(bad) or f"all {len(TABLES)} tables equal")
        sys.exit(1 if bad else 0)
    else:
        sys.exit(__doc__)
