"""Which seeds train stacked: one job per model entry on a GPU, one job per seed on a CPU.

An entry with seeds (``replicates: N`` or ``seeds: [...]``, :mod:`advgen.replicates`) becomes N
runs, and each run is a ``train_gan`` / ``train_ae`` / ``train_classifier`` job. On a GPU those
jobs wait on their Python process, data loading and small kernels; the library trains the seeds
of one spec as one stacked model (:mod:`advgen.training.stacked`: ``torch.func.vmap`` over the
stacked parameters). Where the study stacks, an entry's runs are one job of the *family's*
stacked kind (``train_gan_seeds``, ``train_ae_seeds``, ``train_classifier_seeds``), which writes
each seed's outputs into its bundle (``results/stacked/<section>/<entry>/<run>/``, the run
folder's layout); a local ``collect_*_seed`` job per run copies them to exactly the paths the
per-seed job writes, so every downstream job, its inputs and the report stay as they are.

The config's top-level ``stack_seeds`` says where: ``always`` / ``never`` force it; ``auto`` (the
default) stacks when the study's device resolves to CUDA on the host that builds the DAG
(``device: cuda``, or ``auto`` with an NVIDIA GPU visible: :func:`cuda_visible`, torch-free);
stacking is slower on a CPU (:mod:`advgen.training.stacked`), so a CPU keeps the per-seed jobs.
The first parse exports its decision as ``$ADVGEN_STACK_SEEDS`` (:func:`export_decision`), which
``auto`` reads first: the jobs a cluster runs (each re-parses the workflow, on a node that may
see a GPU the login node does not) agree with the DAG the submitting Snakemake built.

Only an entry of two or more runs whose training has a stacked form stacks (:func:`stackable`):
a GAN without DiffAugment, R1 or second-order unrolling (spectral norm and the speed levers stack:
bfloat16 autocast under its casts made explicit, :mod:`advgen.training.explicit_autocast`), any
autoencoder, a classifier whose mode stacks (standard, FGSM, PGD). The
robustness sweeps repeat each point on every run of their base classifier
(:mod:`advgen.robustness.plan`): the points of one mode and grid value whose specs differ only in
their seed stack as well, under the first seed's point name (Madry et al.'s capacity sweep: one
PGD job per width instead of one per width and seed); a point that is a configured run (width 1
of its own mode) trains with that run.
Torch-free: the Snakefile reads it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advgen.errors import ConfigError

if TYPE_CHECKING:
    from advgen.pipeline.study import Study
    from advgen.robustness.plan import RobustnessConfig

#: the environment variable holding the decision of the first parse ("1" or "0")
STACK_ENV = "ADVGEN_STACK_SEEDS"
#: the values of the config's ``stack_seeds``
SETTINGS = ("auto", "always", "never")


@dataclass(frozen=True)
class Family:
    """A model section's job kinds: the per-seed kind, its wildcard, and the stacked and collect kinds."""

    section: str
    wildcard: str
    per_seed: str
    stacked: str
    collect: str


FAMILIES: tuple[Family, ...] = (
    Family("gans", "gan", "train_gan", "train_gan_seeds", "collect_gan_seed"),
    Family("autoencoders", "ae", "train_ae", "train_ae_seeds", "collect_ae_seed"),
    Family(
        "classifiers", "classifier", "train_classifier", "train_classifier_seeds", "collect_classifier_seed"
    ),
)
BY_SECTION = {f.section: f for f in FAMILIES}


def cuda_visible(
    environ: Mapping[str, str] | None = None,
    proc: str | Path = "/proc/driver/nvidia/gpus",
    dev: str | Path = "/dev",
) -> bool:
    """Whether this host shows an NVIDIA GPU to its processes, without importing torch: the
    driver lists a GPU under ``proc`` or a device file ``nvidia<N>`` is under ``dev`` (a
    container given GPUs), and ``CUDA_VISIBLE_DEVICES`` does not hide every one."""
    env = os.environ if environ is None else environ
    visible = env.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and not [v for v in visible.split(",") if v.strip() and v.strip() != "-1"]:
        return False
    listed = Path(proc)
    if listed.is_dir() and any(listed.iterdir()):
        return True
    return any(p.name[len("nvidia") :].isdigit() for p in Path(dev).glob("nvidia*"))


def decide(setting: str, device: str, environ: Mapping[str, str] | None = None) -> bool:
    """Whether the study stacks its seeds (module docstring): ``setting`` is the config's
    ``stack_seeds``, ``device`` its ``device`` (``$ADVGEN_DEVICE`` overrides ``auto``, as a job's
    lease does: :func:`advgen.device.lease_device`)."""
    env = os.environ if environ is None else environ
    if setting not in SETTINGS:
        raise ConfigError(f"stack_seeds: expected one of {', '.join(SETTINGS)}, got {setting!r}")
    if setting != "auto":
        return setting == "always"
    exported = env.get(STACK_ENV)
    if exported in ("0", "1"):
        return exported == "1"
    if device == "auto":
        device = env.get("ADVGEN_DEVICE", "auto")
    if device == "cuda":
        return True
    return device == "auto" and cuda_visible(env)


def export_decision(stacks: bool, environ: dict[str, str] | None = None) -> None:
    """Record the first parse's decision for the jobs it starts (module docstring); a decision
    already exported is kept."""
    env: Any = os.environ if environ is None else environ
    env.setdefault(STACK_ENV, "1" if stacks else "0")


def stackable(section: str, spec: Any) -> bool:
    """Whether the runs of ``spec`` (a run of ``section``) have a stacked form in the library
    (the checks :mod:`advgen.gan.replicates`, :mod:`advgen.ae.replicates` and
    :mod:`advgen.classifiers.replicates` make)."""
    if section == "classifiers":
        from advgen.classifiers.modes import STACKED_MODES

        return bool(spec.mode in STACKED_MODES)
    if section == "autoencoders":
        return True
    second_order = spec.unroll_k > 0 and spec.unroll_order != "first"
    return bool(spec.recipe.stacks) and not second_order


class Stacking:
    """The study's stacked entries: per section, entry -> its runs in seed order (``sweeps``: the
    robustness plan whose sweep points stack too, :meth:`_sweep_points`)."""

    def __init__(
        self,
        study: Study,
        environ: Mapping[str, str] | None = None,
        sweeps: RobustnessConfig | None = None,
    ) -> None:
        self.on = decide(study.stack_seeds, study.device, environ)
        self.groups: dict[str, dict[str, tuple[str, ...]]] = {f.section: {} for f in FAMILIES}
        if not self.on:
            return
        from advgen.pipeline.study import runs_of

        entries = runs_of(study)  # entry -> its runs (and names of single runs, not used here)
        for family in FAMILIES:
            specs: dict[str, Any] = getattr(study, family.section)
            for entry in sorted(set(study.replicate_of.values()) & set(specs)):
                ordered = tuple(sorted(entries[entry], key=lambda r: specs[r].seed))
                if len(ordered) > 1 and stackable(family.section, specs[ordered[0]]):
                    self.groups[family.section][entry] = ordered
        if sweeps is not None:
            self._sweep_points(sweeps, set(study.classifiers))

    def _sweep_points(self, sweeps: RobustnessConfig, configured: set[str]) -> None:
        """Group each sweep's points by (mode, grid value): two or more points whose specs differ
        only in their seed and have a stacked form are one stacked entry, named by the first
        seed's point. Configured runs and points another group already trains are left out."""
        groups = self.groups["classifiers"]
        taken = set(configured) | set(self.runs("classifiers"))
        for sweep in sweeps.sweep_names():
            by_point: dict[tuple[str, float], dict[str, Any]] = {}
            for point in sweeps.sweep_points(sweep):
                if point.classifier not in taken:
                    by_point.setdefault((point.mode, point.value), {})[point.classifier] = point.spec
            for points in by_point.values():
                ordered = tuple(sorted(points, key=lambda name: points[name].seed))
                first = points[ordered[0]]
                same = all(dataclasses.replace(points[n], seed=first.seed) == first for n in ordered)
                if len(ordered) > 1 and same and stackable("classifiers", first):
                    groups[ordered[0]] = ordered
                    taken.update(ordered)

    def entries(self, section: str) -> dict[str, tuple[str, ...]]:
        """Entry -> runs of the stacked entries of ``section``."""
        return self.groups[section]

    def runs(self, section: str) -> dict[str, str]:
        """Run -> its entry, for every run of ``section`` a stacked job trains."""
        return {run: entry for entry, runs in self.groups[section].items() for run in runs}

    def constraint(self, family: Family, default: str, kind: str) -> str:
        """The constraint of the family's wildcard in ``kind``'s rule (``default``: the kind's own
        regex): the per-seed kind leaves the stacked runs out, the collect kind takes only them (a
        regex that matches nothing when none)."""
        stacked = sorted(self.runs(family.section))
        alternatives = "|".join(stacked)
        end = "(?![A-Za-z0-9_])"  # a whole name, whatever follows it in the path
        if kind == family.collect:
            return f"(?:{alternatives}){end}" if stacked else "(?!)"
        return f"(?!(?:{alternatives}){end}){default}" if stacked else default
