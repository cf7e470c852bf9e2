"""What every training loop shares: resumable state keyed by spec, inputs and version
(:mod:`~advgen.training.resume`), the loop that writes it (:mod:`~advgen.training.driver`) and
the speed settings (:mod:`~advgen.training.speed`)."""
