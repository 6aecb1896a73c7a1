"""A small Jacobian (2 x 15, a bundle-adjustment reprojection block) against the loops of sweeps a user writes.

    python3 benchmarks/bench_jacobian_small.py            # print the table
    python3 benchmarks/bench_jacobian_small.py --write    # also keep it in RESULTS.md

GradBench's ba asks for the 2 x 15 Jacobian of one reprojection residual (camera 11, point 3,
weight 1) many times.  Each case runs in two fresh processes with an empty srcad cache, one
calling from Python and one from an ``@njit`` loop: its first call (generating and compiling, after
Numba's own start-up, which is not counted) and its time per Jacobian (from Python the median of
single calls; in ``@njit`` code the loop's time over its calls).  The loops of sweeps: two ``vjp`` calls (one a row) and fifteen ``jvp`` calls (one a
column), each filling a Jacobian.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _p in (HERE, ROOT):
    if _p not in sys.path:
        sys.path.insert(0, _p)

CASES = ["jacobian", "jacrev", "jacfwd", "2 vjp", "15 jvp"]
REPS = 20000


def reprojection(p, feat):
    """GradBench-style reprojection residual: p = rotation (3), center (3), focal, principal (2),
    radial distortion (2), point (3), weight."""
    r0 = p[0]
    r1 = p[1]
    r2 = p[2]
    x0 = p[11] - p[3]
    x1 = p[12] - p[4]
    x2 = p[13] - p[5]
    theta2 = r0 * r0 + r1 * r1 + r2 * r2
    if theta2 > 1e-20:
        theta = math.sqrt(theta2)
        c = math.cos(theta)
        s = math.sin(theta)
        w0 = r0 / theta
        w1 = r1 / theta
        w2 = r2 / theta
        d = (w0 * x0 + w1 * x1 + w2 * x2) * (1.0 - c)
        y0 = x0 * c + (w1 * x2 - w2 * x1) * s + w0 * d
        y1 = x1 * c + (w2 * x0 - w0 * x2) * s + w1 * d
        y2 = x2 * c + (w0 * x1 - w1 * x0) * s + w2 * d
    else:
        y0 = x0 + r1 * x2 - r2 * x1
        y1 = x1 + r2 * x0 - r0 * x2
        y2 = x2 + r0 * x1 - r1 * x0
    u = y0 / y2
    v = y1 / y2
    rsq = u * u + v * v
    scale = 1.0 + p[9] * rsq + p[10] * rsq * rsq
    err = np.zeros(2)
    err[0] = p[14] * (u * scale * p[6] + p[7] - feat[0])
    err[1] = p[14] * (v * scale * p[6] + p[8] - feat[1])
    return err


P = np.array([0.1, -0.2, 0.05, 0.3, 0.1, -5.0, 400.0, 10.0, -5.0, 1e-3, 1e-6, 0.5, -0.3, 2.0, 0.9])
FEAT = np.array([12.0, -7.0])


def _makers(case):
    """(a function of (p, feat) giving the Jacobian from Python, an @njit loop of ``reps`` Jacobians)."""
    import numba

    import srcad

    if case in ("jacobian", "jacrev", "jacfwd"):
        J = getattr(srcad, case)(reprojection)

        @numba.njit
        def loop(p, feat, reps):
            total = 0.0
            for _ in range(reps):
                total += J(p, feat)[0, 0]
            return total

        return J, loop
    if case == "2 vjp":
        V = srcad.vjp(reprojection)

        def by_rows(p, feat):
            return np.stack([V(p, feat, np.array([1.0, 0.0]))[1], V(p, feat, np.array([0.0, 1.0]))[1]])

        @numba.njit
        def loop(p, feat, reps):
            total = 0.0
            rows = np.eye(2)
            for _ in range(reps):
                out = np.empty((2, p.size))
                for i in range(2):
                    out[i] = V(p, feat, rows[i])[1]
                total += out[0, 0]
            return total

        return by_rows, loop
    F = srcad.jvp(reprojection)

    def by_columns(p, feat):
        return np.stack([F(p, feat, e)[1] for e in np.eye(p.size)], axis=1)

    @numba.njit
    def loop(p, feat, reps):
        total = 0.0
        columns = np.eye(p.size)
        for _ in range(reps):
            out = np.empty((2, p.size))
            for k in range(p.size):
                out[:, k] = F(p, feat, columns[k])[1]
            total += out[0, 0]
        return total

    return by_columns, loop


def run_case(case, where):
    """One case called from ``where`` ("python" or "njit") in this fresh process: (first call, per Jacobian)
    and the Jacobian, as a dict."""
    import numba

    from reporting import median_time

    numba.njit(lambda x: x + 1.0)(1.0)   # Numba's start-up, not counted
    python, loop = _makers(case)
    start = time.perf_counter()
    if where == "python":
        J = python(P, FEAT)
        first = time.perf_counter() - start
        return {"first": first, "per": median_time(lambda: python(P, FEAT), 2000), "J": np.asarray(J).tolist()}
    loop(P, FEAT, 1)
    first = time.perf_counter() - start
    return {"first": first, "per": min(_timed(loop, REPS) for _ in range(5)) / REPS}


def _timed(loop, reps):
    start = time.perf_counter()
    loop(P, FEAT, reps)
    return time.perf_counter() - start


def _fresh(case, where):
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "SRCAD_CACHE_DIR": cache}
        done = subprocess.run([sys.executable, __file__, "--case", case, where], env=env, capture_output=True,
                              text=True)
    if done.returncode:
        raise SystemExit(f"case {case!r} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _seconds(t):
    return f"{t:.2f} s"


def _micro(t):
    return f"{t * 1e6:.2f} µs"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="keep the table in benchmarks/RESULTS.md")
    parser.add_argument("--case", nargs=2, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.case:
        print(json.dumps(run_case(*options.case)))
        return
    start = time.perf_counter()
    results = {}
    for case in CASES:
        # the better of two fresh processes each: the machine may be shared
        python = min((_fresh(case, "python") for _ in range(2)), key=lambda r: r["first"])
        njit = [_fresh(case, "njit") for _ in range(2)]
        results[case] = {"first_python": python["first"], "python": python["per"], "J": python["J"],
                         "first_njit": min(r["first"] for r in njit), "njit": min(r["per"] for r in njit)}
    reference = np.array(results["jacfwd"]["J"])
    rows = ["| computed by | first call, Python | per Jacobian, Python | first call, in @njit | per Jacobian, "
            "in @njit | agrees |", "|---|---:|---:|---:|---:|:---:|"]
    for case, r in results.items():
        agrees = "yes" if np.allclose(r["J"], reference, rtol=1e-10, atol=1e-12) else "NO"
        rows.append(f"| {case} | {_seconds(r['first_python'])} | {_micro(r['python'])} | "
                    f"{_seconds(r['first_njit'])} | {_micro(r['njit'])} | {agrees} |")
    import numba

    import srcad

    report = "\n".join(rows) + (
        f"\n\nFirst calls in a fresh process each (Python, @njit) with an empty srcad cache, after Numba's "
        f"start-up, the better of two such processes; the @njit first call compiles the caller's loop too.  Whole run: {time.perf_counter() - start:.0f} s.")
    preface = (f"- srcad {srcad.__version__}, numba {numba.__version__}, numpy {np.__version__}, "
               f"{os.cpu_count()} CPU(s)\n\nThe 2 x 15 Jacobian of a bundle-adjustment reprojection residual "
               "(GradBench's ba block): `jacobian` (mode auto), `jacrev`, `jacfwd` against the loops of "
               "sweeps a user writes.\n\n")
    print(preface + report)
    if options.write:
        from reporting import write_section

        write_section("## Small Jacobians: a 2 x 15 block against loops of sweeps (bench_jacobian_small.py)",
                      report, "python3 benchmarks/bench_jacobian_small.py --write", preface)


if __name__ == "__main__":
    main()
