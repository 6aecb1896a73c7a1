"""Gradients of twenty classic optimization test problems against finite differences, plain and compiled."""

import numpy as np
import pytest

import srcad

import examples_mgh as ex
from recording_checks import assert_plain_derivatives

CASES = [
    (ex.rosenbrock, np.array([-1.2, 1.0, -1.1, 0.9])),
    (ex.beale, np.array([1.0, 1.0])),
    (ex.powell_singular, np.array([3.0, -1.0, 0.0, 1.0])),
    (ex.wood, np.array([-3.0, -1.0, -3.0, -1.0])),
    (ex.helical_valley, np.array([-1.0, 0.5, 0.3])),
    (ex.helical_valley, np.array([1.0, 0.2, 0.1])),
    (ex.freudenstein_roth, np.array([0.5, -2.0])),
    (ex.brown_badly_scaled, np.array([1e6 + 0.5, 3e-6])),
    (ex.box_3d, np.array([0.0, 10.0, 20.0])),
    (ex.jennrich_sampson, np.array([0.3, 0.4])),
    (ex.powell_badly_scaled, np.array([0.0, 1.0])),
    (ex.broyden_tridiagonal, np.array([-1.0, -0.8, -1.2, -0.9, -1.1])),
    (ex.variably_dimensioned, np.array([0.8, 0.6, 0.4, 0.2])),
    (ex.trigonometric, np.array([0.2, 0.1, 0.3])),
    (ex.bard, np.array([1.0, 1.0, 1.0])),
    (ex.extended_powell_singular, np.array([3.0, -1.0, 0.0, 1.0, 2.9, -1.1, 0.1, 0.9])),
    (ex.penalty_one, np.array([1.0, 2.0, 3.0, 4.0])),
    (ex.brown_almost_linear, np.array([0.5, 0.6, 0.4, 0.55])),
    (ex.discrete_boundary_value, np.array([-0.1, -0.15, -0.15, -0.1])),
    (ex.biggs_exp6, np.array([1.0, 2.0, 1.0, 1.0, 1.0, 1.0])),
]
IDS = [f"{func.__name__}-{i}" for i, (func, _) in enumerate(CASES)]


@pytest.mark.parametrize("func, x", CASES, ids=IDS)
def test_plain_python_gradient(func, x):
    assert_plain_derivatives(func, (x,), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("func, x", CASES, ids=IDS)
def test_compiled_gradient(func, x):
    value, grad = srcad.value_and_grad(func)(x)
    assert value == pytest.approx(func(x), rel=1e-12)
    result = srcad.check_grad(func, x, tol=1e-5)
    assert result.ok, result
