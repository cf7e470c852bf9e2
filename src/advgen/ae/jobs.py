"""The ``train_ae`` job (a job kind of :mod:`advgen.pipeline.jobkinds_generative`): train or
resume one autoencoder run and write its checkpoint, losses, latent CDFs, grids and metrics.

The resume folder is a state output (``--output resume=PATH``: written every epoch, deleted
once the declared outputs are written); ``$ADVGEN_STOP_AFTER_EPOCHS`` simulates a preemption
(:func:`advgen.training.resume.stop_after_epochs`). torch is imported inside the function.
"""

from __future__ import annotations

from pathlib import Path

from advgen.ae.spec import AeJobSpec, AeSeedsJobSpec
from advgen.jobfiles import Files
from advgen.stacked_bundle import bundle_layouts, remove_empty

#: the outputs, in :class:`advgen.ae.train.AeOutputs` order
OUTPUTS = ("checkpoint", "losses", "latent_cdf", "novel", "reconstructions", "metrics", "resume")


def train_ae_job(inputs: Files, outputs: Files, spec: AeJobSpec) -> None:
    """Train ``spec.autoencoder`` on input ``train`` (``test``: the held-out MSE and latent CDFs);
    outputs ``checkpoint``, ``losses``, ``latent_cdf``, ``novel``, ``reconstructions``,
    ``metrics`` and the state output ``resume``."""
    from advgen.ae.train import AeOutputs, train_autoencoder
    from advgen.jobs import start_job
    from advgen.training.resume import stop_after_epochs

    with start_job(spec.autoencoder, device=spec.device, seed=False) as device:
        files = AeOutputs(*(Path(outputs.one(name)) for name in OUTPUTS))
        train_autoencoder(
            spec.autoencoder,
            inputs.one("train"),
            inputs.one("test"),
            files,
            device=device,
            stop_after_epochs=stop_after_epochs(None),
        )


def train_ae_seeds_job(inputs: Files, outputs: Files, spec: AeSeedsJobSpec) -> None:
    """Train the seeds of one autoencoder entry as one stacked model on inputs ``train`` and
    ``test`` (:func:`advgen.ae.replicates.train_autoencoder_replicates`); output ``bundle``: each
    run's outputs in ``<bundle>/<run>/`` (:mod:`advgen.stacked_bundle`), state output ``resume``:
    the folder of the stacked resume state."""
    from advgen.ae.replicates import train_autoencoder_replicates
    from advgen.ae.train import AeOutputs
    from advgen.jobs import start_job
    from advgen.training.resume import stop_after_epochs

    files, resume = bundle_layouts(AeOutputs, outputs, spec.runs)
    with start_job(spec.autoencoder, device=spec.device, seed=False) as device:
        train_autoencoder_replicates(
            spec.autoencoder,
            spec.seeds,
            inputs.one("train"),
            inputs.one("test"),
            files,
            device=device,
            mode="stacked",
            resume=resume / "stacked.pt",
            stop_after_epochs=stop_after_epochs(None),
        )
    remove_empty(resume)
