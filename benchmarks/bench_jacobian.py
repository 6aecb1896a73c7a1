"""Jacobian crossover benchmark: forward against reverse mode on a three-layer network.

    python3 benchmarks/bench_jacobian.py             # the grid and the sweep, a table of ratios
    python3 benchmarks/bench_jacobian.py --quick     # fewer samples and sweep points
    python3 benchmarks/bench_jacobian.py --plot      # also draw benchmarks/jacobian_sweep.png

The function is ``y = tanh(W3 tanh(W2 tanh(W1 x)))`` written as Numba-style
loops, with widths n -> 64 -> 64 -> m; the Jacobian is taken with respect
to x (shape (m, n)).  For each (n, m) one run measures srcad's ``jacfwd``,
``jacrev`` and ``jacobian(mode="auto")`` against a hand-written Numba
Jacobian in each order (forward: the identity pushed through the layers;
reverse: the identity pulled back through them), and JAX's ``jacfwd`` /
``jacrev`` under ``jit`` when JAX is installed.  Times are medians of
interleaved samples (see ``bench_core.time_interleaved``); quote the ratios,
which come from one run on one machine.
"""

import argparse
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _p in (HERE, ROOT):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import numba  # noqa: E402

import srcad  # noqa: E402
from bench_core import time_interleaved  # noqa: E402

WIDTH = 64
GRID = [(4, 256), (256, 4), (64, 64)]
SWEEP = [4, 16, 32, 48, 64, 96, 128, 256]
QUICK_SWEEP = [8, 32, 64, 128]


def network(x, W1, W2, W3):
    """tanh(W3 tanh(W2 tanh(W1 x))), one loop nest a layer."""
    h1 = np.zeros(W1.shape[0])
    for i in range(W1.shape[0]):
        s = 0.0
        for j in range(W1.shape[1]):
            s += W1[i, j] * x[j]
        h1[i] = math.tanh(s)
    h2 = np.zeros(W2.shape[0])
    for i in range(W2.shape[0]):
        s = 0.0
        for j in range(W2.shape[1]):
            s += W2[i, j] * h1[j]
        h2[i] = math.tanh(s)
    y = np.zeros(W3.shape[0])
    for i in range(W3.shape[0]):
        s = 0.0
        for j in range(W3.shape[1]):
            s += W3[i, j] * h2[j]
        y[i] = math.tanh(s)
    return y


@numba.njit(cache=True)
def _layer(W, h):
    out = np.empty(W.shape[0])
    for i in range(W.shape[0]):
        s = 0.0
        for j in range(W.shape[1]):
            s += W[i, j] * h[j]
        out[i] = math.tanh(s)
    return out


@numba.njit(cache=True)
def _push(W, h, J):
    """diag(1 - h**2) W J, with h = tanh(W x) already computed: the next layer's forward Jacobian."""
    out = np.zeros((W.shape[0], J.shape[1]))
    for i in range(W.shape[0]):
        for j in range(W.shape[1]):
            w = W[i, j]
            for k in range(J.shape[1]):
                out[i, k] += w * J[j, k]
        d = 1.0 - h[i] * h[i]
        for k in range(J.shape[1]):
            out[i, k] *= d
    return out


@numba.njit(cache=True)
def hand_jacfwd(x, W1, W2, W3):
    """The identity pushed forward through the layers: J = D3 W3 D2 W2 D1 W1."""
    h1 = _layer(W1, x)
    h2 = _layer(W2, h1)
    y = _layer(W3, h2)
    J1 = np.empty((W1.shape[0], x.shape[0]))
    for i in range(W1.shape[0]):
        d = 1.0 - h1[i] * h1[i]
        for k in range(x.shape[0]):
            J1[i, k] = d * W1[i, k]
    return _push(W3, y, _push(W2, h2, J1))


@numba.njit(cache=True)
def _pull(G, W, h):
    """G diag(1 - h**2) W: the rows G pulled back through a layer whose output is h."""
    out = np.zeros((G.shape[0], W.shape[1]))
    for r in range(G.shape[0]):
        for i in range(W.shape[0]):
            g = G[r, i] * (1.0 - h[i] * h[i])
            for j in range(W.shape[1]):
                out[r, j] += g * W[i, j]
    return out


@numba.njit(cache=True)
def hand_jacrev(x, W1, W2, W3):
    """The identity pulled back through the layers, one row of J per output."""
    h1 = _layer(W1, x)
    h2 = _layer(W2, h1)
    y = _layer(W3, h2)
    G = np.eye(y.shape[0])
    return _pull(_pull(_pull(G, W3, y), W2, h2), W1, h1)


def jax_candidates(params):
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return {}
    jax.config.update("jax_enable_x64", True)

    def f(x, W1, W2, W3):
        return jnp.tanh(W3 @ jnp.tanh(W2 @ jnp.tanh(W1 @ x)))

    out = {}
    for label, transform in (("jax jacfwd", jax.jacfwd), ("jax jacrev", jax.jacrev)):
        compiled = jax.jit(transform(f))
        args = tuple(jnp.asarray(p) for p in params)
        out[label] = (lambda *a, c=compiled: c(*a).block_until_ready(), args)
    return out


def problem(n, m, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    W1 = rng.normal(size=(WIDTH, n)) / math.sqrt(n)
    W2 = rng.normal(size=(WIDTH, WIDTH)) / math.sqrt(WIDTH)
    W3 = rng.normal(size=(m, WIDTH)) / math.sqrt(WIDTH)
    return x, W1, W2, W3


def measure(n, m, transforms, samples):
    params = problem(n, m)
    reference = hand_jacfwd(*params)
    for label, J in transforms.items():
        got = J(*params)
        if not np.allclose(got, reference, rtol=1e-10, atol=1e-12):
            raise AssertionError(f"{label} disagrees with the hand-written Jacobian at n={n}, m={m}")
    candidates = {label: (J, params) for label, J in transforms.items()}
    candidates["hand forward"] = (hand_jacfwd, params)
    candidates["hand reverse"] = (hand_jacrev, params)
    candidates.update(jax_candidates(params))
    times = time_interleaved(candidates, samples=samples)
    auto = transforms["srcad auto"].__srcad__
    mode = auto.form.plan(*auto.built.last_call)[-1]
    return times, mode


def fmt(seconds):
    return f"{seconds * 1e6:.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--plot", action="store_true")
    options = parser.parse_args()
    samples = 5 if options.quick else 9
    transforms = {"srcad jacfwd": srcad.jacfwd(network), "srcad jacrev": srcad.jacrev(network),
                  "srcad auto": srcad.jacobian(network)}
    shapes = GRID + [(n, WIDTH) for n in (QUICK_SWEEP if options.quick else SWEEP) if (n, WIDTH) not in GRID]
    rows = []
    for n, m in shapes:
        times, mode = measure(n, m, transforms, samples)
        rows.append((n, m, times, mode))
    jax_labels = [label for label in rows[0][2] if label.startswith("jax")]
    print(f"numba {numba.__version__}, numpy {np.__version__}; JAX: "
          f"{'installed' if jax_labels else 'not installed'}\n")
    header = ["n", "m", "srcad fwd", "srcad rev", "auto (mode)", "hand fwd", "hand rev",
              "best srcad / best hand", "auto / best fixed"] + [f"{label}" for label in jax_labels]
    if jax_labels:
        header.append("best jax / best srcad")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for n, m, t, mode in rows:
        best_srcad = min(t["srcad jacfwd"], t["srcad jacrev"])
        best_hand = min(t["hand forward"], t["hand reverse"])
        cells = [str(n), str(m), fmt(t["srcad jacfwd"]), fmt(t["srcad jacrev"]), f"{fmt(t['srcad auto'])} ({mode})",
                 fmt(t["hand forward"]), fmt(t["hand reverse"]), f"{best_srcad / best_hand:.2f}",
                 f"{t['srcad auto'] / best_srcad:.2f}"]
        cells += [fmt(t[label]) for label in jax_labels]
        if jax_labels:
            cells.append(f"{min(t[label] for label in jax_labels) / best_srcad:.2f}")
        print("| " + " | ".join(cells) + " |")
    if options.plot:
        plot([r for r in rows if r[1] == WIDTH])


def plot(rows):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot")
        return
    rows = sorted(rows)
    ns = [r[0] for r in rows]
    figure, axes = plt.subplots(figsize=(7, 4.5))
    for label in rows[0][2]:
        axes.plot(ns, [r[2][label] * 1e6 for r in rows], marker="o", label=label,
                  linestyle="--" if label.startswith(("hand", "jax")) else "-")
    axes.set_xscale("log", base=2)
    axes.set_yscale("log")
    axes.set_xlabel("n (inputs), m = 64 outputs")
    axes.set_ylabel("time per Jacobian (µs)")
    axes.set_title("Jacobian of tanh(W3 tanh(W2 tanh(W1 x))), n -> 64 -> 64 -> 64", fontsize=10)
    axes.grid(True, which="both", alpha=0.3)
    axes.legend()
    figure.tight_layout()
    path = os.path.join(HERE, "jacobian_sweep.png")
    figure.savefig(path, dpi=120)
    print(f"wrote {os.path.relpath(path)}")


if __name__ == "__main__":
    main()
