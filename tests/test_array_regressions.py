"""Array expressions once computed wrongly or failed, and NumPy operations and indexing.

For each, the value, the reverse and forward derivatives and finite
differences agree.

Every case runs its generated code as plain Python (which is strict about
names read before they are assigned and indices out of bounds) and, for a
few, compiled by Numba.
"""

import numpy as np
import pytest

import srcad
from srcad.api import Transformation

import examples_array_regressions as ex
from fd import assert_close, gradient, plain, taped_reverse

RNG = np.random.default_rng(6)
M3 = RNG.normal(size=(3, 3))
SMALL = np.array([[0.2, 0.3], [0.6, 0.9]])

CASES = [
    (ex.nested_products, (RNG.normal(size=(5, 3)), RNG.normal(size=3)), (0, 1)),
    (ex.nested_products_matrix, (RNG.normal(size=(3, 4)), RNG.normal(size=(4, 4)), RNG.normal(size=4)), (0, 1, 2)),
    (ex.scaled_by_own_element, (np.array([1.0, 2.0, 3.0]),), (0,)),
    (ex.row_sums_minus_element, (M3,), (0,)),
    (ex.max_of_row_sums, (M3, 1.3), (0, 1)),
    (ex.max_in_loop_condition, (M3, RNG.normal(size=3), 1.3), (0, 2)),
    (ex.nested_reductions_in_index, (SMALL,), (0,)),
    (ex.reduction_in_one_branch, (M3, 0.7), (0, 1)),
    (ex.reduction_after_or, (M3, 0.7), (0, 1)),
    (ex.reduction_in_while_condition, (np.abs(M3) * 0.5, 0.7), (0, 1)),
    (ex.reduction_in_while_with_break, (np.array([0.5, -1.0, 2.0]), 0.9), (0, 1)),
]
X6 = np.linspace(0.1, 1.0, 6) ** 1.5
Y6 = np.linspace(-0.5, 0.6, 6)
M23 = np.arange(6.0).reshape(2, 3) / 7 + 0.1
CASES += [
    (ex.negative_slices, (np.linspace(0.1, 1.0, 7), 2), (0,)),
    (ex.negative_slices, (np.linspace(0.1, 1.0, 7), -3), (0,)),
    (ex.negative_slices, (np.linspace(0.1, 1.0, 7), -20), (0,)),
    (ex.negative_slices, (np.linspace(0.1, 1.0, 7), 6), (0,)),
    (ex.dense_layer, (RNG.normal(size=(4, 3)), RNG.normal(size=(3, 2)), RNG.normal(size=2)), (0, 1, 2)),
    (ex.new_axes, (RNG.normal(size=(3, 4)), RNG.normal(size=3), RNG.normal(size=4)), (0, 1, 2)),
    (ex.reshaped, (X6, M23), (0, 1)),
    (ex.ufunc_spellings, (X6, Y6), (0, 1)),
    (ex.ufunc_spellings_scalar, (0.35, 0.7), (0, 1)),
    (ex.cumulative, (X6, M23), (0, 1)),
    (ex.differences, (X6, M23), (0, 1)),
    (ex.joined, (X6, M23), (0, 1)),
    (ex.constant_arrays, (X6, 5), (0,)),
    (ex.norms, (X6, M23), (0, 1)),
    (ex.cumulative_in_loop, (X6, 3), (0,)),
    (ex.masks_and_counters, (X6,), (0,)),
    (ex.constructors_in_expressions, (X6,), (0,)),
    (ex.spreads, (X6, M23 * M23), (0, 1)),
    (ex.axis_keywords, (M23 ** 1.3,), (0,)),
    (ex.negative_index_of_expression, (RNG.normal(size=(3, 4)), -3), (0,)),
    (ex.negative_index_of_expression, (RNG.normal(size=(3, 4)), 1), (0,)),
    (ex.linear_algebra, (RNG.normal(size=(4, 4)), RNG.normal(size=4)), (0, 1)),
    # the first column's small entries make every step exchange rows
    (ex.linear_algebra, (np.array([[1e-3, 2.0, 1.0], [0.5, 1.0, 3.0], [-2.0, 0.5, 1.0]]), np.ones(3)), (0, 1)),
]
# compiled too: the first failed only under Numba; the last two need Numba to know ufuncs on scalars
# and local int and bool arrays
COMPILED = {"nested_products", "scaled_by_own_element", "reduction_in_while_condition", "ufunc_spellings_scalar",
            "masks_and_counters"}


def _copies(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def _plain_functions(func, args, wrt):
    """The generated reverse and forward functions, to run as plain Python."""
    reverse = Transformation(func, "value_and_grad", wrt)
    forward = Transformation(func, "jvp", wrt)
    types = reverse.split_args(args, 0)[2]
    return taped_reverse(reverse.specialize(types)), plain(forward.specialize(types).functions["main"])


def _run_reverse(reverse, args):
    ftape, itape = np.empty(8), np.empty(8, np.int64)
    value, grads, fneeded, ineeded = reverse(*args, 1.0, ftape, itape)
    if fneeded > 8 or ineeded > 8:
        value, grads, _, _ = reverse(*args, 1.0, np.empty(fneeded), np.empty(ineeded, np.int64))
    return value, grads


def _tangents(args, wrt, rng):
    return tuple(rng.standard_normal(np.shape(args[i])) if np.ndim(args[i]) else float(rng.standard_normal())
                 for i in wrt)


@pytest.mark.parametrize("func, args, wrt", CASES, ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES)])
def test_plain_python_against_finite_differences(func, args, wrt):
    reverse, forward = _plain_functions(func, args, wrt)
    expected_value = func(*_copies(args))
    value, grads = _run_reverse(reverse, _copies(args))
    assert_close(value, expected_value, what="value")
    assert_close(grads, gradient(func, args, wrt), rtol=1e-6, atol=1e-7, what="gradient")
    tangents = _tangents(args, wrt, np.random.default_rng(1))
    forward_value, directional = forward(*_copies(args), *tangents)
    assert_close(forward_value, expected_value, what="forward value")
    expected = sum(float(np.sum(np.asarray(g) * np.asarray(t))) for g, t in zip(grads, tangents))
    assert_close(directional, expected, rtol=1e-9, atol=1e-12, what="<grad, v> against jvp")


@pytest.mark.parametrize("func, args, wrt", [c for c in CASES if c[0].__name__ in COMPILED],
                         ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(CASES) if c[0].__name__ in COMPILED])
def test_compiled_against_finite_differences(func, args, wrt):
    result = srcad.check_grad(func, *args, wrt=wrt)
    assert result.ok, result


@pytest.mark.parametrize("func, args", [
    (ex.elementwise_product, (np.ones(3), np.ones(4))),
    (ex.matrix_product, (np.ones((2, 3)), np.ones(4))),
], ids=["elementwise", "matrix-vector"])
def test_operands_of_different_extents_stop_the_derivative(func, args):
    with pytest.raises(AssertionError, match="operands of different shapes"):
        srcad.grad(func)(*args)
    reverse, forward = _plain_functions(func, args, (0,))
    with pytest.raises(AssertionError, match="operands of different shapes"):
        _run_reverse(reverse, args)
    with pytest.raises(AssertionError, match="operands of different shapes"):
        forward(*args, np.ones_like(args[0]))


def _line_of(func, text):
    import inspect
    lines, first = inspect.getsourcelines(func)
    return first + next(i for i, line in enumerate(lines) if text in line)


@pytest.mark.parametrize("func, args, text, construct, words", [
    (ex.product_of_three_dimensional, (np.ones((2, 3, 3)), np.ones(3)), "np.dot(T, v)", "np.dot", "ndim 3"),
    (ex.sorted_sum, (np.ones(3),), "np.sort", "np.sort", "no derivative rule"),
    (ex.difference_along_axis, (np.ones((2, 3)),), "np.diff", "np.diff(axis=...)", "axis= of np.diff"),
])
def test_refusals_name_the_line_and_the_cause(func, args, text, construct, words):
    with pytest.raises(srcad.UnsupportedError) as info:
        srcad.grad(func)(*args)
    assert info.value.lineno == _line_of(func, text)
    assert info.value.construct == construct
    assert words in str(info.value)
    assert "examples_array_regressions.py" in str(info.value)


def test_determinant_compiled_and_stopped_at_a_singular_matrix():
    assert srcad.check_grad(ex.determinant, np.array([[1e-3, 2.0, 1.0], [0.5, 1.0, 3.0], [-2.0, 0.5, 1.0]])).ok
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(AssertionError, match="singular matrix"):
        srcad.grad(ex.determinant)(singular)
