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
    (ex.helper_generic, (V3, 0.2, 1.3), (0, 1, 2)),
    (ex.univariate, (np.array([0.7]),), 0),
    (ex.univariate_loop, (np.array([0.7]), 0.3), (0, 1)),
    (ex.rebound_then_iterated, (np.array([0.7]),), 0),
    (ex.converted_to_int, (0.3, 3), 0),
    (ex.raise_in_while, (0.3, 50), 0),
    (ex.filled, (V3, 0.7), (0, 1)),
    (ex.at_least, (V3, 0.7), (0, 1)),
    (ex.rolled, (V4, -3), 0),
    (ex.rolled, (V4, 6), 0),
    (ex.rolled_matrix, (M23, np.arange(6.0).reshape(2, 3)), (0, 1)),
    (ex.sizes, (V3,), 0),
    (ex.extremes, (V3, 0.7, 0.2), (0, 1, 2)),
    (ex.small_vector, (V3, 0.7, 0.2), (0, 1, 2)),
    (ex.table, (0.7, 0.2), (0, 1)),
    (ex.array_of_a_tuple, (0.7, 0.2), (0, 1)),
    (ex.sum_of_squares, (V3,), 0),
    (ex.weights_in_a_loop, (V3,), 0),
    (ex.squares_array, (V3, 1.3), (0, 1)),
    (ex.over_a_list, (0.7,), 0),
    (ex.weighted_by_position, (V3,), 0),
    (ex.matrix_by_position, (M23, 0.7), (0, 1)),
    (ex.matrix_by_index_tuple, (M23,), 0),
    (ex.gauss_of_scalars, (0.3, 1.2), (0, 1)),
    (ex.gauss_of_arrays, (V3, 0.7), (0, 1)),
    (ex.gauss_of_computed_width, (V3, 0.7), (0, 1)),
    (ex.softplus_of_array, (np.array([0.5, 40.0, -0.3]),), 0),
    (ex.softplus_of_matrix, (M23 - 1.0, M23 + 1.0), (0, 1)),
    (ex.softplus_of_local_array, (V3,), 0),
    (ex.softplus_of_rebound_argument, (np.array([0.7]),), 0),
    (ex.softplus_twice, (M23 - 2.0,), 0),
]


@pytest.mark.parametrize("func, args, wrt", CASES, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_derivatives_against_finite_differences(func, args, wrt):
    assert_plain_derivatives(func, args, wrt)


COMPILED = ["logpdf_checked", "helper_generic", "norm_logpdf_generic", "dtype_keywords", "univariate", "filled", "at_least",
            "rolled", "extremes", "small_vector", "sum_of_squares", "squares_array",
            "matrix_by_position", "gauss_of_scalars", "softplus_of_matrix"]


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
    (ex.repeated_list, (1.0,), "[0.0, 1.0] * 2", "make it an array first"),
    (ex.comprehension_with_if, (V3,), "a list comprehension", "no 'if'"),
    (ex.returns_list, (1.0,), "return", "np.array"),
    (ex.breaks_out_of_ndenumerate, (M23,), "break", "one loop a dimension"),
])
def test_refusals(func, args, construct, words):
    with pytest.raises(srcad.UnsupportedError) as info:
        srcad.grad(func)(*args)
    assert info.value.construct == construct
    assert words in str(info.value)
    assert "examples_library_idioms.py" in str(info.value)


def test_a_vectorized_helper_with_branches_on_an_array_inside_a_helper_is_refused():
    # inside a helper of the user's the kinds of values are not looked up: the scalar body runs on the array
    with pytest.raises(srcad.UnsupportedError) as info:
        srcad.grad(ex.vectorized_inside_a_helper)(V3)
    assert "examples_library_idioms.py" in str(info.value)


def test_tuple_arguments_are_differentiated_as_tuples():
    assert srcad.grad(ex.tuple_argument)((0.5, 1.0)) == (1.0, 0.5)


def test_hessian_through_a_raise_and_dtype_generic_constants():
    p = np.array([0.3, 0.1, 1.5])
    gradient = srcad.grad(ex.likelihood)
    h = 1e-5
    columns = [(gradient(p + h * e) - gradient(p - h * e)) / (2 * h) for e in np.eye(3)]
    np.testing.assert_allclose(srcad.hessian(ex.likelihood)(p), np.array(columns), rtol=1e-6, atol=1e-8)
    with pytest.raises(ValueError, match="sigma must be positive"):
        srcad.hessian(ex.likelihood)(np.array([0.3, 0.1, -1.0]))


def test_numba_stats_kernels_written_dtype_generic():
    # numba-stats' kernels convert constants with T = type(z) and type(scale)(1) (its public functions are
    # built at import time: reading those is another piece of work)
    pytest.importorskip("numba_stats")
    import examples_numba_stats_kernels as kernels

    x = np.array([0.5, 1.0, -0.3])
    assert_plain_derivatives(kernels.nll_norm, (x, 0.2, 1.3), (1, 2))
    assert_plain_derivatives(kernels.nll_expon, (np.abs(x), 0.0, 1.3), (1, 2))
    # loc away from xmin: at loc == xmin the density has a kink in loc
    assert_plain_derivatives(kernels.nll_truncexpon, (np.abs(x), 0.0, 3.0, -0.1, 1.3), (3, 4))
    assert srcad.check_grad(kernels.nll_norm, x, 0.2, 1.3, wrt=(1, 2)).ok


def test_a_raise_in_a_checkpointed_loop():
    gradient = srcad.grad(ex.raise_in_while, checkpoint=3)
    assert gradient(0.3, 50) == srcad.grad(ex.raise_in_while)(0.3, 50)
    with pytest.raises(OverflowError, match="diverged"):
        gradient(-9.0, 500)
