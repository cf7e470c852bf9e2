"""User-facing errors.

An :class:`AdvgenError` is bad input (a config key, a YAML line, a corrupt checkpoint):
the CLI prints its message on one line, without a traceback, and exits with status 2.
Everything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class AdvgenError(Exception):
    """An error caused by the user's input; the message names the file, key or line."""


class ConfigError(AdvgenError):
    """The workflow config (or a spec passed to a command) is invalid."""


class NotStackableError(ConfigError):
    """The config asks to train seeds stacked as a batch dimension for a model that cannot be: a layer
    that draws its own noise, second-order unrolling, or a training mode without a stacked form."""


class NotStackableHere(NotStackableError):
    """The seeds could be stacked, but not on this device with this torch (found by a check the
    stacked job runs before training): they train one after another, as their own jobs would."""


class CastPolicyMismatch(NotStackableHere):
    """Autocast's casts, made explicit for stacked seeds (:mod:`advgen.training.explicit_autocast`),
    differ on this device from what ``torch.autocast`` does to the model's forward pass."""


class StackedPassFailed(NotStackableHere):
    """One stacked forward and backward pass fails on this device with this torch: an op vmap
    cannot batch there (a missing batching rule, a layout query it does not answer)."""


class CheckpointError(AdvgenError):
    """A checkpoint or prepared-data file is missing, corrupt or of the wrong kind."""


class UnsafeCheckpointError(CheckpointError):
    """A checkpoint whose pickle would build other objects than tensors and plain containers
    (or call a function): refused, never unpickled."""


class DeviceError(AdvgenError):
    """The device a job asks for does not exist here (e.g. ``cuda`` on a machine without CUDA)."""
