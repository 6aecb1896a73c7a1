"""Hessians by vector mode over taped gradients: ``jacobian(grad(f))`` and ``hessian(f)``.

Run as a script (test_vector_hessian.py runs it with NUMBA_DISABLE_JIT=1): prints
one line a check and exits with the number of wrong ones.  The gradients of all
but rosenbrock_while record values on a tape (while loops, overwritten scalars), so their
tangents push tangents beside values; a block of directions pushes K entries a
value.  Results are compared with central differences of the gradient and with
the Hessian column by column (``hvp`` along unit vectors).
"""

import sys

import numpy as np

import examples_mgh as mgh
import examples_vector_hessian as ex
import fd
import srcad
from srcad.drivers.jacobians import BLOCK

CASES = [
    (ex.newton_roots, np.array([2.0, 3.0, 5.0, 0.7])),
    (ex.overwritten, np.array([0.3, -0.8, 1.1, 0.5])),
    (ex.rosenbrock_while, np.array([-1.2, 1.0, 0.8, 1.3, -0.4])),
    (mgh.broyden_tridiagonal, np.array([-1.0, -0.8, -0.5, 0.2, 0.9])),
    (mgh.trigonometric, np.array([0.2, 0.4, 0.1, 0.3])),
]


def differences_of_gradient(f, x):
    """Column k: the fourth-order central difference of grad(f) along e_k."""
    g = srcad.grad(f)
    H = np.empty((x.size, x.size))
    for k in range(x.size):
        h = fd.step_for(x[k])
        e = np.zeros_like(x)
        e[k] = h
        H[:, k] = (g(x - 2 * e) - 8 * g(x - e) + 8 * g(x + e) - g(x + 2 * e)) / (12 * h)
    return H


def by_columns(f, x):
    """The Hessian one forward-over-reverse sweep a column."""
    hvp = srcad.hvp(f)
    return np.column_stack([hvp(x, np.eye(x.size)[k]) for k in range(x.size)])


def checks():
    """(label, claimed, reference, rtol, atol) for every check."""
    out = []
    for f, x in CASES:
        H = srcad.jacobian(srcad.grad(f))(x)
        name = f.__name__
        out += [(f"jacobian(grad({name})) = columns of hvp", H, by_columns(f, x), 1e-12, 1e-12),
                (f"jacobian(grad({name})) = differences of grad", H, differences_of_gradient(f, x), 1e-6, 1e-6),
                (f"jacobian(grad({name})) symmetric", H, H.T, 1e-12, 1e-12),
                (f"jacfwd(grad({name})) = jacobian", srcad.jacfwd(srcad.grad(f))(x), H, 1e-12, 1e-12),
                (f"hessian({name}) = jacobian(grad)", srcad.hessian(f)(x), H, 1e-12, 1e-12)]
    x = np.linspace(-1.0, 1.2, BLOCK + 6)   # two blocks of directions
    for f in (ex.rosenbrock_while, ex.coupled):
        H = srcad.hessian(f)(x)
        name = f"hessian({f.__name__}), n = {x.size}"
        out += [(f"{name} symmetric", H, H.T, 1e-10, 1e-10),
                (f"{name} = columns of hvp", H, by_columns(f, x), 1e-10, 1e-10)]
    out.append((f"hessian(coupled), n = {x.size} = differences of grad", H,
                differences_of_gradient(ex.coupled, x), 1e-6, 1e-5))
    return out


def main():
    wrong = 0
    for label, claimed, reference, rtol, atol in checks():
        ok = claimed.shape == reference.shape and np.allclose(claimed, reference, rtol=rtol, atol=atol)
        wrong += not ok
        error = np.max(np.abs(claimed - reference)) if claimed.shape == reference.shape else "shape"
        print(f"{label}: {'ok' if ok else 'WRONG'} (max error {error})")
    try:
        srcad.jacrev(srcad.grad(ex.newton_roots))(np.array([2.0, 3.0]))
        print("jacrev(grad(newton_roots)): WRONG, not refused")
        wrong += 1
    except srcad.UnsupportedError as error:
        print(f"jacrev(grad(newton_roots)): refused ({'reverse over reverse' in str(error)})")
        wrong += "reverse over reverse" not in str(error)
    return wrong


if __name__ == "__main__":
    sys.exit(main())
