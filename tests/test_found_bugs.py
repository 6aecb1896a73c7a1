"""Small reproducers of wrong numbers and crashes found on real code and by the differential generator.

Each test is one tiny function, differentiated through the public API and
checked against central finite differences (and forward mode against
reverse mode).  None is open today; a new one is marked
``pytest.mark.xfail(strict=False, reason=...)`` until its fix lands.  A clear
``srcad.UnsupportedError`` at build time would also be an acceptable answer
for some of them; a wrong number or a crash never is.
"""

import math

import numpy as np
import pytest

import srcad
from examples_mgh import beale
from fd import assert_close, dot, gradient

RNG = np.random.default_rng(6)


def _copies(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def _tangents(args, wrt):
    return tuple(RNG.standard_normal(args[i].shape) if isinstance(args[i], np.ndarray) else float(RNG.standard_normal())
                 for i in wrt)


def check(f, args, wrt=0):
    """Value against the primal, the gradient against finite differences, forward against reverse."""
    expected = f(*_copies(args))
    value, grads = srcad.value_and_grad(f, wrt=wrt)(*_copies(args))
    assert_close(value, expected, rtol=1e-12, what="value")
    assert_close(grads, gradient(f, _copies(args), wrt), rtol=1e-6, atol=1e-8, what="gradient")
    indices = wrt if isinstance(wrt, tuple) else (wrt,)
    tangents = _tangents(args, indices)
    forward_value, directional = srcad.jvp(f, wrt=wrt)(*_copies(args), *tangents)
    assert_close(forward_value, expected, rtol=1e-12, what="forward value")
    assert_close(directional, dot(grads if isinstance(grads, tuple) else (grads,), tangents),
                 rtol=1e-9, what="<gradient, tangent> against forward mode")



# ------------------------------------------------------------------ element reads in loops
def fixed_element_in_loop(x):
    s = 0.0
    for i in range(4):
        s += math.tanh(x[0])
    return s


def test_element_read_with_fixed_index_in_loop():
    check(fixed_element_in_loop, (np.array([0.3, 0.5, 0.1, 0.2]),))


def written_then_read_back(x):
    z = np.zeros(2)
    s = 0.0
    for _ in range(3):
        z[0] = x[0]
        s += z[0] * z[0]
    return s


def test_element_written_and_read_back_in_loop():
    check(written_then_read_back, (np.array([1.5, 2.0]),))


def rhs_into(y, k):
    z = np.empty_like(y)
    z[0] = y[1]
    z[1] = -k * y[0]
    return z


def rk_steps(y0, k):
    y = y0.copy()
    dt = 0.1
    for _ in range(5):
        k1 = rhs_into(y, k)
        k2 = rhs_into(y + 0.5 * dt * k1, k)
        y = y + dt * k2
    return y[0] * y[0] + y[1]


def test_midpoint_steps_with_an_array_right_hand_side():
    check(rk_steps, (np.array([1.0, 0.2]), 2.0), wrt=(0, 1))


# ------------------------------------------------------------------ control flow
def early_return_in_loop(x, n):
    s = x * 1.0
    for _ in range(n):
        s = s * 2.0
        return s
    return s * 3.0


def test_early_return_inside_loop_compiles():
    check(early_return_in_loop, (0.7, 2))


def break_after_an_inner_loop(x):
    s = 0.0
    for i in range(4):
        for _ in range(2):
            s += math.tanh(x[(i + 3) % 4])
        break
    return s


def test_break_after_an_inner_loop_compiles():
    check(break_after_an_inner_loop, (np.array([0.1, 0.4, 0.3, 0.2]),))




def test_helper_with_early_returns_called_in_loop():
    check(beale, (np.array([1.2, 0.4]),))


def squared(t):
    return t * t


def returns_early_then_calls(t):
    if squared(t) > 1.2:
        return 2.0 * t
    return squared(t)


def calls_a_helper_that_returns_early(a):
    return returns_early_then_calls(a)


def test_helper_with_early_return_calling_a_helper():
    check(calls_a_helper_that_returns_early, (0.5,))


def three_levels_of_early_returns(a):
    if a > 2.0:
        return calls_a_helper_that_returns_early(a) * a
    return calls_a_helper_that_returns_early(a) + returns_early_then_calls(2.0 * a)


def test_early_returns_inlined_three_levels_deep():
    check(three_levels_of_early_returns, (0.5,))
    check(three_levels_of_early_returns, (2.5,))


def halve(w):
    w[0] = w[0] * 0.5
    return w[0]


def while_and_with_call(x):
    w = np.ones(1)
    k = 0
    while k < 6 and halve(w) < 1.0:
        k += 1
    return x * (2.0 + w[0] * 64)


def test_while_and_short_circuits_a_call():
    check(while_and_with_call, (1.0,))


# ------------------------------------------------------------------ nested array expressions
def nested_dot(X, w):
    return np.sum(np.dot(np.dot(X, w), X))


def test_nested_dot_products():
    check(nested_dot, (RNG.normal(size=(5, 3)), RNG.normal(size=3)), wrt=(0, 1))


def axis_sum_of_product(W, M, x):
    return np.dot(np.sum(W @ M, axis=0), x)


def test_axis_reduction_of_a_matrix_product():
    check(axis_sum_of_product, (RNG.normal(size=(3, 3)), RNG.normal(size=(3, 3)), RNG.normal(size=3)), wrt=(0, 1, 2))


def times_own_element(a):
    w = a * a[0]
    return np.sum(w)


def test_array_times_its_own_element():
    check(times_own_element, (np.array([1.0, 2.0, 3.0]),))


def scaled_by_own_element(x):
    v = x * 1.0
    v = np.tanh(v * (0.3 - v[0]))
    return np.sum(v)


def test_array_reassigned_from_its_own_element():
    check(scaled_by_own_element, (np.array([0.2, -0.4, 0.6]),))


def axis_sum_minus_element(M):
    v = np.sum(M, axis=1) - M[0, 0]
    return np.sum(v * v)


def test_axis_reduction_minus_an_element():
    check(axis_sum_minus_element, (RNG.normal(size=(3, 3)),))


def max_of_axis_sum(M, x):
    return np.max(np.sum(M, axis=1)) * x


def test_max_of_an_axis_reduction_returned():
    check(max_of_axis_sum, (RNG.normal(size=(3, 3)), 1.3), wrt=(0, 1))


def max_of_matvec_in_expression(M, v, a):
    s = math.tanh(np.max(M @ v) - a)
    return s * a


def test_max_of_a_product_in_an_expression():
    check(max_of_matvec_in_expression, (RNG.normal(size=(3, 3)), RNG.normal(size=3), 0.4), wrt=(0, 1, 2))


def max_of_matvec_in_condition(M, v, x):
    s = 0.0
    for i in range(3):
        if np.max(M @ v) > 0.0:
            s += x * i
    return s


def test_max_of_a_product_in_a_condition_in_a_loop():
    check(max_of_matvec_in_condition, (RNG.normal(size=(3, 3)), RNG.normal(size=3), 1.3), wrt=2)


def nested_reductions_in_index(M):
    return M[int(M[0, 0]), 1 if M[1, int(np.prod(np.max(M, axis=1) @ M))] > 0.5 else 0]


def test_nested_reductions_in_an_index():
    check(nested_reductions_in_index, (np.array([[0.2, 0.3], [0.6, 0.9]]),))


def row_at_an_index_from_a_dot(M, x):
    v = np.tanh(M[int(abs(0.25 * np.dot(np.sin(x), x)) * 3.0) % 4])
    return np.sum(v)


def test_row_at_an_index_computed_from_a_dot_product():
    args = (np.arange(16.0).reshape(4, 4) * 0.1, np.array([0.1, 0.9, 0.3, 0.7]))
    check(row_at_an_index_from_a_dot, args)
    check(row_at_an_index_from_a_dot, args, wrt=(0, 1))


def slice_ending_at_a_reduction(M, x):
    return np.sum(M[1, 0:int(np.sum(x * x)) % 4] * x[0])


def test_slice_bound_computed_by_a_reduction():
    check(slice_ending_at_a_reduction, (np.arange(16.0).reshape(4, 4) * 0.1, np.array([1.1, 0.9, 0.3, 0.7])), wrt=(0, 1))


# ------------------------------------------------------------------ indices that change
def permuted_index(a, p0):
    p = p0.copy()
    s = 0.0
    for _ in range(2):
        s += a[p[0]] * a[p[0]]
        t = p[0]
        p[0] = p[1]
        p[1] = t
    return s


def test_index_array_permuted_after_use():
    check(permuted_index, (np.array([2.0, 3.0]), np.array([0, 1])))


def index_from_changing_data(a, W0):
    W = W0.copy()
    x = 0.0
    for j in range(3):
        x = x + a[int(W[1, j]) % 5]
        W[1, j] = W[1, j] + 2.0
        W[1, (j + 1) % 3] = W[1, j] + x * 0.0
    return x * x


def test_index_computed_from_data_that_changes():
    check(index_from_changing_data, (np.arange(5.0) + 1.0, np.array([[0.0, 1.0, 2.0], [1.0, 2.0, 3.0]])), wrt=0)


def write_at_an_index_read_from_itself(x, a):
    v = x * 1.0
    v[int(v[1] * 3.0) % 4] = a
    return np.sum(v * v)


def test_write_at_an_index_read_from_the_array_written():
    check(write_at_an_index_read_from_itself, (np.array([0.1, 0.4, 0.3, 0.2]), 0.9), wrt=(0, 1))


def read_after_write_at_an_index_read_from_itself(x):
    v = x * 1.0
    v[int(v[0] * 3.0) % 4] = 0.9
    return v[int(v[0] * 3.0) % 4] * x[1]


def test_read_after_write_at_an_index_read_from_itself():
    check(read_after_write_at_an_index_read_from_itself, (np.array([0.1, 0.4, 0.3, 0.2]),))


def index_from_whole_array(x, n):
    v = x * 1.0
    for i in range(n):
        for j in range(3):
            v[int(abs(0.25 * np.sum(v)) * 3.0) % 4] = math.tanh(0.5)
    return np.sum(v)


def test_element_write_at_an_index_computed_from_the_whole_array():
    check(index_from_whole_array, (np.array([0.3, 1.5, -0.7, 2.2]), 2))


def index_from_array_written_later(a, M, n):
    v = np.zeros(4)
    W = M.copy()
    for k in range(n):
        v[int(abs(0.1 * np.sum(W)) * 3.0) % 4] = math.sin(a) * v[1]
        v[1] = a * a
    W[0, 1] = 5.0
    return np.sum(v) * np.sum(W)


def test_index_from_a_whole_array_written_after_it_is_not_recomputed():
    check(index_from_array_written_later, (0.7, np.arange(16.0).reshape(4, 4) / 10, 3))


# ------------------------------------------------------------------ views and aliases
def alias_write(x):
    a = np.zeros(3)
    w = a
    w[0] = x
    return a[0] * 3.0


def test_write_through_a_whole_array_alias():
    check(alias_write, (0.7,))


def slice_view_write(x):
    a = np.ones(3)
    b = a.copy()
    w = b[0:2]
    w[0] = x
    return b[0] * 3.0 + w[0]


def test_write_through_a_slice_view():
    check(slice_view_write, (0.7,))


def row_view_writes(M0, x):
    M = M0.copy()
    w = M[0]
    for i in range(3):
        w[i] = w[i] * x
    return np.sum(M)


def test_writes_through_a_row_view_in_a_loop():
    check(row_view_writes, (np.arange(6.0).reshape(2, 3), 1.5), wrt=(0, 1))


# ------------------------------------------------------------------ call-time checks
def weighted(x, y):
    return np.sum(x * y)


def test_jvp_refuses_a_tangent_of_the_wrong_length():
    x, y = np.ones(3), np.arange(3.0)
    with pytest.raises(srcad.ShapeError):
        srcad.jvp(weighted, wrt=0)(x, y, np.ones(2))


# ------------------------------------------------------------------ tuples of numbers written out
def weights_written_out(x):
    s = 0.0
    for i in range(3):
        s += (0.25, 0.29, -0.32)[i] * x[i] + (1.0, 2.0, 3.0)[2 - i] * x[i] * x[i]
    return s


def test_a_tuple_of_numbers_written_out_indexed_by_a_variable():
    check(weights_written_out, (np.array([0.3, -1.2, 0.7]),))


def mixed_numbers_written_out(x):
    s = 0.0
    for i in range(2):
        s += (1, 2.5)[i] * x
    return s


def tuple_of_variables_indexed_by_a_variable(x):
    s = 0.0
    for i in range(2):
        s += (x, 2.0 * x)[i]
    return s


def test_tuples_written_out_that_cannot_be_indexed_by_a_variable_are_refused():
    with pytest.raises(srcad.UnsupportedError, match=r"\(1, 2\.5\)\[i\].*mixes numbers"):
        srcad.grad(mixed_numbers_written_out)(1.0)
    with pytest.raises(srcad.UnsupportedError, match=r"\(x, 2\.0 \* x\)\[i\].*constant integer"):
        srcad.grad(tuple_of_variables_indexed_by_a_variable)(1.0)


# ------------------------------------------------------------------ nested subscripts and transposed rows
def transposed_rows(m, x):
    w = m[1].T
    s = np.sum(w * w) + m[0].T @ x
    for i in range(2):
        s += np.sum(m[i].T * x) * m.T[2][i]
    return s


def test_a_transposed_row_is_the_row():
    check(transposed_rows, (np.arange(6.0).reshape(2, 3) * 0.3 + 0.5, np.array([0.4, -1.0, 2.0])), wrt=(0, 1))


def nested_element_writes(x, m):
    M = m.copy()
    M[1][0] = x * x
    M[0][2] += x * M[1][0]
    M[-1][-1] *= x
    for i in range(2):
        M[i][1] = M[i][0] * x
    return np.sum(M * M)


def test_nested_element_writes_are_element_writes():
    check(nested_element_writes, (0.7, np.arange(6.0).reshape(2, 3) * 0.3 + 0.5), wrt=(0, 1))


def writes_into_an_element_of_a_slice(x):
    M = np.zeros((3, 3))
    M[1:3][0] = x
    return np.sum(M)


def test_a_write_into_an_element_of_a_slice_is_refused():
    with pytest.raises(srcad.UnsupportedError, match="element of a slice"):
        srcad.grad(writes_into_an_element_of_a_slice)(1.0)


# ------------------------------------------------------------------ an array argument returned as it is
def peek(w):
    return w


def peek_row(M):
    return M[0]


def halve_row(M):
    M[0, 0] = M[0, 0] * 0.5
    return M[0, 0]


def reads_a_returned_argument_before_a_call_writes_it(x):
    w = np.ones(2) * x
    return peek(w)[0] + halve(w)


def reads_a_returned_row_before_a_call_writes_it(x):
    M = np.ones((2, 2)) * x
    return peek_row(M)[0] * 3.0 + halve_row(M)


def reads_a_returned_argument_after_the_call(x):
    w = np.ones(2) * x
    return halve(w) + peek(w)[0] * 3.0 + peek(w)[1]


def test_a_returned_argument_read_before_a_call_that_writes_it_is_refused():
    for f in (reads_a_returned_argument_before_a_call_writes_it, reads_a_returned_row_before_a_call_writes_it):
        with pytest.raises(srcad.UnsupportedError, match="writes into '(w|M)', which the same expression reads"):
            srcad.grad(f)(2.0)


def test_a_returned_argument_read_after_the_call_sees_its_writes():
    check(reads_a_returned_argument_after_the_call, (2.0,))



def _array_ignored_by_the_gradient(a, x, M):
    s = 0.5 * a
    W = M.copy()
    s = math.tanh(a)
    return s + 0.3 * np.sum(x) + 0.1 * np.sum(W) + a


def test_forward_over_reverse_compiles_when_a_gradient_part_does_not_depend_on_wrt():
    # the tape's early return gave a float where the tangent of M's gradient is an array
    a, x, M = 0.4, np.array([0.3, -0.2, 0.5]), np.ones((2, 2))
    second = srcad.jvp(srcad.grad(_array_ignored_by_the_gradient, wrt=(0, 1, 2)), wrt=(0, 1, 2))
    (ga, gx, gM), (ha, hx, hM) = second(a, x, M, 1.0, np.ones(3), np.ones((2, 2)))
    expected = gradient(lambda t: srcad.grad(_array_ignored_by_the_gradient, wrt=0)(t, x, M), (a,), 0)
    assert_close(ha, expected, rtol=1e-6, what="second derivative")
    assert np.array_equal(hx, np.zeros(3)) and np.array_equal(hM, np.zeros((2, 2)))
    assert np.allclose(gx, 0.3) and np.allclose(gM, 0.1)
