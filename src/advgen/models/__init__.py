"""Model zoo (GAN generators and discriminators, the conv autoencoder) and loaders.

* :mod:`~advgen.models.registry`: :data:`~advgen.models.registry.GENERATORS`,
  :data:`~advgen.models.registry.DISCRIMINATORS`, :data:`~advgen.models.registry.AUTOENCODERS`:
  name -> constructor with defaults (the report's ``M1`` / ``M3`` among them).
* :mod:`~advgen.models.loading`: :func:`~advgen.models.loading.load_generator`,
  :func:`~advgen.models.loading.load_autoencoder`, :func:`~advgen.models.loading.load_discriminator`
  return eval-mode modules that work on images in [0, 1].
"""
