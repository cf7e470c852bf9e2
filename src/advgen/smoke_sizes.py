"""The sizes of the paper-scale smoke run (:mod:`advgen.smoke`), stated here once.

A leaf module (it imports nothing of advgen), so the attack registry's per-attack cost caps
(:attr:`advgen.attacks.registry.AttackInfo.smoke`) can read :data:`STEPS` without importing
the smoke config, which reads the registry.
"""

from __future__ import annotations

MAX_TRAIN = 256  # >= the largest paper batch (128), so the CelebA DCGAN gets whole batches
MAX_TEST = 64
EPOCHS = 1
STEPS = 5  # attack / optimisation steps
RESTARTS = 2
IMAGES = 8  # images per sweep / defense job
EXAMPLES = 32  # adversarial examples per attack job
SAMPLES = 100  # generated samples for sample quality / truncation
DCGAN_FEATURES = 8  # DCGAN ngf / ndf (the papers': 64)
SEEDS = 2  # runs of a replicated entry (the paper config: 3): every per-seed code path, fewer jobs
