"""prange loops inside one derivative: target="parallel" against target="cpu", on all cores of this machine.

    python3 benchmarks/bench_parallel_loops.py [--write]

Two functions whose primal has a ``prange`` loop: an elementwise energy over
10^6 points, and a per-particle pair energy (an inner loop over all others)
of 2000 particles.  For each: the primal compiled serially and with
``parallel=True``, then ``jvp`` and ``grad`` built with ``target="cpu"`` and
``target="parallel"`` (medians of calls from Python; the results are checked
equal bit for bit first).  ``--write`` keeps the table in RESULTS.md.
"""

import math
import os
import sys

import numba
import numpy as np
from numba import njit, prange

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import srcad  # noqa: E402
from reporting import median_time, write_section  # noqa: E402

HEADING = "## prange loops inside one derivative (target=\"parallel\")"


def pointwise(x, w):
    n = x.shape[0]
    y = np.empty(n)
    for i in prange(n):
        t = math.sin(x[i]) * w + math.exp(-x[i] * x[i])
        y[i] = t * t
    s = 0.0
    for i in range(n):
        s += y[i]
    return s


def pair_energy(positions, epsilon):
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


def _same(a, b):
    if isinstance(a, tuple):
        return all(_same(u, v) for u, v in zip(a, b))
    return np.array_equal(np.asarray(a), np.asarray(b))


def main():
    rng = np.random.default_rng(0)
    grid = np.stack(np.meshgrid(np.arange(50.0), np.arange(40.0)), -1).reshape(-1, 2)
    problems = [("elementwise energy, 10^6 points", pointwise, (rng.normal(size=10 ** 6), 0.7)),
                ("pair energy, 2000 particles", pair_energy, (grid * 1.1 + 0.05 * rng.random(grid.shape), 0.8))]
    rows = []
    for label, function, args in problems:
        wrt = tuple(range(len(args)))
        tangents = tuple(np.ones_like(a) if isinstance(a, np.ndarray) else 1.0 for a in args)
        serial_primal, parallel_primal = njit(function), njit(parallel=True)(function)
        times = {"primal": (median_time(lambda: serial_primal(*args), 5),
                            median_time(lambda: parallel_primal(*args), 5))}
        for kind, make, extra in (("jvp", srcad.jvp, tangents), ("grad", srcad.grad, ())):
            cpu = make(function, wrt=wrt)
            parallel = make(function, wrt=wrt, target="parallel")
            assert _same(cpu(*args, *extra), parallel(*args, *extra)), (label, kind)
            times[kind] = (median_time(lambda: cpu(*args, *extra), 5),
                           median_time(lambda: parallel(*args, *extra), 5))
        for kind, (serial, threaded) in times.items():
            rows.append(f"| {label} | {kind} | {serial * 1e3:.2f} | {threaded * 1e3:.2f} | "
                        f"{serial / threaded:.2f}x |")
    report = ("| problem | what | serial (ms) | parallel (ms) | speedup |\n|---|---|---:|---:|---:|\n"
              + "\n".join(rows) + "\n")
    preface = (f"{numba.get_num_threads()} threads. Serial: `@njit` primal, derivatives with `target=\"cpu\"`; "
               "parallel: `@njit(parallel=True)` primal, derivatives with `target=\"parallel\"` (equal to the "
               "serial ones bit for bit, checked before timing). Medians of 5 calls from Python.\n\n")
    print(preface + report)
    if "--write" in sys.argv:
        write_section(HEADING, report, "python3 benchmarks/bench_parallel_loops.py --write", preface)


if __name__ == "__main__":
    main()
