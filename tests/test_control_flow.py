"""Control flow: branches, loops, early exits, reassignment and arrays.

Every function is evaluated at points that take different branches or run
different numbers of iterations.  At each point:

* the value returned by the derivative equals the plain Python value,
* the reverse-mode gradient matches finite differences,
* forward mode matches finite differences and agrees with reverse mode
  (``w * (J v) == <w J, v>``).
"""

import inspect
import math

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import srcad

try:
    from . import fd
except ImportError:
    import fd


# ---------------------------------------------------------------- functions
def newton_sqrt(a):
    # Newton's method for sqrt(a) run until the step is negligible.
    x = max(a, 1.0)
    dx = 1.0
    while abs(dx) > 1e-13 * x:
        x_new = 0.5 * (x + a / x)
        dx = x_new - x
        x = x_new
    return x


def newton_iterations(a):
    x = max(a, 1.0)
    dx = 1.0
    n = 0
    while abs(dx) > 1e-13 * x:
        x_new = 0.5 * (x + a / x)
        dx = x_new - x
        x = x_new
        n += 1
    return n


def series_break(x, n):
    # Partial sum of the exponential series, stopped once the terms are small.
    s = 1.0
    term = 1.0
    for k in range(1, n):
        term = term * x / k
        s += term
        if abs(term) < 1e-3:
            break
    return s


def series_terms(x, n):
    term = 1.0
    used = 0
    for k in range(1, n):
        term = term * x / k
        used = k
        if abs(term) < 1e-3:
            break
    return used


def early_return(x, n):
    if x < -5.0:
        return x * x
    y = x
    for i in range(n):
        if y > 10.0:
            return y * x + i
        y = y * 1.7 + 0.2 + 0.1 * math.sin(y)
    return y - x


def nested_negative_steps(x, n):
    s = 0.0
    for i in range(n, -n, -2):
        for j in range(i, -1, -3):
            s = s + math.sin(x * (j + 1)) / (i * i + 1)
        for k in range(-i, i + 1, 2):
            s -= 0.1 * x * k * s
    return s


def variable_range(x, start, stop, step):
    s = x
    for i in range(start, stop, step):
        s = s * 0.9 + math.cos(x + i) * i
    return s


def elif_chain(x):
    if x < -1.0:
        y = -x * x
        z = 2.0
    elif x < 0.0:
        y = x * x * x
        z = x
    elif x < 1.0:
        y = math.sin(x)
        z = 3.0 * x
    else:
        y = math.log(x) + 1.0
        z = x * x
    if z > 1.0:
        y = y + z
    return y * z


def int_float_mix(x, n):
    s = 0  # an int that becomes a float
    k = 0
    acc = x
    for i in range(n):
        k += i // 2
        m = k * 2 + 1
        acc = acc * 0.5 + x / m
        s += x * i
        s -= k
    return acc / (k + 1) + s + k


def sin_1000(x):
    for _ in range(1000):
        x = math.sin(x)
    return x


def swap_fib(x, n):
    a, b = 1.0, x
    for i in range(n):
        a, b = b, a + b * x
    return b


def swap_pair(x, y):
    for i in range(5):
        x, y = y, x * 0.5 + y * y * 0.1
        if i == 2:
            x, y = y, x
    return x * 3.0 + y


def conditional_expressions(x, y):
    a = x * y if x > y else x / y
    b = (math.exp(a) if a < 1.0 else a * a) if y > 0.0 else -a
    return a + b * (x if x > 0.5 else y)


def augmented(x, y):
    s = x
    s += y * 2.0
    s *= x
    s -= y / 3.0
    s /= 1.0 + y * y
    s **= 2
    t = 1
    t += 2
    s *= t
    return s


def continue_loop(x):
    s = 0.0
    for i in range(20):
        t = math.sin(x * i)
        if t < 0.0:
            continue
        s += t * t
    return s


def while_doubling(x):
    n = 0
    while x < 100.0:
        x = x * 2.0 + 1.0
        n += 1
    return x * n


def while_true_fixed_point(x):
    # y = cos(y) + 0.1 x by fixed-point iteration.
    y = 0.0
    n = 0
    while True:
        y_new = math.cos(y) + 0.1 * x
        n += 1
        if abs(y_new - y) < 1e-15 or n >= 200:
            y = y_new
            break
        y = y_new
    return y


def nested_while_break(x):
    total = 0.0
    for i in range(1, 5):
        y = x * i
        while True:
            y = y * 0.5
            if y < 1.0:
                break
        total += y * i
    return total


def return_from_nested(x, n):
    for i in range(n):
        for j in range(i):
            v = math.sin(x * i + j)
            if v > 0.9:
                return v * x
    return x * x


def loop_variable_after_loop(x, n):
    for i in range(n):
        x = x * 1.1 + 0.01 * i
    return x * i


def reassign_param(x, y):
    x = x * y
    y = x + y
    x = math.exp(-x * x) + y
    return x * y


def branch_only_assignments(x, flag):
    if flag > 0:
        a = x * x
        b = 3.0
    else:
        a = 2.0
        b = math.cos(x)
    if flag > 1:
        a = a * b
    return a + b


SCALE = 2.5


def overwrite_after_use(x):
    a = x * 2.0
    b = a * a
    a = math.sin(a)
    c = b * a
    b = c + a * 3.0
    return b * a + c


def loop_overwrites(x, n):
    y = x
    t = 0.0
    for i in range(n):
        t = y * y
        y = math.sin(t) + y * 0.5
        t = t * 0.5 + y
    return y + t


def branch_in_loop(x):
    y = x
    for i in range(10):
        if y > 1.0:
            y = y * 0.5 + math.sin(y)
        elif y < -1.0:
            y = -y * 0.3
        else:
            y = y * 2.0 + 0.1
    return y


def while_continue(x):
    i = 0
    s = 0.0
    while i < 12:
        i += 1
        if (i // 3) * 3 == i:
            continue
        s = s * 0.8 + math.cos(s + x * i)
    return s


def inner_break_outer_accumulate(x):
    acc = 0.0
    for i in range(4):
        t = x * i
        for j in range(3, 0, -1):
            t = t * math.cos(t) + j
            if t > 5.0:
                break
        acc += t * t
    return acc


def while_early_return(x):
    y = x
    while y < 50.0:
        y = y * y + 1.0
        if y > 10.0:
            if y < 20.0:
                return y * x
    return y


def boolean_operators(x, y):
    r = x * y
    if x > 0.0 and y > 0.0:
        r = r + math.sqrt(x * y)
    if x < -1.0 or y < -1.0:
        r = r * x
    if not x > y:
        r = r - y * y
    return r


def return_int_in_branch(x):
    if x < 0.0:
        return 0
    return x * x


def reads_module_constant(x):
    return SCALE * x * x + math.sin(SCALE * x)


def three_way_rotation(x, n):
    a, b, c = x, 1.0, 2.0
    for i in range(n):
        a, b, c = c, a, b * x + a
    return a * 1.0 + b * 2.0 + c * 3.0


def integer_powers(x, n):
    s = 0.0
    for k in range(n):
        s += x ** k / (k + 1)
    return s


def names_like_generated(a, b):
    """Locals named like the names derivative code tends to use."""
    # a comment between statements
    out = a / b
    x = out * a
    x_d = x + 1.0
    xb = x_d * b
    dx = math.tan(out * 0.1)
    x_adj = xb - dx
    tape = x_adj * x_adj
    _t0 = tape + out
    return _t0 * 0.5 + x_adj


def float_of_int(x, n):
    s = 0.0
    for i in range(n):
        r = float(i) / n
        s += x * r + int(x * 10.0) * 0.01
    return s


def long_loop(x, n):
    y = x
    for _ in range(n):
        y = 0.5 * y + 0.3 * math.sin(y) + 0.1 * x
    return y


def range_bound_modified(x, n):
    # range(n) is evaluated once; changing n later does not change the trip count.
    s = x
    for i in range(n):
        n = n - 1
        s = s * 0.9 + math.cos(s) * n
    return s


def int_or_float_local(x):
    y = 0 if x < 0.0 else x
    z = y * 2
    return z * x + y


def ignores_first(x, y):
    return y * y


def constant_float(x):
    return 3.0


def constant_int(x):
    return 1


def sign_only(x):
    if x > 0.0:
        return 1.0
    return -1.0


def rebinds_argument(x):
    y = x
    x = 2.0
    return y * x + x


def two_args(x, y):
    return x * x * y + math.sin(y)


def loop_variable_reassigned(x):
    s = 0.0
    for i in range(5):
        i = i * 2
        s = s * 0.5 + x * i + math.sin(x * i)
    return s


def overwritten_in_branch(x):
    y = x
    t = 0.0
    for i in range(6):
        t = y * 0.5 + i
        y = math.exp(-t * t) + y * 0.3
        if y > 0.5:
            t = 0.0
    return y + t


def swap_with_temporaries(x):
    a, b = x, 2.0 * x
    c = 0.0
    for i in range(4):
        c = a * b
        a, b = math.sin(c), a - b
    return a + b + c


def nested_while_counters(x):
    s = 0.0
    k = 0
    y = x
    while k < 5:
        z = y * y
        j = 0
        while j < k:
            z = math.sqrt(z + 1.0) * 0.9
            j += 1
        y = z - y * 0.5
        s += y / (k + 1)
        k += 1
    return s


def min_max_in_loop(x):
    lo = x
    hi = x
    for i in range(5):
        v = math.sin(x * (i + 1))
        lo = min(lo, v)
        hi = max(v, hi)
    return hi - lo * x


# Array arguments (read-only element access).
def array_cubes(x):
    s = 0.0
    for i in range(len(x)):
        s += x[i] * x[i] * x[i]
    return s


def array_horner(x, a):
    s = 0.0
    n = len(x)
    for i in range(n - 1, -1, -1):
        s = s * a + math.sin(x[i])
    return s


def array_running_max(x):
    best = x[0]
    for i in range(1, len(x)):
        if x[i] > best:
            best = x[i]
    return best * best


def array_pairs(x):
    s = 0.0
    n = len(x)
    for i in range(n):
        for j in range(i + 1, n):
            d = x[i] - x[j]
            s += d * d * (i + 1)
    return s


def array_negative_index(x):
    return x[-1] * x[0] + x[len(x) - 2] * 2.0


def array_while(x, tol):
    # Data-dependent number of array reads.
    s = 0.0
    i = 0
    while i < len(x) and s < tol:
        s += x[i] * x[i]
        i += 1
    return s * x[0]


# ------------------------------------------------------------------- points
ARR5 = np.array([0.3, -1.2, 2.5, 0.7, -0.4])

CASES = [
    (newton_sqrt, (0.01,), 0),
    (newton_sqrt, (0.5,), 0),
    (newton_sqrt, (2.0,), 0),
    (newton_sqrt, (150.0,), 0),
    (newton_sqrt, (1e4,), 0),
    (series_break, (0.1, 12), 0),
    (series_break, (1.5, 12), 0),
    (series_break, (-2.0, 12), 0),
    (series_break, (4.0, 12), 0),
    (early_return, (-6.0, 20), 0),
    (early_return, (8.0, 20), 0),
    (early_return, (0.5, 20), 0),
    (early_return, (0.5, 2), 0),
    (early_return, (-3.0, 5), 0),
    (nested_negative_steps, (0.4, 0), 0),
    (nested_negative_steps, (0.4, 1), 0),
    (nested_negative_steps, (0.4, 4), 0),
    (nested_negative_steps, (-1.3, 5), 0),
    (variable_range, (0.3, 0, 10, 3), 0),
    (variable_range, (0.3, 10, 0, -3), 0),
    (variable_range, (1.1, -5, 5, 1), 0),
    (variable_range, (1.1, 5, -5, -4), 0),
    (variable_range, (0.7, 3, 3, 1), 0),
    (variable_range, (0.7, 0, 5, -1), 0),
    (elif_chain, (-2.0,), 0),
    (elif_chain, (-0.5,), 0),
    (elif_chain, (0.2,), 0),
    (elif_chain, (0.5,), 0),
    (elif_chain, (2.0,), 0),
    (int_float_mix, (0.7, 0), 0),
    (int_float_mix, (0.7, 1), 0),
    (int_float_mix, (-1.4, 7), 0),
    (sin_1000, (0.5,), 0),
    (sin_1000, (1.2,), 0),
    (sin_1000, (-2.0,), 0),
    (swap_fib, (0.6, 0), 0),
    (swap_fib, (0.6, 7), 0),
    (swap_fib, (-1.1, 8), 0),
    (swap_pair, (0.6, -0.3), (0, 1)),
    (swap_pair, (1.5, 0.8), (0, 1)),
    (conditional_expressions, (2.0, 0.4), (0, 1)),
    (conditional_expressions, (0.3, 0.9), (0, 1)),
    (conditional_expressions, (1.5, -0.5), (0, 1)),
    (conditional_expressions, (0.2, -0.8), (0, 1)),
    (conditional_expressions, (3.0, 1.0), (0, 1)),
    (augmented, (0.7, -0.4), (0, 1)),
    (augmented, (-1.3, 2.0), (0, 1)),
    (continue_loop, (0.37,), 0),
    (continue_loop, (-1.1,), 0),
    (while_doubling, (0.3,), 0),
    (while_doubling, (5.0,), 0),
    (while_doubling, (200.0,), 0),
    (while_true_fixed_point, (0.5,), 0),
    (while_true_fixed_point, (-3.0,), 0),
    (nested_while_break, (0.7,), 0),
    (nested_while_break, (3.3,), 0),
    (return_from_nested, (0.3, 6), 0),
    (return_from_nested, (1.3, 6), 0),
    (return_from_nested, (0.01, 3), 0),
    (loop_variable_after_loop, (0.8, 1), 0),
    (loop_variable_after_loop, (0.8, 6), 0),
    (reassign_param, (0.4, 1.3), (0, 1)),
    (reassign_param, (-0.9, 0.2), (0, 1)),
    (branch_only_assignments, (0.6, 0), 0),
    (branch_only_assignments, (0.6, 1), 0),
    (branch_only_assignments, (0.6, 2), 0),
    (overwrite_after_use, (0.4,), 0),
    (overwrite_after_use, (-1.2,), 0),
    (loop_overwrites, (0.6, 5), 0),
    (loop_overwrites, (-1.1, 3), 0),
    (branch_in_loop, (0.3,), 0),
    (branch_in_loop, (-2.7,), 0),
    (branch_in_loop, (1.6,), 0),
    (while_continue, (0.35,), 0),
    (while_continue, (-1.2,), 0),
    (inner_break_outer_accumulate, (0.9,), 0),
    (inner_break_outer_accumulate, (2.2,), 0),
    (while_early_return, (1.5,), 0),
    (while_early_return, (2.0,), 0),
    (while_early_return, (60.0,), 0),
    (boolean_operators, (0.5, 1.5), (0, 1)),
    (boolean_operators, (-1.5, 0.3), (0, 1)),
    (boolean_operators, (2.0, -1.7), (0, 1)),
    (return_int_in_branch, (-0.5,), 0),
    (return_int_in_branch, (0.7,), 0),
    (reads_module_constant, (0.3,), 0),
    (three_way_rotation, (0.8, 0), 0),
    (three_way_rotation, (0.8, 7), 0),
    (integer_powers, (-0.7, 6), 0),
    (names_like_generated, (0.8, 1.7), (0, 1)),
    (names_like_generated, (-2.1, 0.6), (0, 1)),
    (float_of_int, (0.73, 5), 0),
    (long_loop, (0.9, 100000), 0),
    (range_bound_modified, (0.4, 6), 0),
    (int_or_float_local, (-0.5,), 0),
    (int_or_float_local, (0.5,), 0),
    (rebinds_argument, (0.3,), 0),
    (overwritten_in_branch, (0.3,), 0),
    (overwritten_in_branch, (-1.7,), 0),
    (swap_with_temporaries, (0.4,), 0),
    (nested_while_counters, (0.8,), 0),
    (min_max_in_loop, (0.7,), 0),
    (min_max_in_loop, (2.3,), 0),
    (array_cubes, (ARR5,), 0),
    (array_horner, (ARR5, 0.8), (0, 1)),
    (array_horner, (ARR5[:1], -1.5), (0, 1)),
    (array_running_max, (ARR5,), 0),
    (array_running_max, (ARR5[::-1].copy(),), 0),
    (array_pairs, (ARR5,), 0),
    (array_negative_index, (ARR5,), 0),
    (array_while, (ARR5, 1.0), 0),
    (array_while, (ARR5, 100.0), 0),
]


def _fmt(a):
    if isinstance(a, np.ndarray):
        return f"arr{len(a)}"
    return repr(a)


PARAMS = [
    pytest.param(f, args, wrt, id=f"{f.__name__}({','.join(_fmt(a) for a in args)})")
    for f, args, wrt in CASES
]

_built = {}


def ad(kind, f, wrt=0):
    """The srcad transform ``kind`` of ``f``, built once per module."""
    key = (kind, f, wrt)
    if key not in _built:
        _built[key] = getattr(srcad, kind)(f, wrt=wrt)
    return _built[key]


def _tangent_like(a, seed):
    if isinstance(a, np.ndarray):
        return np.linspace(-0.9, 1.1, len(a)) * (1.0 + 0.1 * seed)
    return 0.6 - 1.3 * seed


def _tangents(args, wrt):
    idx = wrt if isinstance(wrt, tuple) else (wrt,)
    return tuple(_tangent_like(args[i], k) for k, i in enumerate(idx))


def _copy_args(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


# ---------------------------------------------------------------- core tests
@pytest.mark.parametrize("f, args, wrt", PARAMS)
def test_gradient_vs_fd(f, args, wrt):
    got = ad("grad", f, wrt)(*_copy_args(args))
    fd.assert_close(got, fd.gradient(f, args, wrt), what=f"grad {f.__name__}{args}")


@pytest.mark.parametrize("f, args, wrt", PARAMS)
def test_forward_vs_fd(f, args, wrt):
    tangents = _tangents(args, wrt)
    value, t = ad("jvp", f, wrt)(*_copy_args(args), *tangents)
    fd.assert_close(value, f(*args), rtol=1e-12, atol=1e-14, what="jvp value")
    fd.assert_close(t, fd.directional(f, args, wrt, tangents), what=f"jvp {f.__name__}{args}")


@pytest.mark.parametrize("f, args, wrt", PARAMS)
def test_forward_vs_reverse(f, args, wrt):
    tangents = _tangents(args, wrt)
    w = -1.3
    _, t = ad("jvp", f, wrt)(*_copy_args(args), *tangents)
    value, cot = ad("vjp", f, wrt)(*_copy_args(args), w)
    fd.assert_close(value, f(*args), rtol=1e-12, atol=1e-14, what="vjp value")
    if not isinstance(wrt, tuple):
        cot, tangents = (cot,), tangents
    scale = abs(w) * max(1.0, abs(t)) * 1e-12
    fd.assert_close(w * t, fd.dot(tuple(cot), tuple(tangents)), rtol=1e-10, atol=scale, what="w.(J v) vs (w J).v")


# ---------------------------------------------------- exact reference checks
@pytest.mark.parametrize("a", [0.01, 2.0, 1e4])
def test_newton_sqrt_derivative_is_exact(a):
    # The points run different numbers of iterations.
    assert len({newton_iterations(b) for b in (0.01, 2.0, 1e4)}) == 3
    value, g = ad("value_and_grad", newton_sqrt)(a)
    fd.assert_close(value, math.sqrt(a), rtol=1e-14, atol=0.0)
    fd.assert_close(g, 0.5 / math.sqrt(a), rtol=1e-12, atol=0.0, what="d sqrt")


def test_series_break_takes_different_trip_counts():
    assert len({series_terms(x, 12) for x in (0.1, 1.5, -2.0, 4.0)}) == 4
    assert series_terms(4.0, 12) == 11  # no break


@pytest.mark.parametrize("x", [0.5, 1.2, -2.0])
def test_sin_1000_chain_rule(x):
    expected = 1.0
    y = x
    for _ in range(1000):
        expected *= math.cos(y)
        y = math.sin(y)
    value, g = ad("value_and_grad", sin_1000)(x)
    fd.assert_close(value, y, rtol=1e-12, atol=0.0)
    fd.assert_close(g, expected, rtol=1e-10, atol=0.0, what="prod cos")


@pytest.mark.parametrize("x, n", [(0.3, 7), (5.0, 5), (200.0, 0)])
def test_while_doubling_exact(x, n):
    # x -> 2x + 1 applied n times has derivative 2**n; the result is x_n * n.
    xn = x
    for _ in range(n):
        xn = 2.0 * xn + 1.0
    assert xn >= 100.0 and (n == 0 or (xn - 1.0) / 2.0 < 100.0)
    assert ad("grad", while_doubling)(x) == 2.0 ** n * n
    fd.assert_close(ad("value_and_grad", while_doubling)(x)[0], xn * n, rtol=1e-15, atol=0.0)


@pytest.mark.parametrize("x", [0.5, -3.0])
def test_fixed_point_implicit_derivative(x):
    y = while_true_fixed_point(x)
    fd.assert_close(ad("grad", while_true_fixed_point)(x), 0.1 / (1.0 + math.sin(y)), rtol=1e-9, atol=0.0)


@settings(max_examples=30, deadline=None)
@given(x=st.floats(min_value=-3.0, max_value=3.0, allow_nan=False))
def test_property_elif_chain_piecewise_derivative(x):
    if x < -1.0:
        dy, dz, y, z = -2.0 * x, 0.0, -x * x, 2.0
    elif x < 0.0:
        dy, dz, y, z = 3.0 * x * x, 1.0, x ** 3, x
    elif x < 1.0:
        dy, dz, y, z = math.cos(x), 3.0, math.sin(x), 3.0 * x
    else:
        dy, dz, y, z = 1.0 / x, 2.0 * x, math.log(x) + 1.0, x * x
    if z > 1.0:
        dy, y = dy + dz, y + z
    expected = dy * z + y * dz
    fd.assert_close(ad("grad", elif_chain)(x), expected, rtol=1e-12, atol=1e-14, what=f"elif_chain'({x})")
    fd.assert_close(ad("jvp", elif_chain)(x, 1.0)[1], expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "f, args",
    [(ignores_first, (0.3, 0.4)), (constant_float, (0.3,)), (constant_int, (0.3,)), (sign_only, (0.3,)), (sign_only, (-2.0,))],
)
def test_derivative_independent_of_argument_is_zero(f, args):
    g = srcad.grad(f)(*args)
    assert type(g) is float and g == 0.0
    value, t = srcad.jvp(f)(*args, 1.0)
    assert t == 0.0
    assert value == f(*args)


def test_wrt_order_is_respected():
    x, y = 0.3, 0.8
    dfdx = 2.0 * x * y
    dfdy = x * x + math.cos(y)
    gy, gx = srcad.grad(two_args, wrt=(1, 0))(x, y)
    fd.assert_close((gy, gx), (dfdy, dfdx), rtol=1e-14, atol=0.0)
    # Tangents are given in wrt order: the first belongs to y.
    _, t = srcad.jvp(two_args, wrt=(1, 0))(x, y, 1.0, 0.0)
    fd.assert_close(t, dfdy, rtol=1e-14, atol=0.0)
    _, t = srcad.jvp(two_args, wrt=(1, 0))(x, y, 0.0, 1.0)
    fd.assert_close(t, dfdx, rtol=1e-14, atol=0.0)
    _, cot = srcad.vjp(two_args, wrt=(1, 0))(x, y, 2.0)
    fd.assert_close(cot, (2.0 * dfdy, 2.0 * dfdx), rtol=1e-14, atol=0.0)


def test_loop_variable_reassigned_in_the_body():
    g = srcad.grad(loop_variable_reassigned)(0.7)
    fd.assert_close(g, fd.partial(loop_variable_reassigned, (0.7,), 0))
    _, t = srcad.jvp(loop_variable_reassigned)(0.7, 1.0)
    fd.assert_close(t, g, rtol=1e-12)


def int_first(n, x, y):
    s = 0.0
    for i in range(n):
        s = s * y + x
    return s


def test_integer_argument_before_wrt_arguments():
    x, y, n = 0.5, 0.9, 4
    # s = x (1 + y + y**2 + y**3)
    dx = 1.0 + y + y * y + y ** 3
    dy = x * (1.0 + 2.0 * y + 3.0 * y * y)
    fd.assert_close(srcad.grad(int_first, wrt=(1, 2))(n, x, y), (dx, dy), rtol=1e-14, atol=0.0)
    fd.assert_close(srcad.grad(int_first, wrt=2)(n, x, y), dy, rtol=1e-14, atol=0.0)
    value, t = srcad.jvp(int_first, wrt=(1, 2))(n, x, y, 1.0, -2.0)
    fd.assert_close(value, int_first(n, x, y), rtol=1e-15, atol=0.0)
    fd.assert_close(t, dx - 2.0 * dy, rtol=1e-14, atol=1e-15)


def test_strided_and_readonly_arrays():
    strided = ARR5[::2]
    assert not strided.flags.c_contiguous
    fd.assert_close(ad("grad", array_cubes)(strided), 3.0 * strided ** 2, rtol=1e-14, atol=0.0)
    frozen = ARR5.copy()
    frozen.flags.writeable = False
    fd.assert_close(ad("grad", array_cubes)(frozen), 3.0 * ARR5 ** 2, rtol=1e-14, atol=0.0)
    value, cot = ad("vjp", array_cubes)(frozen, 2.0)
    fd.assert_close(cot, 6.0 * ARR5 ** 2, rtol=1e-14, atol=0.0)
    value, t = ad("jvp", array_cubes)(strided, np.ones(3))
    fd.assert_close(t, float(np.sum(3.0 * strided ** 2)), rtol=1e-14, atol=0.0)


# ------------------------------------------------------ API shape contracts
def test_float_argument_gives_python_float():
    g = ad("grad", sin_1000)(0.5)
    assert type(g) is float
    value, g2 = ad("value_and_grad", sin_1000)(0.5)
    assert type(value) is float and type(g2) is float
    value, t = ad("jvp", sin_1000)(0.5, 1.0)
    assert type(value) is float and type(t) is float


def test_tuple_wrt_returns_tuple():
    got = ad("grad", reassign_param, (0, 1))(0.4, 1.3)
    assert isinstance(got, tuple) and len(got) == 2
    assert all(type(g) is float for g in got)
    value, got2 = ad("value_and_grad", reassign_param, (0, 1))(0.4, 1.3)
    assert isinstance(got2, tuple) and len(got2) == 2
    fd.assert_close(got2, got, rtol=1e-15, atol=0.0)
    fd.assert_close(value, reassign_param(0.4, 1.3), rtol=1e-14, atol=0.0)


def test_single_wrt_other_than_zero():
    g1 = srcad.grad(reassign_param, wrt=1)(0.4, 1.3)
    assert type(g1) is float
    fd.assert_close(g1, fd.partial(reassign_param, (0.4, 1.3), 1))


def test_array_gradient_is_ndarray():
    g = ad("grad", array_cubes)(ARR5.copy())
    assert isinstance(g, np.ndarray)
    assert g.shape == ARR5.shape and g.dtype == np.float64
    fd.assert_close(g, 3.0 * ARR5 ** 2, rtol=1e-14, atol=0.0)
    gx, ga = ad("grad", array_horner, (0, 1))(ARR5.copy(), 0.8)
    assert isinstance(gx, np.ndarray) and gx.shape == ARR5.shape
    assert type(ga) is float


def test_inputs_are_not_modified():
    x = ARR5.copy()
    v = np.linspace(-1.0, 1.0, len(x))
    v0 = v.copy()
    ad("grad", array_pairs)(x)
    ad("value_and_grad", array_pairs)(x)
    ad("jvp", array_pairs)(x, v)
    ad("vjp", array_pairs)(x, 2.0)
    ad("grad", array_horner, (0, 1))(x, 0.8)
    ad("jvp", array_horner, (0, 1))(x, 0.8, v, 1.0)
    np.testing.assert_array_equal(x, ARR5)
    np.testing.assert_array_equal(v, v0)


def test_integer_argument_not_differentiated():
    # wrt defaults to 0; the int argument is never differentiated.
    g = ad("grad", swap_fib)(0.6, 7)
    assert type(g) is float
    g = srcad.grad(swap_fib)(0.6, 7)
    fd.assert_close(g, fd.partial(swap_fib, (0.6, 7), 0))


def test_check_grad_reports_ok():
    result = srcad.check_grad(elif_chain, 0.5, wrt=0)
    assert result.ok
    assert result.max_error < 1e-5


def test_source_is_text():
    text = srcad.source(swap_fib, mode="reverse", wrt=0, args=(0.6, 7))
    assert isinstance(text, str) and text.strip()
    text = srcad.source(swap_fib, mode="forward", wrt=0, args=(0.6, 7))
    assert isinstance(text, str) and text.strip()


# ------------------------------------------------------------ decorators
@srcad.grad
def decorated_grad(x):
    return x * x * math.sin(x)


@srcad.grad(wrt=1)
def decorated_grad_wrt1(x, y):
    return x * y * y


def test_decorator_forms():
    x = 0.8
    fd.assert_close(decorated_grad(x), 2 * x * math.sin(x) + x * x * math.cos(x), rtol=1e-13, atol=0.0)
    fd.assert_close(decorated_grad_wrt1(3.0, 0.5), 3.0, rtol=1e-14, atol=0.0)


# ------------------------------------------------------------ numba
@numba.njit
def njit_target(x, y):
    s = 0.0
    for i in range(3):
        s += math.sin(x * i) * y
    return s


def test_njit_function_under_test():
    gx, gy = ad("grad", njit_target, (0, 1))(0.7, 1.9)
    ref = fd.gradient(njit_target.py_func, (0.7, 1.9), (0, 1))
    fd.assert_close((gx, gy), ref)


GRAD_SIN = srcad.grad(sin_1000)
GRAD_CUBES = srcad.grad(array_cubes)
VG_ELIF = srcad.value_and_grad(elif_chain)
JVP_PAIR = srcad.jvp(swap_pair, wrt=(0, 1))
VJP_HORNER = srcad.vjp(array_horner, wrt=(0, 1))


@numba.njit
def call_grad_in_njit(x):
    return GRAD_SIN(x) * 2.0


@numba.njit
def call_array_grad_in_njit(x):
    g = GRAD_CUBES(x)
    return g.sum()


@numba.njit
def call_value_and_grad_in_njit(x):
    v, g = VG_ELIF(x)
    return v + 10.0 * g


@numba.njit
def call_jvp_in_njit(x, y):
    v, t = JVP_PAIR(x, y, 1.0, 0.5)
    return t


@numba.njit
def call_vjp_in_njit(x, a):
    v, cot = VJP_HORNER(x, a, 1.0)
    return cot[0].sum() + cot[1]


def test_grad_called_from_njit():
    fd.assert_close(call_grad_in_njit(0.5), 2.0 * GRAD_SIN(0.5), rtol=1e-14, atol=0.0)
    fd.assert_close(call_grad_in_njit(0.5), 2.0 * fd.partial(sin_1000, (0.5,), 0))


def test_array_grad_called_from_njit():
    x = ARR5.copy()
    fd.assert_close(call_array_grad_in_njit(x), float(np.sum(3.0 * ARR5 ** 2)), rtol=1e-14, atol=0.0)
    np.testing.assert_array_equal(x, ARR5)


def test_value_and_grad_called_from_njit():
    v, g = VG_ELIF(0.5)
    fd.assert_close(call_value_and_grad_in_njit(0.5), v + 10.0 * g, rtol=1e-14, atol=0.0)
    fd.assert_close(v, elif_chain(0.5), rtol=1e-14, atol=0.0)


def test_jvp_called_from_njit():
    ref = fd.directional(swap_pair, (0.6, -0.3), (0, 1), (1.0, 0.5))
    fd.assert_close(call_jvp_in_njit(0.6, -0.3), ref)


def test_vjp_called_from_njit():
    gx = fd.partial(array_horner, (ARR5, 0.8), 0)
    ga = fd.partial(array_horner, (ARR5, 0.8), 1)
    fd.assert_close(call_vjp_in_njit(ARR5.copy(), 0.8), float(np.sum(gx)) + ga)
