"""Core speed benchmark: srcad gradients against Numba primals and hand-written adjoints.

    python3 benchmarks/bench_core.py            # print the table
    python3 benchmarks/bench_core.py --write    # also write benchmarks/RESULTS.md

For every problem in ``problems.py`` one run measures

* the primal, ``numba.njit`` of the plain function, called from Python;
* the srcad gradient, ``srcad.grad(f, wrt=...)``, called from Python;
* the hand-written Numba gradient, called from Python;
* optionally both gradients called in a loop inside ``@numba.njit`` code;
* the first-call (compile) time of the srcad gradient in a fresh process,
  cold (empty cache directory) and warm (the cache filled by the cold run);

and checks that the srcad gradient agrees with the hand-written one.  Times
are medians over repeated samples taken after a warm-up call; each sample
times a batch of calls long enough (~10 ms) for the timer to be accurate, and
the candidates of one problem are sampled in turn (round-robin) so that a
change in machine load does not favour one of them.
"""

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
for _p in (HERE, ROOT):
    if _p not in sys.path:
        sys.path.insert(0, _p)

SAMPLE_SECONDS = 0.01   # target length of one timed sample
SAMPLES = 15            # median over this many samples
PROBE_TIMEOUT = 300     # seconds allowed for one compile-time subprocess


# --------------------------------------------------------------------------
# timing helpers
# --------------------------------------------------------------------------

def time_interleaved(candidates, samples=SAMPLES, batch_seconds=SAMPLE_SECONDS):
    """Median seconds per call for each ``label -> (callable, args)``.

    Each callable is warmed up, then sized into a batch lasting about
    ``batch_seconds`` (0: one call per batch).  The samples are taken round-robin (one batch of each
    candidate per round) so that a change in machine load affects all of them
    alike rather than whichever happened to be running.
    """
    batches = {}
    for label, (fn, args) in candidates.items():
        fn(*args)
        start = time.perf_counter()
        fn(*args)
        once = time.perf_counter() - start
        batches[label] = max(1, int(batch_seconds / max(once, 1e-7)))
    times = {label: [] for label in candidates}
    for _ in range(samples):
        for label, (fn, args) in candidates.items():
            inner = batches[label]
            start = time.perf_counter()
            for _ in range(inner):
                fn(*args)
            times[label].append((time.perf_counter() - start) / inner)
    return {label: statistics.median(t) for label, t in times.items()}


def time_njit_loops(loops, args, samples=SAMPLES):
    """Median seconds per gradient for each ``label -> loop``, ``loop(*args, reps)`` a compiled loop."""
    candidates = {}
    reps = {}
    for label, loop in loops.items():
        loop(*args, 1)
        start = time.perf_counter()
        loop(*args, 1)
        once = time.perf_counter() - start
        reps[label] = max(1, int(SAMPLE_SECONDS / max(once, 1e-7)))
        candidates[label] = (loop, tuple(args) + (reps[label],))
    # one loop call already runs reps[label] gradients: one call per sample
    per_batch = time_interleaved(candidates, samples, batch_seconds=0.0)
    return {label: per_batch[label] / reps[label] for label in loops}


def fmt_time(seconds):
    if seconds is None:
        return "n/a"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def fmt_ratio(a, b):
    if a is None or b is None or b == 0:
        return "n/a"
    return f"{a / b:.2f}"


# --------------------------------------------------------------------------
# loops inside @njit code: the gradient called reps times, results consumed
# --------------------------------------------------------------------------

def make_njit_loop(name, grad_fn):
    import numba

    if name.startswith("rosenbrock"):
        @numba.njit
        def loop(x, reps):
            acc = 0.0
            for k in range(reps):
                g = grad_fn(x)
                acc += g[k % g.shape[0]]
            return acc
        return loop
    if name == "lorenz_rk4":
        @numba.njit
        def loop(sigma, rho, beta, x0, y0, z0, dt, steps, reps):
            acc = 0.0
            for _ in range(reps):
                g = grad_fn(sigma, rho, beta, x0, y0, z0, dt, steps)
                acc += g[0] + g[1] + g[2] + g[3] + g[4] + g[5]
            return acc
        return loop
    raise KeyError(name)


# --------------------------------------------------------------------------
# compile-time probe: runs in a fresh subprocess
# --------------------------------------------------------------------------

def probe(name, what):
    """Print the seconds of the first call of one derivative (or primal) in this fresh process.

    Numba's one-time start-up (LLVM initialisation, first typing) is paid
    first by compiling a trivial function and reported separately, so the
    number is the cost of this function alone.
    """
    import numba
    import numpy as np  # noqa: F401

    start = time.perf_counter()

    @numba.njit
    def _trivial(a):
        return a + 1.0

    _trivial(1.0)
    numba_startup = time.perf_counter() - start

    import problems

    spec = problems.PROBLEMS[name]
    args = spec["args"]()
    if what == "srcad":
        import srcad

        fn = srcad.grad(spec["func"], wrt=spec["wrt"])
    elif what == "primal":
        fn = numba.njit(spec["func"])
    elif what == "hand":
        fn = spec["hand"]
    else:
        raise ValueError(what)
    cache = os.environ.get("SRCAD_CACHE_DIR", "")
    before = _generated_modules(cache)
    start = time.perf_counter()
    fn(*args)
    first = time.perf_counter() - start
    start = time.perf_counter()
    fn(*args)
    second = time.perf_counter() - start
    written = len(_generated_modules(cache) - before)
    print(f"PROBE {first!r} {second!r} {numba_startup!r} {written}")


def _generated_modules(directory):
    try:
        return {f for f in os.listdir(directory) if f.startswith("srcad_") and f.endswith(".py")}
    except OSError:
        return set()


def run_probe(name, what, srcad_dir, numba_dir):
    """(first call s, numba start-up s, new srcad modules written) from a fresh subprocess, or an error string.

    ``srcad_dir`` becomes SRCAD_CACHE_DIR, ``numba_dir`` NUMBA_CACHE_DIR: all
    of Numba's on-disk caching (srcad's own compiled runtime helpers included)
    goes there, so that a fresh pair of directories really starts from nothing.
    """
    env = dict(os.environ)
    env["SRCAD_CACHE_DIR"] = srcad_dir
    env["NUMBA_CACHE_DIR"] = numba_dir
    env["PYTHONPATH"] = os.pathsep.join([HERE, ROOT] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    try:
        out = subprocess.run([sys.executable, os.path.abspath(__file__), "--probe", name, what],
                             env=env, capture_output=True, text=True, timeout=PROBE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"timed out after {PROBE_TIMEOUT} s"
    for line in out.stdout.splitlines():
        if line.startswith("PROBE "):
            first, _second, startup, written = line.split()[1:]
            return float(first), float(startup), int(written)
    tail = (out.stderr or out.stdout).strip().splitlines()
    return "probe failed: " + (tail[-1] if tail else f"exit status {out.returncode}")


# --------------------------------------------------------------------------
# the benchmark
# --------------------------------------------------------------------------

def as_array(g):
    import numpy as np

    if isinstance(g, tuple):
        return np.array([float(v) for v in g])
    return np.asarray(g, dtype=float)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="write benchmarks/RESULTS.md")
    parser.add_argument("--no-compile", action="store_true", help="skip the compile-time subprocesses")
    parser.add_argument("--probe", nargs=2, metavar=("PROBLEM", "WHAT"), help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)
    if opts.probe:
        probe(*opts.probe)
        return 0

    wall_start = time.perf_counter()
    import numba
    import numpy as np

    import problems

    print("self-check of the hand-written gradients against central differences:")
    problems.selfcheck(verbose=True)

    # srcad: its own cache directories for this run (the user's cache is not
    # touched), used by the compile-time probes and then by this process;
    # removed at the end
    cache_dir = tempfile.mkdtemp(prefix="srcad-bench-cache-")
    os.environ["SRCAD_CACHE_DIR"] = cache_dir
    try:
        import srcad
        srcad_error = None
        srcad_version = srcad.__version__
    except Exception as exc:  # srcad missing or broken: report primal and hand-written only
        srcad = None
        srcad_error = f"{type(exc).__name__}: {exc}"
        srcad_version = None
        print(f"\nsrcad not available: {srcad_error}")

    rows = []
    notes = []
    try:
        for name, spec in problems.PROBLEMS.items():
            print(f"\n== {name}: {spec['description']}")
            args = spec["args"]()
            row = {"name": name, "description": spec["description"]}

            # compile times, in fresh processes (before this process touches srcad):
            #   cold  - empty srcad and Numba caches: nothing compiled before
            #   new   - empty srcad cache, Numba cache holding srcad's runtime
            #           helpers (as on any machine where srcad was used before)
            #   warm  - the caches the cold run filled
            if srcad is not None and not opts.no_compile:
                base = os.path.join(cache_dir, name)
                cold_srcad, cold_numba = os.path.join(base, "srcad"), os.path.join(base, "numba")
                new_srcad = os.path.join(base, "srcad-new")
                for d in (cold_srcad, cold_numba, new_srcad):
                    os.makedirs(d, exist_ok=True)
                for key, what, dirs, label in (
                        ("cold", "srcad", (cold_srcad, cold_numba), "srcad, nothing cached"),
                        ("new", "srcad", (new_srcad, cold_numba), "srcad, only srcad's helpers cached"),
                        ("warm", "srcad", (cold_srcad, cold_numba), "srcad, from the cache"),
                        ("primal_compile", "primal", (cold_srcad, cold_numba), "numba primal"),
                        ("hand_compile", "hand", (cold_srcad, cold_numba), "numba hand-written")):
                    res = run_probe(name, what, *dirs)
                    if isinstance(res, str):
                        row[key] = None
                        notes.append(f"{name}: compile probe '{label}' failed: {res}")
                        print(f"  first call, {label}: {res}")
                    else:
                        row[key] = res[0]
                        row.setdefault("numba_startup", []).append(res[1])
                        print(f"  first call in a fresh process, {label}: {fmt_time(res[0])}")
                        if key == "warm" and res[2]:
                            notes.append(f"{name}: the warm run missed the cache and generated a new "
                                         "module (srcad's output changed between the two processes?)")
                            print("    (cache miss: a new module was generated)")
                os.environ["SRCAD_CACHE_DIR"] = cold_srcad

            primal = numba.njit(spec["func"])
            hand = spec["hand"]
            row["value"] = float(primal(*args))
            hand_grad = as_array(hand(*args))
            candidates = {"primal": (primal, args), "hand": (hand, args)}

            row["srcad"] = None
            row["agree"] = None
            g = None
            if srcad is not None:
                try:
                    g = srcad.grad(spec["func"], wrt=spec["wrt"])
                    sg = as_array(g(*args))
                    row["agree"] = bool(np.allclose(sg, hand_grad, rtol=1e-9, atol=1e-12))
                    row["maxdiff"] = float(np.max(np.abs(sg - hand_grad) / np.maximum(1.0, np.abs(hand_grad))))
                    print(f"  srcad gradient agrees with hand-written: {row['agree']} "
                          f"(max rel. difference {row['maxdiff']:.1e})")
                    if not row["agree"]:
                        notes.append(f"{name}: srcad gradient DISAGREES with the hand-written one "
                                     f"(max rel. difference {row['maxdiff']:.1e})")
                    candidates["srcad"] = (g, args)
                except Exception as exc:
                    msg = f"{type(exc).__name__}: {exc}"
                    notes.append(f"{name}: srcad.grad failed: {msg}")
                    print(f"  srcad failed: {msg}")
                    g = None

            row.update(time_interleaved(candidates))
            print(f"  primal (numba.njit)    {fmt_time(row['primal'])}")
            print(f"  hand-written gradient  {fmt_time(row['hand'])}")
            if g is not None:
                print(f"  srcad gradient         {fmt_time(row['srcad'])}")

                # both gradients called inside an @njit loop
                row["srcad_njit"] = row["hand_njit"] = None
                try:
                    loops = {"hand_njit": make_njit_loop(name, hand), "srcad_njit": make_njit_loop(name, g)}
                    row.update(time_njit_loops(loops, args))
                    print(f"  inside @njit: srcad {fmt_time(row['srcad_njit'])}, "
                          f"hand-written {fmt_time(row['hand_njit'])}")
                except Exception as exc:
                    text = str(exc).strip()
                    msg = f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"
                    notes.append(f"{name}: srcad gradient inside @njit failed: {msg}")
                    print(f"  srcad inside @njit failed: {msg}")
            rows.append(row)
    finally:
        shutil.rmtree(cache_dir, ignore_errors=True)

    total = time.perf_counter() - wall_start
    report = render(rows, notes, srcad_version, srcad_error, total)
    print()
    print(report)
    if opts.write:
        path = os.path.join(HERE, "RESULTS.md")
        kept = _other_sections(path)
        with open(path, "w") as fh:
            fh.write(results_file(report) + kept)
        print(f"wrote {os.path.relpath(path)}")
    return 0


def render(rows, notes, srcad_version, srcad_error, total):
    lines = []
    lines.append("| problem | primal | srcad grad | hand grad | srcad / primal | hand / primal | srcad / hand | agree |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|:---:|")
    for r in rows:
        agree = "n/a" if r.get("agree") is None else ("yes" if r["agree"] else "**NO**")
        lines.append(f"| {r['name']} | {fmt_time(r['primal'])} | {fmt_time(r.get('srcad'))} | "
                     f"{fmt_time(r['hand'])} | {fmt_ratio(r.get('srcad'), r['primal'])} | "
                     f"{fmt_ratio(r['hand'], r['primal'])} | {fmt_ratio(r.get('srcad'), r['hand'])} | {agree} |")
    lines.append("")
    if any("srcad_njit" in r for r in rows):
        lines.append("Gradient called in a loop inside `@numba.njit` code (per call):")
        lines.append("")
        lines.append("| problem | srcad grad | hand grad | srcad / hand |")
        lines.append("|---|---:|---:|---:|")
        for r in rows:
            lines.append(f"| {r['name']} | {fmt_time(r.get('srcad_njit'))} | {fmt_time(r.get('hand_njit'))} | "
                         f"{fmt_ratio(r.get('srcad_njit'), r.get('hand_njit'))} |")
        lines.append("")
    if any("cold" in r for r in rows):
        lines.append("First call (compile) in a fresh process.  srcad cold: empty srcad and Numba caches; "
                     "new function: empty srcad cache, srcad's runtime helpers already compiled and cached "
                     "(the usual case after srcad's first use on a machine); warm: the caches filled "
                     "by the cold run.  Numba primal and hand-written: `njit` without caching, for scale.")
        lines.append("")
        lines.append("| problem | srcad cold | srcad new function | srcad warm (cache) | numba primal "
                     "| numba hand-written |")
        lines.append("|---|---:|---:|---:|---:|---:|")
        for r in rows:
            lines.append(f"| {r['name']} | {fmt_time(r.get('cold'))} | {fmt_time(r.get('new'))} | "
                         f"{fmt_time(r.get('warm'))} | "
                         f"{fmt_time(r.get('primal_compile'))} | {fmt_time(r.get('hand_compile'))} |")
        startup = [v for r in rows for v in r.get("numba_startup", [])]
        lines.append("")
        if startup:
            lines.append(f"Numba's one-time start-up in a fresh process (first trivial `@njit` compile, "
                         f"about {fmt_time(statistics.median(startup))}) is paid before each first call "
                         "and not included above.")
            lines.append("")
    lines += report_footer(rows, notes, srcad_version, srcad_error, total)
    return "\n".join(lines)


def report_footer(rows, notes, srcad_version, srcad_error, total):
    """The closing lines of a benchmark report: the problems, notes and the run's duration."""
    lines = ["Problems:", ""]
    lines += [f"- `{r['name']}`: {r['description']}; f = {r['value']:.6g}" for r in rows]
    lines.append("")
    if srcad_error is not None:
        lines += [f"srcad not available: {srcad_error}", ""]
    lines += [f"- {n}" for n in notes]
    if notes:
        lines.append("")
    lines.append(f"srcad {srcad_version or 'not available'}; whole run: {total:.0f} s.")
    return lines


def _other_sections(path):
    """The sections other benchmarks keep in ``path`` (each under a ``## `` heading), kept as they are."""
    try:
        with open(path) as fh:
            text = fh.read()
    except OSError:
        return ""
    start = text.find("\n## ")
    return "" if start < 0 else "\n" + text[start + 1:]


def results_file(report):
    try:
        import srcad
        version = srcad.__version__
    except Exception:
        version = None
    explanation = ("All gradients are called from Python unless stated; times are medians per call "
                   "(see `benchmarks/README.md`).  Ratios below 1 for the hand-written gradient are "
                   "real: the primal's floating-point sum is a serial dependency chain that Numba "
                   "does not vectorize, while the hand-written Rosenbrock gradient has no reduction.")
    return results_document("srcad core benchmark results", "python3 benchmarks/bench_core.py --write",
                            version, explanation, report)


def results_document(title, command, srcad_version, explanation, report):
    """A RESULTS file: the title, when and how it was measured, the explanation, then the report."""
    import numba
    import numpy as np

    header = [
        f"# {title}",
        "",
        f"- date: {datetime.date.today().isoformat()}",
        f"- command: `{command}`",
        f"- srcad {srcad_version or 'not available'}, numba {numba.__version__}, numpy {np.__version__}, "
        f"Python {platform.python_version()}",
        f"- {os.cpu_count()} CPU(s), {platform.machine()}, {platform.system()}",
        "",
        explanation,
        "",
        "",
    ]
    return "\n".join(header) + report + "\n"

if __name__ == "__main__":
    sys.exit(main())
