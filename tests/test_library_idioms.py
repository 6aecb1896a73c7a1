"""Idioms of library code: raise on bad parameters, dtype-generic constants, a name rebound from an
array to a scalar, array helpers (np.full, np.atleast_2d, np.roll, np.size, max of an array), lists of
numbers, np.ndenumerate, @numba.vectorize helpers.

Each example is differentiated in reverse and forward mode and run as plain Python against finite
differences (fast); a sample is compiled and checked with srcad.check_grad.
"""

import numpy as np
import pytest

import srcad

import examples_library_idioms as ex
from recording_checks import assert_plain_derivatives, plain_forward, plain_reverse

V3 = np.array([0.5, 1.0, -0.3])
V4 = np.array([0.5, 1.0, -0.3, 2.0])
M23 = np.arange(6.0).reshape(2, 3) ** 1.5

CASES = [
    (ex.logpdf_checked, (0.3, 0.1, 1.5), (0, 1, 2)),
    (ex.clipped_sum, (V3, 0.2), (0, 1)),
    (ex.branch_or_raise, (0.5, 2.0), (0, 1)),
    (ex.norm_logpdf_generic, (0.3, 0.1, 1.5), (0, 1, 2)),
    (ex.inverse_scale, (0.4, 1.3), (0, 1)),
    (ex.dtype_keywords, (V3,), 0),
    (ex.univariate, (np.array([0.7]),), 0),
    (ex.univariate_loop, (np.array([0.7]), 0.3), (0, 1)),
    (ex.filled, (V3, 0.7), (0, 1)),
    (ex.at_least, (V3, 0.7), (0, 1)),
    (ex.rolled, (V4, -3), 0),
    (ex.rolled, (V4, 6), 0),
    (ex.rolled_matrix, (M23, np.arange(6.0).reshape(2, 3)), (0, 1)),
    (ex.sizes, (V3,), 0),
    (ex.extremes, (V3, 0.7, 0.2), (0, 1, 2)),
]


@pytest.mark.parametrize("func, args, wrt", CASES, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_derivatives_against_finite_differences(func, args, wrt):
    assert_plain_derivatives(func, args, wrt)


COMPILED = ["logpdf_checked", "norm_logpdf_generic", "dtype_keywords", "univariate", "filled", "at_least",
            "rolled", "extremes"]


@pytest.mark.parametrize("func, args, wrt", [c for c in CASES if c[0].__name__ in COMPILED],
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES) if c[0].__name__ in COMPILED])
def test_compiled_against_finite_differences(func, args, wrt):
    result = srcad.check_grad(func, *args, wrt=wrt)
    assert result.ok, result


@pytest.mark.parametrize("func, args", [
    (ex.logpdf_checked, (0.3, 0.1, -1.0)),
    (ex.branch_or_raise, (-0.5, 2.0)),
    (ex.clipped_sum, (np.array([0.5, -200.0]), 0.2)),
])
def test_a_raise_taken_raises_in_every_derivative(func, args):
    with pytest.raises(Exception) as primal:
        func(*args)
    error = type(primal.value)
    with pytest.raises(error, match=str(primal.value) or None):
        plain_reverse(func, args, 0)
    with pytest.raises(error):
        plain_forward(func, args, 0, (np.ones_like(args[0]) if np.ndim(args[0]) else 1.0,))
    with pytest.raises(error):
        srcad.grad(func)(*args)
    with pytest.raises(error):
        srcad.jvp(func)(*args, np.ones_like(args[0]) if np.ndim(args[0]) else 1.0)


def test_max_of_a_matrix_stops_the_derivative():
    with pytest.raises(AssertionError, match="1-D array"):
        plain_reverse(ex.largest, (M23,), 0)


@pytest.mark.parametrize("func, args, construct, words", [
    (ex.raises_custom, (1.0,), "raise NotPositive", "built-in exception"),
    (ex.raises_formatted, (1.0,), "raise ValueError", "constants"),
    (ex.type_as_value, (1.0,), "type(x)", "used as a value"),
])
def test_refusals(func, args, construct, words):
    with pytest.raises(srcad.UnsupportedError) as info:
        srcad.grad(func)(*args)
    assert info.value.construct == construct
    assert words in str(info.value)
    assert "examples_library_idioms.py" in str(info.value)
