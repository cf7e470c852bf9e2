"""Purifiers: classify the projection of the input instead of the input.

* :class:`ProjectionPurifier`: Defense-GAN (Samangouei, Kabkab and Chellappa, "Defense-GAN:
  Protecting Classifiers Against Adversarial Attacks Using Generative Models", ICLR 2018):
  ``x_hat = G(z*)``, ``z* = argmin_z ||G(z) - x||^2`` after ``L`` steps from ``R`` random
  starts, the best start kept. It reuses the batched inversion of
  :func:`advgen.sweeps.inversion.invert` (all images and restarts in one tensor); every call
  draws fresh starts, as the defense does at test time.
* :class:`ReconstructionPurifier`: an autoencoder's ``D(E(x))`` (MagNet's reformer, Meng and
  Chen, CCS 2017), deterministic and differentiable.
* :class:`IdentityPurifier`: no defense (the bare classifier).

Gradients through a purifier, for adaptive attacks (Athalye, Carlini and Wagner, "Obfuscated
Gradients Give a False Sense of Security", ICML 2018):

* :func:`bpda`: Backward Pass Differentiable Approximation with the identity: the forward
  pass is ``P(x)``, the backward pass is the identity's (straight-through), so the attacker
  gets the classifier's gradient at ``x_hat``.
* :class:`PurifiedClassifier` with ``samples > 1`` and :class:`EOTPGD`: Expectation over
  Transformation -- the loss is averaged over several purifications, each from fresh random
  starts (Athalye et al., "Synthesizing Robust Adversarial Examples", ICML 2018).
* ``gradient="exact"``: backpropagate through a differentiable purifier (``D(E(x))``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from advgen.attacks import PGD
from advgen.sweeps.inversion import InversionSettings, invert


class Purifier(nn.Module):
    """Maps images in [0, 1] to purified images in [0, 1]; :meth:`purify` takes no gradient."""

    method = "none"
    stochastic = False

    def purify(self, x: torch.Tensor) -> torch.Tensor:
        """``x_hat`` for ``x`` (detached; a stochastic purifier draws fresh randomness per call)."""
        raise NotImplementedError

    def differentiable(self, x: torch.Tensor) -> torch.Tensor:
        """``x_hat`` with its exact gradient (only purifiers with a closed form have one)."""
        raise TypeError(f"{type(self).__name__} has no exact gradient: attack it with bpda or eot")

    def rewind(self) -> None:
        """Start the random draws over, as a freshly loaded purifier makes them (a deterministic
        purifier has none). The masking checks call it before each check, so a check's row does
        not depend on the checks run before it in the same process."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.purify(x)


class IdentityPurifier(Purifier):
    """No purification."""

    def purify(self, x: torch.Tensor) -> torch.Tensor:
        return x.detach()

    def differentiable(self, x: torch.Tensor) -> torch.Tensor:
        return x


class ProjectionPurifier(Purifier):
    """Defense-GAN projection onto the range of ``generator`` (see the module docstring).

    Arguments:
        generator: ``(B, z_dim)`` -> images in [0, 1] (a GAN generator or an AE decoder).
        z_dim: latent size.
        settings: inversion settings; Defense-GAN's MNIST defaults are L = 200 steps and
            R = 10 restarts (``InversionSettings(steps=200, restarts=10)``).
        seed: base seed of the random starts; call ``k`` uses ``seed + k``.
    """

    method = "project"
    stochastic = True

    def __init__(
        self, generator: nn.Module, z_dim: int, settings: InversionSettings, *, seed: int = 0
    ) -> None:
        super().__init__()
        self.generator = generator
        self.z_dim = int(z_dim)
        self.settings = settings
        self.seed = int(seed)
        self.calls = 0

    def rewind(self) -> None:
        self.calls = 0

    def purify(self, x: torch.Tensor) -> torch.Tensor:
        seed = self.seed + self.calls
        self.calls += 1
        with torch.enable_grad():  # the inversion optimises z even when the caller runs without grad
            result = invert(self.generator, x.detach(), self.settings, seed=seed, z_dim=self.z_dim)
        return result.images.detach()


class ReconstructionPurifier(Purifier):
    """``x_hat = decoder(encoder(x))``: deterministic, with an exact gradient."""

    method = "reconstruct"

    def __init__(self, encoder: nn.Module, decoder: nn.Module) -> None:
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def differentiable(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))

    def purify(self, x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return self.differentiable(x.detach())


def bpda(x: torch.Tensor, purifier: Purifier) -> torch.Tensor:
    """``P(x)`` in the forward pass, the identity in the backward pass (straight-through BPDA).

    ``d bpda(x) / dx = I``: a loss's gradient w.r.t. ``x`` equals its gradient w.r.t.
    ``x_hat`` evaluated at ``x_hat = P(x)``.
    """
    return x + (purifier.purify(x) - x).detach()


class PurifiedClassifier(nn.Module):
    """``classifier(P(x))`` with the gradient an attacker uses: ``bpda`` or ``exact``.

    Arguments:
        classifier: images in [0, 1] -> logits.
        purifier: a :class:`Purifier`.
        gradient: ``"bpda"`` (straight-through) or ``"exact"`` (needs
            :meth:`Purifier.differentiable`).
    """

    def __init__(self, classifier: nn.Module, purifier: Purifier, gradient: str = "bpda") -> None:
        super().__init__()
        if gradient not in ("bpda", "exact"):
            raise ValueError(f"gradient must be 'bpda' or 'exact', got {gradient!r}")
        self.classifier = classifier
        self.purifier = purifier
        self.gradient = gradient

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x_hat = bpda(x, self.purifier) if self.gradient == "bpda" else self.purifier.differentiable(x)
        return self.classifier(x_hat)


class EOTPGD(PGD):
    """PGD whose gradient is the expectation over ``samples`` purifications (EOT + BPDA).

    Each step feeds ``samples`` copies of the batch to the model in one call, so a
    stochastic purifier draws independent random starts per copy, and ascends the mean
    loss: cross-entropy (``loss="ce"``) or Croce and Hein's (ICML 2020) difference of
    logits ratio (``loss="dlr"``, AutoAttack's second loss). Everything else (random start,
    step size, projection, restarts) is :class:`PGD`'s.
    """

    name = "EOTPGD"

    def __init__(
        self, model: nn.Module, eps: float = 0.3, *, samples: int = 10, loss: str = "ce", **kwargs
    ) -> None:
        super().__init__(model, eps, **kwargs)
        if samples < 1:
            raise ValueError("EOT needs samples >= 1")
        if loss not in ("ce", "dlr"):
            raise ValueError(f"EOT loss must be 'ce' or 'dlr', got {loss!r}")
        self.samples = int(samples)
        self.loss = loss

    def loss_and_grad(
        self, x: torch.Tensor, y: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        n, s = x.shape[0], self.samples
        x = x.detach().requires_grad_(True)
        with torch.enable_grad():
            logits = self.model(x.repeat(s, *([1] * (x.ndim - 1))))
            fn = dlr_loss if self.loss == "dlr" else F.cross_entropy
            loss = fn(logits, y.repeat(s), reduction="none").view(s, n).mean(0)
            (grad,) = torch.autograd.grad(loss.sum(), x)
        return loss.detach(), grad.detach(), logits.detach().view(s, n, -1).mean(0)


def dlr_loss(logits: torch.Tensor, y: torch.Tensor, reduction: str = "none") -> torch.Tensor:
    """Difference of logits ratio (Croce and Hein 2020, eq. 6), to be maximised:
    ``-(z_y - max_{i != y} z_i) / (z_pi1 - z_pi3 + 1e-12)`` (``z`` sorted decreasingly)."""
    top = logits.sort(dim=1, descending=True).values
    true = logits.gather(1, y[:, None]).squeeze(1)
    other = logits.masked_fill(F.one_hot(y, logits.shape[1]).bool(), -torch.inf).amax(1)
    third = top[:, 2] if logits.shape[1] > 2 else top[:, -1]
    loss = -(true - other) / (top[:, 0] - third + 1e-12)
    return loss.mean() if reduction == "mean" else loss
