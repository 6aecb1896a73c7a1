"""How long a new process takes to load a cached derivative and call it once.

    python3 benchmarks/cache_load.py [--runs 7]

A first process builds the gradient of a small loop (``rosenbrock`` below)
into a fresh cache directory.  Then each of ``--runs`` new processes times,
with ``time.perf_counter``, ``import srcad`` (which defers most of Numba's import), building
``srcad.grad(rosenbrock)`` and its first call, which loads the generated
module and Numba's compiled code from the cache.  The whole process, Python's
own start-up included, is timed from outside.  For comparison, the same
number of processes load the primal itself, ``numba.njit(cache=True)``, from
Numba's cache: Numba's first call of any cached function initializes its
compiler target (which imports more of NumPy's and SciPy's wrappers), a cost
every Numba program pays once.  Medians are printed.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time

KERNEL = textwrap.dedent('''
    def rosenbrock(x):
        s = 0.0
        for i in range(x.shape[0] - 1):
            s += 100.0 * (x[i + 1] - x[i] * x[i]) ** 2 + (1.0 - x[i]) ** 2
        return s
''')

NUMBA_CHILD = textwrap.dedent('''
    import time
    start = time.perf_counter()
    import numpy as np
    numpy_done = time.perf_counter()
    import numba
    import_done = time.perf_counter()
    from kernel import rosenbrock
    f = numba.njit(cache=True)(rosenbrock)
    f(np.linspace(0.0, 1.0, 10))
    call_done = time.perf_counter()
    print(numpy_done - start, import_done - numpy_done, call_done - import_done)
''')

CHILD = textwrap.dedent('''
    import time
    start = time.perf_counter()
    import numpy as np
    numpy_done = time.perf_counter()
    import srcad
    import_done = time.perf_counter()
    from kernel import rosenbrock
    g = srcad.grad(rosenbrock)
    g(np.linspace(0.0, 1.0, 10))
    call_done = time.perf_counter()
    print(numpy_done - start, import_done - numpy_done, call_done - import_done)
''')


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="srcad-cache-load-") as work:
        with open(os.path.join(work, "kernel.py"), "w") as file:
            file.write(KERNEL)
        env = dict(os.environ, SRCAD_CACHE_DIR=os.path.join(work, "cache"),
                   NUMBA_CACHE_DIR=os.path.join(work, "numba-cache"),
                   PYTHONPATH=os.pathsep.join([work] + sys.path))
        srcad_times = _measure([sys.executable, "-c", CHILD], env, runs)
        numba_times = _measure([sys.executable, "-c", NUMBA_CHILD], env, runs)
    ms = lambda values: f"{1000 * statistics.median(values):5.0f} ms"  # noqa: E731
    print(f"medians of {runs} new processes, each loading one function from the cache:")
    print("                                       srcad.grad(f)    numba.njit(f)")
    for i, label in enumerate(["import numpy", "import srcad / numba", "first call (loads from the cache)",
                               "import + first call", "whole process (with python3 start-up)",
                               "CPU time of the whole process"]):
        print(f"  {label:37s} {ms(srcad_times[i])}      {ms(numba_times[i])}")


def _measure(command, env, runs):
    """Per-run times: numpy import, srcad/numba import, first call, import + call, whole process, its CPU time."""
    subprocess.run(command, env=env, check=True, capture_output=True)   # fills the cache
    times = [[], [], [], [], [], []]
    for _ in range(runs):
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
        whole = time.perf_counter() - start
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
        numpy_time, import_time, call_time = map(float, out.split())
        for column, value in zip(times, (numpy_time, import_time, call_time, import_time + call_time, whole, cpu)):
            column.append(value)
    return times


if __name__ == "__main__":
    main()
