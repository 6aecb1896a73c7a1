"""Functions that return arrays: jvp gives J v, vjp gives w J, and they agree."""

import numba
import numpy as np
import pytest

import srcad

import examples_vector_valued as ex

Y = np.array([0.3, -0.7, 1.2])
V = np.array([1.0, 0.5, -2.0])
W = np.array([0.2, -1.0, 0.4])


def _directional_difference(f, args, v, h=1e-6):
    plus, minus = list(args), list(args)
    plus[0], minus[0] = args[0] + h * v, args[0] - h * v
    return (f(*plus) - f(*minus)) / (2 * h)


@pytest.mark.parametrize("func, args", [
    (ex.rhs, (Y, 0.8)), (ex.softmax, (Y,)), (ex.piecewise, (Y, 0.7)), (ex.piecewise, (Y, 0.2)),
])
def test_jvp_vjp_and_differences_agree(func, args):
    value, jv = srcad.jvp(func, wrt=0)(*args, V)
    value2, wj = srcad.vjp(func, wrt=0)(*args, W)
    np.testing.assert_allclose(value, func(*args), rtol=1e-14)
    np.testing.assert_allclose(value2, func(*args), rtol=1e-14)
    np.testing.assert_allclose(jv, _directional_difference(func, args, V), rtol=1e-6, atol=1e-8)
    assert np.dot(W, jv) == pytest.approx(np.dot(wj, V), rel=1e-12)


def test_vjp_from_numba():
    vjp = srcad.vjp(ex.softmax)

    @numba.njit
    def pull(z, w):
        return vjp(z, w)[1]

    np.testing.assert_allclose(pull(Y, W), srcad.vjp(ex.softmax)(Y, W)[1], rtol=1e-14)


def test_grad_of_an_array_function_is_refused():
    with pytest.raises(srcad.UnsupportedError) as info:
        srcad.grad(ex.softmax)(Y)
    assert "vjp" in str(info.value)
