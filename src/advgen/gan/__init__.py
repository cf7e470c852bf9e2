"""GAN training: losses (:mod:`~advgen.gan.losses`), unrolling (:mod:`~advgen.gan.unroll`),
status detection (:mod:`~advgen.gan.status`), the training loop (:mod:`~advgen.gan.train`) and
its outputs (:mod:`~advgen.gan.runner`); the job's spec is :mod:`~advgen.gan.spec` (no torch)."""
