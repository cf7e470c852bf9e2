"""What every training loop shares: resumable state keyed by spec, inputs and version."""

from advgen.training.resume import STOP_ENV, ResumeState, TrainingStopped, file_digest, stop_after_epochs

__all__ = ["STOP_ENV", "ResumeState", "TrainingStopped", "file_digest", "stop_after_epochs"]
