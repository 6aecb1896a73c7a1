"""Array benchmark: srcad gradients of array/NumPy code against Numba primals, hand-written adjoints, JAX, PyTorch.

    python3 benchmarks/bench_arrays.py            # print the table
    python3 benchmarks/bench_arrays.py --write    # also write benchmarks/RESULTS_arrays.md

For every problem in ``problems_arrays.py`` one run measures

* the primal, ``numba.njit`` of the plain function, called from Python;
* the hand-written Numba gradient, called from Python;
* the srcad gradient, ``srcad.grad(f, wrt=...)``, called from Python, if
  srcad differentiates the function; otherwise the reason it refuses is
  printed (``srcad: <exception type>: <first line of the message>``) and
  the run goes on;
* if JAX is installed, ``jax.jit(jax.grad(f))`` of the same objective
  written with ``jax.numpy`` (float64), and if PyTorch is installed,
  ``torch.autograd.grad`` of it written with torch operations (float64);
  neither is required, each is skipped silently when missing; both are
  limited to one thread, like the Numba codes;

and checks every gradient against the hand-written one.  Times are medians
over repeated samples taken after a warm-up call; each sample times a batch
of calls lasting about 10 ms.  The Numba candidates of one problem (primal,
hand-written, srcad) are sampled in turn (round-robin), as in
``bench_core.py``; JAX and PyTorch are timed after them, each on its own,
because their worker threads keep spinning after a call and would slow down
whatever runs next.
"""

import argparse
import datetime
import math
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _p in (HERE, ROOT):
    if _p not in sys.path:
        sys.path.insert(0, _p)

from bench_core import (SAMPLES, fmt_ratio, fmt_time, report_footer, results_document,  # noqa: E402
                        time_interleaved)

AGREE_RTOL = {"srcad": 1e-9, "jax": 1e-8, "torch": 1e-8}
SETTLE_SECONDS = 0.5    # pause after JAX / PyTorch work before timing anything else
SLOW_CALL_SECONDS = 0.1  # a JAX / PyTorch gradient slower than this per call ...
SLOW_SAMPLES = 5         # ... is timed over this many samples instead of SAMPLES


def first_line(exc):
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"


def flatten(g):
    import numpy as np

    parts = g if isinstance(g, (tuple, list)) else (g,)
    return np.concatenate([np.ravel(np.asarray(p, dtype=float)) for p in parts])


def agreement(g, ref, rtol):
    """(agree, max relative difference) of the flattened gradient g against ref."""
    import numpy as np

    scale = max(1.0, float(np.max(np.abs(ref))))
    ok = bool(g.shape == ref.shape and np.allclose(g, ref, rtol=rtol, atol=rtol * 1e-3 * scale))
    diff = float(np.max(np.abs(g - ref) / np.maximum(1.0, np.abs(ref)))) if g.shape == ref.shape else math.inf
    return ok, diff


# --------------------------------------------------------------------------
# JAX versions (float64), written the way one writes for jax.numpy
# --------------------------------------------------------------------------

def gmm_constant_terms(n, d, k, wishart_gamma, wishart_m):
    """The parameter-free part of the GMM objective: -N d/2 log(2 pi) - K C."""
    nw = d + wishart_m + 1
    log_gamma_d = 0.25 * d * (d - 1) * math.log(math.pi)
    for j in range(1, d + 1):
        log_gamma_d += math.lgamma(0.5 * nw + 0.5 * (1 - j))
    c = nw * d * (math.log(wishart_gamma) - 0.5 * math.log(2.0)) - log_gamma_d
    return -n * d * 0.5 * math.log(2.0 * math.pi) - k * c


def tril_columns(d):
    """(rows, cols) of the strictly-lower entries of a d x d matrix, column by column (icf order)."""
    import numpy as np

    upper = np.triu_indices(d, 1)       # row-major upper triangle = column-major lower, transposed
    return upper[1], upper[0]


def jax_gradients(jax, jnp):
    """name of the primal function -> builder(args) returning (gradient callable of no arguments, objective)."""
    import numpy as np
    from jax.scipy.special import logsumexp

    def gmm(args):
        alphas, means, icf, x, gamma, m = args
        n, d = x.shape
        k = alphas.shape[0]
        rows, cols = tril_columns(d)
        const = gmm_constant_terms(n, d, k, gamma, m)

        def objective(alphas, means, icf, x):
            qd = jnp.exp(icf[:, :d])
            sum_qs = jnp.sum(icf[:, :d], axis=1)
            lower = jnp.zeros((k, d, d)).at[:, rows, cols].set(icf[:, d:])
            xc = x[:, None, :] - means[None, :, :]
            lx = qd[None] * xc + jnp.einsum("kij,nkj->nki", lower, xc)
            main = alphas + sum_qs - 0.5 * jnp.sum(lx * lx, axis=2)
            prior = (0.5 * gamma * gamma * (jnp.sum(qd * qd) + jnp.sum(icf[:, d:] ** 2))
                     - m * jnp.sum(sum_qs))
            return const + jnp.sum(logsumexp(main, axis=1)) - n * logsumexp(alphas) + prior

        grad = jax.jit(jax.grad(objective, argnums=(0, 1, 2)))
        jargs = tuple(jnp.asarray(a) for a in args[:4])
        return (lambda: jax.block_until_ready(grad(*jargs))), (lambda: float(objective(*jargs)))

    def lstm(args):
        main_params, extra_params, state, sequence = args
        n_layers = main_params.shape[0] // 2
        b = state.shape[1]
        c = sequence.shape[0]

        def objective(main_params, extra_params, state, sequence):
            def step(s, xs):
                inp, gold = xs
                y = inp * extra_params[0]
                rows = []
                for layer in range(n_layers):
                    wt = main_params[2 * layer]
                    bs = main_params[2 * layer + 1]
                    h = s[2 * layer]
                    cell = s[2 * layer + 1]
                    forget = 1.0 / (1.0 + jnp.exp(-(y * wt[:b] + bs[:b])))
                    ingate = 1.0 / (1.0 + jnp.exp(-(h * wt[b:2 * b] + bs[b:2 * b])))
                    outgate = 1.0 / (1.0 + jnp.exp(-(y * wt[2 * b:3 * b] + bs[2 * b:3 * b])))
                    change = jnp.tanh(h * wt[3 * b:] + bs[3 * b:])
                    cell = cell * forget + ingate * change
                    h = outgate * jnp.tanh(cell)
                    rows += [h, cell]
                    y = h
                y = y * extra_params[1] + extra_params[2]
                lse = jnp.log(jnp.sum(jnp.exp(y)) + 2.0)
                return jnp.stack(rows), jnp.sum(gold * (y - lse))

            _, totals = jax.lax.scan(step, state, (sequence[:-1], sequence[1:]))
            return -jnp.sum(totals) / ((c - 1) * b)

        grad = jax.jit(jax.grad(objective, argnums=(0, 1)))
        jargs = tuple(jnp.asarray(a) for a in args)
        return (lambda: jax.block_until_ready(grad(*jargs))), (lambda: float(objective(*jargs)))

    def lennard_jones(args):
        pos, epsilon, sigma = args
        n = pos.shape[0]
        off = ~np.eye(n, dtype=bool)

        def energy(pos):
            d = pos[:, None, :] - pos[None, :, :]
            r2 = jnp.where(off, jnp.sum(d * d, axis=2), 1.0)
            sr6 = (sigma * sigma / r2) ** 3
            return 2.0 * epsilon * jnp.sum(jnp.where(off, sr6 * sr6 - sr6, 0.0))

        grad = jax.jit(jax.grad(energy))
        jpos = jnp.asarray(pos)
        return (lambda: jax.block_until_ready(grad(jpos))), (lambda: float(energy(jpos)))

    return {"gmm_objective": gmm, "lstm_objective": lstm, "lj_energy": lennard_jones}


# --------------------------------------------------------------------------
# PyTorch versions (float64)
# --------------------------------------------------------------------------

def torch_gradients(torch):
    """name of the primal function -> builder(args) returning (gradient callable of no arguments, objective)."""

    def gmm(args):
        alphas, means, icf, x, gamma, m = args
        n, d = x.shape
        k = alphas.shape[0]
        rows, cols = tril_columns(d)
        rows = torch.as_tensor(rows)
        cols = torch.as_tensor(cols)
        const = gmm_constant_terms(n, d, k, gamma, m)
        ta, tm, ti = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (alphas, means, icf))
        tx = torch.tensor(x, dtype=torch.float64)

        def objective():
            qd = torch.exp(ti[:, :d])
            sum_qs = torch.sum(ti[:, :d], dim=1)
            lower = torch.zeros((k, d, d), dtype=torch.float64)
            lower[:, rows, cols] = ti[:, d:]
            xc = tx[:, None, :] - tm[None, :, :]
            lx = qd[None] * xc + torch.einsum("kij,nkj->nki", lower, xc)
            main = ta + sum_qs - 0.5 * torch.sum(lx * lx, dim=2)
            prior = (0.5 * gamma * gamma * (torch.sum(qd * qd) + torch.sum(ti[:, d:] ** 2))
                     - m * torch.sum(sum_qs))
            return const + torch.sum(torch.logsumexp(main, dim=1)) - n * torch.logsumexp(ta, dim=0) + prior

        return (lambda: torch.autograd.grad(objective(), (ta, tm, ti))), (lambda: float(objective().detach()))

    def lstm(args):
        main_params, extra_params, state, sequence = args
        n_layers = main_params.shape[0] // 2
        b = state.shape[1]
        c = sequence.shape[0]
        tmain = torch.tensor(main_params, dtype=torch.float64, requires_grad=True)
        textra = torch.tensor(extra_params, dtype=torch.float64, requires_grad=True)
        tstate = torch.tensor(state, dtype=torch.float64)
        tseq = torch.tensor(sequence, dtype=torch.float64)

        def objective():
            hs = [tstate[2 * layer] for layer in range(n_layers)]
            cs = [tstate[2 * layer + 1] for layer in range(n_layers)]
            total = 0.0
            for t in range(c - 1):
                y = tseq[t] * textra[0]
                for layer in range(n_layers):
                    wt = tmain[2 * layer]
                    bs = tmain[2 * layer + 1]
                    h = hs[layer]
                    forget = torch.sigmoid(y * wt[:b] + bs[:b])
                    ingate = torch.sigmoid(h * wt[b:2 * b] + bs[b:2 * b])
                    outgate = torch.sigmoid(y * wt[2 * b:3 * b] + bs[2 * b:3 * b])
                    change = torch.tanh(h * wt[3 * b:] + bs[3 * b:])
                    cs[layer] = cs[layer] * forget + ingate * change
                    hs[layer] = outgate * torch.tanh(cs[layer])
                    y = hs[layer]
                y = y * textra[1] + textra[2]
                lse = torch.log(torch.sum(torch.exp(y)) + 2.0)
                total = total + torch.sum(tseq[t + 1] * (y - lse))
            return -total / ((c - 1) * b)

        return (lambda: torch.autograd.grad(objective(), (tmain, textra))), (lambda: float(objective().detach()))

    def lennard_jones(args):
        pos, epsilon, sigma = args
        n = pos.shape[0]
        tpos = torch.tensor(pos, dtype=torch.float64, requires_grad=True)
        off = ~torch.eye(n, dtype=torch.bool)

        def energy():
            d = tpos[:, None, :] - tpos[None, :, :]
            r2 = torch.where(off, torch.sum(d * d, dim=2), torch.ones((), dtype=torch.float64))
            sr6 = (sigma * sigma / r2) ** 3
            return 2.0 * epsilon * torch.sum(torch.where(off, sr6 * sr6 - sr6,
                                                         torch.zeros((), dtype=torch.float64)))

        return (lambda: torch.autograd.grad(energy(), (tpos,))), (lambda: float(energy().detach()))

    return {"gmm_objective": gmm, "lstm_objective": lstm, "lj_energy": lennard_jones}


def load_frameworks():
    """{'jax': (version, threads note, builders), 'torch': ...} for the frameworks that import."""
    found = {}
    # one thread each, like the Numba codes (set before JAX is imported)
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false"
                               " intra_op_parallelism_threads=1").strip()
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp

        found["jax"] = (jax.__version__, f"jax {jax.__version__} ({jax.default_backend()}, one thread)",
                        jax_gradients(jax, jnp))
    except Exception:
        pass
    try:
        import torch

        torch.set_num_threads(1)
        found["torch"] = (torch.__version__, f"torch {torch.__version__} ({torch.get_num_threads()} thread)",
                          torch_gradients(torch))
    except Exception:
        pass
    return found


# --------------------------------------------------------------------------
# the benchmark
# --------------------------------------------------------------------------

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="write benchmarks/RESULTS_arrays.md")
    opts = parser.parse_args(argv)

    wall_start = time.perf_counter()
    import numba

    import problems_arrays

    print("self-check of the hand-written gradients against central differences:")
    problems_arrays.selfcheck(verbose=True)

    frameworks = load_frameworks()
    if frameworks:
        print("\ncompared with: " + ", ".join(note for _, note, _ in frameworks.values()))

    cache_dir = tempfile.mkdtemp(prefix="srcad-bench-cache-")
    os.environ["SRCAD_CACHE_DIR"] = cache_dir
    try:
        import srcad
        srcad_error = None
        srcad_version = srcad.__version__
    except Exception as exc:  # srcad missing or broken: report the others only
        srcad = None
        srcad_error = first_line(exc)
        srcad_version = None
        print(f"\nsrcad not available: {srcad_error}")

    rows = []
    notes = []
    primals = {}
    try:
        for name, spec in problems_arrays.PROBLEMS.items():
            print(f"\n== {name}: {spec['description']}")
            func = spec["func"]
            args = spec["args"]()
            variant = func in primals     # a second hand-written gradient of an earlier function
            row = {"name": name, "description": spec["description"], "variant": variant}
            primal = primals.setdefault(func, numba.njit(func))
            row["value"] = float(primal(*args))
            hand = spec["hand"]
            hand_grad = flatten(hand(*args))
            candidates = {"primal": (primal, args), "hand": (hand, args)}

            if srcad is not None:
                try:
                    g = srcad.grad(func, wrt=spec["wrt"])
                    sg = flatten(g(*args))
                    row["agree_srcad"], diff = agreement(sg, hand_grad, AGREE_RTOL["srcad"])
                    print(f"  srcad gradient agrees with hand-written: {row['agree_srcad']} "
                          f"(max rel. difference {diff:.1e})")
                    if not row["agree_srcad"]:
                        notes.append(f"{name}: srcad gradient DISAGREES with the hand-written one "
                                     f"(max rel. difference {diff:.1e})")
                    candidates["srcad"] = (g, args)
                except Exception as exc:
                    row["srcad_error"] = first_line(exc)
                    print(f"  srcad: {row['srcad_error']}")

            if not variant:   # the frameworks once per function, not again for a hand-written variant
                for fw, (_, _, builders) in frameworks.items():
                    try:
                        call, objective = builders[func.__name__](args)
                        fg = flatten([v for v in call()])
                        ok, diff = agreement(fg, hand_grad, AGREE_RTOL[fw])
                        vdiff = abs(objective() - row["value"]) / max(1.0, abs(row["value"]))
                        row[f"agree_{fw}"] = ok and vdiff < 1e-9
                        print(f"  {fw} gradient agrees with hand-written: {ok} (max rel. difference {diff:.1e}); "
                              f"objective rel. difference {vdiff:.1e}")
                        if not row[f"agree_{fw}"]:
                            notes.append(f"{name}: the {fw} gradient or objective DISAGREES with the hand-written "
                                         f"one (gradient {diff:.1e}, objective {vdiff:.1e})")
                        candidates[fw] = (call, ())
                    except Exception as exc:
                        notes.append(f"{name}: {fw} failed: {first_line(exc)}")
                        print(f"  {fw} failed: {first_line(exc)}")

            # the Numba codes are sampled round-robin among themselves; JAX and
            # PyTorch afterwards, each on its own: their worker threads keep
            # spinning for a while after a call and would slow down whatever
            # runs next on a small machine
            numba_candidates = {k: v for k, v in candidates.items() if k not in frameworks}
            time.sleep(SETTLE_SECONDS)
            row.update(time_interleaved(numba_candidates))
            for fw in frameworks:
                if fw in candidates:
                    start = time.perf_counter()
                    candidates[fw][0]()
                    slow = time.perf_counter() - start > SLOW_CALL_SECONDS
                    row.update(time_interleaved({fw: candidates[fw]}, samples=SLOW_SAMPLES if slow else SAMPLES))
                    time.sleep(SETTLE_SECONDS)
            print(f"  primal (numba.njit)    {fmt_time(row['primal'])}")
            for key, label in (("hand", "hand-written gradient"), ("srcad", "srcad gradient"),
                               ("jax", "jax gradient"), ("torch", "torch gradient")):
                if key in row:
                    print(f"  {label:22s} {fmt_time(row[key])}  ({fmt_ratio(row[key], row['primal'])} x primal)")
            rows.append(row)
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)

    compile_rows = [] if srcad_error else measure_compile_times([r["name"] for r in rows if "srcad" in r])
    total = time.perf_counter() - wall_start
    report = render(rows, notes, frameworks, srcad_version, srcad_error, total)
    if compile_rows:
        report += "\n\n" + render_compile_times(compile_rows)
    print()
    print(report)
    if opts.write:
        path = os.path.join(HERE, "RESULTS_arrays.md")
        with open(path, "w") as fh:
            fh.write(results_file(report, srcad_version))
        print(f"wrote {os.path.relpath(path)}")
    return 0


_COMPILE_PROBE = """
import sys, time
sys.path[:0] = [{here!r}, {root!r}]
import numba
numba.njit(lambda a: a + 1.0)(1.0)          # Numba's one-time start-up, not counted
import problems_arrays, srcad
spec = problems_arrays.PROBLEMS[{name!r}]
args = spec["args"]()
start = time.perf_counter()
srcad.grad(spec["func"], wrt=spec["wrt"])(*args)
print("FIRST", time.perf_counter() - start)
"""


def measure_compile_times(names):
    """(name, first call with an empty srcad cache, first call from the cache) in fresh processes, in seconds.

    Numba's own cache directory is shared by both runs, so srcad's runtime
    helpers are already compiled: the figures are the cost of the derivative.
    """
    results = []
    cache = tempfile.mkdtemp(prefix="srcad-compile-")
    numba_cache = tempfile.mkdtemp(prefix="numba-compile-")
    env = dict(os.environ, SRCAD_CACHE_DIR=cache, NUMBA_CACHE_DIR=numba_cache)
    try:
        for name in dict.fromkeys(n.replace("_vs_adjoint", "") for n in names):
            code = _COMPILE_PROBE.format(here=HERE, root=ROOT, name=name)
            times = []
            for _ in range(2):
                out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                                     timeout=600)
                first = [line.split()[1] for line in out.stdout.splitlines() if line.startswith("FIRST")]
                times.append(float(first[0]) if first else None)
            results.append((name, times[0], times[1]))
            print(f"  compile {name}: new {fmt_seconds(times[0])}, from cache {fmt_seconds(times[1])}")
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(numba_cache, ignore_errors=True)
    return results


def fmt_seconds(value):
    return "failed" if value is None else f"{value:.2f} s"


def render_compile_times(rows):
    lines = ["First call of the srcad gradient in a fresh process (Numba's start-up excluded): with an empty "
             "srcad cache (transformation and Numba compilation), and again with the cache the first process "
             "left.  Emitting loops instead of array expressions keeps compilation to a few seconds.", "",
             "| problem | new derivative | from the cache |", "|---|---:|---:|"]
    for name, cold, warm in rows:
        lines.append(f"| {name} | {fmt_seconds(cold)} | {fmt_seconds(warm)} |")
    return "\n".join(lines)


def render(rows, notes, frameworks, srcad_version, srcad_error, total):
    fws = list(frameworks)
    lines = []
    head = "| problem | primal | hand grad | srcad grad |" + "".join(f" {fw} grad |" for fw in fws)
    head += " hand / primal | srcad / primal |" + "".join(f" {fw} / primal |" for fw in fws)
    head += " srcad / hand | srcad agrees |"
    lines.append(head)
    lines.append("|---|" + "---:|" * (3 + 2 * len(fws) + 3) + ":---:|")
    for r in rows:
        agree = r.get("agree_srcad")
        agree = "n/a" if agree is None else ("yes" if agree else "**NO**")
        srcad_time = fmt_time(r.get("srcad")) if "srcad" in r else ("refused" if "srcad_error" in r else "n/a")
        cells = [r["name"], fmt_time(r["primal"]), fmt_time(r["hand"]), srcad_time]
        cells += [fmt_time(r.get(fw)) if fw in r else "—" for fw in fws]
        cells += [fmt_ratio(r["hand"], r["primal"]), fmt_ratio(r.get("srcad"), r["primal"])]
        cells += [fmt_ratio(r.get(fw), r["primal"]) if fw in r else "—" for fw in fws]
        cells += [fmt_ratio(r.get("srcad"), r["hand"]), agree]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    refusals = [r for r in rows if "srcad_error" in r]
    if refusals:
        lines.append("srcad refused:")
        lines.append("")
        for r in refusals:
            lines.append(f"- `{r['name']}`: srcad: {r['srcad_error']}")
        lines.append("")
    if fws:
        lines.append("Compared with " + "; ".join(note for _, note, _ in frameworks.values())
                     + ": float64, the objective written with their array operations, `jax.jit(jax.grad(f))` "
                       "and `torch.autograd.grad` (forward and backward pass); timed once per function, `—` "
                       "for the hand-written variants.  Every candidate runs on one thread.")
        lines.append("")
    lines += report_footer(rows, notes, srcad_version, srcad_error, total)
    return "\n".join(lines)


def results_file(report, srcad_version):
    explanation = (
        "All gradients are called from Python; times are medians per call (see `benchmarks/README.md`).  "
        "Ratios below 1 for the hand-written gradient are real: `gmm` and `lennard_jones` have "
        "hand-written gradients arranged so that LLVM vectorizes their inner loops, while the "
        "primals' inner loops are serial floating-point sums; the `_vs_adjoint` rows use a "
        "hand-written adjoint in the primal's own loop order instead.")
    return results_document("srcad array benchmark results", "python3 benchmarks/bench_arrays.py --write",
                            srcad_version, explanation, report)

if __name__ == "__main__":
    sys.exit(main())
