"""Property test: a loop the parallel target runs with prange is one whose iterations are independent.

Every loop of a random array program is written with ``prange`` (a promise
the programs do not keep: many of their loops carry sums and read what the
iteration before wrote).  The parallel target must then run in parallel only
loops whose generated code is independent.  The generated code runs as plain
Python with each ``prange`` going backwards: a loop found independent that is
not would give other numbers than the CPU target's, which runs every loop
forwards.
"""

import numpy as np
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from random_array_programs import random_array_program
from random_programs import load_program
from fd import taped_reverse, plain
from srcad.api import Transformation


def _backwards(*bounds):
    return reversed(range(*bounds))


def _load(tmp_path_factory, seed):
    text = random_array_program(seed).replace(" in range(", " in prange(")
    text = "from numba import prange\n" + text
    return load_program(tmp_path_factory.mktemp("parallel_programs"), text, f"parallel_program_{seed}")


def _types():
    from srcad.analysis import ArrayType
    return (ArrayType("float64", 1), ArrayType("float64", 1), "int")


def _run(spec, args, extra):
    if "prange" in vars(spec.module):
        spec.module.prange = _backwards   # the generated functions run as plain Python, in the module's globals
    if spec.taped:
        reverse = taped_reverse(spec)
        value, grads, fneeded, ineeded = reverse(*args, *extra, np.empty(4), np.empty(4, np.int64))
        if fneeded > 4 or ineeded > 4:
            value, grads, _, _ = reverse(*args, *extra, np.empty(fneeded), np.empty(ineeded, np.int64))
        return value, grads
    return plain(spec.functions["main"])(*args, *extra)


def _equal(a, b):
    if isinstance(a, tuple):
        return all(_equal(u, v) for u, v in zip(a, b))
    return np.array_equal(a, b)


@settings(max_examples=60, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10**9), n=st.integers(0, 3))
def test_only_independent_loops_run_in_parallel(tmp_path_factory, seed, n):
    program, text = _load(tmp_path_factory, seed)
    rng = np.random.default_rng(seed % 1000)
    x, w = rng.uniform(-1, 1, 5), rng.uniform(-1, 1, 5)
    for kind, extra in (("value_and_grad", (1.0,)), ("jvp", (rng.standard_normal(5), rng.standard_normal(5)))):
        serial = Transformation(program, kind, (0, 1)).specialize(_types())
        parallel = Transformation(program, kind, (0, 1), target="parallel").specialize(_types())
        expected = _run(serial, (x.copy(), w.copy(), n), extra)
        found = _run(parallel, (x.copy(), w.copy(), n), extra)
        assert _equal(found, expected), f"{kind}\n{text}\n{parallel.source}"
        code = [line for line in parallel.source.splitlines() if not line.strip().startswith("#")]
        PARALLEL_SOURCES.append(any(" in prange(" in line for line in code))


PARALLEL_SOURCES = []


def test_some_loops_did_run_in_parallel():
    # after the property test (pytest runs a file's tests in order): the backwards runs did happen
    assert not PARALLEL_SOURCES or sum(PARALLEL_SOURCES) >= 5, PARALLEL_SOURCES
