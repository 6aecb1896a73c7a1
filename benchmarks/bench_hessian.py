"""Hessian and Hessian-vector products: forward over reverse against a hand-written Hessian.

    python3 benchmarks/bench_hessian.py [--n 100] [--samples 7]

For the extended Rosenbrock function of n variables, written as a ``for`` loop
and as a ``while`` loop, one run measures, each called in a loop inside
``@numba.njit`` code (so no Python call overhead is timed):

* ``srcad.grad(f)`` and ``srcad.hvp(f)`` (one forward-over-reverse sweep);
  the figure of merit is hvp / grad (goal: at most 3);
* ``srcad.hessian(f)`` (n sweeps) against a hand-written Numba Hessian and a
  central-difference Hessian from srcad's gradient (2n gradients);
* JAX ``jax.hessian`` and a JAX hvp (``jvp`` of ``grad``) under ``jit`` when
  JAX is installed.

Times are medians over ``--samples`` batches after a warm-up call.
"""

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _p in (HERE, ROOT):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import numba  # noqa: E402
import numpy as np  # noqa: E402

import srcad  # noqa: E402
from reporting import median_time  # noqa: E402


def rosenbrock(x):
    s = 0.0
    for i in range(x.shape[0] - 1):
        s = s + 100.0 * (x[i + 1] - x[i] * x[i]) ** 2 + (1.0 - x[i]) ** 2
    return s


def rosenbrock_while(x):
    s = 0.0
    i = 0
    while i < x.shape[0] - 1:
        s = s + 100.0 * (x[i + 1] - x[i] * x[i]) ** 2 + (1.0 - x[i]) ** 2
        i = i + 1
    return s


@numba.njit(cache=True)
def hand_hessian(x):
    n = x.shape[0]
    H = np.zeros((n, n))
    for i in range(n - 1):
        H[i, i] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0
        H[i + 1, i + 1] += 200.0
        H[i, i + 1] += -400.0 * x[i]
        H[i + 1, i] += -400.0 * x[i]
    return H


def _timed_loop(call, *args):
    """A compiled loop calling ``call`` ``reps`` times; returns its time per call."""
    @numba.njit
    def loop(reps, *a):
        total = 0.0
        for _ in range(reps):
            r = call(*a)
            total += np.sum(r)
        return total

    loop(1, *args)   # compile

    def measure(samples):
        reps = 1
        while True:
            start = time.perf_counter()
            loop(reps, *args)
            if time.perf_counter() - start > 0.03:
                break
            reps *= 2
        times = []
        for _ in range(samples):
            start = time.perf_counter()
            loop(reps, *args)
            times.append((time.perf_counter() - start) / reps)
        return statistics.median(times)

    return measure


def _fd_hessian_maker(gradient):
    @numba.njit
    def fd_hessian(x):
        n = x.shape[0]
        H = np.empty((n, n))
        e = np.zeros(n)
        for k in range(n):
            h = 1e-6 * max(1.0, abs(x[k]))
            e[k] = h
            gp = gradient(x + e)
            gm = gradient(x - e)
            e[k] = 0.0
            for i in range(n):
                H[i, k] = (gp[i] - gm[i]) / (2 * h)
        return H

    return fd_hessian


def _format(seconds):
    return f"{seconds * 1e6:.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def run(n, samples):
    rng = np.random.default_rng(0)
    x = rng.uniform(-1.5, 1.5, n)
    v = rng.standard_normal(n)
    rows = []
    for f in (rosenbrock, rosenbrock_while):
        grad, hvp, hessian = srcad.grad(f), srcad.hvp(f), srcad.hessian(f)
        H = hessian(x)
        assert np.allclose(H, hand_hessian(x), rtol=1e-12, atol=1e-9)
        assert np.allclose(hvp(x, v), H @ v, rtol=1e-10, atol=1e-8)
        fd_hessian = _fd_hessian_maker(grad)
        measures = {
            "grad": _timed_loop(grad, x),
            "hvp": _timed_loop(hvp, x, v),
            "hessian": _timed_loop(hessian, x),
            "hand hessian": _timed_loop(hand_hessian, x),
            "fd hessian": _timed_loop(fd_hessian, x),
        }
        times = {name: measure(samples) for name, measure in measures.items()}
        rows.append((f.__name__, times))
    jax_times = _jax(x, v, samples)
    return rows, jax_times


def _jax(x, v, samples):
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    jax.config.update("jax_enable_x64", True)

    def f(z):
        return jnp.sum(100.0 * (z[1:] - z[:-1] ** 2) ** 2 + (1.0 - z[:-1]) ** 2)

    grad = jax.jit(jax.grad(f))
    hessian = jax.jit(jax.hessian(f))
    hvp = jax.jit(lambda z, w: jax.jvp(jax.grad(f), (z,), (w,))[1])
    xj, vj = jnp.asarray(x), jnp.asarray(v)
    return {
        "grad": median_time(lambda: grad(xj).block_until_ready(), samples),
        "hvp": median_time(lambda: hvp(xj, vj).block_until_ready(), samples),
        "hessian": median_time(lambda: hessian(xj).block_until_ready(), samples),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100)
    parser.add_argument("--samples", type=int, default=7)
    options = parser.parse_args()
    rows, jax_times = run(options.n, options.samples)
    print(f"extended Rosenbrock, n = {options.n}; srcad and hand-written called from @njit loops, medians")
    print("| function | grad | hvp | hvp / grad | hessian | hand hessian | hessian / hand | fd hessian |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, t in rows:
        print(f"| {name} | {_format(t['grad'])} | {_format(t['hvp'])} | {t['hvp'] / t['grad']:.2f} | "
              f"{_format(t['hessian'])} | {_format(t['hand hessian'])} | {t['hessian'] / t['hand hessian']:.1f} | "
              f"{_format(t['fd hessian'])} |")
    if jax_times:
        print(f"JAX (jit, called from Python, vectorized jnp form): grad {_format(jax_times['grad'])}, "
              f"hvp {_format(jax_times['hvp'])} (hvp / grad {jax_times['hvp'] / jax_times['grad']:.2f}), "
              f"hessian {_format(jax_times['hessian'])}")
    else:
        print("JAX: not installed")


if __name__ == "__main__":
    main()
