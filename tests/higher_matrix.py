"""Every pair of {grad, value_and_grad, jvp, vjp}, one inside the other, against differences of the inner one;
Hessians against differences of the gradient, hvp against H @ v.

Run as a script (test_higher.py runs it with NUMBA_DISABLE_JIT=1): prints one
line per case, ``ok``, ``refused`` (UnsupportedError, or ShapeError for
arguments the inner derivative's signature cannot take) or ``WRONG``, and
exits with 1 if any case is wrong.
"""

import sys

import numpy as np

import srcad
import examples_higher as ex
import examples_mgh as mgh

KINDS = ("grad", "value_and_grad", "jvp", "vjp")
H = 1e-5


def _flat(value):
    if isinstance(value, tuple):
        return np.concatenate([_flat(v) for v in value])
    return np.atleast_1d(np.asarray(value, dtype=np.float64)).ravel()


def _structure_like(value, rng):
    if isinstance(value, tuple):
        return tuple(_structure_like(v, rng) for v in value)
    if isinstance(value, np.ndarray):
        return rng.standard_normal(value.shape)
    return float(rng.standard_normal())


def _inner(kind, f, x, extra):
    """The inner derivative as a function of x alone (its extra argument fixed), and its arguments."""
    made = getattr(srcad, kind)(f)
    args = (x,) if kind in ("grad", "value_and_grad") else (x, extra)
    return made, args


def _difference(call, args, direction, position=0):
    plus = list(args)
    minus = list(args)
    plus[position] = args[position] + H * direction
    minus[position] = args[position] - H * direction
    return (_flat(call(*plus)) - _flat(call(*minus))) / (2 * H)


def check(outer, inner, f, x, rng, position=0):
    """``ok``, ``refused`` or ``WRONG ...`` for ``outer(inner(f), wrt=position)`` at ``x``."""
    extra = _structure_like(f(x), rng) if inner == "vjp" else _structure_like(x, rng)
    made, args = _inner(inner, f, x, extra)
    first = made(*args)
    try:
        transformed = getattr(srcad, outer)(made, wrt=position)
        direction = _structure_like(args[position], rng)
        if outer in ("grad", "value_and_grad"):
            got = transformed(*args)
            gradient = got if outer == "grad" else got[1]
            claimed = float(np.sum(np.asarray(gradient) * direction))
            numeric = float(_difference(made, args, direction, position)[0])
            value_ok = outer == "grad" or np.allclose(_flat(got[0]), _flat(first), rtol=1e-12, atol=1e-12)
        elif outer == "jvp":
            value, tangent = transformed(*args, direction)
            claimed, numeric = _flat(tangent), _difference(made, args, direction, position)
            value_ok = np.allclose(_flat(value), _flat(first), rtol=1e-12, atol=1e-12)
        else:
            cotangent = _structure_like(first, rng)
            value, pulled = transformed(*args, cotangent)
            claimed = float(np.sum(np.asarray(pulled) * direction))
            numeric = float(np.dot(_flat(cotangent), _difference(made, args, direction, position)))
            value_ok = np.allclose(_flat(value), _flat(first), rtol=1e-12, atol=1e-12)
    except (srcad.UnsupportedError, srcad.ShapeError) as error:
        return f"refused ({type(error).__name__}: {str(error).splitlines()[0][-90:]})"
    if not value_ok:
        return "WRONG value"
    if not np.allclose(claimed, numeric, rtol=1e-5, atol=1e-6):
        return f"WRONG {claimed} vs {numeric}"
    return "ok"


CASES = [
    (ex.straight, 0.7),
    (ex.recorded_loop, 0.4),
    (ex.newton_sqrt, 2.0),
    (ex.branches, 0.9),
    (ex.branches, 0.2),
    (ex.lgamma_of, 1.7),
    (ex.early_exit, 0.4),
    (ex.early_exit, 1.9),
    (ex.works_on_a_copy, np.array([0.3, -0.5, 0.9])),
    (ex.array_loop, np.array([0.3, -0.8, 1.1])),
    (ex.array_while, np.array([0.3, -0.8, 1.1, 0.5])),
    (ex.vector_valued, 0.6),
]


def fd_hessian(f, x, h=1e-5):
    """Central differences of srcad's gradient, column by column."""
    g = srcad.grad(f)
    if not isinstance(x, np.ndarray):
        return (g(x + h) - g(x - h)) / (2 * h)
    columns = np.empty((x.size, x.size))
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = h
        columns[:, k] = ((g(x + e.reshape(x.shape)) - g(x - e.reshape(x.shape))) / (2 * h)).ravel()
    return columns.reshape(x.shape + x.shape)


HESSIAN_CASES = [
    (ex.rosenbrock, np.array([-1.2, 1.0, 0.8, 1.1])),
    (ex.array_while, np.array([-1.2, 1.0, 0.8])),
    (ex.array_loop, np.array([0.3, -0.8, 1.1])),
    (mgh.beale, np.array([1.0, 0.8])),
    (mgh.wood, np.array([-3.0, -1.0, -3.0, -1.0])),
    (mgh.helical_valley, np.array([-1.0, 0.3, 0.2])),
    (mgh.box_3d, np.array([0.0, 10.0, 20.0])),
    (ex.recorded_loop, 0.4),
    (ex.newton_sqrt, 2.0),
    (ex.matrix_energy, np.array([[0.3, -0.8, 1.1], [0.5, 0.2, -1.3]])),
]


def check_hessian(f, x, rng):
    """Symmetric, equal to differences of the gradient, and hvp equal to H @ v."""
    H = srcad.hessian(f)(x)
    if np.shape(H) != np.shape(x) + np.shape(x):
        return f"WRONG shape {np.shape(H)}"
    n = int(np.size(x))
    square = np.reshape(H, (n, n))
    if not np.allclose(square, square.T, rtol=1e-10, atol=1e-10):
        return "WRONG not symmetric"
    if not np.allclose(H, fd_hessian(f, x), rtol=1e-5, atol=1e-5):
        return f"WRONG {H} vs {fd_hessian(f, x)}"
    v = _structure_like(x, rng)
    if not np.allclose(np.ravel(srcad.hvp(f)(x, v)), square @ np.ravel(v), rtol=1e-10, atol=1e-10):
        return "WRONG hvp"
    return "ok"


def main():
    rng = np.random.default_rng(0)
    wrong = 0
    for f, x in HESSIAN_CASES:
        outcome = check_hessian(f, x, rng)
        wrong += outcome.startswith("WRONG")
        print(f"{f.__name__:14s} hessian, hvp: {outcome}")
    for f, x in CASES:
        for inner in KINDS:
            if f is ex.vector_valued and inner in ("grad", "value_and_grad"):
                continue
            for outer in KINDS:
                outcome = check(outer, inner, f, x, rng)
                wrong += outcome.startswith("WRONG")
                print(f"{f.__name__:14s} {outer}({inner}): {outcome}")
                if inner in ("jvp", "vjp"):
                    # with respect to the tangent or cotangent, in which the inner derivative is linear
                    outcome = check(outer, inner, f, x, rng, position=1)
                    wrong += outcome.startswith("WRONG")
                    print(f"{f.__name__:14s} {outer}({inner}, wrt=1): {outcome}")
    for f, x in CASES[:4]:
        # has_aux: the gradient of a jvp's value, its tangent beside it
        rng_direction = 0.37
        gradient, tangent = srcad.grad(srcad.jvp(f), has_aux=True)(x, rng_direction)
        first = srcad.grad(f)(x)
        ok = np.allclose(gradient, first, rtol=1e-10) and np.allclose(tangent, first * rng_direction, rtol=1e-10)
        wrong += not ok
        print(f"{f.__name__:14s} grad(jvp, has_aux=True): {'ok' if ok else 'WRONG'}")
    # several arguments: an int among them, wrt other than 0, a tuple wrt inside, mixed second derivatives
    args, h = (0.7, 3, 1.2), 1e-5
    g0, g2 = srcad.grad(ex.two_arguments, wrt=0), srcad.grad(ex.two_arguments, wrt=2)
    d2_g2 = (g2(0.7, 3, 1.2 + h) - g2(0.7, 3, 1.2 - h)) / (2 * h)
    d2_g0 = (g0(0.7, 3, 1.2 + h) - g0(0.7, 3, 1.2 - h)) / (2 * h)
    checks = {
        "two_arguments  grad(grad, wrt=2), wrt=2": (srcad.grad(g2, wrt=2)(*args), d2_g2),
        "two_arguments  grad(grad, wrt=0), wrt=2": (srcad.grad(g0, wrt=2)(*args), d2_g0),
        "two_arguments  hessian wrt=2": (srcad.hessian(ex.two_arguments, wrt=2)(*args), d2_g2),
    }
    both = srcad.grad(ex.two_arguments, wrt=(0, 2))
    _, tangent = srcad.jvp(both)(*args, 1.0)
    plus, minus = both(0.7 + h, 3, 1.2), both(0.7 - h, 3, 1.2)
    checks["two_arguments  jvp(grad, wrt=(0, 2))"] = (np.array(tangent), (np.array(plus) - np.array(minus)) / (2 * h))
    # third derivatives: jvp of jvp of grad (tangents of tangents of a taped adjoint)
    for f, x in CASES[1:4] + [(ex.lgamma_of, 1.7)]:   # lgamma's third derivative calls tetragamma
        inner = srcad.jvp(srcad.grad(f))
        claimed = srcad.jvp(inner)(x, 1.0, 1.0)[1][1]
        numeric = (inner(x + 1e-4, 1.0)[1] - inner(x - 1e-4, 1.0)[1]) / 2e-4
        checks[f"third derivative of {f.__name__}"] = (claimed, numeric)
    # the Jacobian of a gradient is the Hessian; where the gradient records on a tape, forward only
    x = np.array([0.3, -0.8, 1.1])
    for mode in ("forward", "reverse", "auto"):
        checks[f"jacobian(grad(rosenbrock), mode={mode})"] = (srcad.jacobian(srcad.grad(ex.rosenbrock), mode=mode)(x),
                                                               srcad.hessian(ex.rosenbrock)(x))
        if mode != "reverse":
            checks[f"jacobian(grad(array_loop), mode={mode})"] = (
                srcad.jacobian(srcad.grad(ex.array_loop), mode=mode)(x), srcad.hessian(ex.array_loop)(x))
            continue
        try:
            srcad.jacobian(srcad.grad(ex.array_loop), mode=mode)(x)
            print(f"jacobian(grad(array_loop), mode={mode}): WRONG, not refused")
            wrong += 1
        except srcad.UnsupportedError:
            print(f"jacobian(grad(array_loop), mode={mode}): refused")
    for label, (claimed, numeric) in checks.items():
        ok = np.allclose(claimed, numeric, rtol=1e-5, atol=1e-6)
        wrong += not ok
        print(f"{label}: {'ok' if ok else f'WRONG {claimed} vs {numeric}'}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
