"""L-BFGS-B on the unit box [0, 1]^n: scipy's solver without its per-variable Python set-up.

``scipy.optimize.minimize(method="L-BFGS-B")`` converts the bounds between its two formats
and builds the solver's bound codes in Python loops over every variable: for the batched
L-BFGS attack (360 digits x 784 pixels = 282,240 variables) that set-up cost more than the
solver's own iterations (issue 16: about 13 s of CPU per default run). :func:`minimize_unit_box`
drives the same compiled routine (``scipy.optimize._lbfgsb.setulb``) with the bound arrays
built by NumPy, the loop of ``scipy.optimize._lbfgsb_py._minimize_lbfgsb`` otherwise
unchanged: the same iterates, bit for bit (tested against ``minimize`` with the pinned scipy).
Where scipy no longer has that private module, ``minimize`` itself runs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

#: scipy's defaults (``minimize(method="L-BFGS-B")``): history size, ftol, gtol, line-search steps
MAXCOR, FTOL, GTOL, MAXLS, MAXFUN = 10, 2.2204460492503131e-09, 1e-5, 20, 15000

Objective = Callable[[np.ndarray], tuple[float, np.ndarray]]


def minimize_unit_box(fun_and_grad: Objective, x0: np.ndarray, maxiter: int) -> np.ndarray:
    """Minimise ``fun_and_grad`` (value and gradient at a float64 vector) over [0, 1]^n from
    ``x0`` with at most ``maxiter`` L-BFGS-B iterations; returns the last iterate."""
    x0 = np.clip(np.asarray(x0, dtype=np.float64).ravel(), 0.0, 1.0)
    try:
        from scipy.optimize import _lbfgsb
    except ImportError:  # pragma: no cover - scipy reorganised: its public path
        return _scipy_minimize(fun_and_grad, x0, maxiter)
    n = x0.size
    x = x0.copy()
    f = np.array(0.0, dtype=np.float64)
    g = np.zeros(n, dtype=np.float64)
    wa = np.zeros(2 * MAXCOR * n + 5 * n + 11 * MAXCOR * MAXCOR + 8 * MAXCOR, np.float64)
    iwa = np.zeros(3 * n, dtype=np.int32)
    task = np.zeros(2, dtype=np.int32)
    ln_task = np.zeros(2, dtype=np.int32)
    lsave, isave, dsave = np.zeros(4, np.int32), np.zeros(44, np.int32), np.zeros(29, np.float64)
    lower, upper = np.zeros(n, np.float64), np.ones(n, np.float64)
    both_bounds = np.full(n, 2, dtype=np.int32)  # scipy's code for "lower and upper bound"
    factr = FTOL / np.finfo(float).eps
    cache: tuple[np.ndarray, float, np.ndarray] | None = None
    iterations = evaluations = 0
    while True:
        g = g.astype(np.float64)
        _lbfgsb.setulb(
            MAXCOR,
            x,
            lower,
            upper,
            both_bounds,
            f,
            g,
            factr,
            GTOL,
            wa,
            iwa,
            task,
            lsave,
            isave,
            dsave,
            MAXLS,
            ln_task,
        )
        if task[0] == 3:  # the solver asks for f and g at x (scipy evaluates each new x once)
            if cache is None or not np.array_equal(x, cache[0]):
                value, grad = fun_and_grad(np.copy(x))
                evaluations += 1
                cache = (np.copy(x), float(value), np.atleast_1d(np.asarray(grad, dtype=np.float64)))
            f, g = cache[1], cache[2]
        elif task[0] == 1:  # a new iterate
            iterations += 1
            if iterations >= maxiter or evaluations > MAXFUN:
                task[0], task[1] = 5, 504
        else:
            return x


def _scipy_minimize(fun_and_grad: Objective, x0: np.ndarray, maxiter: int) -> np.ndarray:
    from scipy.optimize import Bounds, minimize

    bounds = Bounds(np.zeros_like(x0), np.ones_like(x0))
    return minimize(
        fun_and_grad, x0, jac=True, method="L-BFGS-B", bounds=bounds, options={"maxiter": maxiter}
    ).x
