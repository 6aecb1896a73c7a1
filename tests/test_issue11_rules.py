"""Regressions of issue 11: rules and the lowering that chooses them.

Each derivative is checked against central finite differences (tests/fd.py)
and forward mode against reverse mode; the file runs both compiled and as
plain Python (``NUMBA_DISABLE_JIT=1``).
"""

import ast
import math

import numpy as np
import pytest

import srcad
from fd import assert_close, gradient
from test_found_bugs import check   # value, gradient, and forward against reverse
from srcad.rules import simplify

RNG = np.random.default_rng(11)


# ------------------------------------------------ 4. the simplifier keeps every type
def _simplified(text, types):
    """``text`` simplified, with the names typed by the dict ``types``."""
    def type_of(expr):
        return types.get(expr.id) if isinstance(expr, ast.Name) else None
    return ast.unparse(simplify(ast.parse(text, mode="eval").body, type_of))


@pytest.mark.parametrize("text, simplified", [
    # a sum of equal terms: a product of the same type
    ("i + i", "2 * i"),
    ("x + x", "2.0 * x"),
    ("u + u", "2 * u"),
    # true division stays a float
    ("n / 1", "n / 1"),
    ("n / 1.0", "n / 1.0"),
    ("x / 1", "x"),
    ("n * (n / 1)", "n * (n / 1)"),
    # float identities keep floats only
    ("1.0 * n", "1.0 * n"),
    ("n * 1.0", "n * 1.0"),
    ("1.0 * x", "x"),
    ("n + 0.0", "n + 0.0"),
    ("0.0 + n", "0.0 + n"),
    ("n - 0.0", "n - 0.0"),
    ("x - 0.0", "x"),
    ("-1.0 * n", "-1.0 * n"),
    ("-1.0 * x", "-x"),
    ("n ** 1.0", "n ** 1.0"),
    ("x ** 1.0", "x"),
    ("1.0 * u", "1.0 * u"),
    # int identities keep ints and floats, not bools
    ("1 * n", "n"),
    ("n + 0", "n"),
    ("1 * x", "x"),
    ("n ** 1", "n"),
    ("b + 0", "b + 0"),
    ("--n", "n"),
    ("--b", "--b"),
    # the type of a compound operand
    ("1.0 * (n + x)", "n + x"),
    ("1.0 * (n + 1)", "1.0 * (n + 1)"),
    ("1.0 * (n / 2)", "n / 2"),
    ("(n + 1) + (n + 1)", "2 * (n + 1)"),
    ("(n / 2) + (n / 2)", "2.0 * (n / 2)"),
    # constants fold as Numba computes them, not beyond int64
    ("3 / 1", "3.0"),
    ("2 + 3", "5"),
    ("4611686018427387904 * 2", "4611686018427387904 * 2"),
])
def test_simplification_keeps_the_type(text, simplified):
    types = {"i": "int", "n": "int", "x": "float", "b": "bool"}   # u: not known
    assert _simplified(text, types) == simplified


def index_sum_in_loop(x, n):
    s = 0.0
    for i in range(n):
        s += x[i + i] * x[i]
    return s


def index_sum_in_while(x, n):
    s = 0.0
    i = 0
    while i < n:
        s += x[i + i] * x[i]
        i += 1
    return s


def overwritten_index(x, n):
    s = 1.0
    for i in range(n):
        j = i + i
        s = s * x[j] + math.sin(x[j - i] * s)
        j = i
        s += x[j + j] * x[j]
    return s


@pytest.mark.parametrize("f", [index_sum_in_loop, index_sum_in_while, overwritten_index])
def test_a_recomputed_index_stays_an_int(f):
    check(f, (np.linspace(0.3, 1.2, 9), 4))


def true_division_by_one(x, n):
    return x * (n * (n / 1))


def identities_with_floats(x, n):
    return x * (n * (n * 1.0)) + x * (0.0 + n) * n + x * (n - 0.0) * n + x * (-1.0 * n) * n + x * (n ** 1.0) * n


@pytest.mark.parametrize("f, factor", [(true_division_by_one, 1.0), (identities_with_floats, 3.0)])
def test_an_int_made_float_stays_float(f, factor):
    # n * n wraps in int64 when n = 2**33; float(n) * n does not
    n = 2 ** 33
    expected = factor * float(n) * float(n)
    assert srcad.grad(f)(1.5, n) == expected
    assert srcad.jvp(f)(1.5, n, 1.0)[1] == expected
    check(f, (1.5, 3))



def powers_of_a_float_arange(x):
    return np.sum(x * np.arange(40.0) ** 13)


def powers_of_a_float_arange_from_zero(x):
    return np.sum(x * np.arange(0.0, 40.0) ** 13)


@pytest.mark.parametrize("f", [powers_of_a_float_arange, powers_of_a_float_arange_from_zero])
def test_the_elements_of_a_float_arange_are_floats(f):
    # as int64, 39 ** 13 wraps
    expected = float(np.sum(np.arange(40.0) ** 13))
    assert math.isclose(srcad.grad(f)(1.5), expected, rel_tol=1e-12)
    assert math.isclose(srcad.jvp(f)(1.5, 1.0)[1], expected, rel_tol=1e-12)
    check(f, (1.5,))

# ------------------------------------------------ 5. reductions in an element's index are lowered
def swap_at_computed_index(a, w):
    w = w.copy()
    w[int(np.prod(np.tanh(a)))], w[0] = (w[0], w[0])
    return np.sum(w)


def write_at_computed_index(a, w):
    w = w.copy()
    w[int(np.prod(np.tanh(a)) * 2.0)] = w[0] * np.sum(np.sin(a))
    return np.sum(w * w)


def add_at_computed_index(a, w):
    M = np.zeros((2, 3))
    M[0, int(np.sum(np.abs(a)))] += np.sum(np.tanh(a) * w[:2])
    return np.sum(M * M)


def asserted_reduction(a, w):
    assert np.sum(np.tanh(a)) < 10.0
    return np.sum(a * w[:2])


@pytest.mark.parametrize("f", [swap_at_computed_index, write_at_computed_index, add_at_computed_index,
                               asserted_reduction])
def test_a_reduction_in_an_element_write_index_is_lowered(f):
    check(f, (np.array([0.3, 0.2]), np.array([1.0, 2.0, 3.0])), wrt=(0, 1))


# ------------------------------------------------ 6. Hessians that are zero, where a gradient records a tape
def largest_magnitude(x):
    return np.abs(x).max()


def largest(x):
    return x.max()


def linear_in_each_branch(x):
    if x[0] > 0:
        return 3.0 * x[0] + x[1]
    else:
        return 2.0 * x[1]


def quadratic_in_one_branch(x):
    if x[0] > 0:
        return x[0] * x[0] + x[1]
    else:
        return 2.0 * x[1]


def largest_of_a_matrix(X):
    return np.max(np.abs(X)) + np.sum(X)


def _hessian_by_differences(f, x):
    """Central differences of the gradient (exact for a piecewise linear gradient away from its kinks)."""
    g = srcad.grad(f)
    h = 2.0 ** -12
    columns = []
    for k in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[k] = h
        columns.append((g(x + step) - g(x - step)) / (2 * h))
    return np.moveaxis(np.array(columns).reshape(x.shape + x.shape), list(range(x.ndim)),
                       list(range(x.ndim, 2 * x.ndim)))


@pytest.mark.parametrize("f, x", [
    (largest_magnitude, np.array([0.5, -1.5, 0.7])),
    (largest, np.array([0.5, -1.5, 0.7])),
    (linear_in_each_branch, np.array([0.5, -1.5, 0.7])),
    (linear_in_each_branch, np.array([-0.5, -1.5, 0.7])),
    (quadratic_in_one_branch, np.array([0.5, -1.5, 0.7])),
    (quadratic_in_one_branch, np.array([-0.5, -1.5, 0.7])),
    (largest_of_a_matrix, np.array([[0.5, -1.5], [0.7, 0.1]])),
])
def test_the_hessian_of_a_gradient_with_a_tape_is_returned(f, x):
    expected = _hessian_by_differences(f, x)
    assert_close(srcad.hessian(f)(x), expected, what="hessian")
    v = RNG.standard_normal(x.shape)
    hv = np.tensordot(expected, v, axes=x.ndim)
    assert_close(srcad.hvp(f)(x, v), hv, what="hvp")
    assert_close(srcad.jvp(srcad.grad(f))(x, v)[1], hv, what="jvp of grad")
    assert_close(srcad.jacfwd(srcad.grad(f))(x), expected, what="jacfwd of grad")


# ------------------------------------------------ 7. arrays made from a scalar argument
def sum_of_ones_times(x):
    return np.sum(np.ones(4) * x)


def sum_times_arange(x):
    return np.sum(x * np.arange(4.0))


def sum_of_linspace(x):
    return np.sum(np.linspace(0, x, 5))


def sum_of_sines_of_ones_times(x):
    return np.sum(np.sin(np.ones(4) * x))


def int_of_a_product_of_an_array(x):
    return int(np.prod(np.tanh(np.ones(3) * x))) + x * x


@pytest.mark.parametrize("f, expected", [
    (sum_of_ones_times, 4.0),
    (sum_times_arange, 6.0),
    (sum_of_linspace, 2.5),
    (sum_of_sines_of_ones_times, 4.0 * math.cos(0.7)),
    (int_of_a_product_of_an_array, 1.4),
])
def test_an_array_made_from_a_scalar_argument_is_differentiated(f, expected):
    assert math.isclose(srcad.grad(f)(0.7), expected, rel_tol=1e-12)
    check(f, (0.7,))
    assert_close(srcad.hessian(f)(0.7), gradient(srcad.grad(f), (0.7,)), what="second derivative")
