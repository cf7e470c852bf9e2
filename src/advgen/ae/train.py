"""Autoencoder training (the report's "Non-Adversarial Networks" Q1 and Q2) with resume.

Per iteration the losses table records the image MSE, the moment MSE of the batch's codes
(:mod:`advgen.ae.losses`), the factor and the scaled term the optimiser sees (the factor is
0 without latent forcing). At the end of every epoch the codes of the held-out split are
summarised as a latent CDF snapshot: quantiles of every code entry at ``cdf_levels``
evenly spaced levels, next to the N(0, 1) quantiles at the same levels.

Outputs (``results/autoencoders/<name>/``): ``checkpoint.pt``, ``losses.parquet``,
``latent_cdf.parquet``, ``novel.png`` (decoded z ~ N(0, I)), ``reconstructions.png``
(test images over their reconstructions) and ``metrics.json`` (test MSE, parameter count,
status, seconds). ``resume/last.pt`` is written every epoch, as for GANs
(:class:`advgen.training.resume.ResumeState`: keyed by spec, both splits and advgen version).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F

from advgen.ae.losses import moment_factor, moment_mse, moments
from advgen.ae.spec import AeSpec
from advgen.checkpoints import save_torch
from advgen.columns import AE_LOSS_COLUMNS
from advgen.data.prepared import load_prepared
from advgen.errors import ConfigError
from advgen.gan.grid import save_grid
from advgen.io import write_json, write_parquet
from advgen.models.base import count_parameters
from advgen.models.registry import build_autoencoder
from advgen.paths import RunLayout
from advgen.seeding import rng_state, seed_everything, set_rng_state
from advgen.specs import spec_dict
from advgen.training.driver import train_then_write
from advgen.training.resume import ResumeState
from advgen.training.speed import Speed

log = logging.getLogger(__name__)

COLUMNS = AE_LOSS_COLUMNS
CDF_COLUMNS = ("epoch", "level", "latent_quantile", "normal_quantile")


@dataclass(frozen=True)
class AeOutputs(RunLayout):
    stage = "AE"  # the layout of advgen.paths.AE, by :meth:`~advgen.paths.RunLayout.under`

    checkpoint: Path
    losses: Path
    latent_cdf: Path
    novel: Path
    reconstructions: Path
    metrics: Path
    resume: Path


class AeRun:
    """State of one autoencoder run and its epoch step."""

    def __init__(self, spec: AeSpec, train_path: str, test_path: str, device: str = "cpu") -> None:
        self.spec, self.device = spec, torch.device(device)
        train, test = load_prepared(train_path), load_prepared(test_path)
        seed_everything(int(spec.seed))
        self.image_shape = list(train.image_shape)
        kwargs = {"width": spec.width}
        self.model = build_autoencoder(spec.arch, self.image_shape, spec.z_dim, kwargs).to(self.device)
        self.model_info = {
            "arch": spec.arch,
            "kwargs": kwargs,
            "z_dim": spec.z_dim,
            "image_shape": self.image_shape,
        }
        # speed levers (advgen.training.speed); channels_last changes nothing: the model is NHWC already
        self.speed = Speed(spec.speed, self.device)
        self.opt = self.speed.adam(self.model.parameters(), lr=spec.lr)
        self.train_images = train.images.to(self.device)
        if len(self.train_images) < spec.batch_size:
            raise ConfigError(
                f"batch_size: {spec.batch_size} exceeds the {len(self.train_images)} training images of {train_path}"
            )
        self.test_images = test.images.to(self.device)
        self.shown = per_class_rows(test.labels, 2)  # the reconstruction grid: one digit of every class a row
        self.data_rng = torch.Generator().manual_seed(int(spec.seed))
        self.novel_noise = torch.randn(
            spec.n_novel, spec.z_dim, generator=torch.Generator().manual_seed(int(spec.seed) + 1)
        )
        self.rows: list[tuple] = []
        self.cdf_rows: list[tuple] = []
        self.epochs_info: list[dict[str, Any]] = []
        self.epoch = self.iteration = 0
        self.seconds = 0.0
        self.resumed_from: list[int] = []
        self.diverged_iteration: int | None = None
        self._factor = 0.0  # the moment factor of the epoch running

    def factor(self) -> float:
        s = self.spec
        return (
            moment_factor(self.epoch, s.factor_initial, s.factor_growth, s.factor_max)
            if s.latent_forcing
            else 0.0
        )

    # -- the driver's hooks (advgen.training.driver.Trainer) ----------------------------
    def batches(self) -> Iterator[torch.Tensor]:
        """Start the next epoch: the shuffled full batches of the training split (the last partial one dropped)."""
        self.model.train()
        bs = self.spec.batch_size
        perm = torch.randperm(len(self.train_images), generator=self.data_rng).to(self.device)
        self.epoch += 1
        self._factor = self.factor()
        return (self.train_images[perm[start : start + bs]] for start in range(0, len(perm) - bs + 1, bs))

    def step(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """One Adam step on ``image MSE + factor * moment MSE``: (image MSE, moment MSE, loss, code
        mean, variance, kurtosis), on the device."""
        with self.speed.precision():
            with self.speed.autocast():
                recon, z = self.model(x)
            recon, z = recon.float(), z.float()  # the losses in float32
            image_mse = F.mse_loss(recon, x)
            m_mse = moment_mse(z, self.spec.moments_over, self.spec.covariance)
            loss = image_mse + self._factor * m_mse
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
            self.iteration += 1
            return (image_mse, m_mse, loss, *moments(z.detach(), "all").unbind())

    def log_steps(self, rows: list[tuple[float, ...]]) -> bool:
        """Add the epoch's rows to the losses table; ``False`` at the first NaN/inf loss (the table ends there)."""
        factor = self._factor
        first = self.iteration - len(rows) + 1
        for i, (image_mse, m_mse, loss, mean, var, kurt) in enumerate(rows):
            values = (image_mse, m_mse, factor, factor * m_mse, loss)
            self.rows.append((first + i, self.epoch, *values, mean, var, kurt))
            if not all(math.isfinite(v) for v in values):
                self.iteration = self.diverged_iteration = first + i
                return False
        return True

    @torch.no_grad()
    def evaluate(self) -> dict[str, float]:
        """Test MSE and a latent CDF snapshot of the test codes (rows added to ``cdf_rows``)."""
        self.model.eval()
        recon, z = self.model(self.test_images)
        test_mse = float(F.mse_loss(recon, self.test_images))
        n = self.spec.cdf_levels
        levels = torch.arange(1, n + 1, dtype=torch.float64) / (n + 1)
        latent_q = torch.quantile(z.flatten().double().cpu(), levels)
        normal_q = torch.special.ndtri(levels)
        for p, lq, nq in zip(levels.tolist(), latent_q.tolist(), normal_q.tolist()):
            self.cdf_rows.append((self.epoch, p, lq, nq))
        ks = _ks_to_normal(z.flatten().double().cpu())
        mean, var, kurt = (float(v) for v in moments(z, "all"))
        self.model.train()
        return {
            "epoch": self.epoch,
            "test_mse": test_mse,
            "latent_ks": ks,
            "z_mean": mean,
            "z_var": var,
            "z_kurtosis": kurt,
        }

    @torch.no_grad()
    def images(self) -> tuple[torch.Tensor, torch.Tensor]:
        """(novel samples, rows of test images each over its reconstructions), in [0, 1]; a row of
        the second holds one test digit of every class (:func:`per_class_rows`)."""
        self.model.eval()
        novel = self.model.decoder(self.novel_noise.to(self.device)).cpu()
        rows, per_row = self.shown.shape
        x = self.test_images[self.shown.flatten().to(self.device)]
        recon, _ = self.model(x)
        self.model.train()
        shape = (rows, 1, per_row, *x.shape[1:])
        pairs = torch.cat([x.cpu().view(shape), recon.cpu().view(shape)], dim=1)
        return novel, pairs.flatten(0, 2)

    def end_epoch(self) -> str:
        """Test MSE and latent CDF snapshot (:meth:`evaluate`); the epoch's log line."""
        info = self.evaluate()
        self.epochs_info.append(info)
        return (
            f"image_mse {self.rows[-1][2]:.5f} test_mse {info['test_mse']:.5f} factor {self.factor():g} "
            f"latent KS {info['latent_ks']:.3f}"
        )

    def checkpoint(self) -> dict[str, Any]:
        """The output checkpoint: :meth:`state_dict` without the log."""
        return self.state_dict(with_log=False)

    def state_dict(self, *, with_log: bool = True) -> dict[str, Any]:
        ckpt: dict[str, Any] = {
            "kind": "autoencoder",
            "model": self.model_info,
            "state": {k: v.detach().cpu().clone() for k, v in self.model.state_dict().items()},
            "optimizer": self.opt.state_dict(),
            "epoch": self.epoch,
            "iteration": self.iteration,
            "rng": rng_state(),
            "data_rng": self.data_rng.get_state(),
            "params": count_parameters(self.model),
            "config": spec_dict(self.spec),
        }
        if with_log:
            ckpt.update(
                rows=list(self.rows),
                cdf_rows=list(self.cdf_rows),
                epochs_info=list(self.epochs_info),
                seconds=self.seconds,
                resumed_from=list(self.resumed_from),
            )
        return ckpt

    def load_state_dict(self, ckpt: dict[str, Any]) -> None:
        self.model.load_state_dict(ckpt["state"])
        self.opt.load_state_dict(ckpt["optimizer"])
        self.epoch, self.iteration = int(ckpt["epoch"]), int(ckpt["iteration"])
        set_rng_state(ckpt["rng"])
        self.data_rng.set_state(ckpt["data_rng"])
        self.rows, self.cdf_rows = list(ckpt["rows"]), list(ckpt["cdf_rows"])
        self.epochs_info, self.seconds = list(ckpt["epochs_info"]), float(ckpt["seconds"])
        self.resumed_from = list(ckpt["resumed_from"])


def per_class_rows(labels: torch.Tensor, rows: int) -> torch.Tensor:
    """Indices ``(rows, C)``: row ``r`` holds the ``r``-th example of each of the ``C`` classes that
    have ``rows`` examples, in class order (the test split is ordered by class, so its first images
    would all be zeros)."""
    firsts = [(labels == c).nonzero().flatten()[:rows] for c in labels.unique().tolist()]
    firsts = [f for f in firsts if len(f) == rows] or [torch.arange(min(rows, len(labels)))]
    return torch.stack(firsts, dim=1)


def _ks_to_normal(x: torch.Tensor) -> float:
    """Kolmogorov-Smirnov distance between the empirical CDF of ``x`` and N(0, 1)."""
    x = x.sort().values
    n = len(x)
    cdf = torch.special.ndtr(x)
    upper = torch.arange(1, n + 1, dtype=x.dtype) / n
    return float(torch.maximum(upper - cdf, cdf - (upper - 1.0 / n)).max())


def _frame(rows: list[tuple], columns: tuple[str, ...], ints: tuple[str, ...]) -> Any:
    import pandas as pd

    df = pd.DataFrame(rows, columns=list(columns))
    for c in ints:
        df[c] = df[c].astype("int64")
    return df


def train_autoencoder(
    spec: AeSpec,
    train_path: str | Path,
    test_path: str | Path,
    outputs: AeOutputs,
    *,
    device: str = "cpu",
    stop_after_epochs: int | None = None,
) -> dict[str, Any]:
    """Train (or resume) the autoencoder of ``spec``; returns the metrics dict written."""
    run = AeRun(spec, str(train_path), str(test_path), device)
    resume = ResumeState(
        outputs.resume / "last.pt", spec_dict(spec), {"train": train_path, "test": test_path}
    )
    return train_then_write(
        run, spec.epochs, resume, write_outputs, outputs, stop_after_epochs=stop_after_epochs
    )


def write_outputs(run: AeRun, final: dict[str, Any], outputs: AeOutputs) -> dict[str, Any]:
    """Write the declared outputs of a trained run (``final``: its last good checkpoint); the metrics."""
    spec = run.spec
    if run.diverged_iteration is not None:
        run.model.load_state_dict(final["state"])  # the last good weights
    novel, pairs = run.images()
    last = run.epochs_info[-1] if run.epochs_info else run.evaluate()
    metrics = {
        "kind": "autoencoder",
        "status": "diverged" if run.diverged_iteration is not None else "ok",
        "test_mse": last["test_mse"],
        "latent_ks": last["latent_ks"],
        "params": {
            "encoder": count_parameters(run.model.encoder),
            "decoder": count_parameters(run.model.decoder),
        },
        "latent_forcing": spec.latent_forcing,
        "epochs_completed": int(final["epoch"]),
        "iterations": run.iteration,
        "seconds": round(run.seconds, 3),
        "resumed_from_epochs": run.resumed_from,
        "diverged_iteration": run.diverged_iteration,
        "epochs": run.epochs_info,
        "device": str(run.device),
        "speed": run.speed.describe(),
    }
    final["status"] = metrics["status"]
    save_torch(final, outputs.checkpoint)
    losses = _frame(run.rows, COLUMNS[:-1], ("iteration", "epoch"))
    # the learning curve on held-out digits: each row carries its epoch's test MSE (the report: "20
    # epochs were enough to get very good results")
    losses["test_mse"] = losses["epoch"].map({int(e["epoch"]): float(e["test_mse"]) for e in run.epochs_info})
    write_parquet(losses, outputs.losses)
    write_parquet(_frame(run.cdf_rows, CDF_COLUMNS, ("epoch",)), outputs.latent_cdf)
    save_grid(novel, outputs.novel, nrow=8)
    save_grid(pairs, outputs.reconstructions, nrow=run.shown.shape[1])
    write_json(outputs.metrics, metrics)
    log.info(
        "test MSE %.5f after %d epochs (%.1f s)",
        metrics["test_mse"],
        metrics["epochs_completed"],
        run.seconds,
    )
    return metrics
