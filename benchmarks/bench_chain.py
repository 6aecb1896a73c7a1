"""Chain benchmark: the Jacobian of a chain of dense tanh layers in every order.

    python3 benchmarks/bench_chain.py              # print the tables
    python3 benchmarks/bench_chain.py --repeats 5  # fewer samples

Each chain is ``x -> tanh(W1 x + b1) -> ... -> tanh(WL h + bL)``, every layer
written as Numba-style loops, on widths where the order of the products
matters:

* ``8 -> 512 -> 8 -> 512 -> 8``: the dense-chain optimum is (J4 J3)(J2 J1);
* ``256 -> 8 -> 256``: a bottleneck, where J1 (8 x 256) is cheap in reverse
  mode, J2 (256 x 8) in forward mode, and their product is the Jacobian;
* ``128 -> 8 -> 128 -> 8 -> 128``: two bottlenecks;
* ``1024 -> 8 -> 1024``: a wider bottleneck.

For each chain one run measures ``srcad.chain_jacobian`` with every strategy:
one run of sweeps through the whole chain in forward mode (w_0 tangent sweeps
of each layer) and in reverse mode (w_L adjoint sweeps), the three dense-chain
orders (every factor a full matrix, each computed in its cheaper mode, then
multiplied from the input side, from the output side, or in the optimal
order), and ``auto`` (the plan the dynamic programme chooses from measured
sweep costs); beside them the whole function's Jacobian by ``srcad.jvp`` (one
tangent sweep per input) and ``srcad.vjp`` (one adjoint sweep per output) of
the inlined function, and a Jacobian written by hand in NumPy (each factor
diag(1 - h^2) W formed directly, multiplied in the optimal order).  Where
srcad has vector mode (``srcad.jacfwd``/``jacrev``), those are timed too, and
``auto`` may make a single layer's factor or the whole Jacobian with them.  It prints, for each, the multiplications in matrix
products, the plan's estimated cost and the median time, and checks that all
agree.  BLAS runs on one thread (set ``OPENBLAS_NUM_THREADS`` to change it).
"""

import argparse
import math
import os
import sys
import time

# One BLAS thread, like the Numba sweeps: on a shared machine a second BLAS thread only spins.
for _variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import srcad  # noqa: E402
from srcad.chain import ChainJacobian  # noqa: E402


def dense_tanh(W, b, h):
    """tanh(W @ h + b) as loops."""
    n, m = W.shape
    out = np.empty(n)
    for i in range(n):
        s = b[i]
        for j in range(m):
            s += W[i, j] * h[j]
        out[i] = math.tanh(s)
    return out


def two_layers(x, W1, b1, W2, b2):
    h1 = dense_tanh(W1, b1, x)
    return dense_tanh(W2, b2, h1)


def four_layers(x, W1, b1, W2, b2, W3, b3, W4, b4):
    h1 = dense_tanh(W1, b1, x)
    h2 = dense_tanh(W2, b2, h1)
    h3 = dense_tanh(W3, b3, h2)
    return dense_tanh(W4, b4, h3)


CHAINS = [
    ("8-512-8-512-8", four_layers, (8, 512, 8, 512, 8)),
    ("256-8-256", two_layers, (256, 8, 256)),
    ("128-8-128-8-128", four_layers, (128, 8, 128, 8, 128)),
    ("1024-8-1024", two_layers, (1024, 8, 1024)),
]
# with vector mode (srcad.jacfwd / jacrev), single factors and the whole function are made at once
VECTOR = hasattr(srcad, "jacfwd")


def vector_jacobian(func, wrt, mode):
    return (srcad.jacfwd if mode == "forward" else srcad.jacrev)(func, wrt=wrt)
STRATEGIES = [("forward sweeps", "forward"), ("reverse sweeps", "reverse"), ("dense forward-only", "dense-forward"),
              ("dense reverse-only", "dense-reverse"), ("dense optimal", "dense"), ("auto (chosen)", "auto")]


def arguments(widths, rng):
    args = [rng.normal(size=widths[0])]
    for n_in, n_out in zip(widths, widths[1:]):
        args += [rng.normal(size=(n_out, n_in)) / math.sqrt(n_in), 0.1 * rng.normal(size=n_out)]
    return tuple(args)


def median_times(calls, repeats):
    """Median seconds of each call, sampled in turn (round-robin) so that a slow moment of a
    shared machine falls on every candidate alike."""
    for call in calls:
        call()
    samples = [[] for _ in calls]
    for _ in range(repeats):
        for call, times in zip(calls, samples):
            start = time.perf_counter()
            call()
            times.append(time.perf_counter() - start)
    return [float(np.median(times)) for times in samples]


def whole_jacobians(func, args):
    """The whole (inlined) function's Jacobian by one jvp per input and by one vjp per output."""
    fj, fv = srcad.jvp(func), srcad.vjp(func)
    n = args[0].size
    m = fj(*args, np.zeros(n))[0].size

    def forward():
        return np.stack([fj(*args, e)[1] for e in np.eye(n)], axis=1)

    def reverse():
        return np.stack([fv(*args, e)[1] for e in np.eye(m)])

    return [("whole jvp per input", forward), ("whole vjp per output", reverse)]


def hand_written(args):
    """The Jacobian written by hand in NumPy: J_k = diag(1 - h_k^2) W_k, multiplied in the optimal
    dense order (``np.linalg.multi_dot``): the practical limit for this layer."""
    x, layers = args[0], args[1:]

    def jacobian():
        h, factors = x, []
        for W, b in zip(layers[0::2], layers[1::2]):
            h = np.tanh(W @ h + b)
            factors.append((1.0 - h * h)[:, None] * W)
        return np.linalg.multi_dot(factors[::-1])

    return jacobian


def run_chain(label, func, widths, repeats, rng):
    args = arguments(widths, rng)
    # sweep costs are measured once: every strategy plans on the same figures
    chained = ChainJacobian(func, 0, jacobians=vector_jacobian if VECTOR else None)
    names, calls, plans = [], [], {}
    for name, strategy in STRATEGIES:
        chained.jacobian(args, strategy)
        plans[name] = chained.plan
        names.append(name)
        calls.append(lambda strategy=strategy: chained.jacobian(args, strategy))
    others = whole_jacobians(func, args)
    if VECTOR:
        jf, jr = srcad.jacfwd(func), srcad.jacrev(func)
        others += [("srcad.jacfwd", lambda: jf(*args)), ("srcad.jacrev", lambda: jr(*args))]
    for name, call in others + [("hand-written NumPy", hand_written(args))]:
        names.append(name)
        calls.append(call)
    results = [call() for call in calls]
    seconds = median_times(calls, repeats)
    rows = []
    for name, result, time_taken in zip(names, results, seconds):
        agree = np.allclose(result, results[0], rtol=1e-10, atol=1e-12)
        plan = plans.get(name)
        if plan is None:
            rows.append((name, "-", 0, float("nan"), time_taken, agree))
        else:
            rows.append((name, plan.bracketing, plan.multiplications, plan.cost, time_taken, agree))
    return rows, {strategy: plans[name] for name, strategy in STRATEGIES}


def table(label, widths, rows, plans):
    best_pure = min(seconds for name, _, _, _, seconds, _ in rows
                    if name in ("forward sweeps", "reverse sweeps", "whole jvp per input", "whole vjp per output",
                                "srcad.jacfwd", "srcad.jacrev"))
    best_dense_pure = min(seconds for name, _, _, _, seconds, _ in rows
                          if name in ("dense forward-only", "dense reverse-only"))
    lines = [f"### {label}", "",
             "| order | bracketing | multiplications | estimated | median time | / best pure mode | agree |",
             "|---|---|---:|---:|---:|---:|:---:|"]
    for name, bracketing, mults, estimate, seconds, agree in rows:
        estimated = "-" if math.isnan(estimate) else _time(estimate)
        lines.append(f"| {name} | `{bracketing}` | {mults} | {estimated} | {_time(seconds)} | "
                     f"{seconds / best_pure:.2f} | {'yes' if agree else 'NO'} |")
    auto = next(r for r in rows if r[0] == "auto (chosen)")
    lines += ["", f"auto / best pure mode (sweeps or whole function) = {auto[4] / best_pure:.2f}; "
              f"auto / better dense pure order = {auto[4] / best_dense_pure:.2f}", "", "```",
              plans["auto"].text(), "```", ""]
    return "\n".join(lines)


def _time(seconds):
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    options = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"srcad {srcad.__version__}, numpy {np.__version__}, {os.cpu_count()} CPU(s); "
          f"medians of {options.repeats} calls after one warm-up, candidates sampled in turn\n")
    for label, func, widths in CHAINS:
        rows, plans = run_chain(label, func, widths, options.repeats, rng)
        print(table(label, widths, rows, plans))


if __name__ == "__main__":
    main()
