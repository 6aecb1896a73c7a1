"""target="parallel" and srcad.batch on the CPU: the parallel batch equals the serial one bit for bit."""

import math

import numba
import numpy as np
import pytest
from numba import prange

import srcad


def lorenz(sigma, rho, beta, x, y, z, dt, steps):
    for _ in range(steps):
        k1x = sigma * (y - x)
        k1y = x * (rho - z) - y
        k1z = x * y - beta * z
        x2 = x + 0.5 * dt * k1x
        y2 = y + 0.5 * dt * k1y
        z2 = z + 0.5 * dt * k1z
        x = x + 0.5 * dt * (k1x + sigma * (y2 - x2))
        y = y + 0.5 * dt * (k1y + x2 * (rho - z2) - y2)
        z = z + 0.5 * dt * (k1z + x2 * y2 - beta * z2)
    return x * x + y + math.sin(z)


def newton_sqrt(a, scale):
    """A while loop whose trip count differs from item to item: tapes grow per chunk."""
    x = a
    while abs(x * x - a) > 1e-12 * a:
        x = 0.5 * (x + a / x)
    return scale * x * x * x


def layer(x, W, b):
    s = 0.0
    for i in range(W.shape[0]):
        h = 0.0
        for j in range(x.shape[0]):
            h += W[i, j] * x[j]
        s += math.tanh(h + b[i]) ** 2
    return s


def squares_prange(x):
    s = 0.0
    for i in prange(x.shape[0]):
        s += x[i] * math.sin(x[i])
    return s


def squares_numba_prange(x):
    s = 0.0
    for i in numba.prange(x.shape[0]):
        s += x[i] * math.sin(x[i])
    return s


def squares_range(x):
    s = 0.0
    for i in range(x.shape[0]):
        s += x[i] * math.sin(x[i])
    return s


def _equal(a, b):
    if isinstance(a, tuple):
        return isinstance(b, tuple) and len(a) == len(b) and all(_equal(u, v) for u, v in zip(a, b))
    return np.array_equal(np.asarray(a), np.asarray(b)) and np.asarray(a).dtype == np.asarray(b).dtype


def _serial_and_parallel(derivative, args, shared):
    serial = srcad.batch(derivative, shared=shared, target="cpu")(*args)
    threads = numba.get_num_threads()
    try:
        results = []
        for count in sorted({1, threads}):
            numba.set_num_threads(count)
            results.append(srcad.batch(derivative, shared=shared, target="parallel")(*args))
    finally:
        numba.set_num_threads(threads)
    for parallel in results:
        assert _equal(serial, parallel)
    return serial


def test_lorenz_batch_parallel_equals_serial_and_the_derivative():
    rng = np.random.default_rng(1)
    n = 203   # not a multiple of the chunk count
    sigma, rho = 10.0 + rng.random(n), 28.0 + rng.random(n)
    g = srcad.grad(lorenz, wrt=(0, 1, 2))
    args = (sigma, rho, 8.0 / 3.0, 1.0, 1.0, 1.0, 0.01, 300)   # 300 steps: more than the starting tapes hold
    dsigma, drho, dbeta = _serial_and_parallel(g, args, shared=("beta", "x", "y", "z", "dt", "steps"))
    each = [g(sigma[i], rho[i], *args[2:]) for i in range(n)]
    assert np.array_equal(dsigma, [e[0] for e in each]) and np.array_equal(drho, [e[1] for e in each])
    assert isinstance(dbeta, float)
    assert dbeta == pytest.approx(math.fsum(e[2] for e in each), rel=1e-12)


def test_while_loop_batch_with_value_and_a_shared_adjoint():
    a = np.linspace(0.5, 40.0, 97)
    vg = srcad.value_and_grad(newton_sqrt, wrt=(0, 1))
    value, (da, dscale) = _serial_and_parallel(vg, (a, 2.0), shared=1)
    assert np.allclose(value, 2.0 * a ** 1.5) and np.allclose(da, 3.0 * np.sqrt(a))
    assert dscale == pytest.approx(np.sum(a ** 1.5), rel=1e-12)


def test_array_rows_batched_and_shared_weight_gradient_summed():
    rng = np.random.default_rng(2)
    X, W, b = rng.normal(size=(70, 5)), rng.normal(size=(4, 5)), rng.normal(size=4)
    g = srcad.grad(layer, wrt=(0, 1))
    dX, dW = _serial_and_parallel(g, (X, W, b), shared=("W", "b"))
    assert dX.shape == X.shape and dW.shape == W.shape
    each = [g(X[i], W, b) for i in range(len(X))]
    assert np.array_equal(dX, np.array([e[0] for e in each]))
    assert np.allclose(dW, sum(e[1] for e in each), rtol=1e-12, atol=1e-14)


def test_vjp_with_shared_cotangent_and_jvp():
    x = np.linspace(0.1, 2.0, 33)
    value, dx = _serial_and_parallel(srcad.vjp(squares_range), (x[:, None] * np.ones(3), 2.0), shared="cotangent")
    rows = x[:, None] * np.ones(3)
    assert np.allclose(value, np.sum(rows * np.sin(rows), axis=1))
    assert np.allclose(dx, 2.0 * (np.sin(rows) + rows * np.cos(rows)))
    value, tangent = _serial_and_parallel(srcad.jvp(lorenz, wrt=0), (10.0 + x, 28.0, 2.5, 1.0, 1.0, 1.0, 0.01, 20,
                                                                     np.ones_like(x)),
                                          shared=(1, 2, 3, 4, 5, 6, 7))
    grads = srcad.grad(lorenz)
    assert np.allclose(tangent, [grads(10.0 + v, 28.0, 2.5, 1.0, 1.0, 1.0, 0.01, 20) for v in x], rtol=1e-10)


def test_prange_in_the_primal_runs_as_range():
    x = np.linspace(-1.0, 2.0, 9)
    expected = srcad.grad(squares_range)(x)
    assert np.array_equal(srcad.grad(squares_prange)(x), expected)
    assert np.array_equal(srcad.grad(squares_numba_prange)(x), expected)
    assert np.array_equal(srcad.grad(squares_prange, target="parallel")(x), expected)
    _, tangent = srcad.jvp(squares_numba_prange)(x, np.ones_like(x))
    assert tangent == pytest.approx(float(np.sum(expected)))


def test_parallel_target_derivative_is_the_cpu_code_and_safe_in_users_prange():
    assert srcad.source(srcad.grad(lorenz, target="parallel"), args=(1.0,) * 7 + (3,)) == \
        srcad.source(srcad.grad(lorenz), args=(1.0,) * 7 + (3,))
    g = srcad.grad(newton_sqrt, target="parallel")

    @numba.njit(parallel=True)
    def many(a):
        out = np.empty_like(a)
        for i in prange(a.shape[0]):
            out[i] = g(a[i], 1.0)   # each call brings tapes of its own
        return out

    a = np.linspace(1.0, 30.0, 40)
    assert np.array_equal(many(a), np.array([g(v, 1.0) for v in a]))


def test_batch_refusals():
    g = srcad.grad(newton_sqrt)
    with pytest.raises(srcad.SrcadError, match="batched"):
        srcad.batch(g)(np.ones(3), 1.0)
    with pytest.raises(srcad.ShapeError, match="items"):
        srcad.batch(g)(np.ones(3), np.ones(4))
    with pytest.raises(srcad.SrcadError, match="shared"):
        srcad.batch(g, shared="nothing")
    with pytest.raises(srcad.SrcadError, match="every argument"):
        srcad.batch(g, shared=(0, 1))
    with pytest.raises(srcad.SrcadError, match="sums the adjoints"):
        srcad.batch(srcad.hessian(lorenz), shared=0)
    with pytest.raises(srcad.SrcadError, match="derivative made by srcad"):
        srcad.batch(newton_sqrt)
    with pytest.raises(srcad.SrcadError, match="target"):
        srcad.batch(g, target="tpu")
