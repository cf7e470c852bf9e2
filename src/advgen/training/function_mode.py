"""A :class:`torch.overrides.TorchFunctionMode` that hands each call to one method.

:class:`CallMode` holds the ``__torch_function__`` override that :mod:`advgen.training.tf32`'s
and :mod:`advgen.training.explicit_autocast`'s modes share: a subclass writes :meth:`CallMode.call`,
which gets the call's function, its positional arguments and a fresh dict of its keyword arguments
(one it may change), and returns what the call returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from torch.overrides import TorchFunctionMode

__all__ = ["CallMode"]


class CallMode(TorchFunctionMode):
    """A torch function mode whose subclasses handle each call in :meth:`call`."""

    def __torch_function__(
        self,
        func: Callable[..., Any],
        types: Any,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
    ) -> Any:
        return self.call(func, args, dict(kwargs or {}))

    def call(self, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """What the call ``func(*args, **kwargs)`` returns inside the mode."""
        raise NotImplementedError
