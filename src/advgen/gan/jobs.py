"""The ``train_gan`` job (a job kind of :mod:`advgen.pipeline.jobkinds_generative`): train or
resume one GAN run and write its checkpoint, losses, sample grids and status.

The resume folder is a state output (``--output resume=PATH``: written every epoch, deleted
once the declared outputs are written); ``$ADVGEN_STOP_AFTER_EPOCHS`` simulates a preemption
(:func:`advgen.training.resume.stop_after_epochs`). torch is imported inside the function.
"""

from __future__ import annotations

from pathlib import Path

from advgen.gan.spec import GanJobSpec, GanSeedsJobSpec
from advgen.jobfiles import Files
from advgen.stacked_bundle import bundle_layouts, remove_empty


def train_gan_job(inputs: Files, outputs: Files, spec: GanJobSpec) -> None:
    """Train ``spec.gan`` on input ``train``; outputs ``checkpoint``, ``losses``, ``samples`` (a
    folder of fixed-noise grids), ``status`` and the state output ``resume``."""
    from advgen.gan.runner import GanOutputs, train_gan
    from advgen.jobs import start_job
    from advgen.training.resume import stop_after_epochs

    with start_job(spec.gan, device=spec.device, seed=False) as device:
        files = GanOutputs(
            *(Path(outputs.one(name)) for name in ("checkpoint", "losses", "samples", "status", "resume"))
        )
        train_gan(
            spec.gan, inputs.one("train"), files, device=device, stop_after_epochs=stop_after_epochs(None)
        )


def train_gan_seeds_job(inputs: Files, outputs: Files, spec: GanSeedsJobSpec) -> None:
    """Train the seeds of one GAN entry as one stacked model on input ``train``
    (:func:`advgen.gan.replicates.train_gan_replicates`); output ``bundle``: each run's outputs in
    ``<bundle>/<run>/`` (:mod:`advgen.stacked_bundle`), state output ``resume``: the stacked resume
    state and each run's per-epoch grids, in ``<resume>/<run>/``."""
    from advgen.gan.replicates import train_gan_replicates
    from advgen.gan.runner import GanOutputs
    from advgen.jobs import start_job
    from advgen.training.resume import stop_after_epochs

    files, resume = bundle_layouts(GanOutputs, outputs, spec.runs)
    with start_job(spec.gan, device=spec.device, seed=False) as device:
        train_gan_replicates(
            spec.gan,
            spec.seeds,
            inputs.one("train"),
            files,
            device=device,
            mode="stacked",
            stop_after_epochs=stop_after_epochs(None),
        )
    remove_empty(resume)
