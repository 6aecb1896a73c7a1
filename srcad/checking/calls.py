"""``check=True``: every derivative call from Python checked against central differences.

The check cannot share the transforms' blind spots: it evaluates only the
primal.  Along one direction ``v`` (random for grad and vjp, the given
tangents for jvp) the fourth-order central difference

    D_v f(x) ~ (f(x - 2hv) - 8 f(x - hv) + 8 f(x + hv) - f(x + 2hv)) / (12 h)

is compared with what srcad returned: ``<g, v>`` for a gradient, the tangent
itself for jvp, ``<w, D_v f>`` against ``<g, v>`` for vjp with cotangent ``w``.
A random direction scales each entry by ``max(1, |x_k|)``, and the step ``h``
is a power of two such that no entry moves by more than a relative step ``r``
of its size (``r = h max_k |v_k| / max(1, |x_k|)``).  The tolerance allows the
stencil's truncation error (about ``r**4``, taken as ``10 r**2`` to leave room
for large higher derivatives) relative to the derivative's size, plus
rounding, about ``100 eps |f| / h``.  ``r`` is 1e-3 first; while srcad and the
differences disagree, smaller and larger steps are tried, so that fast
oscillation or rounding alone never raises.
"""

import math

import numpy as np

from ..errors import DerivativeMismatchError
from .differences import directional, float_part, on_copies, parts

# (relative step, order of the error allowed), tried in this order until one agrees; the last
# allows a first-order error, for functions smooth only to first order (x * abs(x) at 0)
_RELATIVE_STEPS = ((1e-3, 2), (1e-4, 2), (1e-5, 2), (1e-2, 2), (1e-6, 1))
_EPS = np.finfo(np.float64).eps


def verify_call(transformation, args, result):
    """Raise :class:`DerivativeMismatchError` unless ``result`` of ``transformation(*args)`` is right."""
    t = transformation
    n = len(t.info.params)
    params = list(args[:n])
    for i in t.wrt:
        if not isinstance(params[i], np.ndarray):
            params[i] = float(params[i])
    primal = _primal_of(t)
    value = _VERIFIERS[t.kind](t, primal, params, args[n:], result)
    if value is not None:
        expected = primal(*params)
        _compare_value(t, value, expected[0] if t.has_aux else expected)


def _verify_gradient(t, primal, params, extra, result):
    """grad and value_and_grad: <gradient, v> against differences along a random v; returns the value."""
    if t.kind == "grad":
        derivative, value = (result[0] if t.has_aux else result), None
    else:
        value, derivative = result
        if t.has_aux:
            value = value[0]   # the differentiated part, beside its aux
    directions = [_random_like(t.check_rng, params[i]) for i in t.wrt]
    gradients = (derivative,) if t.single_wrt else tuple(derivative)
    claimed = [sum(_inner(g, v) for g, v in zip(gradients, directions))]
    _check_along(t, primal, params, directions, "the gradient along a random direction, <gradient, v>,",
                 claimed, lambda differences: differences[:1])
    return value


def _verify_vjp(t, primal, params, extra, result):
    """vjp with cotangent w: <result, v> against <w, differences along a random v>."""
    value, derivative = result
    weights = parts(extra[0])
    directions = [_random_like(t.check_rng, params[i]) for i in t.wrt]
    gradients = (derivative,) if t.single_wrt else tuple(derivative)
    claimed = [sum(_inner(g, v) for g, v in zip(gradients, directions))]

    def project(differences):
        return [sum(_inner(w, d) for w, d in zip(weights, differences) if d is not None)]

    _check_along(t, primal, params, directions, "along a random direction v, <result, v>,", claimed, project,
                 against=f"<cotangent, central differences of {t.info.name}() along v> give")
    return value


def _verify_jvp(t, primal, params, extra, result):
    """jvp: each part of the tangent against differences along the given tangents."""
    value, tangent = result
    parts = isinstance(value, tuple)
    claimed = list(tangent) if parts else [tangent]
    _check_along(t, primal, params, list(extra), "the tangent", claimed, lambda differences: differences,
                 parts=parts)
    return value


_VERIFIERS = {"grad": _verify_gradient, "value_and_grad": _verify_gradient, "vjp": _verify_vjp, "jvp": _verify_jvp}


def _check_along(t, primal, params, directions, what, claimed, project, against=None, parts=False):
    """Compare ``claimed`` (a list of parts) with ``project(differences along directions)``.

    Differences are taken with steps of relative size 1e-3, then smaller and larger ones while
    they disagree: a right derivative agrees at some step (a long one fails on fast oscillation,
    a short one on rounding), a wrong one at none.  The mismatch reported is the closest one.
    """
    worst = None
    for relative_step, order in _RELATIVE_STEPS:
        differences, steps, size = directional(primal, params, t.wrt, directions, relative_step)
        failures = []
        for position, (got, expected) in enumerate(zip(claimed, project(differences))):
            error = _disagreement(got, expected, steps, size, order)
            if error is not None:
                failures.append((error[0] / error[1], position, got, expected, error))
        if not failures:
            return
        failure = max(failures, key=lambda f: f[0])
        if worst is None or failure[0] < worst[0]:
            worst = failure
    _, position, got, expected, (error, tolerance) = worst
    name = f"part {position} of {what}" if parts else what
    _mismatch(t, name, got, expected, f"difference {error:.3g}, tolerance {tolerance:.3g}", against)


def _disagreement(claimed, expected, steps, size, order):
    """None when ``claimed`` agrees with the differences ``expected``, else (error, tolerance).

    The truncation error allowed is ``10 r**order`` relative to the derivative's size (``r`` the
    relative step), the rounding error ``100 eps |f| / h``.
    """
    if expected is None:
        return None   # an integer part: nothing to compare
    claimed = np.asarray(claimed, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    if claimed.shape != expected.shape:
        return math.inf, 1.0
    magnitude = max(float(np.max(np.abs(claimed), initial=0.0)), float(np.max(np.abs(expected), initial=0.0)))
    h, relative_step = steps
    tolerance = 10.0 * relative_step ** order * magnitude + 100.0 * _EPS * size / h + 1e-12
    error = float(np.max(np.abs(claimed - expected), initial=0.0))
    return None if error <= tolerance else (error, tolerance)


def _primal_of(t):
    """The primal to evaluate: the user's compiled function where there is one, else the Python one,
    given copies of its array arguments (see :func:`.differences.on_copies`); for a derivative with
    respect to a tuple's elements, the function of the elements that packs them (see api/packing.py)."""
    if t.elements_primal is not None:
        return on_copies(t.elements_primal)
    original = t.original
    return on_copies(original if hasattr(original, "py_func") else t.primal)


def _random_like(rng, x):
    """A random direction at ``x``, each entry scaled by its own size so that one step is small
    relative to every entry (a time of 1e6 beside a rate of 1e-2)."""
    if isinstance(x, np.ndarray):
        return rng.standard_normal(x.shape) * np.maximum(1.0, np.abs(x))
    return float(rng.standard_normal()) * max(1.0, abs(x))


def _inner(a, b):
    return float(np.sum(np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64)))


def _compare_value(t, value, expected):
    for position, (got, want) in enumerate(zip(parts(value), parts(expected))):
        got_f, want_f = float_part(got), float_part(want)
        if got_f is None or want_f is None:
            if not np.array_equal(np.asarray(got), np.asarray(want)):
                _mismatch(t, "the value", got, want, "the values differ", f"{t.info.name}() itself gives",
                          smooth_hint=False)
            continue
        if got_f.shape != want_f.shape or not np.allclose(got_f, want_f, rtol=1e-8, atol=1e-10, equal_nan=True):
            _mismatch(t, "the value", got, want, "the values differ", f"{t.info.name}() itself gives",
                          smooth_hint=False)


def _mismatch(t, what, claimed, expected, detail, against=None, smooth_hint=True):
    """Raise; without ``smooth_hint`` the reference is the function itself, which no kink can fool."""
    name = t.info.name
    against = against or f"central differences of {name}() give"
    cause = "srcad or in a derivative rule it uses"
    hint = f"Unless {name}() has a kink or a branch within the difference step of this point, this is a bug in " \
        if smooth_hint else "This is a bug in "
    raise DerivativeMismatchError(
        f"check=True: {t.kind} of {t.label}: {what} is "
        f"{_short(claimed)}, but {against} {_short(expected)} ({detail}). {hint}{cause}."
    )


def _short(value):
    return np.array2string(np.asarray(value), precision=8, threshold=8) if np.ndim(value) else f"{float(value):.10g}"
