"""A derivative handed to a transform is never read as its primal.

Each nesting of the public transforms either computes the derivative of the
derivative or raises UnsupportedError; none silently differentiates the
primal again (which would return f' where f'' was asked for).
"""

import math

import numpy as np
import pytest

import srcad


def cubic(x):
    return x * x * x + math.sin(x)


def uses_derivative(x):
    return 2.0 * inner_gradient(x)


inner_gradient = srcad.grad(cubic)

TRANSFORMS = [
    lambda f: srcad.grad(f),
    lambda f: srcad.value_and_grad(f),
    lambda f: srcad.jvp(f),
    lambda f: srcad.vjp(f),
]


def second_derivative(x):
    return 6.0 * x - math.sin(x)


def _second_from(outer_index, transformed, x):
    """The second derivative an outer transform of a first derivative reports, or None for a refusal."""
    if outer_index == 0:
        return transformed(x)
    if outer_index == 1:
        return transformed(x)[1]
    if outer_index == 2:
        return transformed(x, 1.0)[1]
    return transformed(x, 1.0)[1]


@pytest.mark.parametrize("inner", range(4))
@pytest.mark.parametrize("outer", range(4))
def test_every_nesting_is_right_or_refused(inner, outer):
    first = TRANSFORMS[inner](cubic)
    if inner >= 2:
        # jvp and vjp take an extra argument: fix it so the function has one argument again
        first = {2: srcad.jvp, 3: srcad.vjp}[inner](cubic)
    try:
        transformed = TRANSFORMS[outer](first)
        value = _second_from(outer, transformed, 0.7)
    except srcad.UnsupportedError as error:
        assert "derivative" in str(error)
        return
    except (TypeError, srcad.ShapeError):
        # the outer call's arguments do not fit the inner derivative's signature: no number at all
        return
    if isinstance(value, tuple):
        value = value[-1]
    assert np.allclose(value, second_derivative(0.7), rtol=1e-6)


def test_grad_of_grad_is_not_the_first_derivative():
    try:
        value = srcad.grad(srcad.grad(cubic))(0.7)
    except srcad.UnsupportedError:
        return
    assert math.isclose(value, second_derivative(0.7), rel_tol=1e-6)


def test_check_grad_checks_the_function_it_is_handed():
    try:
        result = srcad.check_grad(srcad.grad(cubic), 0.7)
    except srcad.UnsupportedError:
        return
    assert math.isclose(result.gradient[0], second_derivative(0.7), rel_tol=1e-6)


def test_a_derivative_called_inside_a_differentiated_function_is_not_inlined_as_its_primal():
    try:
        value = srcad.grad(uses_derivative)(0.7)
    except srcad.UnsupportedError as error:
        assert "uses_derivative" in str(error) or "test_nested_refusal.py" in str(error)
        return
    assert math.isclose(value, 2.0 * second_derivative(0.7), rel_tol=1e-6)


@pytest.mark.parametrize("outer", range(4))
def test_a_derivative_called_inside_is_differentiated_under_every_transform(outer):
    """The call is inlined as the inner derivative's own code: every outer transform gives 2 f''."""
    value = _second_from(outer, TRANSFORMS[outer](uses_derivative), 0.7)
    if isinstance(value, tuple):
        value = value[-1]
    assert math.isclose(value, 2.0 * second_derivative(0.7), rel_tol=1e-9)
