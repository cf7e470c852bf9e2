"""Autoencoders: the report's conv AE (:mod:`~advgen.ae.train`) and its latent moment forcing
(:mod:`~advgen.ae.losses`), with resume; the job's spec is :mod:`~advgen.ae.spec` (no torch)."""
