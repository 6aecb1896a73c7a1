"""The user's prange loops run in parallel in the parallel target's derivatives, with the serial numbers.

A loop the primal writes with ``prange`` becomes a ``prange`` loop in the
tangent and in the reverse mode's forward sweep when the generated loop's
iterations are independent (see ``srcad/backend/parallel_loops.py``); every
result equals the CPU target's bit for bit, with one thread and with all.
Loops that carry a value (a sum) stay serial.
"""

import math
import os
import subprocess
import sys

import numba
import numpy as np
import pytest
from numba import prange

import srcad


def pointwise(x, w):
    n = x.shape[0]
    y = np.empty(n)
    for i in prange(n):
        t = math.sin(x[i]) * w
        y[i] = t * t
    s = 0.0
    for i in range(n):
        s += y[i]
    return s


def pair_energy(positions, epsilon):
    """Lennard-Jones-like: each particle's energy in parallel, an inner loop and a branch in each."""
    n = positions.shape[0]
    energies = np.empty(n)
    for i in prange(n):
        e = 0.0
        for j in range(n):
            if j != i:
                dx = positions[i, 0] - positions[j, 0]
                dy = positions[i, 1] - positions[j, 1]
                inv = 1.0 / (dx * dx + dy * dy)
                e += epsilon * (inv ** 6 - inv ** 3)
        energies[i] = e
    total = 0.0
    for i in range(n):
        total += energies[i]
    return total


def stencil(u, c):
    """An interior range, reads of neighbours, a branch whose choice is recorded."""
    n = u.shape[0]
    v = np.zeros(n)
    for i in prange(1, n - 1):
        d = u[i - 1] - 2.0 * u[i] + u[i + 1]
        if d > 0.0:
            v[i] = c * d * d
        else:
            v[i] = math.exp(c * d)
    return np.sum(v * u)


def smooth_stencil(u, c):
    """An interior range and reads of neighbours, without a branch."""
    n = u.shape[0]
    v = np.zeros(n)
    for i in prange(1, n - 1):
        d = u[i - 1] - 2.0 * u[i] + u[i + 1]
        v[i] = math.tanh(c * d)
    return np.sum(v * u)


def prange_sum(x):
    s = 0.0
    for i in prange(x.shape[0]):
        s += x[i] * math.sin(x[i])
    return s


def smooth_into(y, x, w):
    for i in prange(x.shape[0]):
        y[i] = math.tanh(w * x[i])


def calls_a_helper(x, w):
    y = np.empty_like(x)
    smooth_into(y, x, w)
    return np.sum(y * y)


def _both_thread_counts(run):
    threads = numba.get_num_threads()
    try:
        results = []
        for count in sorted({1, threads}):
            numba.set_num_threads(count)
            results.append(run())
    finally:
        numba.set_num_threads(threads)
    return results


def _equal(a, b):
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_equal(u, v) for u, v in zip(a, b))
    return np.array_equal(np.asarray(a), np.asarray(b))


def _arguments(function):
    rng = np.random.default_rng(7)
    if function is pair_energy:
        grid = np.stack(np.meshgrid(np.arange(5.0), np.arange(4.0)), -1).reshape(-1, 2)
        return grid * 1.1 + 0.05 * rng.random(grid.shape), 0.8
    if function is prange_sum:
        return (rng.normal(size=23),)
    return rng.normal(size=23), 0.7


# (function, is the forward sweep of grad parallel, is the tangent's loop parallel)
CASES = [(pointwise, True, True),
         (pair_energy, False, True),   # the inner loop pushes a number of entries that varies: serial sweep
         (stencil, False, True),       # a branch pushes its choice, and one branch a value: serial sweep
         (smooth_stencil, True, True), (calls_a_helper, True, True),
         (prange_sum, False, False)]   # a sum carried from one iteration to the next


def _code(text):
    """The generated source without its comments (which quote the user's prange lines)."""
    return "\n".join(line for line in text.splitlines() if not line.strip().startswith("#"))


@pytest.mark.parametrize("function, in_grad, in_jvp", CASES, ids=[c[0].__name__ for c in CASES])
def test_parallel_derivatives_are_the_serial_ones(function, in_grad, in_jvp):
    args = _arguments(function)
    wrt = tuple(range(len(args)))
    kinds = [("grad", lambda f, **o: srcad.grad(f, wrt=wrt, **o), args),
             ("jvp", lambda f, **o: srcad.jvp(f, wrt=wrt, **o), args + tuple(np.ones_like(a) for a in args)),
             ("hessian", lambda f, **o: srcad.hessian(f, **o), args)]
    for kind, make, call_args in kinds:
        serial = make(function)(*call_args)
        derivative = make(function, target="parallel")
        for result in _both_thread_counts(lambda: derivative(*call_args)):
            assert _equal(result, serial), kind
        if kind == "hessian":
            continue   # its direction blocks write scratch rows that all iterations share: serial
        text = _code(srcad.source(derivative, args=call_args))
        parallel = in_grad if kind == "grad" else in_jvp
        assert ("prange(" in text) == parallel, kind
        assert ("parallel=prange_only()" in text) == parallel, kind


def test_the_loops_that_run_in_parallel():
    x = np.linspace(0.0, 1.0, 5)
    grad = srcad.source(srcad.grad(pointwise, target="parallel"), args=(x, 0.7))
    forward = grad.split("for i in range(n):")[0]
    # the forward sweep's loop: the value each iteration leaves goes to the next iteration's slot,
    # all iterations but the last in parallel, the last one serially for the reverse sweep
    assert "for i in prange(n - 1):" in forward and "if n > 0:" in forward
    assert "_ftape[_fslot1 + 1] = t_each1" in forward
    assert "_ftop = _fbase1 + range_len(0, n, 1)" in forward
    reverse = grad.split("_result_bar = _seed")[1]
    assert "prange" not in _code(reverse)
    jvp = srcad.source(srcad.jvp(pointwise, target="parallel"), args=(x, 0.7, x))
    assert "for i in prange(n):" in jvp and "if n > 0" not in jvp
    # the CPU target runs the same loop serially
    assert "prange" not in _code(srcad.source(srcad.grad(pointwise), args=(x, 0.7)))


def test_derivatives_compile_in_plain_python_too():
    code = ("import numpy as np, srcad, tests.test_parallel_loops as t\n"
            "for f in (t.pointwise, t.pair_energy, t.stencil, t.smooth_stencil, t.calls_a_helper):\n"
            "    args = t._arguments(f)\n"
            "    a = srcad.grad(f, wrt=tuple(range(len(args))), target='parallel')(*args)\n"
            "    b = srcad.grad(f, wrt=tuple(range(len(args))))(*args)\n"
            "    assert t._equal(a, b), f.__name__\n")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, NUMBA_DISABLE_JIT="1", PYTHONPATH=root)
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, env=env, timeout=600)


def test_against_finite_differences():
    positions, epsilon = _arguments(pair_energy)
    dpositions, depsilon = srcad.grad(pair_energy, wrt=(0, 1), target="parallel")(positions, epsilon)
    h = 1e-6
    assert depsilon == pytest.approx((pair_energy(positions, epsilon + h) - pair_energy(positions, epsilon - h))
                                     / (2 * h), rel=1e-6)
    for k in [(0, 0), (3, 1), (11, 0)]:
        up, down = positions.copy(), positions.copy()
        up[k] += h
        down[k] -= h
        assert dpositions[k] == pytest.approx((pair_energy(up, epsilon) - pair_energy(down, epsilon)) / (2 * h),
                                              rel=1e-5, abs=1e-8)
