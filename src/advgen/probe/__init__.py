"""How robust is a GAN's discriminator? (the closing question of the adversarial-robustness review)

* :mod:`~advgen.probe.features`: frozen penultimate features of a GAN discriminator, of the
  same discriminator at initialisation (the control) and of a classifier.
* :mod:`~advgen.probe.linear`: a linear probe (multinomial logistic regression on
  standardised features, Alain and Bengio 2016) and ``probe(features(x))`` as one model.
* :mod:`~advgen.probe.robust`: clean and PGD accuracy of that model over an eps grid.
* :mod:`~advgen.probe.flip`: per-image smallest Linf eps that pushes D's score of a real
  image to "fake", by batched bisection over PGD budgets.
"""
