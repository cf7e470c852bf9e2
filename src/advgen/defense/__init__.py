"""Inversion as a defense (Defense-GAN) under grey-box and adaptive attacks.

* :mod:`~advgen.defense.plan`: the ``defense.purify`` config as jobs (no torch; the
  Snakefile imports it).
* :mod:`~advgen.defense.purify`: projection / reconstruction purifiers, BPDA, EOT.
* :mod:`~advgen.defense.evaluate`: clean, grey-box and adaptive accuracy and cost of one
  purifier at one (L, R) point.
* :mod:`~advgen.defense.loading`: build a job's purifier from its checkpoints.

The discriminator probes live in :mod:`advgen.probe`. This package imports no torch at
import time.
"""
