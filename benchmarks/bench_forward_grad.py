"""Forward gradients against gradients on an MLP objective written as loops.

    python3 benchmarks/bench_forward_grad.py            # print the table (about a minute)
    python3 benchmarks/bench_forward_grad.py --write    # also update its section of benchmarks/RESULTS.md

The objective is ``mlp_loss`` of ``examples/forward_gradient_training.py``: a
tanh layer, a ReLU layer, a linear layer and a softmax cross-entropy over a
batch, every product a loop.  For each network size one run measures, from
Python, medians per call over rounds that time every candidate in turn:

* f: the Numba primal;
* forward_grad: ``srcad.forward_grad(mlp_loss, wrt=<all weights>)`` with one
  direction (drawing v from a ``numpy.random.Generator``, one tangent sweep,
  the estimate (grad f . v) v);
* its parts: the tangent sweep alone along a fixed direction (``srcad.jvp``)
  and the drawing of v alone;
* grad: ``srcad.grad(mlp_loss, wrt=<all weights>)``, one reverse sweep;
* forward_grad with ``k=8`` directions averaged;

and R_f = time(forward_grad) / time(f), R_b = time(grad) / time(f) (medians of the
ratios of one round), beside
the figures Baydin et al. ("Gradients without backpropagation", 2022) report
for their PyTorch MLP (R_f 2.46, R_b 4.17).  The same ratios are measured
from a loop inside ``@numba.njit`` code, where forward_grad draws v from
Numba's ``np.random`` stream.  It first checks that the tangent along v equals
<grad f, v>.
"""

import argparse
import os
import statistics
import sys
import time

import numba
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _p in (HERE, ROOT, os.path.join(ROOT, "examples")):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import srcad   # noqa: E402
from bench_core import fmt_time   # noqa: E402
from reporting import write_section   # noqa: E402
from forward_gradient_training import initial_weights, make_data, mlp_loss, WEIGHTS   # noqa: E402

PAPER = {"R_f": 2.46, "R_b": 4.17}   # Baydin et al. 2022, their MLP in PyTorch
CASES = (   # (layer sizes, batch)
    ((64, 128, 128, 10), 64),
    ((64, 128, 128, 10), 8),
    ((8, 32, 32, 4), 32),
)
BATCH_SECONDS = 0.03   # length of one timed sample: several calls even of the largest case
AVERAGED = 8           # the directions of the averaged forward gradient
HEADING = "## Forward gradients (bench_forward_grad.py)"


def time_rounds(candidates, samples, batch_seconds):
    """Seconds per call of each ``label -> (callable, args, calls)`` in every round, as lists.

    Each candidate is sized into a batch of about ``batch_seconds`` (``calls`` is how many calls one
    call of it makes: 1, or the repetitions of a compiled loop); the rounds take one batch of each
    candidate in turn, so that the ratios of one round share the machine's load of that moment.
    """
    batches = {}
    for label, (fn, args, calls) in candidates.items():
        fn(*args)
        start = time.perf_counter()
        fn(*args)
        batches[label] = max(1, int(batch_seconds / max(time.perf_counter() - start, 1e-7)))
    times = {label: [] for label in candidates}
    for _ in range(samples):
        for label, (fn, args, calls) in candidates.items():
            start = time.perf_counter()
            for _ in range(batches[label]):
                fn(*args)
            times[label].append((time.perf_counter() - start) / (batches[label] * calls))
    return times


def medians(times):
    """Median time of each label, and median over the rounds of each label's time over f's."""
    result = {label: statistics.median(t) for label, t in times.items()}
    for label, t in times.items():
        result[f"{label}/f"] = statistics.median(a / b for a, b in zip(t, times["f"]))
    return result


def _njit_loop(function):
    """A compiled loop calling ``function(*weights, inputs, labels)`` ``reps`` times, its results consumed."""
    @numba.njit
    def loop(w1, b1, w2, b2, w3, b3, inputs, labels, reps):
        acc = 0.0
        for _ in range(reps):
            acc += np.sum(function(w1, b1, w2, b2, w3, b3, inputs, labels)[0])
        return acc
    return loop


def _njit_primal_loop():
    @numba.njit
    def loop(w1, b1, w2, b2, w3, b3, inputs, labels, reps):
        acc = 0.0
        for _ in range(reps):
            acc += mlp_loss(w1, b1, w2, b2, w3, b3, inputs, labels)
        return acc
    return loop


def measure(sizes, batch, samples, forward_grad, averaged, tangent, gradient, loops):
    weights = initial_weights(sizes)
    all_inputs, all_labels = make_data(count=batch, sizes=sizes)
    args = (*weights, all_inputs, all_labels)
    rng = np.random.default_rng(0)
    directions = [rng.standard_normal(w.shape) for w in weights]
    exact = gradient(*args)
    slope = tangent(*args, *directions)[1]
    inner = sum(float(np.sum(g * v)) for g, v in zip(exact, directions))
    agree = abs(slope - inner) <= 1e-10 * max(1.0, abs(inner))
    draws = np.random.default_rng(1)
    python = medians(time_rounds({
        "f": (mlp_loss, args, 1),
        "forward_grad": (forward_grad, args, 1),
        f"k={AVERAGED}": (averaged, args, 1),
        "jvp": (tangent, args + tuple(directions), 1),
        "draw": (lambda: [draws.standard_normal((1,) + w.shape) for w in weights], (), 1),
        "grad": (gradient, args, 1),
    }, samples, BATCH_SECONDS))
    in_njit = {}
    for label, loop in loops.items():
        loop(*args, 1)
        start = time.perf_counter()
        loop(*args, 1)
        reps = max(1, int(BATCH_SECONDS / max(time.perf_counter() - start, 1e-7)))
        in_njit[label] = (loop, args + (reps,), reps)
    njit_times = medians(time_rounds(in_njit, samples, 0.0))
    return dict(sizes=sizes, batch=batch, count=sum(w.size for w in weights), agree=agree, python=python,
                njit=njit_times)


def render(rows, seconds):
    lines = [
        "Medians per call, called from Python; R_f = forward_grad / f, R_b = grad / f, each the median over "
        "rounds that time every candidate in turn (a ratio of times taken under the same load).  forward_grad = "
        "drawing v (numpy Generator) + one tangent sweep + the estimate (grad f . v) v; the jvp and draw "
        f"columns are those parts alone; k={AVERAGED}: forward_grad averaging {AVERAGED} directions.",
        "",
        f"| MLP | batch | weights | f | forward_grad | jvp | draw v | grad | R_f | R_b | jvp / f | "
        f"k={AVERAGED} / f | agree |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|",
    ]
    for r in rows:
        t = r["python"]
        lines.append(
            f"| {' -> '.join(map(str, r['sizes']))} | {r['batch']} | {r['count']} | {fmt_time(t['f'])} | "
            f"{fmt_time(t['forward_grad'])} | {fmt_time(t['jvp'])} | {fmt_time(t['draw'])} | {fmt_time(t['grad'])} | "
            f"{t['forward_grad/f']:.2f} | {t['grad/f']:.2f} | {t['jvp/f']:.2f} | {t[f'k={AVERAGED}/f']:.2f} | "
            f"{'yes' if r['agree'] else 'NO'} |")
    lines.append(f"| Baydin et al. 2022, PyTorch MLP | | | | | | | | {PAPER['R_f']:.2f} | {PAPER['R_b']:.2f} | | | |")
    lines += [
        "",
        "The same, called in a loop inside `@numba.njit` code (forward_grad draws v from Numba's `np.random`):",
        "",
        "| MLP | batch | f | forward_grad | grad | R_f | R_b |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        t = r["njit"]
        lines.append(f"| {' -> '.join(map(str, r['sizes']))} | {r['batch']} | {fmt_time(t['f'])} | "
                     f"{fmt_time(t['forward_grad'])} | {fmt_time(t['grad'])} | {t['forward_grad/f']:.2f} | "
                     f"{t['grad/f']:.2f} |")
    lines += [
        "",
        "Reading: drawing v costs about 10-20 ns a weight from numpy's Generator (more from Numba's "
        "`np.random` inside `@njit` code), the same for every batch size, so at small batches it is a "
        "large part of a forward gradient; at batch 64 the tangent sweep dominates.  Called from Python, a "
        "forward gradient costs less than a gradient per step (R_f < R_b), as in the paper, but its lead is "
        "a factor below 2, and per unit of loss decrease it is far behind (see "
        "`examples/forward_gradient_training.py`), since its noise grows with the number of weights.  "
        f"k={AVERAGED} carries its {AVERAGED} directions in one vector-mode tangent sweep: compare it with "
        f"{AVERAGED} R_f.",
    ]
    lines += ["", f"srcad {srcad.__version__}, numba {numba.__version__}, numpy {np.__version__}, "
              f"{os.cpu_count()} CPU(s); whole run: {seconds:.0f} s."]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description="forward_grad against grad on an MLP written as loops")
    parser.add_argument("--write", action="store_true", help="update this benchmark's section of RESULTS.md")
    parser.add_argument("--samples", type=int, default=21, help="median over this many samples")
    options = parser.parse_args(argv)
    started = time.perf_counter()
    forward_grad = srcad.forward_grad(mlp_loss, wrt=WEIGHTS, seed=0)
    averaged = srcad.forward_grad(mlp_loss, wrt=WEIGHTS, seed=0, k=AVERAGED)
    tangent = srcad.jvp(mlp_loss, wrt=WEIGHTS)
    gradient = srcad.grad(mlp_loss, wrt=WEIGHTS)
    loops = {"f": _njit_primal_loop(), "forward_grad": _njit_loop(forward_grad), "grad": _njit_loop(gradient)}
    rows = []
    for sizes, batch in CASES:
        rows.append(measure(sizes, batch, options.samples, forward_grad, averaged, tangent, gradient, loops))
        r = rows[-1]["python"]
        print(f"{sizes} batch {batch}: R_f {r['forward_grad/f']:.2f}, R_b {r['grad/f']:.2f}",
              flush=True)
    report = render(rows, time.perf_counter() - started)
    print()
    print(report)
    if options.write:
        write_section(HEADING, report, "python3 benchmarks/bench_forward_grad.py --write")
    return 0 if all(r["agree"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
