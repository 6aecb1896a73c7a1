"""Checkpointed reverse mode: memory against time for long loops.

    python3 benchmarks/bench_checkpoint.py            # print the tables (a few minutes)
    python3 benchmarks/bench_checkpoint.py --write    # also update its section of RESULTS.md and the plot
    python3 benchmarks/bench_checkpoint.py --quick    # T up to 10^5 only

Two problems, each a plain function with one long ``for`` loop:

* **lorenz**: T classical RK4 steps of the Lorenz system (problems.lorenz_final), gradient with respect to
  sigma, rho, beta and the initial state, for T = 10^4, 10^5, 10^6;
* **burgers**: T explicit steps of viscous Burgers on a periodic grid of 100 points (two buffers,
  swapped), gradient with respect to the initial field, for T = 10^3, 10^4, 10^5.

For each T it runs the store-all gradient (``checkpoint=None``), ``checkpoint=s`` for several s, and
``checkpoint="auto"`` with a budget of 1% of store-all's bytes.  Memory is what the call's tapes and
snapshots held (``srcad.tape_report``: the highest tops of both tapes and all snapshot rows); time is
the median of several calls from Python.  For each checkpointed run it prints the steps run again
against Revolve's optimum for that s (``r T - C(s + r, s + 1) - (T - 1)``) and the time against the
bound ``(r + 1)`` times store-all.  JAX's ``lax.scan`` with and without ``jax.checkpoint`` per step is
timed beside it when JAX is installed.
"""

import argparse
import math
import os
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
from problems import lorenz_final  # noqa: E402
from reporting import median_time, write_section  # noqa: E402

HEADING = "## Checkpointed reverse mode (bench_checkpoint.py)"
LORENZ_ARGS = (10.0, 15.0, 8.0 / 3.0, 1.0, 1.0, 1.0)


def burgers(u0, nu, steps):
    u = u0.copy()
    m = u.shape[0]
    v = np.zeros(m)
    for t in range(steps):
        for j in range(m):
            left = u[(j - 1) % m]
            right = u[(j + 1) % m]
            v[j] = u[j] - 0.05 * u[j] * (right - left) + nu * (left - 2.0 * u[j] + right)
        swap = u
        u = v
        v = swap
    return np.sum(u * u)


def revolve_recomputed(steps, snapshots):
    """(steps run again beyond the forward sweep, repetitions r) of Revolve's optimum."""
    snapshots = min(snapshots, steps)
    reps = 0
    while math.comb(snapshots + reps, snapshots) < steps:
        reps += 1
    return reps * steps - math.comb(snapshots + reps, snapshots + 1) - (steps - 1), reps


def problem_calls(name, steps):
    """(the derivative's arguments, wrt) of problem ``name`` with ``steps`` steps."""
    if name == "lorenz":
        return lorenz_final, (*LORENZ_ARGS, 1e-3, steps), (0, 1, 2, 3, 4, 5)
    grid = np.linspace(0.0, 2.0 * np.pi, 100, endpoint=False)
    return burgers, (np.sin(grid) + 0.5, 0.1, steps), 0


def measure(name, steps, snapshot_counts, samples):
    """Rows of the table for one problem and trip count."""
    func, args, wrt = problem_calls(name, steps)
    primal = numba.njit(func)
    primal_time = median_time(lambda: primal(*args), samples)
    store_all = srcad.grad(func, wrt=wrt, checkpoint=None)
    base_time = median_time(lambda: store_all(*args), samples)
    reference = store_all(*args)
    base = srcad.tape_report(store_all)
    base_bytes = base.tape_bytes
    rows = [dict(strategy="store-all", snapshots="", bytes=base_bytes, time=base_time, primal=primal_time)]
    runs = [(f"s = {s}", dict(checkpoint=s)) for s in snapshot_counts]
    runs.append(("auto, 1% budget", dict(memory=max(base_bytes // 100, 64))))
    for label, options in runs:
        g = srcad.grad(func, wrt=wrt, **options)
        result = g(*args)
        same = all(np.array_equal(a, b) for a, b in zip(np.atleast_1d(result), np.atleast_1d(reference))) \
            if isinstance(result, tuple) else np.array_equal(result, reference)
        elapsed = median_time(lambda: g(*args), samples)
        report = srcad.tape_report(g)
        loop = report.loops[0] if report.loops else None
        row = dict(strategy=label, bytes=report.total_bytes, time=elapsed, primal=primal_time, same=same)
        if loop is not None:
            optimum, reps = revolve_recomputed(loop.trips, loop.snapshots)
            row.update(snapshots=loop.snapshots, recomputed=loop.recomputed, optimum=optimum, reps=reps)
        rows.append(row)
    return rows


def jax_rows(name, steps, samples):
    """JAX lax.scan gradients of the Lorenz problem, store-all and jax.checkpoint per step, when installed."""
    if name != "lorenz":
        return []
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return []
    jax.config.update("jax_enable_x64", True)

    def step(state, params):
        sigma, rho, beta = params
        x, y, z = state
        dt = 1e-3
        h = 0.5 * dt

        def field(x, y, z):
            return sigma * (y - x), x * (rho - z) - y, x * y - beta * z

        k1 = field(x, y, z)
        k2 = field(x + h * k1[0], y + h * k1[1], z + h * k1[2])
        k3 = field(x + h * k2[0], y + h * k2[1], z + h * k2[2])
        k4 = field(x + dt * k3[0], y + dt * k3[1], z + dt * k3[2])
        return tuple(s + dt / 6.0 * (a + 2.0 * b + 2.0 * c + d) for s, a, b, c, d in zip(state, k1, k2, k3, k4))

    def loss(values, remat):
        params, state = values[:3], values[3:]
        body = (lambda carry, _: (step(carry, params), None))
        if remat:
            body = jax.checkpoint(body)
        final, _ = jax.lax.scan(body, tuple(state), None, length=steps)
        return final[0] ** 2 + final[1] ** 2 + final[2] ** 2

    rows = []
    values = jnp.array(LORENZ_ARGS)
    for label, remat in (("JAX scan, store-all", False), ("JAX scan, checkpoint per step", True)):
        gradient = jax.jit(jax.grad(lambda v: loss(v, remat)))
        elapsed = median_time(lambda: gradient(values).block_until_ready(), samples)
        rows.append(dict(strategy=label, snapshots="", bytes=None, time=elapsed, primal=None))
    return rows


def table(name, steps, rows):
    base = rows[0]
    lines = [f"### {name}, T = {steps:,}", "",
             "| strategy | snapshots | memory | of store-all | time | of store-all | of primal "
             "| steps run again | Revolve's optimum | bound (r + 1) |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        memory = "" if row["bytes"] is None else _bytes(row["bytes"])
        share = "" if row["bytes"] is None else f"{row['bytes'] / base['bytes']:.2%}"
        primal = "" if row.get("primal") is None else f"{row['time'] / row['primal']:.1f}x"
        again = optimum = bound = ""
        if "recomputed" in row:
            again, optimum = f"{row['recomputed']:,}", f"{row['optimum']:,}"
            ratio = row["time"] / base["time"]
            bound = f"{ratio:.2f} <= {row['reps'] + 1}" if ratio <= row["reps"] + 1 else \
                f"**{ratio:.2f} > {row['reps'] + 1}**"
        if row.get("same") is False:
            again += " (gradient differs!)"
        lines.append(f"| {row['strategy']} | {row.get('snapshots', '')} | {memory} | {share} | "
                     f"{_seconds(row['time'])} | {row['time'] / base['time']:.2f}x | {primal} | {again} | "
                     f"{optimum} | {bound} |")
    return "\n".join(lines)


def _bytes(count):
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if count >= size:
            return f"{count / size:.1f} {unit}"
    return f"{count} B"


def _seconds(value):
    return f"{value * 1e3:.1f} ms" if value < 1 else f"{value:.2f} s"


def plot(results, path):
    """Memory against time for each s at the largest T of each problem, with Revolve's prediction."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot")
        return False
    figure, axes = plt.subplots(1, len(results), figsize=(6 * len(results), 4.5))
    for ax, ((name, steps), rows) in zip(np.atleast_1d(axes), results.items()):
        base = rows[0]
        step_time = base["primal"] / steps
        checkpointed = [r for r in rows if "recomputed" in r]
        ax.scatter([r["bytes"] for r in checkpointed], [r["time"] for r in checkpointed], label="srcad, checkpoint=s")
        for r in checkpointed:
            ax.annotate(str(r["snapshots"]), (r["bytes"], r["time"]), textcoords="offset points", xytext=(4, 4))
        predicted = [base["time"] + step_time * r["optimum"] for r in checkpointed]
        ax.plot([r["bytes"] for r in checkpointed], predicted, "k--",
                label="store-all time + Revolve's optimum x primal step")
        ax.scatter([base["bytes"]], [base["time"]], marker="s", color="red", label="store-all")
        ax.set_xscale("log")
        ax.set_xlabel("bytes held by tapes and snapshots")
        ax.set_ylabel("gradient time (s)")
        ax.set_title(f"{name}, T = {steps:,}")
        ax.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description="checkpointed reverse mode: memory against time")
    parser.add_argument("--write", action="store_true", help="update this benchmark's section of RESULTS.md")
    parser.add_argument("--quick", action="store_true", help="T up to 10^5 only")
    parser.add_argument("--samples", type=int, default=5, help="median over this many calls")
    options = parser.parse_args(argv)
    started = time.perf_counter()
    plan = {"lorenz": (10**4, 10**5, 10**6), "burgers": (10**3, 10**4, 10**5)}
    counts = {"lorenz": (10, 30, 100, 1000), "burgers": (10, 30, 100)}
    tables, largest = [], {}
    for name, trip_counts in plan.items():
        for steps in trip_counts:
            if options.quick and steps > 10**5:
                continue
            samples = options.samples if steps < 10**6 else max(1, options.samples // 2)
            rows = measure(name, steps, counts[name], samples) + jax_rows(name, steps, samples)
            tables.append(table(name, steps, rows))
            print(tables[-1] + "\n", flush=True)
            largest[name] = ((name, steps), rows)
    seconds = time.perf_counter() - started
    footer = (f"Memory: the highest tops of the float and int tapes plus every snapshot row "
              f"(srcad.tape_report).  Times: medians of {options.samples} calls from Python "
              f"(fewer at T = 10^6).  JAX rows (when installed): memory not measured; jax.checkpoint per "
              f"step keeps every step's carry (24 bytes a step here), store-all every step's residuals.  srcad {srcad.__version__}, numba {numba.__version__}, numpy {np.__version__}, "
              f"{os.cpu_count()} CPU(s); whole run: {seconds:.0f} s.")
    report = "\n\n".join(tables + [footer])
    print(footer)
    if options.write:
        plotted = plot(dict(value for value in largest.values()), os.path.join(HERE, "checkpoint_memory_time.png"))
        image = "![memory against time](checkpoint_memory_time.png)\n\n" if plotted else ""
        write_section(HEADING, report, "python3 benchmarks/bench_checkpoint.py --write", image)


if __name__ == "__main__":
    main()
