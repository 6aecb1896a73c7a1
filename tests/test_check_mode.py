"""check=True: each derivative call from Python is compared with central differences of the primal."""

import math

import numpy as np
import pytest

import srcad

import examples_tuples as ex

X = np.array([0.5, -1.0, 2.0])
A = np.array([[1.0, 2.0], [0.5, -1.0], [3.0, 0.25]])
Y = np.array([1.0, -2.0, 0.5])
W = np.array([0.3, -0.7])


def test_right_derivatives_pass_the_check_and_are_returned_unchanged():
    assert srcad.grad(ex.norm2, check=True)(X) == pytest.approx(2.0 * X)
    assert srcad.value_and_grad(ex.polar, wrt=(0, 1), check=True, has_aux=True)(1.5, 0.7)[0][0] == \
        pytest.approx(ex.polar(1.5, 0.7)[0])
    srcad.grad(ex.stats, has_aux=True, check=True)(X)
    srcad.jvp(ex.spread, check=True)(X, np.array([1.0, 0.0, -1.0]))
    srcad.jvp(ex.polar, wrt=(0, 1), check=True)(1.5, 0.7, 0.3, -1.2)
    srcad.vjp(ex.loss_and_prediction, check=True)(W, A, Y, (0.7, Y))
    srcad.vjp(ex.scaled_and_norm, wrt=(0, 1), check=True)(X, 1.5, (np.ones(3), 2.0))
    srcad.grad(ex.uses_miscubed, check=True)(0.0)   # the wrong rule is right at 0


@pytest.mark.parametrize("kind, extra", [("grad", ()), ("value_and_grad", ()), ("jvp", (1.0,)), ("vjp", (1.0,))])
def test_a_wrong_derivative_raises(kind, extra):
    transform = getattr(srcad, kind)(ex.uses_miscubed, check=True)
    with pytest.raises(srcad.DerivativeMismatchError, match="uses_miscubed.*central differences"):
        transform(1.3, *extra)
    unchecked = getattr(srcad, kind)(ex.uses_miscubed, check=False)
    unchecked(1.3, *extra)   # the same wrong number passes silently without the check


def test_the_environment_variable_turns_the_check_on(monkeypatch):
    monkeypatch.setenv("SRCAD_CHECK", "1")
    with pytest.raises(srcad.DerivativeMismatchError):
        srcad.grad(ex.uses_miscubed)(1.3)
    assert srcad.grad(ex.uses_miscubed, check=False)(1.3) == pytest.approx(2.0 * 1.3 ** 2 + 1.0)
    monkeypatch.setenv("SRCAD_CHECK", "0")
    srcad.grad(ex.uses_miscubed)(1.3)


def test_the_step_is_relative_to_each_argument():
    # a time near 1e3 beside a rate near 1e-3: one common step would be far too long for the cosine
    g = srcad.grad(ex.decay, wrt=(0, 1), check=True)(1000.0, 0.002)
    t, rate = 1000.0, 0.002
    damping = math.exp(-rate * t)
    assert g == pytest.approx((damping * (-rate * math.cos(t) - math.sin(t)), -t * damping * math.cos(t)), rel=1e-12)
    srcad.jvp(ex.decay, wrt=(0, 1), check=True)(1000.0, 0.002, 1.0, 1e-3)


def scaled_by_a_default(x, tol=1e-3):
    return x * tol


def test_check_grad_fills_in_default_values():
    result = srcad.check_grad(scaled_by_a_default, 2.0)
    assert result.ok and result.gradient == (1e-3,)
    result = srcad.check_grad(scaled_by_a_default, 2.0, 0.5)
    assert result.ok and result.gradient == (0.5, 2.0)
    assert srcad.check_grad(weighted_square_sum, np.array([1.0, 2.0])).ok


def weighted_square_sum(x, weight=0.5):
    return weight * np.sum(x * x)
